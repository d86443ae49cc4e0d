"""Reordering and deleting a survey's sections (services and builder pages), and the conditions' data on the
answering page for surveys/conditions.js."""

import pytest
from django.core.exceptions import ValidationError

from commed.audit.models import Action, AuditEvent
from commed.surveys import selectors, services
from commed.surveys.models import Item, Section
from commed.surveys.tests.world import build_survey, build_world


def titles(survey):
    return list(Section.objects.filter(survey=survey).order_by("position", "id").values_list("title", flat=True))


def positions(survey):
    return list(Section.objects.filter(survey=survey).order_by("position", "id").values_list("position", flat=True))


def keys(survey):
    return [item.key for item in selectors.survey_items(survey=survey)]


@pytest.fixture
def draft(personas):
    """Three sections: "The project" (with a condition inside it), "Anything else" and an empty "Last"."""
    survey, first, items = build_survey(personas.lead)
    last = services.section_add(actor=personas.lead, survey=survey, title="Last")
    return survey, first, last, items


def test_a_section_moves_up_and_down_and_positions_stay_contiguous(draft, personas):
    survey, first, last, _ = draft
    services.section_move(actor=personas.lead, section=last, up=True)
    assert titles(survey) == ["The project", "Last", "Anything else"]
    services.section_move(actor=personas.lead, section=first, up=False)
    assert titles(survey) == ["Last", "The project", "Anything else"]
    assert positions(survey) == [0, 1, 2]
    # The questions follow their section.
    assert keys(survey) == ["useful", "host_again", "reason", "benefits", "hours", "comments"]
    services.section_move(actor=personas.lead, section=first, up=False)
    assert keys(survey) == ["hours", "comments", "useful", "host_again", "reason", "benefits"]


def test_the_first_section_does_not_move_up_nor_the_last_down(draft, personas):
    survey, first, last, _ = draft
    before = AuditEvent.objects.count()
    services.section_move(actor=personas.lead, section=first, up=True)
    services.section_move(actor=personas.lead, section=last, up=False)
    assert titles(survey) == ["The project", "Anything else", "Last"]
    assert AuditEvent.objects.count() == before


def test_gaps_and_ties_in_positions_are_closed_by_a_move(draft, personas):
    survey, first, last, _ = draft
    Section.objects.filter(pk=first.pk).update(position=4)
    Section.objects.filter(pk=last.pk).update(position=4)
    assert titles(survey) == ["Anything else", "The project", "Last"]  # positions 1, 4, 4: ties by creation
    services.section_move(actor=personas.lead, section=last, up=True)
    assert titles(survey) == ["Anything else", "Last", "The project"]
    assert positions(survey) == [0, 1, 2]


def test_a_move_is_audited(draft, personas):
    _, _, last, _ = draft
    services.section_move(actor=personas.lead, section=last, up=True)
    event = AuditEvent.objects.filter(object_type="surveys.Section", object_id=str(last.pk)).get()
    assert (event.actor, event.action, event.changes) == (personas.lead, Action.CHANGE, {"position": [2, 1]})


def _add_question_depending_on_host_again(personas, section, items):
    """A question in ``section`` shown only when "Would you host again?" (first section) is Yes."""
    services.item_add(
        actor=personas.lead,
        section=section,
        key="why_yes",
        kind="text",
        text="Why yes?",
        condition_item=items["host_again"],
        condition_values=["Yes"],
    )


def test_a_move_that_would_put_a_condition_before_its_question_is_refused(draft, personas):
    survey, _, _, items = draft
    second = Section.objects.get(survey=survey, title="Anything else")
    _add_question_depending_on_host_again(personas, second, items)
    with pytest.raises(ValidationError, match="earlier question"):
        services.section_move(actor=personas.lead, section=second, up=True)
    assert titles(survey) == ["The project", "Anything else", "Last"]
    assert not AuditEvent.objects.filter(object_type="surveys.Section").exists()


def test_deleting_a_section_takes_its_questions_and_is_audited(draft, personas):
    survey, first, _, _ = draft
    # "reason" depends on "host_again", in the same section: both go together.
    assert services.section_delete(actor=personas.lead, section=first) == 4
    assert titles(survey) == ["Anything else", "Last"]
    assert positions(survey) == [0, 1]
    assert keys(survey) == ["hours", "comments"]
    event = AuditEvent.objects.get(object_type="surveys.Section", action=Action.DELETE)
    assert event.actor == personas.lead
    assert event.changes == {"items": ["useful", "host_again", "reason", "benefits"]}
    assert "with 4 questions" in event.summary


def test_deleting_is_refused_while_a_question_elsewhere_depends_on_the_section(draft, personas):
    survey, first, _, items = draft
    second = Section.objects.get(survey=survey, title="Anything else")
    _add_question_depending_on_host_again(personas, second, items)
    assert selectors.section_delete_impact(section=first).blockers == [("Why yes?", "Would you host again?")]
    with pytest.raises(ValidationError, match="“Why yes\\?” depends on “Would you host again\\?”"):
        services.section_delete(actor=personas.lead, section=first)
    assert Item.objects.filter(section=first).count() == 4
    # The dependent section itself may go.
    assert services.section_delete(actor=personas.lead, section=second) == 3
    assert not AuditEvent.objects.filter(object_id=str(first.pk), object_type="surveys.Section").exists()


def test_sections_of_an_answered_survey_neither_move_nor_go(personas):
    world = build_world(personas)
    second = Section.objects.get(survey=world.survey, title="Anything else")
    for attempt in (
        lambda: services.section_move(actor=personas.lead, section=second, up=True),
        lambda: services.section_delete(actor=personas.lead, section=world.section),
    ):
        with pytest.raises(ValidationError, match="can no longer change"):
            attempt()
    assert titles(world.survey) == ["The project", "Anything else"]
    assert selectors.section_delete_impact(section=world.section).answers > 0


# Through the builder's pages -----------------------------------------------------------------------------------


def test_the_builder_moves_a_section_with_a_plain_post(draft, personas):
    survey, _, last, _ = draft
    lead = personas.client("lead")
    page = lead.get(f"/surveys/{survey.pk}/").content.decode()
    assert f'action="/surveys/sections/{last.pk}/move/"' in page
    assert f'href="/surveys/sections/{last.pk}/delete/"' in page
    response = lead.post(f"/surveys/sections/{last.pk}/move/", {"direction": "up"})
    assert response.url == f"/surveys/{survey.pk}/"
    assert titles(survey) == ["The project", "Last", "Anything else"]
    assert lead.get(f"/surveys/sections/{last.pk}/move/").status_code == 405


def test_the_delete_page_says_what_goes_and_the_post_deletes(draft, personas):
    survey, first, _, _ = draft
    lead = personas.client("lead")
    page = lead.get(f"/surveys/sections/{first.pk}/delete/").content.decode()
    assert "its 4 questions" in page
    assert "no answers are lost" in page
    assert "Would you host again?" in page
    assert titles(survey) == ["The project", "Anything else", "Last"]
    page = lead.post(f"/surveys/sections/{first.pk}/delete/", follow=True).content.decode()
    assert "Deleted the section “The project” and its 4 questions." in page
    assert titles(survey) == ["Anything else", "Last"]


def test_the_delete_page_of_an_answered_survey_offers_no_button(personas):
    world = build_world(personas)
    lead = personas.client("lead")
    page = lead.get(f"/surveys/sections/{world.section.pk}/delete/").content.decode()
    assert "can no longer change" in page
    assert "<button" not in page.split("<main", 1)[1]
    page = lead.post(f"/surveys/sections/{world.section.pk}/delete/", follow=True).content.decode()
    assert "can no longer change" in page
    assert Section.objects.filter(pk=world.section.pk).exists()


# The answering page without JavaScript --------------------------------------------------------------------------


def test_the_answering_page_shows_every_question_and_carries_the_condition_for_the_script(personas):
    world = build_world(personas)
    page = personas.client("tutor").get(f"/surveys/answer/{world.invitations['tutor'].pk}/").content.decode()
    assert (
        ' data-shown-if="q-host_again" data-shown-values="[&quot;No&quot;]" data-question-number="3"'
        ' data-question-text="Why not?"'
    ) in page
    assert page.count("data-shown-if=") == 1
    assert " hidden" not in page.split("<main", 1)[1]
    assert "disabled" not in page
    assert '<script src="/static/surveys/conditions.js" defer></script>' in page
    assert 'aria-live="polite"' in page
