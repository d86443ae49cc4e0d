"""Reflections: consent levels, lowering honoured everywhere at once, raising only by the student, research text."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from commed.programmes import selectors, services
from commed.programmes.models import Reflection


def reflection(personas, world, consent, text="We met the lunch club."):
    return services.reflection_create(student=personas.student, project=world.project_a, what_happened=text,
                                      learned_about_community="People know a lot.", do_differently="Ask first.",
                                      consent=consent)


def visible(user, item):
    return selectors.reflections_visible_to(user=user).filter(pk=item.pk).exists()


@pytest.mark.parametrize(("consent", "tutor", "partner", "lead"), [
    ("private", False, False, False),
    ("tutor", True, False, True),
    ("partner", True, True, True),
    ("research", True, True, True),
])
def test_each_consent_level_decides_who_reads_it(world, personas, consent, tutor, partner, lead):
    item = reflection(personas, world, consent)
    assert visible(personas.student, item)
    assert visible(personas.tutor, item) is tutor
    assert visible(personas.partner_a, item) is partner
    assert visible(personas.lead, item) is lead
    assert not visible(personas.partner_b, item)
    assert not visible(world.tutor_b, item)
    assert not visible(world.student_b, item)
    assert not visible(personas.researcher, item)


def test_lowering_the_level_takes_effect_everywhere_at_once(world, personas, client):
    item = reflection(personas, world, "partner")
    client.force_login(personas.partner_a)
    assert client.get(f"/programmes/reflections/{item.pk}/").status_code == 200
    services.reflection_set_consent(reflection=item, by=personas.student, level="tutor")
    assert client.get(f"/programmes/reflections/{item.pk}/").status_code == 404
    page = client.get(f"/programmes/projects/{world.project_a.pk}/")
    assert item not in page.context["reflections"]


def test_only_the_student_may_raise_the_level(world, personas):
    item = reflection(personas, world, "tutor")
    with pytest.raises(ValidationError, match="Only the student"):
        services.reflection_set_consent(reflection=item, by=personas.lead, level="research")
    services.reflection_set_consent(reflection=item, by=personas.student, level="research")
    assert Reflection.objects.get(pk=item.pk).consent == "research"


def test_a_lead_may_lower_the_level_on_the_students_request_but_a_tutor_may_not(world, personas):
    item = reflection(personas, world, "partner")
    with pytest.raises(ValidationError):
        services.reflection_set_consent(reflection=item, by=personas.tutor, level="private")
    services.reflection_set_consent(reflection=item, by=personas.lead, level="private")
    assert list(item.consent_changes.values_list("to_level", flat=True)) == ["private", "partner"]


def test_only_a_student_of_the_group_writes_a_reflection(world, personas):
    with pytest.raises(ValidationError):
        services.reflection_create(student=world.student_b, project=world.project_a, what_happened="x",
                                   learned_about_community="y", do_differently="z")


def test_research_export_has_only_pseudonymised_text_of_research_reflections(world, personas):
    reflection(personas, world, "research", text="Student and Partner A helped; Tutor Persona was there.")
    reflection(personas, world, "partner", text="Not for research.")
    rows = selectors.reflections_for_research(cohort=world.cohort)
    research = [row for row in rows if "helped" in row.what_happened]
    assert len(research) == 1
    row = research[0]
    assert "Student" not in row.what_happened and "Persona" not in row.what_happened
    assert "Partner A" not in row.what_happened
    # A keyed pseudonym (8 hex digits of an HMAC): nothing of the student's identity, and another key gives another.
    assert re.fullmatch(r"S-[0-9a-f]{8}", row.pseudonym)
    assert personas.student.username not in row.pseudonym and row.pseudonym != f"S-{personas.student.pk}"
    with override_settings(SECRET_KEY="another-key-for-another-deployment"):
        again = [r for r in selectors.reflections_for_research(cohort=world.cohort) if "helped" in r.what_happened]
        assert again[0].pseudonym != row.pseudonym
    assert all("Not for research" not in r.what_happened for r in rows)


def test_the_research_export_is_audited_and_has_no_names(world, personas, client):
    reflection(personas, world, "research", text="Persona said hello.")
    client.force_login(personas.researcher)
    response = client.get(f"/programmes/cohorts/{world.cohort.pk}/research.csv")
    body = response.content.decode()
    assert "[name] said hello." in body
    assert "Persona" not in body
    from commed.audit.models import AuditEvent
    assert AuditEvent.objects.filter(action="export", object_type="programmes.Cohort").exists()


def test_lowering_the_level_takes_a_reflection_out_of_the_research_export_and_the_tutors_view(world, personas,
                                                                                              client):
    item = reflection(personas, world, "research", text="We met the lunch club on Tuesday.")
    assert [r.what_happened for r in selectors.reflections_for_research(cohort=world.cohort)] == [
        "We met the lunch club on Tuesday."]
    services.reflection_set_consent(reflection=item, by=personas.student, level="partner")
    assert selectors.reflections_for_research(cohort=world.cohort) == []
    client.force_login(personas.researcher)
    assert "lunch club on Tuesday" not in client.get(
        f"/programmes/cohorts/{world.cohort.pk}/research.csv").content.decode()
    services.reflection_set_consent(reflection=item, by=personas.student, level="private")
    for viewer in (personas.tutor, personas.lead, personas.partner_a):
        client.force_login(viewer)
        assert client.get(f"/programmes/reflections/{item.pk}/").status_code == 404
        assert item not in client.get(f"/programmes/projects/{world.project_a.pk}/").context["reflections"]
    client.force_login(personas.student)
    assert client.get(f"/programmes/reflections/{item.pk}/").status_code == 200
