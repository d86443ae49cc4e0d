"""Typed records the readers yield, one per data row (plain frozen dataclasses with slots: small in
memory)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

__all__ = [
    "DomainRecord",
    "FingertipsRecord",
    "ImdRecord",
    "LsoaWardRecord",
    "PatientCountRecord",
    "PopulationRecord",
    "PostcodeRecord",
    "PracticeGeographyRecord",
    "PracticeRecord",
    "QofIndicatorRecord",
    "QofRecord",
    "SupplementaryIndexRecord",
    "WardRecord",
]


@dataclass(frozen=True, slots=True)
class DomainRecord:
    """One IoD2019 domain for one LSOA: rank (1 = most deprived of 32,844), decile (1 = most deprived 10%),
    and the score where the file carries it (File 7 and the GLA sheet do; File 2 does not)."""

    rank: int
    decile: int
    score: float | None = None


@dataclass(frozen=True, slots=True)
class ImdRecord:
    """IoD2019 for one LSOA (File 1, File 2, File 7 / GLA sheet, or the Lewisham subset).

    ``domains`` maps the domain names used in the files ("Income", "Employment", "Education, Skills and
    Training", "Health Deprivation and Disability", "Crime", "Barriers to Housing and Services", "Living
    Environment") to their rank/decile/score; it is empty for File 1.
    """

    lsoa_code: str
    lsoa_name: str
    lad_code: str
    lad_name: str
    imd_rank: int
    imd_decile: int
    imd_score: float | None = None
    domains: dict[str, DomainRecord] = field(default_factory=dict)
    ward_code: str | None = None


@dataclass(frozen=True, slots=True)
class SupplementaryIndexRecord:
    """IoD2019 File 3: Income Deprivation Affecting Children / Older People (score = rate 0..1)."""

    lsoa_code: str
    lsoa_name: str
    lad_code: str
    lad_name: str
    idaci_score: float
    idaci_rank: int
    idaci_decile: int
    idaopi_score: float
    idaopi_rank: int
    idaopi_decile: int


@dataclass(frozen=True, slots=True)
class PopulationRecord:
    """IoD2019 File 6: mid-2015 population denominators (excluding prisoners) of one LSOA."""

    lsoa_code: str
    lsoa_name: str
    lad_code: str
    lad_name: str
    total: int
    children_0_15: int
    aged_16_59: int
    aged_60_plus: int
    working_age_18_59_64: int


@dataclass(frozen=True, slots=True)
class PostcodeRecord:
    """One postcode of an ONS postcode lookup (PCD_OA_LSOA_MSOA_LAD, or the Lewisham copy of it).

    ``postcode`` is the normalised ``pcds`` form. ``introduced``/``terminated_on`` are the ONS ``yyyymm``
    strings; ``terminated`` is true when the postcode has a termination date. Geography codes are ``None``
    when the lookup leaves them blank.
    """

    postcode: str
    pcd7: str
    pcd8: str
    introduced: str
    terminated_on: str | None
    terminated: bool
    usertype: int
    oa_code: str | None
    lsoa_code: str | None
    msoa_code: str | None
    lad_code: str | None
    ward_code: str | None = None
    lsoa_name: str | None = None
    msoa_name: str | None = None
    lad_name: str | None = None


@dataclass(frozen=True, slots=True)
class LsoaWardRecord:
    """LSOA -> electoral ward (-> local authority) lookup row."""

    lsoa_code: str
    ward_code: str
    ward_name: str | None
    lsoa_name: str | None = None
    lad_code: str | None = None
    lad_name: str | None = None


@dataclass(frozen=True, slots=True)
class WardRecord:
    """Ward code -> name."""

    ward_code: str
    ward_name: str


@dataclass(frozen=True, slots=True)
class FingertipsRecord:
    """One row of a Fingertips data export (26- or 27-column layout).

    ``value`` is ``None`` when Fingertips publishes no value (suppressed, or combined with another area); the
    reason is then in ``value_note`` (e.g. "Value for Hackney and City of London combined") and is never
    turned into a zero. Comparison columns keep Fingertips' words ("Better", "Similar", "Worse", "Not
    compared"...); empty cells are ``None``. ``compared_to_parent`` is the column after "Compared to England"
    whatever its name ("Compared to Region value or percentiles", "Compared to percentiles"...).
    """

    indicator_id: int
    indicator_name: str
    parent_code: str | None
    parent_name: str | None
    area_code: str
    area_name: str
    area_type: str
    sex: str
    age: str
    category_type: str | None
    category: str | None
    period: str
    value: float | None
    lower_ci95: float | None
    upper_ci95: float | None
    lower_ci998: float | None
    upper_ci998: float | None
    count: float | None
    denominator: float | None
    value_note: str | None
    recent_trend: str | None
    compared_to_england: str | None
    compared_to_parent: str | None
    period_sortable: int
    new_data: str | None
    compared_to_goal: str | None
    period_range: str | None = None


@dataclass(frozen=True, slots=True)
class PracticeRecord:
    """One organisation of NHS ODS ``epraccur`` (GP practices and other prescribing settings).

    ``status_code``: A active, C closed, D dormant, P proposed. ``organisation_subtype``: B allocated to a
    commissioner, Z not allocated. ``prescribing_setting``: 4 = GP practice (ODS code list).
    """

    code: str
    name: str
    national_grouping: str | None
    high_level_health_geography: str | None
    address: tuple[str, ...]
    postcode: str | None
    open_date: dt.date | None
    close_date: dt.date | None
    status_code: str
    organisation_subtype: str
    commissioner: str | None
    join_provider_date: dt.date | None
    left_provider_date: dt.date | None
    contact_telephone: str | None
    amended_record: bool
    provider_purchaser: str | None
    prescribing_setting: int | None

    @property
    def is_gp_practice(self) -> bool:
        return self.prescribing_setting == 4

    @property
    def is_active(self) -> bool:
        return self.status_code == "A"


@dataclass(frozen=True, slots=True)
class PatientCountRecord:
    """NHS Digital "Patients registered at a GP practice" (gp-reg-pat-prac-all), one practice x sex x age."""

    publication: str
    extract_date: dt.date
    practice_code: str
    ccg_code: str
    ons_ccg_code: str
    postcode: str | None
    sex: str
    age: str
    patients: int


@dataclass(frozen=True, slots=True)
class QofRecord:
    """NHS Digital QOF prevalence file: one practice x disease register."""

    practice_code: str
    group_code: str
    register: int
    patient_list_type: str
    list_size: int

    @property
    def prevalence(self) -> float | None:
        """Register / list size (a fraction), ``None`` when the list size is 0."""
        return self.register / self.list_size if self.list_size else None


@dataclass(frozen=True, slots=True)
class QofIndicatorRecord:
    """QOF indicator -> group -> domain mapping row."""

    indicator_code: str
    point_value: int
    group_code: str
    group_description: str
    domain_code: str
    domain_description: str
    patient_list_type: str


@dataclass(frozen=True, slots=True)
class PracticeGeographyRecord:
    """QOF practice -> PCN -> CCG -> STP -> NHS region mapping row."""

    practice_code: str
    practice_name: str
    pcn_code: str | None
    pcn_name: str | None
    ccg_ods_code: str
    ccg_ons_code: str
    ccg_name: str
    stp_ods_code: str
    stp_ons_code: str
    stp_name: str
    region_ods_code: str
    region_ons_code: str
    region_name: str
    country: str
