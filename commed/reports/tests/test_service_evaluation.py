"""The service evaluation report against the fixture of tests/world.py: every section, the right quotes only,
and the same content read back from the PDF and the DOCX."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from commed.audit.models import AuditEvent
from commed.programmes import services as programme_services
from commed.programmes.tests.world import SECTIONS_A
from commed.reports import builders, selectors, services
from commed.reports.documents import Heading
from commed.reports.tests import world as w
from commed.reports.tests.readback import read

NEVER = (w.PRIVATE, w.TUTOR, w.LOWERED, w.WITHDRAWN)


def report_text(report: Any) -> str:
    return " ".join(" ".join(str(getattr(b, "text", "")) + " " + " ".join(
        " ".join(map(str, row)) for row in getattr(b, "rows", [])) + " ".join(getattr(b, "items", []))
        for b in builders.service_evaluation_blocks(report)).split())


@pytest.fixture
def report(personas, draft, year):
    return selectors.service_evaluation(organisation=personas.org_a, academic_year=year, draft=draft)


def test_every_section_is_present(report):
    titles = [b.text for b in builders.service_evaluation_blocks(report) if isinstance(b, Heading)]
    for title in selectors.SECTION_TITLES:
        assert title in titles


def test_it_reports_projects_outputs_ledger_and_feedback_of_the_year(report):
    assert [p.title for p in report.projects] == ["Diabetes in Bengali"]
    assert report.projects[0].need == SECTIONS_A["need"]  # from the plan when no opportunity is linked
    assert report.total_reach == 155
    assert report.languages == ["Bengali", "English"]
    descriptions = [e.description for e in report.ledger]
    assert "Two sessions delivered by students" in descriptions
    assert "An entry from an earlier year" not in descriptions  # 2023/24 is not this report's year
    assert [f.about_partnership for f in report.feedback] == [w.FEEDBACK]
    assert report.reflections_written == 7
    assert report.reflections_shared == 4  # shared, SHARED, RESEARCH, WITHDRAWN (LOWERED is now tutor-only)
    assert report.partner_response == "We would like to do this again."


def test_the_partnership_quality_gap_is_per_question(report):
    gaps = {g.question: g for g in report.gaps}
    shaped = gaps["The partner shaped the project from the start."]
    assert (shaped.partner, shaped.school, shaped.gap) == (2.0, 5.0, 3.0)
    assert any("shaped the project" in step for step in report.next_steps)  # a gap of 1 or more is a next step


def test_only_consented_quotes_that_were_not_withdrawn_appear(report):
    texts = [q.text for q in report.quotes]
    assert w.SHARED in texts and w.RESEARCH in texts and w.FEEDBACK in texts
    for text in NEVER:
        assert text not in texts
    assert not any(text in report_text(report) for text in NEVER)


def test_a_lowered_consent_keeps_the_quote_out_even_when_raised_again(personas, draft, reflections, year):
    programme_services.reflection_set_consent(reflection=reflections["LOWERED"], by=personas.student,
                                              level="research")
    report = selectors.service_evaluation(organisation=personas.org_a, academic_year=year, draft=draft)
    assert w.LOWERED not in [q.text for q in report.quotes]


def test_a_quote_lowered_below_partner_leaves_a_released_report(personas, draft, reflections, year):
    services.draft_release(actor=personas.lead, draft=draft)
    programme_services.reflection_set_consent(reflection=reflections["SHARED"], by=personas.student, level="private")
    report = selectors.service_evaluation(organisation=personas.org_a, academic_year=year, draft=draft)
    assert w.SHARED not in [q.text for q in report.quotes]


def test_without_a_draft_only_reflections_shared_with_the_partner_are_quoted(personas, reflections, year):
    report = selectors.service_evaluation(organisation=personas.org_a, academic_year=year)
    texts = [q.text for q in report.quotes]
    assert w.SHARED in texts and w.LOWERED in texts  # not lowered yet, no partner review yet
    assert w.PRIVATE not in texts and w.TUTOR not in texts


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_document_reads_back_with_the_expected_text(personas, draft, year, fmt):
    content = services.service_evaluation_export(actor=personas.lead, organisation=personas.org_a,
                                                 academic_year=year, fmt=fmt, draft=draft)
    text = read(content, fmt)
    assert "Service evaluation 2025/26: Alpha Health Forum" in text
    for title in selectors.SECTION_TITLES:
        assert title in text
    for expected in ("Diabetes in Bengali", "Fasting and diabetes", "Two sessions delivered by students", w.SHARED,
                     w.RESEARCH, w.FEEDBACK, "We would like to do this again."):
        assert expected in text
    for absent in NEVER:
        assert absent not in text
    assert AuditEvent.objects.filter(action="export", object_label=str(personas.org_a)).exists()


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_command_writes_the_report_for_an_organisation_given_by_slug(personas, draft, year, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    call_command("report", "partner", "alpha-health-forum", "--year", year, "--format", fmt, "--out", str(out))
    text = read(out.read_bytes(), fmt)
    assert w.SHARED in text
    assert w.WITHDRAWN not in text


def test_the_command_finds_an_organisation_by_id_or_name(personas):
    assert selectors.organisation_find(identifier=str(personas.org_b.pk)) == personas.org_b
    assert selectors.organisation_find(identifier="bravo community trust") == personas.org_b
    with pytest.raises(Exception, match="no organisation"):
        selectors.organisation_find(identifier="nobody at all")


def test_the_command_rejects_a_bad_year(personas, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2025/26"):
        call_command("report", "partner", "alpha-health-forum", "--year", "2025", "--out", str(tmp_path / "x.pdf"))


def test_the_command_writes_every_partner_of_the_year(personas, reports_world, tmp_path, year):
    out = tmp_path / "reports"
    call_command("report", "all", "--year", year, "--format", "docx", "--out-dir", str(out))
    assert sorted(p.name for p in out.iterdir()) == ["service-evaluation-2025-26-alpha-health-forum.docx",
                                                    "service-evaluation-2025-26-bravo-community-trust.docx"]
