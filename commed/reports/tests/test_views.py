"""Pages and downloads: who sees what beyond the persona walk, the dashboards' charts and tables, the pack, runs."""

from __future__ import annotations

import io
import zipfile

from django.urls import reverse
from django.utils.html import escape

from commed.reports import services
from commed.reports.models import ReportRun, RunStatus
from commed.reports.tests import world as w
from commed.reports.tests.readback import docx_text


def test_a_partner_never_sees_an_unreleased_draft_of_their_own(personas, draft):
    client = personas.client("partner_a")
    assert client.get(reverse("reports:draft_detail", kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse("reports:draft_download", kwargs={"pk": draft.pk, "fmt": "pdf"})).status_code == 404
    assert draft.organisation.name not in client.get(reverse("reports:index")).content.decode()
    services.draft_release(actor=personas.lead, draft=draft)
    assert client.get(reverse("reports:draft_detail", kwargs={"pk": draft.pk})).status_code == 200
    download = client.get(reverse("reports:draft_download", kwargs={"pk": draft.pk, "fmt": "docx"}))
    assert w.SHARED in docx_text(download.content)


def test_the_lead_sees_every_quote_decision_on_the_draft(personas, draft):
    page = personas.client("lead").get(reverse("reports:draft_detail", kwargs={"pk": draft.pk})).content.decode()
    assert escape(w.WITHDRAWN) in page and "Withdrawn" in page


def test_the_dashboard_shows_each_chart_as_svg_with_a_table_and_a_download(personas, reports_world):
    page = personas.client("lead").get(reverse("reports:dashboard"), {"year": "2025/26"}).content.decode()
    for title in ("Projects by population served", "Projects by health need", "Partners retained year on year",
                  "Reciprocity balance", "Outputs and reach"):
        assert f"{title}: the numbers" in page
    assert page.count("<svg") >= 5
    assert "older people" in page and "young people" in page
    svg = personas.client("lead").get(reverse("reports:chart_download", kwargs={"key": "outputs"}),
                                      {"year": "2025/26"})
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"Outputs and reach" in svg.content and b"120" in svg.content  # the video's reach


def test_the_dashboard_filters_by_locality(personas, reports_world):
    page = personas.client("lead").get(reverse("reports:dashboard"), {"locality": "Nowhere"}).content.decode()
    assert "older people" not in page


def test_an_unknown_chart_is_404(personas):
    assert personas.client("lead").get(reverse("reports:chart_download", kwargs={"key": "nope"})).status_code == 404


def test_the_pack_brings_the_year_together_and_quotes_only_research_consent(personas, reports_world):
    response = personas.client("lead").get(reverse("reports:pack_download",
                                                   kwargs={"pk": reports_world.cohort.pk, "fmt": "docx"}))
    text = docx_text(response.content)
    for expected in ("Social accountability 2025/26: Community Action Project", "Partners", "Alpha Health Forum",
                     "Bravo Community Trust", "Projects by population served", "Equity: outcomes by student group",
                     "In their words", w.RESEARCH):
        assert expected in text
    assert w.SHARED not in text  # shared with the partner, not for research: it stays out of the pack


def test_the_pack_as_pdf(personas, reports_world):
    from commed.reports.tests.readback import pdf_text

    response = personas.client("admin").get(reverse("reports:pack_download",
                                                    kwargs={"pk": reports_world.cohort.pk, "fmt": "pdf"}))
    assert "Social accountability 2025/26" in pdf_text(response.content)


def test_a_batch_run_writes_every_report_and_shows_its_progress(personas, reports_world, monkeypatch):
    # The thread is replaced by a direct call: a test database transaction is not visible to another thread.
    monkeypatch.setattr(services, "_launch", lambda run_id: services.run_execute(run_id=run_id))
    client = personas.client("lead")
    response = client.post(reverse("reports:runs"), {"academic_year": "2025/26", "fmt": "pdf"})
    run = ReportRun.objects.latest("pk")
    assert response.status_code == 302
    # on_commit callbacks do not run inside the test transaction: run it as the commit would.
    services.run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.completed, run.total) == (RunStatus.DONE, 2, 2)
    partial = client.get(reverse("reports:run_detail", kwargs={"pk": run.pk}), HTTP_HX_REQUEST="true")
    assert b"2 of 2 reports" in partial.content and b"<html" not in partial.content
    archive = client.get(reverse("reports:run_download", kwargs={"pk": run.pk}))
    names = zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))).namelist()
    assert sorted(names) == ["service-evaluation-2025-26-alpha-health-forum.pdf",
                             "service-evaluation-2025-26-bravo-community-trust.pdf"]


def test_a_running_batch_keeps_polling(personas):
    from django.utils import timezone

    run = ReportRun.objects.create(academic_year="2025/26", total=4, completed=1, status=RunStatus.RUNNING,
                                   created_at=timezone.now())
    partial = personas.client("lead").get(reverse("reports:run_detail", kwargs={"pk": run.pk}),
                                          HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in partial and "1 of 4 reports" in partial


def test_a_student_gives_and_withdraws_characteristics(personas):
    client = personas.client("student")
    client.post(reverse("reports:characteristics"), {"consented": "on", "disability": "yes"})
    record = personas.student.report_characteristics
    assert record.consented and record.disability is True
    client.post(reverse("reports:characteristics"), {"disability": "yes"})
    record.refresh_from_db()
    assert not record.consented and record.disability is None


def test_partners_retained_counts_a_partner_of_two_consecutive_years(personas, reports_world):
    from commed.programmes import services as programme_services
    from commed.reports import selectors

    programme = reports_world.cohort.programme
    later = programme_services.cohort_create(actor=personas.lead, programme=programme, academic_year="2026/27")
    programme_services.project_create(actor=personas.lead, cohort=later, title="Again", organisations=[personas.org_a])
    chart = selectors.chart_retention(selectors.DashboardFilters(programme=programme))
    assert list(chart.labels) == ["2025/26", "2026/27"]
    assert [list(s.values) for s in chart.series] == [[0, 1], [2, 0]]  # retained, new


def test_the_dashboard_shows_survey_responses_by_instrument_with_counts_under_5_suppressed(personas, reports_world):
    from django.utils import timezone

    from commed.reports import selectors
    from commed.surveys.models import Invitation, Survey

    now = timezone.now()

    def invite(instrument: str, invited: int, answered: int) -> None:
        survey = Survey.objects.create(title=instrument, instrument=instrument, project=reports_world.project_a,
                                       academic_year="2025/26", created_at=now)
        for number in range(invited):
            Invitation.objects.create(survey=survey, name=f"Person {number}", created_at=now,
                                      responded_at=now if number < answered else None)

    filters = selectors.DashboardFilters(programme=reports_world.cohort.programme, academic_year="2025/26")
    invite("partner_end", 3, 2)  # both under 5: suppressed
    only_suppressed = selectors.chart_surveys(filters)
    assert [list(s.values) for s in only_suppressed.series] == [[None], [None]]
    assert not only_suppressed.is_empty  # recorded, only not shown: the table says "suppressed"
    invite("student_end", 7, 5)  # 5 and more: shown
    invite("partnership_quality", 6, 4)  # the invited shown, the 4 who answered suppressed
    chart = selectors.chart_surveys(filters)
    assert list(chart.labels) == ["End-of-project feedback (partners)", "End-of-project feedback (students)",
                                  "Partnership quality (both sides)"]
    assert [list(s.values) for s in chart.series] == [[None, 7, 6], [None, 5, None]]
    assert chart.rows[0] == ("End-of-project feedback (partners)", ["suppressed", "suppressed"])
    page = personas.client("lead").get(reverse("reports:dashboard"), {"year": "2025/26"}).content.decode()
    table = page[page.index("Survey responses: the numbers"):]
    table = table[:table.index("</table>")]
    assert "<td>suppressed</td><td>suppressed</td>" in table and "<td>7</td><td>5</td>" in table
    assert "<td>6</td><td>suppressed</td>" in table
    assert ">2<" not in table and ">3<" not in table and ">4<" not in table
    svg = personas.client("lead").get(reverse("reports:chart_download", kwargs={"key": "surveys"}),
                                      {"year": "2025/26"}).content.decode()
    assert "suppressed (fewer than 5)" in svg and "Answered: 5" in svg and "Invited: 3" not in svg
    other = selectors.chart_surveys(selectors.DashboardFilters(locality="Nowhere"))
    assert other.is_empty
