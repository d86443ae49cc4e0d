"""Survey results on the programme dashboard: a chart per choice or Likert item with its table and SVG download,
the response rate, small-number suppression, the cap on the surveys shown, and bounded queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commed.reports import selectors
from commed.surveys.models import Answer, Invitation, Item, Response, Section, Status, Survey

YEAR = "2025/26"


def make_survey(project: Any, title: str, answers: list[dict[str, Any]], *, invited: int | None = None,
                status: str = Status.OPEN, days_ago: int = 0) -> Survey:
    """A sent survey about the project: a Likert item `benefit`, a single choice `again`, a free-text `comments`;
    one response per dict of answers, and `invited` invitations in all."""
    now = timezone.now() - dt.timedelta(days=days_ago)
    survey = Survey.objects.create(title=title, instrument="partner_end", status=status, project=project,
                                   academic_year=YEAR, created_at=now)
    section = Section.objects.create(survey=survey, title="Main")
    items = {
        "benefit": Item.objects.create(survey=survey, section=section, key="benefit", kind="likert", position=1,
                                       text="The project benefited our members"),
        "again": Item.objects.create(survey=survey, section=section, key="again", kind="single", position=2,
                                     text="Would you work with students again?", choices=["Yes", "No", "Not sure"]),
        "comments": Item.objects.create(survey=survey, section=section, key="comments", kind="text", position=3,
                                        text="Anything else?"),
    }
    for number in range(invited if invited is not None else len(answers)):
        given = answers[number] if number < len(answers) else None
        invitation = Invitation.objects.create(survey=survey, name=f"Person {number}", created_at=now,
                                               responded_at=now if given is not None else None)
        if given is not None:
            response = Response.objects.create(invitation=invitation, survey=survey, submitted_at=now)
            Answer.objects.bulk_create(Answer(response=response, item=items[key], value=value)
                                       for key, value in given.items())
    return survey


# 11 answers: Likert 6 x "5" and 5 x "4"; single choice 7 Yes, 3 No, 1 Not sure.
ELEVEN = ([{"benefit": 5, "again": "Yes", "comments": "Great"}] * 6 + [{"benefit": 4, "again": "Yes"}]
          + [{"benefit": 4, "again": "No"}] * 3 + [{"benefit": 4, "again": "Not sure"}])


@pytest.fixture
def survey(reports_world: Any) -> Survey:
    return make_survey(reports_world.project_a, "Partner end of project", ELEVEN, invited=14)


def filters(world: Any, **kwargs: Any) -> selectors.DashboardFilters:
    return selectors.DashboardFilters(programme=world.cohort.programme, academic_year=YEAR, **kwargs)


def test_each_choice_item_gets_a_chart_with_the_option_counts(reports_world, survey):
    section = selectors.dashboard_survey_results(filters=filters(reports_world))
    [result] = section.surveys
    assert (result.invited, result.responded, result.percent, result.withheld) == (14, 11, 78.6, False)
    likert, single = result.charts  # the free-text item has no chart
    assert likert.key == f"survey-{survey.pk}-benefit"
    assert list(likert.labels) == ["1 Strongly disagree", "2 Disagree", "3 Neither agree nor disagree", "4 Agree",
                                   "5 Strongly agree"]
    assert [list(s.values) for s in likert.series] == [[0, 0, 0, 5, 6]]
    assert "11 answers. Mean 4.55, median 5" in likert.note
    assert list(single.labels) == ["Yes", "No", "Not sure"]
    assert [list(s.values) for s in single.series] == [[7, None, None]]  # 3 and 1 are under 5
    assert "11 answers" not in single.note and "suppressed" in single.note  # the total would give them away
    assert section.note == ""


def test_the_dashboard_page_shows_the_results_tables_and_response_rate(personas, reports_world, survey):
    page = personas.client("lead").get(reverse("reports:dashboard"), {"year": YEAR}).content.decode()
    assert "Survey results" in page
    assert "Partner end of project: The project benefited our members: the numbers" in page
    assert "11 of 14 invited answered (78.6%)" in page
    assert "<td>suppressed</td>" in page
    assert reverse("reports:chart_download", kwargs={"key": f"survey-{survey.pk}-again"}) in page


def test_the_survey_chart_downloads_as_svg(personas, reports_world, survey):
    client = personas.client("lead")
    response = client.get(reverse("reports:chart_download", kwargs={"key": f"survey-{survey.pk}-benefit"}),
                          {"year": YEAR})
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Content-Disposition"] == f'attachment; filename="commed-survey-{survey.pk}-benefit.svg"'
    svg = response.content.decode()
    assert svg.startswith("<svg") and "The project benefited our members" in svg
    assert "5 Strongly agree, Answers: 6" in svg
    single = client.get(reverse("reports:chart_download", kwargs={"key": f"survey-{survey.pk}-again"})).content
    assert b"suppressed (fewer than 5)" in single and b"No, Answers" not in single
    for key in (f"survey-{survey.pk}-comments", f"survey-{survey.pk}-nope", "survey-x-benefit", "survey-"):
        assert client.get(reverse("reports:chart_download", kwargs={"key": key})).status_code == 404
    other_year = client.get(reverse("reports:chart_download", kwargs={"key": f"survey-{survey.pk}-benefit"}),
                            {"year": "2024/25"})
    assert other_year.status_code == 404  # outside the filters


def test_a_survey_with_fewer_than_5_answers_shows_no_results(personas, reports_world):
    make_survey(reports_world.project_a, "Tiny survey", ELEVEN[:3], invited=4)
    [result] = selectors.dashboard_survey_results(filters=filters(reports_world)).surveys
    assert result.withheld and result.charts == []
    assert (result.invited, result.responded, result.percent) == (None, None, None)
    page = personas.client("lead").get(reverse("reports:dashboard"), {"year": YEAR}).content.decode()
    assert "Fewer than 5 answers: results are not shown." in page
    assert "Tiny survey: The project benefited" not in page


def test_drafts_and_other_filters_are_left_out(reports_world, survey):
    make_survey(reports_world.project_a, "Not sent", ELEVEN, status=Status.DRAFT)
    shown = selectors.dashboard_survey_results(filters=filters(reports_world)).surveys
    assert [r.survey.title for r in shown] == ["Partner end of project"]
    assert selectors.dashboard_survey_results(filters=filters(reports_world, locality="Nowhere")).surveys == []
    later = selectors.DashboardFilters(academic_year="2026/27")
    assert selectors.dashboard_survey_results(filters=later).surveys == []


@pytest.mark.parametrize(("counts", "shown"), [
    ([0, 0, 0, 5, 6], [0, 0, 0, 5, 6]),
    ([6, 1, 0, 8], [None, None, 0, 8]),  # one hidden count would follow from the total: the next smallest goes too
    ([7, 3, 1], [7, None, None]),
    ([4], [None]),
])
def test_option_counts_are_suppressed_with_a_second_count_when_one_alone_is_hidden(counts, shown):
    assert selectors.suppress_options(counts) == shown


def test_only_the_most_recent_surveys_are_shown_and_queries_stay_bounded(reports_world):
    for number in range(selectors.SURVEY_RESULTS_SHOWN):
        make_survey(reports_world.project_a, f"Survey {number}", ELEVEN, days_ago=number + 1)
    with CaptureQueriesContext(connection) as at_cap:
        section = selectors.dashboard_survey_results(filters=filters(reports_world))
    assert section.note == ""
    make_survey(reports_world.project_a, "Newest", ELEVEN)
    make_survey(reports_world.project_a, "Oldest", ELEVEN, days_ago=30)
    with CaptureQueriesContext(connection) as beyond:
        section = selectors.dashboard_survey_results(filters=filters(reports_world))
    assert [r.survey.title for r in section.surveys] == ["Newest", "Survey 0", "Survey 1", "Survey 2", "Survey 3"]
    assert section.total == 7 and "5 most recent of 7" in section.note
    assert len(beyond) == len(at_cap)


def test_the_funnel_chart_uses_the_public_aggregate(reports_world, monkeypatch):
    from commed.outreach import selectors as outreach

    calls: list[dict[str, Any]] = []

    def aggregate(**kwargs: Any) -> list[int]:
        calls.append(kwargs)
        return [12, 7, 3, 0, 5, 2, 1]

    monkeypatch.setattr(outreach, "funnel_aggregate", aggregate)
    chart = selectors.chart_funnel(filters(reports_world))
    assert calls == [{"year": YEAR}]
    assert [list(s.values) for s in chart.series] == [[12, 7, None, 0, 5, None, None]]


def test_funnel_aggregate_counts_by_programme_and_year(personas):
    from commed.outreach import selectors as outreach
    from commed.outreach.models import Pupil
    from commed.outreach.tests.world import make_programme, make_pupil, make_school

    school = make_school()
    this_year = make_programme(cohort="2026/27")
    other = make_programme(name="Another run", cohort="2027/28")
    for number in range(3):
        make_pupil(this_year, school, first_name=f"Pupil {number}", accept=number > 0)
    make_pupil(other, school, first_name="Later")
    assert outreach.funnel_aggregate(year="2026/27")[:2] == [3, 2]  # referred or applied, accepted
    assert outreach.funnel_aggregate(programme=other)[:2] == [1, 1]
    assert outreach.funnel_aggregate()[:2] == [4, 3]
    assert outreach.funnel_aggregate(programme=other, year="2026/27") == [0] * len(outreach.FUNNEL_STAGES)
    assert outreach.funnel_aggregate() == outreach._funnel_counts(Pupil.objects.all())


@pytest.mark.browser
def test_the_dashboard_with_survey_results_passes_axe(transactional_db, live_server, personas, tmp_path, settings,
                                                       monkeypatch):
    from commed.lib.browser import axe_violations, chromium_page, sign_in
    from commed.reports.tests.world import build_reports_world

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_reports_world(personas)
    make_survey(world.project_a, "Partner end of project", ELEVEN, invited=14)
    make_survey(world.project_a, "Tiny survey", ELEVEN[:3], invited=4)
    with chromium_page() as page:
        sign_in(page, live_server.url, "lead", "persona-password")
        page.goto(f"{live_server.url}/reports/dashboard/?year=2025%2F26")
        heading = page.get_by_role("heading", name="Partner end of project: Would you work with students again?")
        assert heading.is_visible()
        problems = axe_violations(page)
    assert not problems, "\n".join(problems)
