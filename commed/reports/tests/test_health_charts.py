"""The programme dashboard's counts of projects by the Core20 share of the locality their evidence cites and by the
domain of the indicators cited: the right bands and domains, the dashboard filters, the page's tables, the SVG
download, and bounded queries. The fixture is described in health_world.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commed.health import services as health_services
from commed.health.selectors import NO_LOCALITY
from commed.programmes import services as programme_services
from commed.reports import selectors
from commed.reports.charts import Chart
from commed.reports.tests.health_world import BAND_40, BAND_80, UNDER_20, Evidence, build_evidence


@pytest.fixture
def evidence(personas: Any) -> Evidence:
    return build_evidence(personas)


def counts(chart: Chart) -> dict[str, int | None]:
    [series] = chart.series
    return dict(zip(chart.labels, series.values, strict=True))


def nonzero(chart: Chart) -> dict[str, int | None]:
    return {label: n for label, n in counts(chart).items() if n}


def test_projects_land_in_the_band_of_the_most_deprived_locality_they_cite(evidence):
    filters = selectors.DashboardFilters(programme=evidence.programme, academic_year="2025/26")
    chart = selectors.chart_core20(filters)
    # Every band is listed, in order, with the projects without a locality last.
    assert list(chart.labels) == [UNDER_20, "20% to 40%", BAND_40, "60% to 80%", BAND_80, NO_LOCALITY]
    assert counts(chart) == {UNDER_20: 1, "20% to 40%": 0, BAND_40: 1, "60% to 80%": 0, BAND_80: 1,
                             NO_LOCALITY: 0}
    assert chart.key == "core20" and "most deprived" in chart.note


def test_a_project_counts_in_each_domain_it_cites(evidence):
    filters = selectors.DashboardFilters(programme=evidence.programme, academic_year="2025/26")
    chart = selectors.chart_indicator_domain(filters)
    assert counts(chart) == {"Child health": 2, "Older people": 2}  # b and c; a and c
    assert chart.key == "indicator-domain" and "counts in each" in chart.note


def test_the_charts_follow_the_dashboard_filters(evidence):
    programme_only = selectors.DashboardFilters(programme=evidence.programme)
    # Next year's project cites nothing: it is counted as citing no locality, and in no domain.
    assert nonzero(selectors.chart_core20(programme_only)) == {UNDER_20: 1, BAND_40: 1, BAND_80: 1, NO_LOCALITY: 1}
    assert nonzero(selectors.chart_indicator_domain(programme_only)) == {"Child health": 2, "Older people": 2}
    everything = selectors.DashboardFilters()
    assert nonzero(selectors.chart_core20(everything)) == {UNDER_20: 1, BAND_40: 1, BAND_80: 2, NO_LOCALITY: 1}
    assert nonzero(selectors.chart_indicator_domain(everything)) == {"Child health": 3, "Older people": 2}
    catford = selectors.DashboardFilters(locality="Catford")
    assert nonzero(selectors.chart_core20(catford)) == {BAND_40: 1}
    assert nonzero(selectors.chart_indicator_domain(catford)) == {"Child health": 1, "Older people": 1}
    nowhere = selectors.DashboardFilters(locality="Nowhere")
    assert selectors.chart_core20(nowhere).is_empty and selectors.chart_indicator_domain(nowhere).is_empty


def test_the_dashboard_shows_both_charts_with_their_tables_and_svg_downloads(personas, evidence):
    client = personas.client("lead")
    query = {"programme": evidence.programme.pk, "year": "2025/26"}
    page = client.get(reverse("reports:dashboard"), query).content.decode()
    for title in ("Projects by Core20 share of their locality", "Projects by indicator domain of the evidence cited"):
        assert f"{title}: the numbers" in page
    table = page[page.index("Projects by Core20 share of their locality: the numbers"):]
    table = table[:table.index("</table>")]
    assert f'<th scope="row">{BAND_80}</th><td>1</td>' in table
    assert f'<th scope="row">{NO_LOCALITY}</th><td>0</td>' in table
    assert f'{reverse("reports:chart_download", kwargs={"key": "core20"})}?programme={evidence.programme.pk}' in page
    assert reverse("reports:chart_download", kwargs={"key": "indicator-domain"}) in page

    svg = client.get(reverse("reports:chart_download", kwargs={"key": "indicator-domain"}), query)
    assert svg["Content-Type"] == "image/svg+xml"
    assert svg["Content-Disposition"] == 'attachment; filename="commed-indicator-domain.svg"'
    text = svg.content.decode()
    assert text.startswith("<svg") and "Projects by indicator domain of the evidence cited" in text
    assert "Child health, Projects: 2" in text and "Older people, Projects: 2" in text
    # The download follows the filters as the page does: with every programme, three projects cite child health.
    assert b"Child health, Projects: 3" in client.get(
        reverse("reports:chart_download", kwargs={"key": "indicator-domain"})).content
    core20 = client.get(reverse("reports:chart_download", kwargs={"key": "core20"}), {"locality": "Catford"})
    assert f"{BAND_40}, Projects: 1".encode() in core20.content and f"{BAND_80}, Projects: 1".encode() not in (
        core20.content)


def _queries(filters: selectors.DashboardFilters) -> int:
    with CaptureQueriesContext(connection) as captured:
        selectors.chart_core20(filters)
        selectors.chart_indicator_domain(filters)
    return len(captured)


def test_the_queries_do_not_grow_with_the_projects(personas, evidence):
    filters = selectors.DashboardFilters(programme=evidence.programme, academic_year="2025/26")
    few = _queries(filters)
    cohort = evidence.a.cohort
    for number in range(8):
        project = programme_services.project_create(actor=personas.lead, cohort=cohort, title=f"More {number}",
                                                    organisations=[personas.org_a])
        health_services.evidence_cite(project_id=project.pk, by=personas.lead, indicator_value=evidence.falls,
                                      locality=evidence.mixed if number % 2 else evidence.deprived)
    many = _queries(filters)
    assert nonzero(selectors.chart_core20(filters)) == {UNDER_20: 1, BAND_40: 5, BAND_80: 5}
    assert many == few
