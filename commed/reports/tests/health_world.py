"""Health evidence for the dashboard's Core20 and indicator-domain charts, on top of the programmes world.

Small files in the publishers' layouts (commed/health/tests/files.py), so every share is known: LSOA 189 (decile 1,
1,000 people) and 190 (decile 2, 3,000 people) are Core20, 191 (decile 9, 6,000) is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from commed.health import services as health_services
from commed.health.models import IndicatorValue
from commed.health.models import Locality as HealthLocality
from commed.health.tests.files import file1, file6, fingertips, load
from commed.programmes import services as programme_services
from commed.programmes.models import Programme, Project
from commed.programmes.tests.world import build_world

LSOAS = [("E01003189", 1), ("E01003190", 2), ("E01003191", 9)]
POPULATIONS = [("E01003189", 1000), ("E01003190", 3000), ("E01003191", 6000)]
ENGLAND = ("E92000001", "England", "England")
LEWISHAM = ("E09000023", "Lewisham", "Counties & UAs (from Apr 2023)")
FALLS = "Emergency hospital admissions due to falls in people aged 65 and over"
OBESITY = "Year 6 prevalence of obesity"
UNDER_20, BAND_40, BAND_80 = "Core20 share under 20%", "40% to 60%", "80% or more"


@dataclass
class Evidence:
    programme: Programme
    a: Project  # cites the Deprived profile (100%) and falls for Mixed (40%): counts once, at 80% or more
    b: Project  # obesity for Affluent (0%)
    c: Project  # in the programme locality "Catford"; falls and obesity for Mixed (40%): in both domains
    d: Project  # another programme; obesity for Deprived
    e: Project  # the programme's next year; cites nothing
    deprived: HealthLocality
    mixed: HealthLocality
    falls: IndicatorValue
    obesity: IndicatorValue


def build_evidence(p: Any) -> Evidence:
    world = build_world(p)
    lead = p.lead
    load("imd", file1(LSOAS), "File_1_small.csv", lead)
    load("imd", file6(POPULATIONS), "File_6_small.csv", lead)
    load("fingertips", fingertips([
        (22401, FALLS, *ENGLAND, "2021", 2100, 2080, 2120, "", ""),
        (22401, FALLS, *LEWISHAM, "2021", 2500, 2400, 2600, "", "Worse"),
        (90323, OBESITY, *ENGLAND, "2021", 23.4, 23.3, 23.5, "", ""),
        (90323, OBESITY, *LEWISHAM, "2021", 23.0, 22.0, 24.0, "", "Similar"),
    ]), "fingertips_small.csv", lead, polarities={22401: "RAG - Low is good", 90323: "RAG - Low is good"},
        domains={22401: "Older people", 90323: "Child health"})
    deprived = health_services.locality_create(actor=lead, name="Deprived", kind="lsoas",
                                               codes=["E01003189", "E01003190"])
    mixed = health_services.locality_create(actor=lead, name="Mixed", kind="lsoas", codes=[c for c, _ in LSOAS])
    affluent = health_services.locality_create(actor=lead, name="Affluent", kind="lsoas", codes=["E01003191"])
    falls = IndicatorValue.objects.get(indicator_id=22401, area_code=LEWISHAM[0])
    obesity = IndicatorValue.objects.get(indicator_id=90323, area_code=LEWISHAM[0])

    catford = programme_services.locality_add(actor=lead, cohort=world.cohort, name="Catford")
    c = programme_services.project_create(actor=lead, cohort=world.cohort, title="Falls at home",
                                          organisations=[p.org_a], locality=catford)
    other = programme_services.programme_create(actor=lead, name="Other programme", code="OTH", years_of_study="2")
    other_cohort = programme_services.cohort_create(actor=lead, programme=other, academic_year="2025/26")
    d = programme_services.project_create(actor=lead, cohort=other_cohort, title="Elsewhere",
                                          organisations=[p.org_b])
    later = programme_services.cohort_create(actor=lead, programme=world.programme, academic_year="2026/27")
    e = programme_services.project_create(actor=lead, cohort=later, title="Next year", organisations=[p.org_a])

    a, b = world.project_a, world.project_b
    cite = health_services.evidence_cite
    cite(project_id=a.pk, by=p.student, locality=deprived)
    cite(project_id=a.pk, by=p.student, indicator_value=falls, locality=mixed)
    cite(project_id=b.pk, by=p.lead, indicator_value=obesity, locality=affluent)
    cite(project_id=c.pk, by=p.lead, indicator_value=falls, locality=mixed)
    cite(project_id=c.pk, by=p.lead, indicator_value=obesity, locality=mixed)
    cite(project_id=d.pk, by=p.lead, indicator_value=obesity, locality=deprived)
    return Evidence(programme=world.programme, a=a, b=b, c=c, d=d, e=e, deprived=deprived, mixed=mixed,
                    falls=falls, obesity=obesity)
