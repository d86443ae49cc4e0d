"""Localities of every kind, the profile's page, priorities with partners, citing evidence for a project (and the
plan's "need" section showing it), and the programme-dashboard counts by Core20 band and indicator domain.

Small files in the publishers' layouts (tests/files.py) where the numbers must be known exactly; the real Lewisham
and QOF files where the lookups themselves are what is tested.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from commed.health import selectors, services
from commed.health.imports import HealthImportError, parse_domains
from commed.health.models import EvidenceCitation, Indicator, IndicatorValue
from commed.health.tests.files import file1, file6, fingertips, load
from commed.partners import services as partner_services
from commed.programmes.tests.world import build_world

# Two deprived LSOAs (decile 1 and 2) with 1,000 and 3,000 people, one affluent (decile 9) with 6,000.
LSOAS = [("E01003189", 1), ("E01003190", 2), ("E01003191", 9)]
POPULATIONS = [("E01003189", 1000), ("E01003190", 3000), ("E01003191", 6000)]
ENGLAND = ("E92000001", "England", "England")
LEWISHAM = ("E09000023", "Lewisham", "Counties & UAs (from Apr 2023)")
GREENWICH = ("E09000011", "Greenwich", "Counties & UAs (from Apr 2023)")


def loaded(*, actor=None):
    load("imd", file1(LSOAS), "File_1_small.csv", actor)
    load("imd", file6(POPULATIONS), "File_6_small.csv", actor)
    rows = [
        # Emergency admissions for falls, aged 65+: Lewisham's interval lies wholly above England's value.
        (22401, "Emergency hospital admissions due to falls in people aged 65 and over", *ENGLAND, "2021", 2100,
         2080, 2120, "", ""),
        (22401, "Emergency hospital admissions due to falls in people aged 65 and over", *LEWISHAM, "2021", 2500,
         2400, 2600, "", "Worse"),
        (22401, "Emergency hospital admissions due to falls in people aged 65 and over", *GREENWICH, "2021", 2200,
         2100, 2300, "", "Similar"),
        # Child obesity: Lewisham's interval contains England's value.
        (90323, "Year 6 prevalence of obesity", *ENGLAND, "2021", 23.4, 23.3, 23.5, "", ""),
        (90323, "Year 6 prevalence of obesity", *LEWISHAM, "2021", 23.0, 22.0, 24.0, "", "Similar"),
    ]
    return load("fingertips", fingertips(rows), "fingertips_small.csv", actor, polarities={
        22401: "RAG - Low is good", 90323: "RAG - Low is good"}, domains={22401: "Older people"})


@pytest.mark.django_db
def test_an_lsoa_locality_profile_is_population_weighted_and_says_where_each_number_comes_from(personas):
    loaded(actor=personas.lead)
    locality = services.locality_create(actor=personas.lead, name="Catford", kind="lsoas",
                                        codes=[code for code, _ in LSOAS])
    profile = selectors.locality_profile(locality=locality)
    assert profile.population == 10_000
    # Core20 = people in deciles 1 and 2, weighted by File 6: (1,000 + 3,000) / 10,000, not 2 of 3 LSOAs.
    assert profile.core20_share == pytest.approx(0.4)
    assert profile.weighting == "population-weighted"
    assert {"File_1_small.csv", "File_6_small.csv"} <= {r.source_file for r in profile.releases}
    page = personas.client("student").get(reverse("health:locality_detail", kwargs={"pk": locality.pk}))
    text = page.content.decode()
    assert "40.0%" in text and "File_6_small.csv" in text


@pytest.mark.django_db
def test_significance_uses_the_interval_and_the_indicator_polarity(personas):
    loaded(actor=personas.lead)
    locality = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    rows = {i.indicator_id: i for i in selectors.locality_profile(locality=locality).indicators}
    assert (rows[22401].comparison, rows[22401].england, rows[22401].lower) == ("worse", 2100, 2400)
    assert rows[90323].comparison == "similar"
    assert rows[22401].release.source_file == "fingertips_small.csv" and rows[22401].period == "2021"
    # Spine chart: England at the centre, the farther extreme (Lewisham, the worst, low being good) at the left end.
    spine = rows[22401].spine
    assert spine is not None and spine["local"] == spine["worst"] == 0 and spine["areas"] == 2
    page = personas.client("partner_a").get(reverse("health:locality_detail", kwargs={"pk": locality.pk}))
    assert "Spine chart: Lewisham against England" in page.content.decode()


@pytest.mark.django_db
def test_priorities_rank_what_is_worse_and_name_the_partners_serving_related_people(personas):
    loaded(actor=personas.lead)
    locality = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    older = partner_services.organisation_create(actor=None, name="Lewisham Elders", kind="community",
                                                 populations=["Older people"], areas_served="Lewisham")
    youth = partner_services.organisation_create(actor=None, name="Youth Kicks", kind="community",
                                                 populations=["Young people"], areas_served="Lewisham")
    profile = selectors.locality_profile(locality=locality)
    priorities = selectors.locality_priorities(profile=profile, partners=[older, youth])
    assert [(p.rank, p.indicator.indicator_id) for p in priorities] == [(1, 22401)]  # obesity is only similar
    assert priorities[0].partners == [older]
    page = personas.client("lead").get(reverse("health:locality_priorities", kwargs={"pk": locality.pk}))
    assert "Emergency hospital admissions due to falls" in page.content.decode()


@pytest.mark.django_db
def test_localities_by_ward_and_by_primary_care_network_resolve_through_the_real_lookups(personas, external: Path):
    health = external / "health"
    for command, name in [("imd", "lewisham_imd2019_lsoa11.csv"),
                          ("postcodes", "lewisham_lsoa11_wd22.csv"),
                          ("postcodes", "lewisham_wd22_names.csv"),
                          ("postcodes", "lewisham_postcode_oa11_lsoa11_msoa11_wd22.csv"),
                          ("gp_practices", "qof2021_MAPPING_NHS_GEOGRAPHIES_2021.csv"),
                          ("gp_practices", "epraccur.csv"),
                          ("gp_practices", "gp-reg-pat-prac-all_Jan2021.csv")]:
        with open(health / name, "rb") as handle:
            load(command, handle.read(), name, personas.lead)
    # Ward: Bellingham (E05013714) is the LSOAs the Lewisham lookup puts in it.
    with open(health / "lewisham_lsoa11_wd22.csv", encoding="utf-8-sig") as handle:
        expected = sorted(line.split(",")[0] for line in handle.read().splitlines()[1:] if "E05013714" in line)
    ward = services.locality_create(actor=personas.lead, name="Bellingham", kind="wards", codes=["E05013714"])
    assert selectors.locality_areas(locality=ward).lsoas == expected and expected
    assert len(selectors.locality_profile(locality=ward).lsoas) == len(expected)
    # PCN: its practices from the QOF geography file; the population is their registered patients.
    pcn = services.locality_create(actor=personas.lead, name="Modality Lewisham", kind="pcn", codes=["U22506"])
    areas = selectors.locality_areas(locality=pcn)
    assert {"G85004", "G85005"} <= set(areas.practices)
    profile = selectors.locality_profile(locality=pcn)
    assert profile.population == sum(selectors.practice_patients(codes=areas.practices).values()) > 0
    assert profile.lsoas and profile.core20_share is not None


@pytest.mark.django_db
def test_a_student_cites_indicators_for_their_project_and_the_plan_need_section_shows_them(personas):
    w = build_world(personas)
    loaded(actor=personas.lead)
    locality = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    falls = IndicatorValue.objects.get(indicator_id=22401, area_code="E09000023")
    client = personas.client("student")
    page = client.get(reverse("health:locality_detail", kwargs={"pk": locality.pk})).content.decode()
    options = page[page.index('name="project"'):page.index("</select>", page.index('name="project"'))]
    assert str(w.project_a) in options and str(w.project_b) not in options  # only their own project
    response = client.post(reverse("health:evidence_cite", kwargs={"pk": locality.pk}),
                           {"project": w.project_a.pk, "value": [falls.pk], "note": "Elders told us too"})
    assert response.status_code == 302
    citation = EvidenceCitation.objects.get(project_id=w.project_a.pk)
    assert citation.indicator_value == falls and citation.cited_by == personas.student
    assert "2,500 (95% CI 2,400 to 2,600)" in citation.value_text and "fingertips_small.csv" in citation.source
    plan = client.get(reverse("programmes:plan", kwargs={"pk": w.project_a.pk})).content.decode()
    assert "Evidence behind the need" in plan and "Emergency hospital admissions due to falls" in plan
    assert "Elders told us too" in plan
    # Citing it again adds nothing; another group's project cannot be chosen.
    client.post(reverse("health:evidence_cite", kwargs={"pk": locality.pk}),
                {"project": w.project_a.pk, "value": [falls.pk]})
    client.post(reverse("health:evidence_cite", kwargs={"pk": locality.pk}),
                {"project": w.project_b.pk, "value": [falls.pk]})
    assert EvidenceCitation.objects.count() == 1


@pytest.mark.django_db
def test_the_dashboard_counts_projects_by_core20_band_and_by_indicator_domain(personas):
    w = build_world(personas)
    loaded(actor=personas.lead)
    deprived = services.locality_create(actor=personas.lead, name="Deprived", kind="lsoas",
                                        codes=["E01003189", "E01003190"])
    lewisham = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    falls = IndicatorValue.objects.get(indicator_id=22401, area_code="E09000023")
    obesity = IndicatorValue.objects.get(indicator_id=90323, area_code="E09000023")
    a, b = w.project_a.pk, w.project_b.pk
    services.evidence_cite(project_id=a, by=personas.student, locality=deprived)  # Core20 share 100%
    services.evidence_cite(project_id=a, by=personas.student, indicator_value=falls, locality=lewisham)  # 40%
    services.evidence_cite(project_id=b, by=personas.lead, indicator_value=obesity, locality=lewisham)
    bands = {row.label: row.project_ids for row in selectors.projects_by_core20_band(project_ids=[a, b, 999])}
    assert bands["80% or more"] == [a]  # the most deprived locality it cites
    assert bands["40% to 60%"] == [b]
    assert bands[selectors.NO_LOCALITY] == [999]
    assert sum(len(ids) for ids in bands.values()) == 3
    domains = {row.label: row.project_ids for row in selectors.projects_by_indicator_domain()}
    assert domains == {"Older people": [a], selectors.NO_DOMAIN: [b]}
    services.indicator_set_domain(actor=personas.lead, indicator_id=90323, domain="Child health")
    counts = {row.label: row.count for row in selectors.projects_by_indicator_domain(project_ids=[b])}
    assert counts == {"Child health": 1}


@pytest.mark.django_db
def test_a_domain_given_at_import_is_kept_when_a_later_release_gives_none(personas):
    loaded(actor=personas.lead)
    load("fingertips", fingertips([(22401, "Falls 65+", *ENGLAND, "2022", 2000, 1990, 2010, "", "")]),
         "fingertips_2022.csv", personas.lead)
    assert Indicator.objects.get(indicator_id=22401).domain == "Older people"
    with pytest.raises(HealthImportError, match="ID=DOMAIN"):
        parse_domains(["falls=Older people"])


@pytest.mark.django_db
def test_a_partner_cites_the_need_they_proposed_as_the_community_voice_behind_the_project(personas):
    w = build_world(personas)
    loaded(actor=personas.lead)
    personas.org_a.areas_served = "Lewisham"
    personas.org_a.save()
    locality = services.locality_create(actor=personas.lead, name="Lewisham", kind="lad", codes=["E09000023"])
    client = personas.client("partner_a")
    page = client.get(reverse("health:locality_detail", kwargs={"pk": locality.pk})).content.decode()
    assert f'name="voice" value="{w.opportunity_a.pk}"' in page
    client.post(reverse("health:evidence_cite", kwargs={"pk": locality.pk}),
                {"project": w.project_a.pk, "voice": [w.opportunity_a.pk, w.opportunity_b.pk]})
    citation = EvidenceCitation.objects.get(project_id=w.project_a.pk)  # org_b's need is not theirs to cite
    assert citation.label == f"Community voice: {w.opportunity_a.title} ({personas.org_a.name})"
    assert citation.indicator_value is None and citation.locality == locality
    plan = client.get(reverse("programmes:plan", kwargs={"pk": w.project_a.pk})).content.decode()
    assert "Community voice: " + w.opportunity_a.title in plan


@pytest.mark.django_db
def test_a_lead_sets_an_indicators_domain_on_the_releases_page(personas):
    loaded(actor=personas.lead)
    client = personas.client("lead")
    page = client.get(reverse("health:releases")).content.decode()
    assert "Older people" in page and 'name="indicator_id"' in page
    client.post(reverse("health:indicator_domain"), {"indicator_id": 90323, "domain": "Child health"})
    assert Indicator.objects.get(indicator_id=90323).domain == "Child health"
    client.post(reverse("health:indicator_domain"), {"indicator_id": 1, "domain": "Nothing loaded"})
    assert not Indicator.objects.filter(domain="Nothing loaded").exists()
    assert 'name="indicator_id"' not in personas.client("student").get(reverse("health:releases")).content.decode()
