"""Reads of the health data: localities resolved to areas, the locality profile, priorities, evidence.

Only *current* releases are read (see ``DataRelease``); where several current releases hold the same LSOA (the
national File 2 and the London sheet, say), the most recently imported one wins. Every number carries the
release it came from (``Sourced``), so the page can say "source file, release, period" beside it.

A GP practice's registered population (and a PCN's, the sum of its practices') is approximated as follows: its
size is the registered-patient count (NHS Digital, sex ALL, age ALL); its deprivation is that of the LSOA of the
practice's postcode (epraccur postcode -> ONS postcode lookup -> IMD), weighted by the patient count; and the
practice-level Fingertips indicators (e.g. 93553 "Deprivation score (IMD 2019)", which OHID computes from the
patients' own LSOAs) are shown beside it as the better measure where loaded.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from commed.accounts.models import User
from commed.health.models import (
    DataRelease,
    EvidenceCitation,
    GpPractice,
    Indicator,
    IndicatorSummary,
    IndicatorValue,
    Locality,
    LocalityKind,
    LsoaDeprivation,
    LsoaPopulation,
    LsoaWard,
    Postcode,
    PracticeGeography,
    RegisteredPatients,
    ReleaseKind,
)
from commed_core.indicators import (
    TrendPoint,
    compare_to_benchmark,
    population_weighted_deciles,
    spine_chart_positions,
    trend,
)

ENGLAND = "E92000001"
DOMAIN_NAMES = (
    "Income",
    "Employment",
    "Education, Skills and Training",
    "Health Deprivation and Disability",
    "Crime",
    "Barriers to Housing and Services",
    "Living Environment",
)


# --- releases ----------------------------------------------------------------------------------------------------


def releases_current(*, kind: str) -> list[DataRelease]:
    """Current releases of ``kind``, oldest import first (so later ones override earlier ones)."""
    return list(DataRelease.objects.filter(kind=kind, is_current=True).order_by("imported_at", "id"))


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("name", "indicator_id")


def release_list() -> QuerySet[DataRelease]:
    return DataRelease.objects.select_related("imported_by", "superseded_by").order_by("kind", "-imported_at", "-id")


# --- localities --------------------------------------------------------------------------------------------------


def locality_list() -> QuerySet[Locality]:
    """Localities are open data about places: every signed-in user may read them."""
    return Locality.objects.order_by("name")


def locality_get(*, pk: int) -> Locality:
    locality = Locality.objects.filter(pk=pk).first()
    if locality is None:
        raise Http404
    return locality


@dataclass
class Areas:
    """What a locality covers, resolved from its codes through the current lookups."""

    lsoas: list[str]
    wards: list[str]
    lads: list[str]
    practices: list[str]
    pcns: list[str]
    # (LSOA, weight) for a practice-based locality: the practice's LSOA weighted by its registered patients.
    practice_weights: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def codes(self) -> set[str]:
        return {*self.lsoas, *self.wards, *self.lads, *self.practices, *self.pcns}


def _ids(releases: Iterable[DataRelease]) -> list[int]:
    return [r.pk for r in releases]


def locality_areas(*, locality: Locality) -> Areas:
    codes = [str(c).strip().upper() for c in locality.codes if str(c).strip()]
    imd = _ids(releases_current(kind=ReleaseKind.IMD))
    lookups = _ids(releases_current(kind=ReleaseKind.LSOA_WARDS))
    areas = Areas(lsoas=[], wards=[], lads=[], practices=[], pcns=[])
    if locality.kind == LocalityKind.LSOAS:
        areas.lsoas = codes
    elif locality.kind == LocalityKind.WARDS:
        areas.wards = codes
        found = set(
            LsoaWard.objects.filter(release__in=lookups, ward_code__in=codes).values_list("lsoa_code", flat=True)
        )
        found |= set(
            LsoaDeprivation.objects.filter(release__in=imd, ward_code__in=codes).values_list("lsoa_code", flat=True)
        )
        areas.lsoas = sorted(found)
    elif locality.kind == LocalityKind.LAD:
        areas.lads = codes
        areas.lsoas = sorted(
            set(LsoaDeprivation.objects.filter(release__in=imd, lad_code__in=codes).values_list("lsoa_code", flat=True))
        )
    else:
        if locality.kind == LocalityKind.PCN:
            areas.pcns = codes
            geographies = _ids(releases_current(kind=ReleaseKind.QOF_GEOGRAPHIES))
            areas.practices = sorted(
                set(
                    PracticeGeography.objects.filter(release__in=geographies, pcn_code__in=codes).values_list(
                        "practice_code", flat=True
                    )
                )
            )
        else:
            areas.practices = codes
        _practice_population(areas)
    if not areas.lads and areas.lsoas:
        areas.lads = sorted(
            set(
                LsoaDeprivation.objects.filter(release__in=imd, lsoa_code__in=areas.lsoas).values_list(
                    "lad_code", flat=True
                )
            )
        )
    if not areas.wards and areas.lsoas and locality.kind == LocalityKind.LSOAS:
        areas.wards = sorted(
            set(
                LsoaWard.objects.filter(release__in=lookups, lsoa_code__in=areas.lsoas).values_list(
                    "ward_code", flat=True
                )
            )
        )
    return areas


def _practice_population(areas: Areas) -> None:
    """Place each practice's registered patients at the LSOA of its postcode (see the module docstring)."""
    practices = _ids(releases_current(kind=ReleaseKind.GP_PRACTICES))
    postcodes = dict(
        GpPractice.objects.filter(release__in=practices, code__in=areas.practices).values_list("code", "postcode")
    )
    lsoa_of = dict(
        Postcode.objects.filter(
            release__in=_ids(releases_current(kind=ReleaseKind.POSTCODES)), postcode__in=set(postcodes.values())
        ).values_list("postcode", "lsoa_code")
    )
    patients = practice_patients(codes=areas.practices)
    weights: dict[str, float] = defaultdict(float)
    for code in areas.practices:
        lsoa = lsoa_of.get(postcodes.get(code, ""), "")
        if not lsoa:
            areas.notes.append(f"Practice {code}: its postcode is not in the loaded postcode lookups.")
            continue
        weights[lsoa] += patients.get(code, 0)
    areas.practice_weights = dict(weights)
    areas.lsoas = sorted(weights)


def practice_patients(*, codes: Iterable[str]) -> dict[str, int]:
    """Registered patients (all sexes, all ages) per practice, from the current release."""
    releases = _ids(releases_current(kind=ReleaseKind.GP_PATIENTS))
    totals: dict[str, int] = {}
    for code, patients in RegisteredPatients.objects.filter(
        release__in=releases, practice_code__in=list(codes), sex="ALL", age="ALL"
    ).values_list("practice_code", "patients"):
        totals[code] = patients
    return totals


# --- the profile -------------------------------------------------------------------------------------------------


@dataclass
class LsoaRow:
    code: str
    name: str
    lad_name: str
    decile: int
    rank: int
    score: float | None
    population: float | None
    domains: dict[str, list[Any]]
    release: DataRelease


@dataclass
class DomainRow:
    name: str
    core20_share: float  # weighted share of the population in the domain's national deciles 1-2
    mean_score: float | None
    most_deprived_decile: int


@dataclass
class IndicatorRow:
    value_id: int
    indicator_id: int
    name: str
    polarity: str
    area_code: str
    area_name: str
    area_type: str
    sex: str
    age: str
    period: str
    value: float | None
    note: str
    lower: float | None
    upper: float | None
    count: float | None
    denominator: float | None
    england: float | None
    comparison: str
    trend: str
    published_trend: str
    periods: int
    release: DataRelease
    spine: dict[str, float] | None = None
    gap: float = 0.0  # relative distance from England, for ranking priorities


@dataclass
class Profile:
    locality: Locality
    areas: Areas
    lsoas: list[LsoaRow]
    population: float | None
    population_basis: str
    population_releases: list[DataRelease]
    decile_shares: list[float] | None
    core20_share: float | None
    weighting: str
    domains: list[DomainRow]
    indicators: list[IndicatorRow]
    releases: list[DataRelease]
    notes: list[str]

    @property
    def decile_rows(self) -> list[tuple[int, float]]:
        return list(enumerate(self.decile_shares or [], start=1))


def _latest_by_code(rows: Iterable[Any], releases: list[DataRelease], code: str = "lsoa_code") -> dict[str, Any]:
    """Rows (with ``release_id``) of ``releases`` (oldest import first): the last release wins for each code."""
    order = {release.pk: index for index, release in enumerate(releases)}
    found: dict[str, Any] = {}
    for row in sorted(rows, key=lambda r: order[r.release_id]):
        found[getattr(row, code)] = row
    return found


# Rows are read as named tuples, not model instances: a profile of 200 LSOAs and 300 indicators reads a few
# thousand rows, and building a model instance for each was most of its time (bench/health_import.py).
_DEPRIVATION_FIELDS = ("lsoa_code", "lsoa_name", "lad_name", "imd_decile", "imd_rank", "imd_score", "domains",
                       "release_id")
_VALUE_FIELDS = ("id", "indicator_id", "indicator_name", "area_code", "area_name", "area_type", "sex", "age",
                 "period", "period_sortable", "value", "value_note", "lower_ci95", "upper_ci95", "count",
                 "denominator", "recent_trend", "release_id")
_SUMMARY_FIELDS = ("indicator_id", "sex", "age", "period", "area_type", "areas", "minimum", "q25", "q75", "maximum")


def locality_profile(*, locality: Locality) -> Profile:
    areas = locality_areas(locality=locality)
    notes = list(areas.notes)
    imd = releases_current(kind=ReleaseKind.IMD)
    populations = releases_current(kind=ReleaseKind.POPULATION)
    release_of = {r.pk: r for r in (*imd, *populations)}
    deprivation = _latest_by_code(
        LsoaDeprivation.objects.filter(release__in=_ids(imd), lsoa_code__in=areas.lsoas).values_list(
            *_DEPRIVATION_FIELDS, named=True
        ),
        imd,
    )
    population_rows = _latest_by_code(
        LsoaPopulation.objects.filter(release__in=_ids(populations), lsoa_code__in=areas.lsoas).values_list(
            "lsoa_code", "total", "release_id", named=True
        ),
        populations,
    )
    practice_based = locality.kind in (LocalityKind.PCN, LocalityKind.PRACTICE)
    lsoas: list[LsoaRow] = []
    for code in areas.lsoas:
        row = deprivation.get(code)
        if row is None:
            notes.append(f"LSOA {code} is not in the loaded IMD data.")
            continue
        weight: float | None
        if practice_based:
            weight = areas.practice_weights.get(code)
        else:
            pop = population_rows.get(code)
            weight = float(pop.total) if pop is not None else None
        lsoas.append(
            LsoaRow(code, row.lsoa_name, row.lad_name, row.imd_decile, row.imd_rank, row.imd_score, weight,
                    row.domains, release_of[row.release_id])
        )
    weighted = [r for r in lsoas if r.population is not None]
    if practice_based:
        population = float(sum(practice_patients(codes=areas.practices).values())) or None
        basis = "registered patients of the practices (NHS Digital)"
        population_releases = releases_current(kind=ReleaseKind.GP_PATIENTS)
    else:
        population = float(sum(r.population or 0 for r in weighted)) if weighted else None
        basis = "mid-2015 population of the LSOAs (IoD2019 File 6)"
        population_releases = sorted({release_of[r.release_id] for r in population_rows.values()},
                                     key=lambda r: r.pk)
    shares: list[float] | None = None
    core20: float | None = None
    weighting = "population-weighted"
    pairs: list[tuple[int, float]] = [(r.decile, r.population or 0.0) for r in weighted]
    if not pairs or sum(p for _, p in pairs) <= 0:
        pairs = [(r.decile, 1.0) for r in lsoas]
        weighting = "unweighted (share of LSOAs: no population denominators loaded for them)"
    elif len(weighted) < len(lsoas):
        notes.append(f"{len(lsoas) - len(weighted)} LSOAs have no population denominator and are left out.")
    if pairs:
        shares = population_weighted_deciles(pairs)
        core20 = shares[0] + shares[1]
    domains = _domains(lsoas, weighting.startswith("population"))
    indicators = _indicators(areas)
    releases = {r.release for r in lsoas} | set(population_releases) | {i.release for i in indicators}
    return Profile(
        locality=locality,
        areas=areas,
        lsoas=lsoas,
        population=population,
        population_basis=basis,
        population_releases=list(population_releases),
        decile_shares=shares,
        core20_share=core20,
        weighting=weighting,
        domains=domains,
        indicators=indicators,
        releases=sorted(releases, key=lambda r: (r.kind, r.pk)),
        notes=notes,
    )


def _domains(lsoas: list[LsoaRow], weighted: bool) -> list[DomainRow]:
    rows = []
    for name in DOMAIN_NAMES:
        values = [(r.domains[name], (r.population or 0.0) if weighted else 1.0) for r in lsoas if name in r.domains]
        total = math.fsum(w for _, w in values)
        if not values or total <= 0:
            continue
        deprived = math.fsum(w for d, w in values if d[1] <= 2)
        scored = [(d[2], w) for d, w in values if d[2] is not None]
        score_weight = math.fsum(w for _, w in scored)
        mean = math.fsum(s * w for s, w in scored) / score_weight if scored and score_weight > 0 else None
        rows.append(DomainRow(name, deprived / total, mean, min(d[1] for d, _ in values)))
    return rows


def _indicators(areas: Areas) -> list[IndicatorRow]:
    releases = {r.pk: r for r in releases_current(kind=ReleaseKind.FINGERTIPS)}
    codes = areas.codes
    if not releases or not codes:
        return []
    values = list(
        IndicatorValue.objects.filter(release__in=list(releases), area_code__in=codes, category_type="")
        .order_by("indicator_id", "area_code", "sex", "age", "period_sortable")
        .values_list(*_VALUE_FIELDS, named=True)
    )
    if not values:
        return []
    indicator_ids = {v.indicator_id for v in values}
    polarity = dict(Indicator.objects.filter(indicator_id__in=indicator_ids).values_list("indicator_id", "polarity"))
    england: dict[tuple[int, str, str, str], float] = {}
    # By area code only (the (area_code, release) index: England's rows), not also by indicator: SQLite would
    # then walk the (indicator_id, ...) index through every area's rows of those indicators.
    for indicator_id, sex, age, period, value in IndicatorValue.objects.filter(
        release__in=list(releases), area_code=ENGLAND, category_type="", value__isnull=False
    ).values_list("indicator_id", "sex", "age", "period", "value"):
        if indicator_id in indicator_ids and value is not None:
            england.setdefault((indicator_id, sex, age, period), value)
    spread = {
        (s.indicator_id, s.sex, s.age, s.period, s.area_type): s
        for s in IndicatorSummary.objects.filter(release__in=list(releases), indicator_id__in=indicator_ids)
        .values_list(*_SUMMARY_FIELDS, named=True)
    }
    series: dict[tuple[int, str, str, str], list[Any]] = defaultdict(list)
    for v in values:
        series[(v.indicator_id, v.area_code, v.sex, v.age)].append(v)
    rows = []
    for (indicator_id, _area, _sex, _age), points in series.items():
        latest = points[-1]
        pol = polarity.get(indicator_id, "Not applicable")
        benchmark = england.get((indicator_id, latest.sex, latest.age, latest.period))
        try:
            comparison = compare_to_benchmark(latest.value, latest.lower_ci95, latest.upper_ci95, benchmark, pol)
        except ValueError:
            comparison = "not compared"
        marker = trend(
            [TrendPoint(p.period_sortable, p.value, p.lower_ci95, p.upper_ci95) for p in points], proportion=False
        ) if len(points) > 1 else "could not be calculated"
        row = IndicatorRow(
            value_id=latest.id,
            indicator_id=indicator_id,
            name=latest.indicator_name,
            polarity=pol,
            area_code=latest.area_code,
            area_name=latest.area_name,
            area_type=latest.area_type,
            sex=latest.sex,
            age=latest.age,
            period=latest.period,
            value=latest.value,
            note=latest.value_note,
            lower=latest.lower_ci95,
            upper=latest.upper_ci95,
            count=latest.count,
            denominator=latest.denominator,
            england=benchmark,
            comparison=comparison,
            trend=marker,
            published_trend=latest.recent_trend,
            periods=len(points),
            release=releases[latest.release_id],
        )
        summary = spread.get((indicator_id, latest.sex, latest.age, latest.period, latest.area_type))
        if summary is not None and latest.value is not None and benchmark is not None:
            try:
                positions = spine_chart_positions(
                    latest.value, summary.minimum, summary.q25, summary.q75, summary.maximum, benchmark, pol
                )
            except ValueError:
                positions = None
            if positions is not None:
                row.spine = {
                    "worst": positions.worst, "best": positions.best, "q25": min(positions.q25, positions.q75),
                    "q75": max(positions.q25, positions.q75), "local": positions.local, "areas": summary.areas,
                }
        if latest.value is not None and benchmark:
            row.gap = abs(latest.value - benchmark) / abs(benchmark)
        rows.append(row)
    rows.sort(key=lambda r: (r.name, r.area_type, r.area_name, r.sex, r.age))
    return rows


# --- community voice ---------------------------------------------------------------------------------------------


@dataclass
class CommunityVoice:
    districts: list[str]
    organisations: list[Any]  # partners.Organisation the user may see
    organisation_count: int  # all matching organisations, seen or not
    populations: list[tuple[str, int]]  # populations the matching partners serve, with how many partners
    opportunities: list[Any]  # programmes.Opportunity the user may see


def locality_districts(*, areas: Areas) -> list[str]:
    """Postcode districts (outward codes) of the live postcodes in the locality's LSOAs."""
    releases = _ids(releases_current(kind=ReleaseKind.POSTCODES))
    postcodes = Postcode.objects.filter(release__in=releases, lsoa_code__in=areas.lsoas, terminated=False)
    return sorted({p.split(" ")[0] for p in postcodes.values_list("postcode", flat=True).distinct()})


def _matches(areas_served: str, districts: set[str], names: set[str]) -> bool:
    for token in areas_served.replace(";", ",").split(","):
        word = token.strip().upper()
        if word and (word in districts or word in names):
            return True
    return False


def locality_partners(*, locality: Locality, areas: Areas) -> list[Any]:
    """Every partner organisation whose ``areas_served`` names one of the locality's postcode districts, local
    authorities or wards (no visibility filter: callers filter)."""
    from commed.partners.models import Organisation

    districts = set(locality_districts(areas=areas))
    imd = _ids(releases_current(kind=ReleaseKind.IMD))
    names = {n.upper() for n in LsoaDeprivation.objects.filter(release__in=imd, lsoa_code__in=areas.lsoas)
             .values_list("lad_name", flat=True).distinct()}
    names |= {n.upper() for n in LsoaWard.objects.filter(ward_code__in=areas.wards).values_list("ward_name", flat=True)}
    names.add(locality.name.upper())
    return [
        o for o in Organisation.objects.prefetch_related("populations", "focus_areas").order_by("name")
        if _matches(o.areas_served, districts, names)
    ]


def locality_community_voice(*, locality: Locality, areas: Areas, user: User) -> CommunityVoice:
    from commed.partners.selectors import organisations_visible_to
    from commed.programmes.selectors import opportunities_visible_to

    partners = locality_partners(locality=locality, areas=areas)
    visible_ids = set(organisations_visible_to(user=user).filter(pk__in=[o.pk for o in partners])
                      .values_list("pk", flat=True))
    populations = Counter(p.name for o in partners for p in o.populations.all())
    opportunities = list(
        opportunities_visible_to(user=user).filter(organisation__in=[o.pk for o in partners])
        .select_related("organisation").order_by("-created_at")[:50]
    )
    return CommunityVoice(
        districts=locality_districts(areas=areas),
        organisations=[o for o in partners if o.pk in visible_ids],
        organisation_count=len(partners),
        populations=sorted(populations.items(), key=lambda item: (-item[1], item[0])),
        opportunities=opportunities,
    )


# --- priorities --------------------------------------------------------------------------------------------------

_AGE_POPULATIONS = {
    "child": {"children", "young people", "families", "young carers"},
    "older": {"older people", "carers"},
}


def _age_group(age: str, name: str) -> str | None:
    text = f"{age} {name}".lower()
    if "65+" in text or "older" in text or "aged 65" in text:
        return "older"
    if any(k in text for k in ("0-", "child", "under 18", "<18", "infant", "school", "year 6", "reception")):
        return "child"
    return None


def _words(text: str) -> set[str]:
    return {w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) >= 4}


@dataclass
class Priority:
    rank: int
    indicator: IndicatorRow
    partners: list[Any]


def locality_priorities(*, profile: Profile, partners: list[Any]) -> list[Priority]:
    """Indicators significantly worse than England, the farthest from England first, each with the
    partners (of those given) whose populations or focus areas relate to it: by age group (children,
    older people) or by a shared word between the indicator's name and the partner's focus areas."""
    worse = sorted((i for i in profile.indicators if i.comparison == "worse"), key=lambda i: (-i.gap, i.name))
    result = []
    for rank, indicator in enumerate(worse, start=1):
        group = _age_group(indicator.age, indicator.name)
        words = _words(indicator.name)
        related = []
        for organisation in partners:
            populations = {p.name.lower() for p in organisation.populations.all()}
            focus = set().union(*(_words(f.name) for f in organisation.focus_areas.all()))
            if (group and populations & _AGE_POPULATIONS[group]) or words & focus:
                related.append(organisation)
        result.append(Priority(rank, indicator, related))
    return result


# --- evidence ----------------------------------------------------------------------------------------------------


def evidence_for_project(*, project_id: int) -> QuerySet[EvidenceCitation]:
    """What a project cites, oldest first; the plan's "need" section lists these (see the report)."""
    return EvidenceCitation.objects.filter(project_id=project_id).select_related("cited_by", "locality")


def indicator_value_get(*, pk: int) -> IndicatorValue:
    value = IndicatorValue.objects.filter(pk=pk).first()
    if value is None:
        raise Http404
    return value


def projects_citable_by(*, user: User) -> list[Any]:
    """The projects (``programmes.Project``) whose need this user may back with evidence: the three parties of
    the project (students, tutor, partner) and programme leads, as for any contribution to the project."""
    from commed.programmes.selectors import project_can_contribute, projects_visible_to

    projects = projects_visible_to(user=user).select_related("cohort").order_by("title", "pk")
    return [p for p in projects if project_can_contribute(user=user, project=p)]


def voices_citable(*, user: User, pks: Iterable[str]) -> list[Any]:
    """The proposed needs (``programmes.Opportunity``) among ``pks`` that this user may see, hence cite."""
    from commed.programmes.selectors import opportunities_visible_to

    ids = [int(pk) for pk in pks if str(pk).isdigit()]
    return list(opportunities_visible_to(user=user).filter(pk__in=ids).select_related("organisation"))


def project_citable_get(*, user: User, pk: int) -> Any:
    for project in projects_citable_by(user=user):
        if project.pk == pk:
            return project
    raise Http404


# --- the programme dashboard (used by the reports app) ---------------------------------------------------------

CORE20_BANDS: tuple[tuple[float, float, str], ...] = (
    (0.0, 0.2, "Core20 share under 20%"),
    (0.2, 0.4, "20% to 40%"),
    (0.4, 0.6, "40% to 60%"),
    (0.6, 0.8, "60% to 80%"),
    (0.8, 1.0000001, "80% or more"),
)
NO_LOCALITY = "No locality cited"
NO_DOMAIN = "No domain recorded"


@dataclass(frozen=True)
class ProjectCount:
    """One row of a dashboard count: a label and the (sorted) ids of the projects in it."""

    label: str
    project_ids: list[int]

    @property
    def count(self) -> int:
        return len(self.project_ids)


def locality_core20_share(*, locality: Locality) -> float | None:
    """The locality's Core20 share as its profile states it (population-weighted where denominators exist)."""
    return locality_profile(locality=locality).core20_share


def projects_by_core20_band(*, project_ids: Iterable[int] | None = None) -> list[ProjectCount]:
    """Projects counted by the Core20 share of the locality their evidence cites, in the bands of
    ``CORE20_BANDS`` plus ``NO_LOCALITY``. A project citing several localities counts once, in the band of the
    most deprived of them (its highest Core20 share). ``project_ids`` limits the count (e.g. to one programme's
    projects); None counts every project with evidence, and projects without any citation are then unknown
    here, so pass the ids to see them under ``NO_LOCALITY``."""
    citations = EvidenceCitation.objects.exclude(locality__isnull=True)
    wanted = None if project_ids is None else set(project_ids)
    if wanted is not None:
        citations = citations.filter(project_id__in=wanted)
    localities: dict[int, set[int]] = defaultdict(set)
    for project_id, locality_id in citations.values_list("project_id", "locality_id").distinct():
        localities[project_id].add(locality_id)
    shares = {
        locality.pk: locality_core20_share(locality=locality)
        for locality in Locality.objects.filter(pk__in={i for ids in localities.values() for i in ids})
    }
    bands: dict[str, list[int]] = {label: [] for _, _, label in CORE20_BANDS}
    bands[NO_LOCALITY] = []
    for project_id in sorted(wanted if wanted is not None else localities):
        known = [s for s in (shares.get(i) for i in localities.get(project_id, ())) if s is not None]
        if not known:
            bands[NO_LOCALITY].append(project_id)
            continue
        share = max(known)
        label = next(label for low, high, label in CORE20_BANDS if low <= share < high)
        bands[label].append(project_id)
    return [ProjectCount(label, ids) for label, ids in bands.items()]


def projects_by_indicator_domain(*, project_ids: Iterable[int] | None = None) -> list[ProjectCount]:
    """Projects counted by the domain of each indicator they cite (``Indicator.domain``; ``NO_DOMAIN`` where
    none was given). A project citing indicators of two domains counts in both; one citing no indicator is not
    counted. Sorted by count, most first."""
    citations = EvidenceCitation.objects.exclude(indicator_value__isnull=True)
    if project_ids is not None:
        citations = citations.filter(project_id__in=set(project_ids))
    pairs = set(citations.values_list("project_id", "indicator_value__indicator_id"))
    domains = dict(
        Indicator.objects.filter(indicator_id__in={i for _, i in pairs}).values_list("indicator_id", "domain")
    )
    by_domain: dict[str, set[int]] = defaultdict(set)
    for project_id, indicator_id in pairs:
        by_domain[domains.get(indicator_id) or NO_DOMAIN].add(project_id)
    rows = [ProjectCount(label, sorted(ids)) for label, ids in by_domain.items()]
    return sorted(rows, key=lambda r: (-r.count, r.label))
