"""National health and deprivation data, localities, and the evidence projects cite.

Every import is a :class:`DataRelease` (a version): the rows it brought point at it. A newer import of the same
kind and scope becomes the *current* release and the older one is kept, marked superseded (history). Readers
(selectors) only use current releases, and every number on a profile names the release it came from.

Data tables are lean on purpose (2.7 million postcodes): codes are plain strings (GSS/ODS codes), never
foreign keys to other data rows, because each table is versioned on its own.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class ReleaseKind(models.TextChoices):
    IMD = "imd", "Indices of Deprivation (IMD and domains)"
    POPULATION = "population", "Population denominators (IoD2019 File 6)"
    SUPPLEMENTARY = "supplementary", "IDACI and IDAOPI (IoD2019 File 3)"
    POSTCODES = "postcodes", "Postcode to LSOA lookup"
    LSOA_WARDS = "lsoa_wards", "LSOA to ward to local authority lookup"
    WARD_NAMES = "ward_names", "Ward names"
    FINGERTIPS = "fingertips", "Fingertips indicator values"
    GP_PRACTICES = "gp_practices", "GP practices (ODS epraccur)"
    GP_PATIENTS = "gp_patients", "Patients registered at GP practices"
    QOF_PREVALENCE = "qof_prevalence", "QOF prevalence"
    QOF_INDICATORS = "qof_indicators", "QOF indicator mapping"
    QOF_GEOGRAPHIES = "qof_geographies", "QOF practice to PCN mapping"


class DataRelease(models.Model):
    """One import of one publisher's file: a version of one kind of data for one scope.

    ``scope`` says what the file covers ("national", a list of local authorities, "indicators 93356"...): a
    new import replaces the current release of the same kind and scope, so a London sheet does not replace
    the national file, and one Fingertips indicator does not replace another.
    """

    kind = models.CharField(max_length=20, choices=ReleaseKind.choices, db_index=True)
    layout = models.CharField(max_length=40, help_text="The publisher's layout the reader detected")
    scope = models.CharField(max_length=200)
    source_file = models.CharField(max_length=255)
    release_label = models.CharField(max_length=120, help_text="e.g. IoD2019, Fingertips export 2021-03")
    row_count = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)
    is_current = models.BooleanField(default=False, db_index=True)
    is_demo = models.BooleanField(default=False)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="supersedes"
    )

    class Meta:
        ordering = ("-imported_at", "-id")

    def __str__(self) -> str:
        return f"{self.release_label} ({self.source_file})"

    @property
    def citation(self) -> str:
        """How a number says where it comes from: release label, file and import date."""
        return f"{self.release_label}, {self.source_file}, imported {self.imported_at:%d %b %Y}"


class LsoaDeprivation(models.Model):
    """IoD2019 for one LSOA in one release. ``domains`` maps a domain name to ``[rank, decile, score|None]``."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    lsoa_code = models.CharField(max_length=9)
    lsoa_name = models.CharField(max_length=100)
    lad_code = models.CharField(max_length=9)
    lad_name = models.CharField(max_length=100)
    imd_rank = models.PositiveIntegerField()
    imd_decile = models.PositiveSmallIntegerField()
    imd_score = models.FloatField(null=True, blank=True)
    ward_code = models.CharField(max_length=9, blank=True)
    domains = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = (models.Index(fields=("lsoa_code", "release")), models.Index(fields=("lad_code", "release")))

    def __str__(self) -> str:
        return f"{self.lsoa_code} {self.lsoa_name}: IMD decile {self.imd_decile}"


class LsoaPopulation(models.Model):
    """IoD2019 File 6: mid-2015 population denominators (excluding prisoners)."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    lsoa_code = models.CharField(max_length=9)
    total = models.PositiveIntegerField()
    children_0_15 = models.PositiveIntegerField()
    aged_16_59 = models.PositiveIntegerField()
    aged_60_plus = models.PositiveIntegerField()
    working_age = models.PositiveIntegerField()

    class Meta:
        indexes = (models.Index(fields=("lsoa_code", "release")),)

    def __str__(self) -> str:
        return f"{self.lsoa_code}: population {self.total:,}"


class LsoaSupplementary(models.Model):
    """IoD2019 File 3: income deprivation affecting children (IDACI) and older people (IDAOPI)."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    lsoa_code = models.CharField(max_length=9)
    idaci_score = models.FloatField()
    idaci_decile = models.PositiveSmallIntegerField()
    idaopi_score = models.FloatField()
    idaopi_decile = models.PositiveSmallIntegerField()

    class Meta:
        indexes = (models.Index(fields=("lsoa_code", "release")),)

    def __str__(self) -> str:
        return f"{self.lsoa_code}: IDACI decile {self.idaci_decile}, IDAOPI decile {self.idaopi_decile}"


class Postcode(models.Model):
    """A postcode of an ONS lookup: kept lean (2.7 million rows in England)."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    postcode = models.CharField(max_length=8, help_text="pcds form: 'SE6 4RU'")
    lsoa_code = models.CharField(max_length=9, blank=True)
    terminated = models.BooleanField(default=False)

    class Meta:
        indexes = (models.Index(fields=("postcode", "release")), models.Index(fields=("lsoa_code", "release")))

    def __str__(self) -> str:
        return f"{self.postcode} -> {self.lsoa_code or 'no LSOA'}"


class LsoaWard(models.Model):
    """LSOA -> electoral ward -> local authority district."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    lsoa_code = models.CharField(max_length=9)
    ward_code = models.CharField(max_length=9)
    ward_name = models.CharField(max_length=100, blank=True)
    lad_code = models.CharField(max_length=9, blank=True)
    lad_name = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = (
            models.Index(fields=("lsoa_code", "release")),
            models.Index(fields=("ward_code", "release")),
            models.Index(fields=("lad_code", "release")),
        )

    def __str__(self) -> str:
        return f"{self.lsoa_code} -> {self.ward_code} {self.ward_name}".rstrip()


class WardName(models.Model):
    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    ward_code = models.CharField(max_length=9)
    ward_name = models.CharField(max_length=100)

    class Meta:
        indexes = (models.Index(fields=("ward_code", "release")),)

    def __str__(self) -> str:
        return f"{self.ward_code} {self.ward_name}"


class Indicator(models.Model):
    """What commed knows about a Fingertips indicator beyond its values: its polarity.

    Fingertips' data exports do not carry the polarity; the importer infers it from the export's own "Compared
    to England" words (Better/Worse against the values) or takes it from ``--polarity``.
    """

    indicator_id = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=300)
    polarity = models.CharField(max_length=40, default="Not applicable")
    polarity_source = models.CharField(max_length=120, blank=True)
    # The profile domain the indicator belongs to (e.g. "Wider determinants of health"): Fingertips' data
    # exports do not carry it, so it is given at import (`--domain ID=DOMAIN`) and kept across releases.
    domain = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    """One row of a Fingertips export. A suppressed value is ``None`` with its note, never zero."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    indicator_id = models.PositiveIntegerField()
    indicator_name = models.CharField(max_length=300)
    area_code = models.CharField(max_length=9)
    area_name = models.CharField(max_length=150)
    area_type = models.CharField(max_length=80)
    parent_code = models.CharField(max_length=9, blank=True)
    sex = models.CharField(max_length=20)
    age = models.CharField(max_length=40)
    category_type = models.CharField(max_length=120, blank=True)
    category = models.CharField(max_length=120, blank=True)
    period = models.CharField(max_length=40)
    period_sortable = models.PositiveIntegerField()
    value = models.FloatField(null=True, blank=True)
    value_note = models.CharField(max_length=200, blank=True)
    lower_ci95 = models.FloatField(null=True, blank=True)
    upper_ci95 = models.FloatField(null=True, blank=True)
    count = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    compared_to_england = models.CharField(max_length=40, blank=True, help_text="As the publisher states it")
    recent_trend = models.CharField(max_length=60, blank=True, help_text="As the publisher states it")

    class Meta:
        indexes = (
            models.Index(fields=("area_code", "release")),
            models.Index(fields=("indicator_id", "period_sortable")),
        )

    def __str__(self) -> str:
        return f"{self.indicator_name}, {self.area_name}, {self.period}"


class IndicatorSummary(models.Model):
    """The spread of one indicator over all areas of one type (for the spine chart) and England's value,
    computed once at import for each (indicator, sex, age, period, area type) of the main (uncategorised)
    rows."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    indicator_id = models.PositiveIntegerField()
    sex = models.CharField(max_length=20)
    age = models.CharField(max_length=40)
    period = models.CharField(max_length=40)
    period_sortable = models.PositiveIntegerField()
    area_type = models.CharField(max_length=80)
    areas = models.PositiveIntegerField()
    minimum = models.FloatField()
    q25 = models.FloatField()
    median = models.FloatField()
    q75 = models.FloatField()
    maximum = models.FloatField()
    england = models.FloatField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("indicator_id", "release")),)

    def __str__(self) -> str:
        return f"Indicator {self.indicator_id}, {self.area_type}, {self.period}"


class GpPractice(models.Model):
    """NHS ODS epraccur: one organisation (GP practice or other prescribing setting)."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=6)
    name = models.CharField(max_length=150)
    postcode = models.CharField(max_length=8, blank=True)
    status = models.CharField(max_length=1)
    commissioner = models.CharField(max_length=6, blank=True)
    prescribing_setting = models.PositiveSmallIntegerField(null=True, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)

    class Meta:
        indexes = (models.Index(fields=("code", "release")),)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RegisteredPatients(models.Model):
    """NHS Digital patients registered at a GP practice (one practice x sex x age band)."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    practice_code = models.CharField(max_length=6)
    extract_date = models.DateField()
    postcode = models.CharField(max_length=8, blank=True)
    sex = models.CharField(max_length=10)
    age = models.CharField(max_length=10)
    patients = models.PositiveIntegerField()

    class Meta:
        indexes = (models.Index(fields=("practice_code", "release")),)

    def __str__(self) -> str:
        return f"{self.practice_code} {self.sex} {self.age}: {self.patients:,} patients"


class QofPrevalence(models.Model):
    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    practice_code = models.CharField(max_length=6)
    group_code = models.CharField(max_length=20)
    register = models.PositiveIntegerField()
    patient_list_type = models.CharField(max_length=20)
    list_size = models.PositiveIntegerField()

    class Meta:
        indexes = (models.Index(fields=("practice_code", "release")),)

    def __str__(self) -> str:
        return f"{self.practice_code} {self.group_code}: {self.register:,} of {self.list_size:,}"


class QofGroup(models.Model):
    """QOF mapping: indicator -> group (disease register) -> domain. One row per indicator."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    indicator_code = models.CharField(max_length=20)
    group_code = models.CharField(max_length=20)
    group_description = models.CharField(max_length=200)
    domain_code = models.CharField(max_length=20)
    domain_description = models.CharField(max_length=200)
    patient_list_type = models.CharField(max_length=20)

    def __str__(self) -> str:
        return f"{self.indicator_code} ({self.group_code}, {self.domain_code})"


class PracticeGeography(models.Model):
    """QOF mapping: practice -> primary-care network -> CCG -> STP -> region."""

    release = models.ForeignKey(DataRelease, on_delete=models.CASCADE, related_name="+")
    practice_code = models.CharField(max_length=6)
    practice_name = models.CharField(max_length=150)
    pcn_code = models.CharField(max_length=10, blank=True)
    pcn_name = models.CharField(max_length=200, blank=True)
    ccg_code = models.CharField(max_length=9)
    ccg_name = models.CharField(max_length=200)
    region_name = models.CharField(max_length=100)

    class Meta:
        indexes = (models.Index(fields=("practice_code", "release")), models.Index(fields=("pcn_code", "release")))

    def __str__(self) -> str:
        return f"{self.practice_code} {self.practice_name} -> {self.pcn_code or 'no PCN'}"


class LocalityKind(models.TextChoices):
    LSOAS = "lsoas", "A set of LSOAs"
    WARDS = "wards", "Electoral wards"
    LAD = "lad", "A local authority"
    PCN = "pcn", "A primary-care network"
    PRACTICE = "practice", "A GP practice's registered population"


class Locality(models.Model):
    """A placement's locality, defined by codes of one kind (LSOA, ward, LAD, PCN or practice codes).

    ``placement_locality_id`` is the id of a ``programmes.Locality`` (a cohort's locality) this profile
    describes, kept as a plain integer so that the two apps' migrations stay independent.
    """

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=LocalityKind.choices)
    codes = models.JSONField(default=list, help_text="The LSOA, ward, LAD, PCN or practice codes")
    description = models.TextField(blank=True)
    placement_locality_id = models.PositiveIntegerField(null=True, blank=True)
    is_demo = models.BooleanField(default=False)
    created_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class EvidenceCitation(models.Model):
    """A project cites an indicator value (or a whole locality profile) as evidence for its need.

    ``project_id`` is a ``programmes.Project`` id (a plain integer: the apps' migrations stay independent).
    What was cited is copied into ``label``/``value_text``/``period``/``source`` when cited, so the citation
    still reads correctly after a newer release replaces the value.
    """

    project_id = models.PositiveIntegerField(db_index=True)
    indicator_value = models.ForeignKey(
        IndicatorValue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    label = models.CharField(max_length=300)
    value_text = models.CharField(max_length=200, blank=True)
    period = models.CharField(max_length=40, blank=True)
    source = models.CharField(max_length=400, blank=True)
    note = models.TextField(blank=True)
    cited_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    cited_at = models.DateTimeField()

    class Meta:
        ordering = ("cited_at", "id")

    def __str__(self) -> str:
        return self.label
