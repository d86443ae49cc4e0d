from __future__ import annotations

import json

from django.urls import reverse
from django.utils import timezone

from commed.outreach.models import ConsentPurpose, Pupil, Route
from commed.outreach.tests.world import world


def test_the_register_toggles_attendance_with_htmx(personas):
    w = world(personas)
    client = personas.client("coordinator")
    page = client.get(reverse("outreach:register", kwargs={"pk": w.activity.pk}))
    assert b'aria-pressed="false"' in page.content and b"outreach-tap" in page.content
    url = reverse("outreach:attendance_toggle", kwargs={"pk": w.registration.pk})
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and b'aria-pressed="true"' in response.content
    w.registration.refresh_from_db()
    assert w.registration.attended
    client.post(url, HTTP_HX_REQUEST="true")
    w.registration.refresh_from_db()
    assert not w.registration.attended


def test_a_certificate_is_a_pdf_listing_what_the_pupil_attended(personas):
    from io import BytesIO

    from pypdf import PdfReader

    w = world(personas)
    w.registration.attended = True
    w.registration.save()
    response = personas.client("coordinator").get(reverse("outreach:certificate", kwargs={"pk": w.pupil_a.pk}))
    assert response["Content-Type"] == "application/pdf"
    text = PdfReader(BytesIO(response.content)).pages[0].extract_text()
    assert "Amina Test" in text and "Clinical skills workshop" in text


def test_a_pupil_applies_through_the_public_form(personas, client):
    w = world(personas)
    response = client.post(reverse("outreach:apply", kwargs={"pk": w.programme.pk}), {
        "school": w.school.pk, "first_name": "Ola", "last_name": "Bello", "year_group": "12",
        "date_of_birth": "2009-01-01", "confirm": "on", "care_experienced": "on",
    })
    assert b"Thank you for applying" in response.content
    pupil = Pupil.objects.get(first_name="Ola")
    assert (pupil.route, pupil.eligible, pupil.eligibility_rule) == (Route.APPLICATION, True, "Care-experienced")


def test_changing_the_rules_re_decides_every_pupil(personas):
    w = world(personas)
    rules = {"rules": [{"name": "Carers only", "when": "young_carer"}]}
    response = personas.client("coordinator").post(
        reverse("outreach:programme_rules", kwargs={"pk": w.programme.pk}),
        {"eligibility_rules": json.dumps(rules)})
    assert response.status_code == 302
    w.pupil_a.refresh_from_db()
    assert not w.pupil_a.eligible
    bad = personas.client("coordinator").post(
        reverse("outreach:programme_rules", kwargs={"pk": w.programme.pk}),
        {"eligibility_rules": '{"rules": [{"name": "x", "when": "eval(1)"}]}'})
    assert bad.status_code == 200 and b"neither a yes/no field" in bad.content


def test_the_coordinator_records_and_withdraws_consent_from_the_pupil_page(personas):
    w = world(personas)
    client = personas.client("coordinator")
    response = client.post(reverse("outreach:consent_record", kwargs={"pk": w.pupil_a.pk}), {
        "purposes": ["photographs"], "given_by": "pupil", "given_by_name": "Amina", "given_on": "2026-01-02"})
    assert response.status_code == 302
    client.post(reverse("outreach:consent_withdraw", kwargs={"pk": w.pupil_a.pk}),
                {"purpose": ConsentPurpose.FOLLOW_UP, "note": "phone call"})
    page = client.get(reverse("outreach:pupil_detail", kwargs={"pk": w.pupil_a.pk})).content
    assert b"No follow-up survey can be sent" in page


def test_date_pickers_are_filled_in_iso_whatever_the_locale(personas):
    # en-gb would render 01/12/2026, which a type="date" input silently drops (the browser test found it).
    w = world(personas)
    page = personas.client("coordinator").get(reverse("outreach:consent_record", kwargs={"pk": w.pupil_a.pk}))
    today = timezone.localdate()
    assert f'type="date" name="given_on" value="{today:%Y-%m-%d}"' in page.content.decode()


def test_the_dashboard_shows_the_funnel_and_flags(personas):
    w = world(personas)
    w.registration.attended = True
    w.registration.save()
    page = personas.client("coordinator").get(reverse("outreach:dashboard")).content.decode()
    assert "Funnel from referral to destination" in page and "Comparator (applicants not taken up)" in page
    assert "Healthcare careers world" in page


def test_the_funnel_splits_by_cohort_and_sets_each_criterion_against_the_comparator_group(personas):
    from commed.outreach import selectors
    from commed.outreach.tests.world import make_programme, make_pupil, make_school

    w = world(personas)
    school = make_school("Comparator Test School")
    later = make_programme(name="Healthcare careers next", cohort="2027/28")
    make_pupil(later, school, first_name="Chidi")
    declined = make_pupil(later, school, first_name="Dara", accept=False, young_carer=True)
    declined.status = "declined"
    declined.save()
    funnel = selectors.funnel(user=personas.coordinator)
    rows = {row.label: row.counts for row in funnel["by_cohort"]}
    assert rows["2026/27: participants"][0] == w.programme.pupils.count() == 2
    assert rows["2027/28: participants"][0] == 1 and rows["2027/28: comparator"][0] == 1
    assert rows["2026/27: comparator"][0] == 0
    comparator = {row.label: row.counts[0] for row in funnel["comparator_by_criterion"]}
    assert comparator["Young carer"] == 1 and comparator["Free school meals"] == 1  # make_pupil sets fsm
    only_later = selectors.funnel(user=personas.coordinator, cohort="2027/28")
    assert [row.label for row in only_later["by_cohort"]] == ["2027/28: participants", "2027/28: comparator"]
    page = personas.client("coordinator").get(reverse("outreach:dashboard")).content.decode()
    assert "By cohort: participants and comparator group" in page and "2027/28: comparator" in page


def test_pupils_are_placed_only_on_a_risk_assessed_placement_and_only_up_to_its_places(personas):
    import datetime as dt

    import pytest
    from django.core.exceptions import ValidationError

    from commed.outreach import services
    from commed.outreach.tests.world import make_pupil

    w = world(personas)
    today = timezone.localdate()
    unassessed = services.placement_create(
        actor=personas.coordinator, programme=w.programme, host=w.practice, supervisor_name="Dr New",
        starts_on=today, ends_on=today + dt.timedelta(days=2), places=1)
    with pytest.raises(ValidationError, match="risk assessment"):
        services.placement_add_pupil(actor=personas.coordinator, placement=unassessed, pupil=w.pupil_a)
    with pytest.raises(ValidationError, match="GP practice"):
        services.placement_create(actor=personas.coordinator, programme=w.programme, host=w.school,
                                  supervisor_name="x", starts_on=today, ends_on=today, places=1)
    services.placement_add_pupil(actor=personas.coordinator, placement=w.placement, pupil=w.pupil_a)
    services.placement_add_pupil(actor=personas.coordinator, placement=w.placement, pupil=w.pupil_b)
    third = make_pupil(w.programme, w.school, first_name="Cato", email="cato@pupil.example.org")
    with pytest.raises(ValidationError, match="All 2 places are taken"):
        services.placement_add_pupil(actor=personas.coordinator, placement=w.placement, pupil=third)
