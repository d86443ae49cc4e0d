"""Reads for reports, dashboards and the equity view. Who sees which report is decided here:

- programme leads and administrators see every draft and report;
- a partner contact sees the RELEASED reports of their own organisation, and nothing else;
- everyone else gets 404.

Each report reads a fixed number of queries whatever the number of projects (see tests/test_queries.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.text import slugify

from commed.accounts.models import Role, User
from commed.allocation.models import Preference
from commed.health.selectors import ProjectCount, projects_by_core20_band, projects_by_indicator_domain
from commed.partners.models import Direction, LedgerEntry, Organisation
from commed.programmes.models import (
    Cohort,
    Consent,
    ConsentChange,
    GroupMembership,
    Locality,
    Output,
    PartnerFeedback,
    Programme,
    Project,
    ProjectStage,
    Reflection,
)
from commed.reports.charts import Chart, Series
from commed.reports.models import (
    DraftQuote,
    DraftStatus,
    QuoteDecision,
    QuoteSource,
    ReportDraft,
    ReportRun,
)
from commed.surveys import logic as survey_logic
from commed.surveys.models import Instrument, Invitation, Survey
from commed.surveys.models import Status as SurveyStatus
from commed.surveys.selectors import ItemSummary, partnership_quality_gap, survey_results

MANAGERS = (Role.LEAD, Role.ADMIN)
SHARED_WITH_PARTNER = (Consent.PARTNER, Consent.RESEARCH)
BELOW_PARTNER = (Consent.PRIVATE, Consent.TUTOR)
SMALL_NUMBER = 5
YEAR_PATTERN = re.compile(r"^(\d{4})/(\d{2})$")


def is_manager(user: User) -> bool:
    return bool(user.is_active and user.role in MANAGERS)


def require_manager(user: User) -> None:
    if not is_manager(user):
        raise Http404


def academic_year_valid(year: str) -> bool:
    match = YEAR_PATTERN.match(year)
    return bool(match and (int(match.group(1)) + 1) % 100 == int(match.group(2)))


def academic_year_range(year: str) -> tuple[dt.date, dt.date]:
    """1 September to 31 August: "2025/26" is 1 Sep 2025 to 31 Aug 2026."""
    if not academic_year_valid(year):
        raise ValueError(f"{year!r} is not an academic year like 2025/26")
    start = int(year[:4])
    return dt.date(start, 9, 1), dt.date(start + 1, 8, 31)


def academic_years() -> list[str]:
    return list(Cohort.objects.values_list("academic_year", flat=True).distinct().order_by("-academic_year"))


def organisation_find(*, identifier: str) -> Organisation:
    """An organisation by id, by name (any case), or by the slug of its name, as the CLI is given it."""
    identifier = identifier.strip()
    if identifier.isdigit():
        found = Organisation.objects.filter(pk=int(identifier)).first()
        if found is not None:
            return found
    found = Organisation.objects.filter(name__iexact=identifier).first()
    if found is not None:
        return found
    slug = slugify(identifier)
    for pk, name in Organisation.objects.values_list("pk", "name"):
        if slugify(name) == slug:
            return Organisation.objects.get(pk=pk)
    raise Organisation.DoesNotExist(f"no organisation with the id, name or slug {identifier!r}")


# Drafts -------------------------------------------------------------------------------------------------------------


def drafts_visible_to(*, user: User) -> QuerySet[ReportDraft]:
    if not user.is_active:
        return ReportDraft.objects.none()
    if user.role in MANAGERS:
        return ReportDraft.objects.all()
    if user.role == Role.PARTNER:
        return ReportDraft.objects.filter(status=DraftStatus.RELEASED, organisation__contacts__user=user).distinct()
    return ReportDraft.objects.none()


def draft_list(*, user: User) -> QuerySet[ReportDraft]:
    return drafts_visible_to(user=user).select_related("organisation", "released_by").annotate(
        quote_count=Count("quotes"),
        withdrawn_count=Count("quotes", filter=Q(quotes__decision=QuoteDecision.WITHDRAWN)),
    ).order_by("-academic_year", "organisation__name")


def drafts_unreleased(*, user: User) -> QuerySet[ReportDraft]:
    """The drafts the user may open that are not released to their partner yet (only managers see drafts)."""
    return (drafts_visible_to(user=user).filter(status=DraftStatus.DRAFT).select_related("organisation")
            .order_by("academic_year", "organisation__name", "pk"))


def draft_get_for_user(*, user: User, pk: int) -> ReportDraft:
    draft = drafts_visible_to(user=user).select_related("organisation").filter(pk=pk).first()
    if draft is None:
        raise Http404
    return draft


def organisations_with_projects(*, academic_year: str) -> QuerySet[Organisation]:
    return Organisation.objects.filter(projects__cohort__academic_year=academic_year).distinct().order_by("name")


def run_get_for_user(*, user: User, pk: int) -> ReportRun:
    require_manager(user)
    run = ReportRun.objects.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def run_list(*, user: User) -> QuerySet[ReportRun]:
    require_manager(user)
    return ReportRun.objects.select_related("created_by")[:20]


# The service evaluation report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OutputRow:
    project: str
    title: str
    kind: str
    reach: int | None
    languages: str
    audience: str


@dataclass(frozen=True)
class ProjectRow:
    title: str
    programme: str
    stage: str
    need: str
    people: str
    locality: str
    outputs: list[OutputRow]


@dataclass(frozen=True)
class LedgerRow:
    occurred_on: dt.date
    direction: str
    kind: str
    description: str
    amount: str


@dataclass(frozen=True)
class FeedbackRow:
    project: str
    given_by: str
    about_students: str
    about_project: str
    about_partnership: str
    would_host_again: bool


@dataclass(frozen=True)
class GapRow:
    question: str
    partner: float | None
    school: float | None

    @property
    def gap(self) -> float | None:
        if self.partner is None or self.school is None:
            return None
        return round(self.school - self.partner, 1)


@dataclass(frozen=True)
class QuoteRow:
    pk: int | None  # the DraftQuote, when the report has a draft
    source: str
    text: str
    attribution: str
    project: str
    decision: str


@dataclass(frozen=True)
class ServiceEvaluation:
    organisation: Organisation
    academic_year: str
    draft: ReportDraft | None
    projects: list[ProjectRow]
    ledger: list[LedgerRow]
    ledger_counts: dict[str, int]
    ledger_totals: list[tuple[str, str]]
    feedback: list[FeedbackRow]
    reflections_written: int
    reflections_shared: int
    gaps: list[GapRow]
    quotes: list[QuoteRow]
    next_steps: list[str]
    partner_response: str
    generated_on: dt.date = field(default_factory=timezone.localdate)

    @property
    def outputs(self) -> list[OutputRow]:
        return [o for p in self.projects for o in p.outputs]

    @property
    def total_reach(self) -> int:
        return sum(o.reach or 0 for o in self.outputs)

    @property
    def languages(self) -> list[str]:
        found = {lang.strip() for o in self.outputs for lang in o.languages.split(",") if lang.strip()}
        return sorted(found, key=str.lower)

    @property
    def status(self) -> str:
        if self.draft is None:
            return "Not yet reviewed by the partner"
        return "Released" if self.draft.is_released else "Draft for the partner's review"

    @property
    def balance_label(self) -> str:
        to_community = self.ledger_counts.get(Direction.TO_COMMUNITY, 0)
        from_community = self.ledger_counts.get(Direction.TO_STUDENTS, 0) + self.ledger_counts.get(
            Direction.TO_SCHOOL, 0)
        if not to_community and not from_community:
            return "Nothing recorded this year"
        if not to_community or not from_community:
            return "One-way this year"
        return "Balanced" if 0.5 <= to_community / from_community <= 2 else "Uneven"


SECTION_TITLES = (
    "Projects and the needs they addressed",
    "Outputs, reach and languages",
    "What each side contributed",
    "Partner feedback",
    "Student feedback",
    "Partnership quality: how each side sees it",
    "In their words",
    "Next steps",
)


def _quote_text(text: str, limit: int = 400) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "\u2026"


def _reflection_quote(reflection: Reflection) -> str:
    return _quote_text(reflection.learned_about_community or reflection.what_happened)


def _feedback_quote(feedback: PartnerFeedback) -> str:
    return _quote_text(feedback.about_partnership or feedback.about_project or feedback.about_students)


def quote_candidates(
    *, organisation: Organisation, academic_year: str
) -> tuple[list[Reflection], list[PartnerFeedback]]:
    """What may be proposed as a quote: reflections the student shares with the partner (or for research), and
    the organisation's own feedback."""
    reflections = list(
        Reflection.objects.filter(project__organisations=organisation, project__cohort__academic_year=academic_year,
                                  consent__in=SHARED_WITH_PARTNER).select_related("project").order_by("id")
    )
    feedback = list(
        PartnerFeedback.objects.filter(organisation=organisation, project__cohort__academic_year=academic_year)
        .select_related("project").order_by("id")
    )
    return reflections, feedback


def draft_quotes_shown(*, draft: ReportDraft, include_withdrawn: bool = False) -> QuerySet[DraftQuote]:
    """A draft's quotes that may be shown now: never one the partner withdrew, and a reflection's only while the
    student shares it with the partner and has not lowered that consent since the quote was proposed (once
    withdrawn, a quote stays out of this report even if the consent is raised again)."""
    lowered = ConsentChange.objects.filter(reflection=OuterRef("reflection"), at__gte=OuterRef("created_at"),
                                           to_level__in=BELOW_PARTNER)
    quotes = (
        DraftQuote.objects.filter(draft=draft)
        .annotate(lowered=Exists(lowered))
        .select_related("reflection__project", "feedback__project")
        .filter(Q(source=QuoteSource.FEEDBACK, feedback__isnull=False)
                | Q(source=QuoteSource.REFLECTION, reflection__consent__in=SHARED_WITH_PARTNER, lowered=False))
    )
    if not include_withdrawn:
        quotes = quotes.exclude(decision=QuoteDecision.WITHDRAWN)
    return quotes.order_by("id")


def quote_rows(quotes: Iterable[DraftQuote]) -> list[QuoteRow]:
    rows = []
    for quote in quotes:
        if quote.source == QuoteSource.REFLECTION and quote.reflection is not None:
            rows.append(QuoteRow(pk=quote.pk, source=quote.get_source_display(),
                                 text=_reflection_quote(quote.reflection),
                                 attribution=f"A student on {quote.reflection.project.title}",
                                 project=quote.reflection.project.title, decision=quote.decision))
        elif quote.feedback is not None:
            rows.append(QuoteRow(pk=quote.pk, source=quote.get_source_display(),
                                 text=_feedback_quote(quote.feedback),
                                 attribution=f"{quote.feedback.given_by_name}, on {quote.feedback.project.title}",
                                 project=quote.feedback.project.title, decision=quote.decision))
    return rows


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _amount(entry: LedgerEntry) -> str:
    if entry.quantity is None:
        return ""
    return f"{entry.quantity.normalize():f} {entry.unit}".strip()


def service_evaluation(
    *, organisation: Organisation, academic_year: str, draft: ReportDraft | None = None
) -> ServiceEvaluation:
    """Everything the report says, in a fixed number of queries (the projects, their outputs, the ledger, the
    feedback, the check-ins, the reflection counts and the quotes)."""
    start, end = academic_year_range(academic_year)
    if draft is None:
        draft = ReportDraft.objects.filter(organisation=organisation, academic_year=academic_year).first()
    projects = list(
        Project.objects.filter(organisations=organisation, cohort__academic_year=academic_year)
        .select_related("cohort__programme", "opportunity", "locality", "plan__current_version")
        .prefetch_related("outputs")
        .order_by("title")
    )
    ids = [p.pk for p in projects]
    project_rows = []
    for project in projects:
        version = project.plan.current_version if hasattr(project, "plan") else None
        need = (project.opportunity.health_need if project.opportunity else "") or (
            version.text("need") if version else "")
        outputs = [
            OutputRow(project=project.title, title=o.title, kind=o.get_kind_display(), reach=o.reach,
                      languages=o.languages, audience=o.audience)
            for o in sorted(project.outputs.all(), key=lambda o: (o.created_at, o.pk))
        ]
        project_rows.append(ProjectRow(
            title=project.title, programme=project.cohort.programme.name, stage=project.get_stage_display(),
            need=need or project.summary, people=project.opportunity.people_concerned if project.opportunity else "",
            locality=project.locality.name if project.locality else "", outputs=outputs,
        ))
    entries = list(
        LedgerEntry.objects.filter(partnership__organisation=organisation, occurred_on__range=(start, end))
        .order_by("occurred_on", "id")
    )
    counts = Counter(e.direction for e in entries)
    totals: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for entry in entries:
        if entry.quantity is not None:
            totals[(entry.get_direction_display(), entry.unit.lower())] += entry.quantity
    feedback = list(PartnerFeedback.objects.filter(organisation=organisation, project_id__in=ids)
                    .select_related("project").order_by("submitted_at", "id"))
    # The surveys app merges both places the two sides answer the check-in questions: the project check-ins and
    # partnership-quality surveys about the organisation in the year (three queries).
    gaps = [GapRow(question=row.question, partner=_round(row.partner), school=_round(row.school))
            for row in partnership_quality_gap(organisation=organisation, year=academic_year)]
    by_consent = dict(Reflection.objects.filter(project_id__in=ids).values_list("consent")
                      .annotate(n=Count("id")).values_list("consent", "n"))
    if draft is not None:
        quotes = quote_rows(draft_quotes_shown(draft=draft))
    else:
        reflections = Reflection.objects.filter(project_id__in=ids, consent__in=SHARED_WITH_PARTNER).select_related(
            "project").order_by("id")
        quotes = [QuoteRow(pk=None, source=QuoteSource.REFLECTION.label, text=_reflection_quote(r),
                           attribution=f"A student on {r.project.title}", project=r.project.title,
                           decision=QuoteDecision.PENDING) for r in reflections]
        quotes += [QuoteRow(pk=None, source=QuoteSource.FEEDBACK.label, text=_feedback_quote(f),
                            attribution=f"{f.given_by_name}, on {f.project.title}", project=f.project.title,
                            decision=QuoteDecision.PENDING) for f in feedback]
    next_steps = [line.strip() for line in (draft.next_steps if draft else "").splitlines() if line.strip()]
    if not next_steps:
        next_steps = _suggested_next_steps(feedback=feedback, gaps=gaps, projects=projects)
    return ServiceEvaluation(
        organisation=organisation, academic_year=academic_year, draft=draft, projects=project_rows,
        ledger=[LedgerRow(occurred_on=e.occurred_on, direction=e.get_direction_display(), kind=e.get_kind_display(),
                          description=e.description, amount=_amount(e)) for e in entries],
        ledger_counts=dict(counts),
        ledger_totals=[(f"{direction}: {unit or 'items'}", f"{total.normalize():f}")
                       for (direction, unit), total in sorted(totals.items())],
        feedback=[FeedbackRow(project=f.project.title, given_by=f.given_by_name, about_students=f.about_students,
                              about_project=f.about_project, about_partnership=f.about_partnership,
                              would_host_again=f.would_host_again) for f in feedback],
        reflections_written=sum(by_consent.values()),
        reflections_shared=sum(n for level, n in by_consent.items() if level in SHARED_WITH_PARTNER),
        gaps=gaps, quotes=quotes, next_steps=next_steps,
        partner_response=draft.partner_response if draft else "",
    )


def _suggested_next_steps(
    *, feedback: list[PartnerFeedback], gaps: list[GapRow], projects: list[Project]
) -> list[str]:
    steps = []
    if feedback:
        again = sum(1 for f in feedback if f.would_host_again)
        steps.append(f"The partner would host students again in {again} of {len(feedback)} feedback forms: "
                     "agree next year's projects together.")
    for gap in gaps:
        if gap.gap is not None and abs(gap.gap) >= 1:
            steps.append(f"Talk together about \u201c{gap.question}\u201d: the school scored it {gap.school}, "
                         f"the partner {gap.partner}.")
    unfinished = [p.title for p in projects if p.stage != ProjectStage.COMPLETE]
    if unfinished:
        steps.append("Finish or hand over: " + ", ".join(unfinished) + ".")
    return steps or ["Review the year together and agree the next projects."]


# Dashboards -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardFilters:
    programme: Programme | None = None
    academic_year: str = ""
    locality: str = ""

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        params = {"programme": self.programme.pk if self.programme else "", "year": self.academic_year,
                  "locality": self.locality}
        return urlencode({k: v for k, v in params.items() if v})


def dashboard_filters(*, user: User, programme: str = "", year: str = "", locality: str = "") -> DashboardFilters:
    require_manager(user)
    chosen = Programme.objects.filter(pk=int(programme)).first() if programme.isdigit() else None
    return DashboardFilters(programme=chosen, academic_year=year if academic_year_valid(year) else "",
                            locality=locality.strip()[:200])


def dashboard_options() -> dict[str, list[Any]]:
    return {
        "programmes": list(Programme.objects.all()),
        "years": academic_years(),
        "localities": list(Locality.objects.values_list("name", flat=True).distinct().order_by("name")),
    }


def _projects(filters: DashboardFilters, *, with_year: bool = True) -> QuerySet[Project]:
    projects = Project.objects.all()
    if filters.programme is not None:
        projects = projects.filter(cohort__programme=filters.programme)
    if with_year and filters.academic_year:
        projects = projects.filter(cohort__academic_year=filters.academic_year)
    if filters.locality:
        projects = projects.filter(locality__name=filters.locality)
    return projects


def _count_chart(key: str, title: str, description: str, pairs: Iterable[tuple[int, str | None]],
                 series: str) -> Chart:
    projects_by: dict[str, set[int]] = defaultdict(set)
    for project_id, name in pairs:
        projects_by[name or "Not recorded"].add(project_id)
    ordered = sorted(projects_by.items(), key=lambda item: (-len(item[1]), item[0]))
    return Chart(key=key, title=title, description=description, labels=[name for name, _ in ordered],
                 series=[Series(series, [len(ids) for _, ids in ordered])])


def chart_population(filters: DashboardFilters) -> Chart:
    pairs = _projects(filters).values_list("pk", "organisations__populations__name").distinct()
    return _count_chart("population", "Projects by population served",
                        "Number of projects whose partner serves each population.", pairs, "Projects")


def chart_need(filters: DashboardFilters) -> Chart:
    pairs = _projects(filters).values_list("pk", "organisations__focus_areas__name").distinct()
    return _count_chart("need", "Projects by health need",
                        "Number of projects by the health need (focus area) of their partner.", pairs, "Projects")


def chart_retention(filters: DashboardFilters) -> Chart:
    partners: dict[str, set[int]] = defaultdict(set)
    for year, org in _projects(filters, with_year=False).values_list("cohort__academic_year", "organisations"):
        if org is not None:
            partners[year].add(org)
    years = sorted(partners)
    retained, new = [], []
    for index, year in enumerate(years):
        before = partners[years[index - 1]] if index else set()
        retained.append(len(partners[year] & before))
        new.append(len(partners[year] - before))
    return Chart(key="retention", title="Partners retained year on year",
                 description="For each academic year, partners who also worked with the programme the year before "
                             "(retained) and partners new that year.",
                 labels=years, series=[Series("Retained from the year before", retained), Series("New", new)])


def chart_reciprocity(filters: DashboardFilters) -> Chart:
    organisations = _projects(filters).values("organisations")
    entries = LedgerEntry.objects.filter(partnership__organisation__in=organisations)
    if filters.academic_year:
        entries = entries.filter(occurred_on__range=academic_year_range(filters.academic_year))
    counts = dict(entries.values_list("direction").annotate(n=Count("id")).values_list("direction", "n"))
    return Chart(key="reciprocity", title="Reciprocity balance",
                 description="Entries in the partners' reciprocity ledgers, by the direction the benefit flowed.",
                 labels=[label for _, label in Direction.choices],
                 series=[Series("Ledger entries", [counts.get(value, 0) for value, _ in Direction.choices])])


def chart_outputs(filters: DashboardFilters) -> Chart:
    rows = (Output.objects.filter(project__in=_projects(filters)).values("kind")
            .annotate(n=Count("id"), reach=Sum("reach")).order_by("kind"))
    labels = dict(Output._meta.get_field("kind").choices or [])
    data = [(str(labels.get(r["kind"], r["kind"])), int(r["n"]), int(r["reach"] or 0)) for r in rows]
    return Chart(key="outputs", title="Outputs and reach",
                 description="Outputs registered by kind, and the people they reached.",
                 labels=[d[0] for d in data], series=[Series("Outputs", [d[1] for d in data]),
                                                      Series("People reached", [d[2] for d in data])],
                 note="Each measure is drawn on its own scale.", own_scales=True)


def chart_funnel(filters: DashboardFilters) -> Chart:
    # The widening-participation funnel of the outreach app, aggregated only and small numbers suppressed.
    from commed.outreach.selectors import FUNNEL_STAGES, funnel_aggregate

    counts = funnel_aggregate(year=filters.academic_year or None)
    return Chart(key="funnel", title="Widening-participation funnel",
                 description="Pupils at each stage from referral to a health course; counts under 5 suppressed.",
                 labels=[stage[:1].upper() + stage[1:] for stage in FUNNEL_STAGES],
                 series=[Series("Pupils", [suppress(n) for n in counts])],
                 note="From the outreach programmes' records; filtered by year only.")


def chart_surveys(filters: DashboardFilters) -> Chart:
    invitations = Invitation.objects.all()
    if filters.academic_year:
        invitations = invitations.filter(survey__academic_year=filters.academic_year)
    if filters.programme is not None or filters.locality:
        # A survey about a project follows its project; one about a partner, the partner's projects.
        projects = _projects(filters)
        invitations = invitations.filter(Q(survey__project__in=projects)
                                         | Q(survey__organisation__in=projects.values("organisations")))
    rows = dict((instrument, (int(invited), int(responded))) for instrument, invited, responded in (
        invitations.values_list("survey__instrument").annotate(
            invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False)))
        .values_list("survey__instrument", "invited", "responded")))
    labels = [(value, label) for value, label in Instrument.choices if value in rows]
    return Chart(key="surveys", title="Survey responses",
                 description="People invited to each kind of survey, and how many answered; counts under 5 "
                             "suppressed.",
                 labels=[label for _, label in labels],
                 series=[Series("Invited", [suppress(rows[v][0]) for v, _ in labels]),
                         Series("Answered", [suppress(rows[v][1]) for v, _ in labels])])


def _evidence_chart(key: str, title: str, description: str, rows: Iterable[ProjectCount], note: str) -> Chart:
    counted = list(rows)
    return Chart(key=key, title=title, description=description, labels=[row.label for row in counted],
                 series=[Series("Projects", [row.count for row in counted])], note=note)


def chart_core20(filters: DashboardFilters) -> Chart:
    # The health app owns the Core20 share (population-weighted, from the current IMD releases); one query for the
    # projects here, and the health app's queries grow with the localities cited, not with the projects.
    project_ids = list(_projects(filters).values_list("pk", flat=True))
    return _evidence_chart(
        "core20", "Projects by Core20 share of their locality",
        "Number of projects by the Core20 share (people in the most deprived 20% of areas in England, IMD "
        "deciles 1 and 2) of the locality whose health-needs profile their evidence cites.",
        projects_by_core20_band(project_ids=project_ids) if project_ids else [],
        "A project citing several localities counts once, in the band of the most deprived of them; "
        "\u201cNo locality cited\u201d: projects whose evidence cites no locality with deprivation data.")


def chart_indicator_domain(filters: DashboardFilters) -> Chart:
    project_ids = list(_projects(filters).values_list("pk", flat=True))
    return _evidence_chart(
        "indicator-domain", "Projects by indicator domain of the evidence cited",
        "Number of projects citing at least one public-health indicator of each domain.",
        projects_by_indicator_domain(project_ids=project_ids) if project_ids else [],
        "A project citing indicators of several domains counts in each; projects citing no indicator are not "
        "counted.")


SURVEY_RESULTS_SHOWN = 5
RESULT_KINDS = (survey_logic.LIKERT, survey_logic.SINGLE, survey_logic.MULTIPLE)


@dataclass(frozen=True)
class SurveyResults:
    """One sent survey on the dashboard: its response rate and a chart of the option counts per choice item.
    Counts under 5 are suppressed (None); with fewer than 5 answers the survey's results are not shown at all."""

    survey: Survey
    instrument: str
    invited: int | None
    responded: int | None
    charts: list[Chart]
    withheld: bool

    @property
    def percent(self) -> float | None:
        if self.invited is None or self.responded is None or not self.invited:
            return None
        return round(100 * self.responded / self.invited, 1)


@dataclass(frozen=True)
class SurveyResultsSection:
    surveys: list[SurveyResults]
    total: int

    @property
    def note(self) -> str:
        if self.total <= len(self.surveys):
            return ""
        return (f"The {len(self.surveys)} most recent of {self.total} sent surveys matching these filters; "
                "the surveys pages have the others.")


def _result_surveys(filters: DashboardFilters) -> QuerySet[Survey]:
    """Sent (open or closed) surveys matching the filters, newest first. A survey about a project follows its
    project; one about a partner, the partner's projects (as the survey responses chart)."""
    surveys = Survey.objects.exclude(status=SurveyStatus.DRAFT)
    if filters.academic_year:
        surveys = surveys.filter(academic_year=filters.academic_year)
    if filters.programme is not None or filters.locality:
        projects = _projects(filters)
        surveys = surveys.filter(Q(project__in=projects) | Q(organisation__in=projects.values("organisations")))
    return surveys.order_by("-created_at", "-pk")


def suppress_options(counts: list[int]) -> list[int | None]:
    """Counts from 1 to 4 are suppressed; when that hides a single count, the next smallest is hidden as well, so
    the hidden one cannot be worked out from the number of answers."""
    shown: list[int | None] = [suppress(n) for n in counts]
    hidden = [i for i, value in enumerate(shown) if value is None]
    if len(hidden) == 1:
        others = [i for i, value in enumerate(shown) if value]
        if others:
            shown[min(others, key=lambda i: counts[i])] = None
    return shown


def _item_chart(survey: Survey, item: ItemSummary) -> Chart:
    values = suppress_options([n for _, n in item.counts])
    if None in values:
        # The total and the mean would let a reader work the hidden counts out again.
        note = "Some counts are suppressed, so the number of answers and the mean are not shown."
    else:
        note = f"{item.answered:,} answers."
        if item.kind == survey_logic.LIKERT and item.mean is not None and item.median is not None:
            note += f" Mean {item.mean:g}, median {item.median:g} (1 to 5)."
    if item.kind == survey_logic.MULTIPLE:
        note += " Each person could choose more than one option."
    return Chart(key=f"survey-{survey.pk}-{item.key}", title=f"{survey.title}: {item.text}",
                 description=f"How many people chose each option of \u201c{item.text}\u201d; counts under 5 "
                             "suppressed.",
                 labels=[label for label, _ in item.counts], series=[Series("Answers", values)], note=note)


def _survey_results(survey: Survey, invited: int, responded: int) -> SurveyResults:
    withheld = responded < SMALL_NUMBER
    charts = [] if withheld else [_item_chart(survey, item) for item in survey_results(survey=survey)
                                  if item.kind in RESULT_KINDS and item.counts]
    return SurveyResults(survey=survey, instrument=survey.get_instrument_display(),
                         invited=suppress(invited), responded=suppress(responded), charts=charts, withheld=withheld)


def _rates(survey_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (Invitation.objects.filter(survey__in=survey_ids).values("survey")
            .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False)))
            .values_list("survey", "invited", "responded"))
    return {survey: (int(invited), int(responded)) for survey, invited, responded in rows}


def dashboard_survey_results(*, filters: DashboardFilters) -> SurveyResultsSection:
    """The results of the most recent sent surveys matching the filters. Bounded: one query for the surveys, one
    for their response rates, and two per survey shown (at most SURVEY_RESULTS_SHOWN)."""
    found = _result_surveys(filters)
    total = found.count()
    surveys = list(found[:SURVEY_RESULTS_SHOWN])
    rates = _rates([s.pk for s in surveys])
    return SurveyResultsSection(
        surveys=[_survey_results(s, *rates.get(s.pk, (0, 0))) for s in surveys], total=total)


def _survey_item_chart(filters: DashboardFilters, key: str) -> Chart:
    survey_id = [*key.split("-", 2), ""][1]
    survey = _result_surveys(filters).filter(pk=int(survey_id)).first() if survey_id.isdigit() else None
    if survey is None:
        raise Http404
    result = _survey_results(survey, *_rates([survey.pk]).get(survey.pk, (0, 0)))
    for chart in result.charts:
        if chart.key == key:
            return chart
    raise Http404


CHARTS = {
    "population": chart_population,
    "need": chart_need,
    "retention": chart_retention,
    "reciprocity": chart_reciprocity,
    "outputs": chart_outputs,
    "core20": chart_core20,
    "indicator-domain": chart_indicator_domain,
    "surveys": chart_surveys,
    "funnel": chart_funnel,
}


def dashboard_charts(*, filters: DashboardFilters) -> list[Chart]:
    return [build(filters) for build in CHARTS.values()]


def dashboard_chart(*, filters: DashboardFilters, key: str) -> Chart:
    if key.startswith("survey-"):
        return _survey_item_chart(filters, key)
    build = CHARTS.get(key)
    if build is None:
        raise Http404
    return build(filters)


# Equity view ------------------------------------------------------------------------------------------------------


def suppress(count: int) -> int | None:
    """Counts from 1 to 4 are not shown: with so few, a reader could tell who they are."""
    return None if 0 < count < SMALL_NUMBER else count


@dataclass(frozen=True)
class EquityCell:
    count: int | None  # None: suppressed
    share: float | None

    @property
    def text(self) -> str:
        if self.count is None:
            return "fewer than 5"
        return f"{self.count} ({self.share:.0%})" if self.share is not None else str(self.count)


@dataclass(frozen=True)
class EquityRow:
    characteristic: str
    group: str
    students: int | None
    cells: list[EquityCell]


@dataclass(frozen=True)
class EquityView:
    outcomes: list[str]
    rows: list[EquityRow]
    total_students: int
    consented_characteristics: int


EQUITY_OUTCOMES = (
    "In a group with a project",
    "Placed on their first choice",
    "Placed on a top-3 choice",
    "Project plan agreed",
    "Project complete",
    "Wrote a reflection",
    "Partner would host again",
)


def _cell(hits: int, students: int) -> EquityCell:
    # Suppress a count of 1-4, and also a count whose complement is 1-4 (it could be worked out by subtraction).
    if suppress(hits) is None or suppress(students - hits) is None:
        return EquityCell(count=None, share=None)
    return EquityCell(count=hits, share=hits / students if students else None)


def _answer(consented: bool | None, value: bool | None) -> str:
    if not consented or value is None:
        return "Not given"
    return "Yes" if value else "No"


def equity_view(*, filters: DashboardFilters) -> EquityView:
    memberships = GroupMembership.objects.all()
    if filters.programme is not None:
        memberships = memberships.filter(group__cohort__programme=filters.programme)
    if filters.academic_year:
        memberships = memberships.filter(group__cohort__academic_year=filters.academic_year)
    if filters.locality:
        memberships = memberships.filter(group__project__locality__name=filters.locality)
    rows: list[tuple[Any, ...]] = list(memberships.values_list(
        "student_id", "group__project_id", "group__project__stage", "group__project__plan__agreed_version_id",
        "group__project__plan__current_version_id", "student__student_profile__widening_participation",
        "student__report_characteristics__consented", "student__report_characteristics__first_in_family",
        "student__report_characteristics__disability", "student__report_characteristics__caring_responsibility",
        "group__cohort_id",
    ))
    project_ids = {r[1] for r in rows if r[1] is not None}
    reflected = set(Reflection.objects.filter(project_id__in=project_ids).values_list("student_id", "project_id"))
    hosting = set(PartnerFeedback.objects.filter(project_id__in=project_ids, would_host_again=True)
                  .values_list("project_id", flat=True))
    # The allocation's outcome: the rank the student had given the project they were placed on.
    ranks = {(student, cohort, project): rank for student, cohort, project, rank in Preference.objects.filter(
        cohort_id__in={r[10] for r in rows}, student_id__in={r[0] for r in rows}, rank__lte=3,
    ).values_list("student_id", "cohort_id", "project_id", "rank")}
    # One line per student: their outcomes over every group they were in under these filters.
    outcomes: dict[int, list[bool]] = {}
    traits: dict[int, dict[str, str]] = {}
    for (student, project, stage, agreed, current, wp, consented, first_gen, disability, caring, cohort) in rows:
        rank = ranks.get((student, cohort, project))
        hits = [project is not None, rank == 1, rank is not None, agreed is not None and agreed == current,
                stage == ProjectStage.COMPLETE, (student, project) in reflected, project in hosting]
        previous = outcomes.get(student)
        outcomes[student] = hits if previous is None else [a or b for a, b in zip(previous, hits, strict=True)]

        traits[student] = {
            "Widening participation": "Yes" if wp else "No",
            "First in family at university": _answer(consented, first_gen),
            "Disability": _answer(consented, disability),
            "Caring responsibility": _answer(consented, caring),
        }
    table: list[EquityRow] = []
    characteristics = ("Widening participation", "First in family at university", "Disability",
                       "Caring responsibility")
    for characteristic in characteristics:
        groups: dict[str, list[int]] = defaultdict(list)
        for student, values in traits.items():
            groups[values[characteristic]].append(student)
        for group in ("Yes", "No", "Not given"):
            students = groups.get(group, [])
            if not students:
                continue
            n = len(students)
            if n < SMALL_NUMBER:
                table.append(EquityRow(characteristic, group, None, [EquityCell(None, None)] * len(EQUITY_OUTCOMES)))
                continue
            cells = [_cell(sum(1 for s in students if outcomes[s][i]), n) for i in range(len(EQUITY_OUTCOMES))]
            table.append(EquityRow(characteristic, group, n, cells))
    gave = sum(1 for t in traits.values() if t["Disability"] != "Not given"
               or t["First in family at university"] != "Not given" or t["Caring responsibility"] != "Not given")
    return EquityView(outcomes=list(EQUITY_OUTCOMES), rows=table, total_students=len(traits),
                      consented_characteristics=gave)


# The annual social-accountability pack ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerSummary:
    name: str
    projects: int
    outputs: int
    reach: int
    to_community: int
    from_community: int
    report: str


@dataclass(frozen=True)
class AccountabilityPack:
    programme: Programme
    academic_year: str
    projects: int
    students: int
    partners: list[PartnerSummary]
    charts: list[Chart]
    equity: EquityView
    quotes: list[QuoteRow]


def cohort_get(*, user: User, pk: int) -> Cohort:
    require_manager(user)
    cohort = Cohort.objects.select_related("programme").filter(pk=pk).first()
    if cohort is None:
        raise Http404
    return cohort


def cohort_list(*, user: User) -> QuerySet[Cohort]:
    require_manager(user)
    return Cohort.objects.select_related("programme").order_by("-academic_year", "programme__name")


def accountability_pack(*, cohort: Cohort) -> AccountabilityPack:
    filters = DashboardFilters(programme=cohort.programme, academic_year=cohort.academic_year)
    projects = Project.objects.filter(cohort=cohort)
    start, end = academic_year_range(cohort.academic_year)
    organisations = (
        Organisation.objects.filter(projects__cohort=cohort).distinct()
        .annotate(
            n_projects=Count("projects", filter=Q(projects__cohort=cohort), distinct=True),
        ).order_by("name")
    )
    outputs: dict[int, tuple[int, int]] = {}
    for org_id, n, reach in (Output.objects.filter(project__cohort=cohort).values_list("project__organisations")
                          .annotate(n=Count("id", distinct=True), reach=Sum("reach"))
                          .values_list("project__organisations", "n", "reach")):
        if org_id is not None:
            outputs[org_id] = (int(n), int(reach or 0))
    flows: dict[int, Counter[str]] = defaultdict(Counter)
    for org_id, direction in LedgerEntry.objects.filter(
        partnership__organisation__in=organisations.values("pk"), occurred_on__range=(start, end)
    ).values_list("partnership__organisation", "direction"):
        flows[org_id][direction] += 1
    drafts = {d.organisation_id: d for d in ReportDraft.objects.filter(academic_year=cohort.academic_year)}
    partners = []
    for organisation in organisations:
        draft = drafts.get(organisation.pk)
        flow = flows[organisation.pk]
        partners.append(PartnerSummary(
            name=organisation.name, projects=int(organisation.n_projects),
            outputs=outputs.get(organisation.pk, (0, 0))[0], reach=outputs.get(organisation.pk, (0, 0))[1],
            to_community=flow[Direction.TO_COMMUNITY],
            from_community=flow[Direction.TO_STUDENTS] + flow[Direction.TO_SCHOOL],
            report="Released" if draft and draft.is_released else ("Draft" if draft else "Not started"),
        ))
    # Beyond the partner, only what students gave for research, and only from reports the partner reviewed.
    quotes: list[QuoteRow] = []
    for draft in drafts.values():
        if draft.is_released:
            quotes += [q for q in quote_rows(draft_quotes_shown(draft=draft)
                                              .filter(source=QuoteSource.REFLECTION,
                                                      reflection__consent=Consent.RESEARCH))]
    return AccountabilityPack(
        programme=cohort.programme, academic_year=cohort.academic_year, projects=projects.count(),
        students=GroupMembership.objects.filter(group__cohort=cohort).values("student").distinct().count(),
        partners=partners, charts=dashboard_charts(filters=filters), equity=equity_view(filters=filters),
        quotes=quotes,
    )
