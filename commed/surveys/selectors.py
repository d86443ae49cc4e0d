"""Reads for surveys. Programme leads and administrators see every survey, its responses and results; anyone else
sees only the invitations addressed to them (everything else is 404).

For other apps (the reports and dashboards): `survey_results(*, survey)` gives one summary per item, and
`partnership_quality_gap(*, organisation, year)` the per-item means of the partner's and the school's view.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from commed.accounts.models import Role, User
from commed.partners.models import Organisation
from commed.programmes.models import CheckInResponse, CheckInSide, Cohort
from commed.programmes.services import CHECKIN_QUESTIONS
from commed.surveys import logic
from commed.surveys.models import Answer, Instrument, Invitation, Item, Section, Side, Status, Survey
from commed.surveys.models import Response as SurveyResponse

MANAGERS = (Role.LEAD, Role.ADMIN)


def is_manager(user: User) -> bool:
    return user.is_active and user.role in MANAGERS


def _managers_only(user: User) -> None:
    if not is_manager(user):
        raise Http404


# Surveys and their design -----------------------------------------------------------------------------------------


def survey_list(*, user: User, status: str = "") -> QuerySet[Survey]:
    _managers_only(user)
    surveys = Survey.objects.select_related("project", "organisation").annotate(
        invited=Count("invitations", distinct=True),
        responded=Count("invitations", filter=Q(invitations__responded_at__isnull=False), distinct=True),
    )
    return surveys.filter(status=status) if status else surveys


def survey_get(*, user: User, pk: int) -> Survey:
    _managers_only(user)
    survey = Survey.objects.select_related("project", "organisation", "created_by").filter(pk=pk).first()
    if survey is None:
        raise Http404
    return survey


def section_get(*, user: User, pk: int) -> Section:
    _managers_only(user)
    section = Section.objects.select_related("survey").filter(pk=pk).first()
    if section is None:
        raise Http404
    return section


def item_get(*, user: User, pk: int) -> Item:
    _managers_only(user)
    item = Item.objects.select_related("survey", "section", "condition_item").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def survey_is_locked(*, survey: Survey) -> bool:
    """A survey with a response keeps its items as they were answered."""
    return SurveyResponse.objects.filter(survey=survey).exists()


def survey_items(*, survey: Survey) -> list[Item]:
    """Every item in questionnaire order (section by section)."""
    return list(Item.objects.filter(survey=survey).select_related("section", "condition_item"))


def survey_sections(*, survey: Survey) -> list[Section]:
    items = Item.objects.select_related("condition_item").order_by("position", "id")
    return list(Section.objects.filter(survey=survey).prefetch_related(Prefetch("items", queryset=items)))


def rule_of(item: Item) -> logic.ItemRule:
    return logic.ItemRule(
        key=item.key, kind=item.kind, required=item.required, choices=tuple(str(c) for c in item.choices),
        min_value=item.min_value, max_value=item.max_value,
        condition_key=item.condition_item.key if item.condition_item is not None else None,
        condition_values=tuple(str(v) for v in item.condition_values),
    )


def survey_rules(*, survey: Survey) -> list[logic.ItemRule]:
    return [rule_of(item) for item in survey_items(survey=survey)]


@dataclass(frozen=True)
class SectionImpact:
    """What deleting a section would take with it, and what stands in the way."""

    items: list[str]
    answers: int
    # Questions in other sections whose condition names a question of this one: "dependent" (on "controller").
    blockers: list[tuple[str, str]]


def section_delete_impact(*, section: Section) -> SectionImpact:
    outside = (Item.objects.filter(condition_item__section=section).exclude(section=section)
               .select_related("condition_item").order_by("section__position", "position", "id"))
    return SectionImpact(
        items=list(Item.objects.filter(section=section).order_by("position", "id").values_list("text", flat=True)),
        answers=Answer.objects.filter(item__section=section).count(),
        blockers=[(item.text, item.condition_item.text) for item in outside if item.condition_item is not None],
    )


# Invitations and response rates -----------------------------------------------------------------------------------


def survey_invitations(*, survey: Survey) -> QuerySet[Invitation]:
    return Invitation.objects.filter(survey=survey).select_related("user", "organisation", "link")


@dataclass(frozen=True)
class ResponseRate:
    invited: int
    responded: int
    by_side: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def percent(self) -> float | None:
        return round(100 * self.responded / self.invited, 1) if self.invited else None


def survey_response_rate(*, survey: Survey) -> ResponseRate:
    rows = (Invitation.objects.filter(survey=survey).values("side")
            .annotate(invited=Count("id"), responded=Count("id", filter=Q(responded_at__isnull=False))))
    by_side = {row["side"]: (row["invited"], row["responded"]) for row in rows}
    return ResponseRate(invited=sum(i for i, _ in by_side.values()), responded=sum(r for _, r in by_side.values()),
                        by_side={Side(side).label: counts for side, counts in sorted(by_side.items())})


def invitations_of(*, user: User) -> QuerySet[Invitation]:
    """A person's own invitations to open or closed surveys (drafts are not sent)."""
    return (Invitation.objects.filter(user=user).exclude(survey__status=Status.DRAFT)
            .select_related("survey").order_by("-created_at", "-id"))


def invitations_unanswered(*, user: User) -> QuerySet[Invitation]:
    """The person's invitations to open surveys they have not answered yet, oldest first."""
    return (invitations_of(user=user).filter(survey__status=Status.OPEN, responded_at__isnull=True)
            .order_by("created_at", "id"))


def invitation_get_for_user(*, user: User, pk: int) -> Invitation:
    """Only the invitee reaches their invitation, whatever their role."""
    invitation = invitations_of(user=user).filter(pk=pk).first()
    if invitation is None:
        raise Http404
    return invitation


def audience(*, role: str = "", cohort: Cohort | None = None) -> QuerySet[User]:
    """Active accounts with the role, and, with a cohort, only the students and tutors of its groups."""
    people = User.objects.filter(is_active=True)
    if role:
        people = people.filter(role=role)
    if cohort is not None:
        people = people.filter(Q(group_memberships__group__cohort=cohort) | Q(tutored_groups__cohort=cohort))
    return people.distinct().order_by("last_name", "first_name", "pk")


def surveys_for(*, organisation: Organisation, year: str, instrument: str = "") -> QuerySet[Survey]:
    """The sent surveys about a partner in an academic year: about the organisation itself (partnership quality)
    or about one of its projects (end-of-project feedback). No access check: for reports that make their own."""
    surveys = (Survey.objects.exclude(status=Status.DRAFT).filter(academic_year=year)
               .filter(Q(organisation=organisation) | Q(project__organisations=organisation))
               .select_related("project", "organisation").distinct().order_by("instrument", "created_at", "pk"))
    return surveys.filter(instrument=instrument) if instrument else surveys


# Results ------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemSummary:
    """What the answers to one item come to. `counts` lists every option, also those nobody chose."""

    key: str
    text: str
    kind: str
    section: str
    answered: int
    counts: list[tuple[str, int]]
    mean: float | None = None
    median: float | None = None
    minimum: float | None = None
    maximum: float | None = None
    texts: list[str] = field(default_factory=list)


def _answers_by_item(survey: Survey) -> dict[int, list[Any]]:
    values: dict[int, list[Any]] = defaultdict(list)
    for item_id, value in Answer.objects.filter(response__survey=survey).order_by("response_id").values_list(
        "item_id", "value"
    ):
        values[item_id].append(value)
    return values


def _numbers(values: Iterable[Any]) -> list[float]:
    return [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def survey_results(*, survey: Survey) -> list[ItemSummary]:
    """One summary per item, in questionnaire order: counts per option (choices, Likert), mean and median
    (Likert, numbers), and the free-text answers. Two queries, whatever the number of items or responses."""
    answers = _answers_by_item(survey)
    summaries = []
    for item in survey_items(survey=survey):
        values = answers.get(item.pk, [])
        counts: list[tuple[str, int]] = []
        numbers: list[float] = []
        texts: list[str] = []
        if item.kind in (logic.LIKERT, logic.SINGLE, logic.MULTIPLE):
            tally: Counter[str] = Counter()
            for value in values:
                tally.update(str(v) for v in value) if isinstance(value, list) else tally.update([str(value)])
            counts = [(label, tally[option]) for option, label in item.option_labels()]
        if item.kind in (logic.LIKERT, logic.NUMBER):
            numbers = _numbers(values)
        if item.kind == logic.TEXT:
            texts = [str(v) for v in values]
        summaries.append(ItemSummary(
            key=item.key, text=item.text, kind=item.kind, section=item.section.title, answered=len(values),
            counts=counts,
            mean=round(statistics.fmean(numbers), 2) if numbers else None,
            median=statistics.median(numbers) if numbers else None,
            minimum=min(numbers) if numbers else None,
            maximum=max(numbers) if numbers else None,
            texts=texts,
        ))
    return summaries


@dataclass(frozen=True)
class GapRow:
    """One item's mean score on each side (1-5), how many answers each mean rests on, and school minus partner."""

    key: str
    question: str
    partner: float | None
    school: float | None
    partner_n: int
    school_n: int

    @property
    def gap(self) -> float | None:
        if self.partner is None or self.school is None:
            return None
        return round(self.school - self.partner, 2)


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


def _gap_rows(questions: list[tuple[str, str]], scores: dict[tuple[str, str], list[float]]) -> list[GapRow]:
    return [
        GapRow(key=key, question=text, partner=_mean(scores.get((Side.PARTNER, key), [])),
               school=_mean(scores.get((Side.SCHOOL, key), [])), partner_n=len(scores.get((Side.PARTNER, key), [])),
               school_n=len(scores.get((Side.SCHOOL, key), [])))
        for key, text in questions
    ]


def _survey_scores(surveys: QuerySet[Survey], scores: dict[tuple[str, str], list[float]]) -> None:
    answers = Answer.objects.filter(response__survey__in=surveys, item__kind=logic.LIKERT).values_list(
        "response__invitation__side", "item__key", "value")
    for side, key, value in answers:
        if side in (Side.PARTNER, Side.SCHOOL):
            scores[(side, key)].extend(_numbers([value]))


def survey_gap(*, survey: Survey) -> list[GapRow]:
    """Per Likert item of one survey: the partner side's mean, the school side's, and the difference."""
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    _survey_scores(Survey.objects.filter(pk=survey.pk), scores)
    questions = [(item.key, item.text) for item in survey_items(survey=survey) if item.kind == logic.LIKERT]
    return _gap_rows(questions, scores)


def partnership_quality_gap(*, organisation: Organisation, year: str) -> list[GapRow]:
    """The partnership-quality gap of one partner in one academic year ("2025/26").

    It reads both places where the two sides answer the check-in questions: partnership-quality surveys about
    the organisation in that year (side from each invitation), and the programmes app's project check-ins
    (`CheckInResponse`, which also holds the check-in answers of partner end-of-project feedback) of the
    organisation's projects in cohorts of that year. Items are the check-in questions, then any further Likert
    items of the year's partnership-quality surveys. Three queries.
    """
    scores: dict[tuple[str, str], list[float]] = defaultdict(list)
    surveys = Survey.objects.filter(instrument=Instrument.PARTNERSHIP_QUALITY, organisation=organisation,
                                    academic_year=year)
    _survey_scores(surveys, scores)
    checkins = CheckInResponse.objects.filter(project__organisations=organisation,
                                              project__cohort__academic_year=year).values_list("side", "answers")
    side_of: dict[str, str] = {CheckInSide.PARTNER: Side.PARTNER, CheckInSide.SCHOOL: Side.SCHOOL}
    for side, answers in checkins:
        for key, value in answers.items():
            scores[(side_of[side], key)].extend(_numbers([value]))
    questions = list(CHECKIN_QUESTIONS)
    known = {key for key, _ in questions}
    extra = (Item.objects.filter(survey__in=surveys, kind=logic.LIKERT).exclude(key__in=known)
             .order_by("key").values_list("key", "text").distinct())
    for key, text in extra:
        if key not in known:
            known.add(key)
            questions.append((key, text))
    return _gap_rows(questions, scores)


# Exports -----------------------------------------------------------------------------------------------------------


def survey_export_table(*, survey: Survey) -> tuple[list[str], list[list[Any]]]:
    """Headings and one row per response; multiple choices are joined with "; ", Likert points as numbers."""
    items = survey_items(survey=survey)
    headings = ["Response", "Respondent", "E-mail", "Side", "Organisation", "Submitted at",
                *[f"{item.key}: {item.text}" for item in items]]
    responses = (SurveyResponse.objects.filter(survey=survey).select_related("invitation__organisation")
                 .prefetch_related("answers").order_by("submitted_at", "pk"))
    rows: list[list[Any]] = []
    for response in responses:
        invitation = response.invitation
        by_item = {answer.item_id: answer.value for answer in response.answers.all()}
        cells: list[Any] = []
        for item in items:
            value = by_item.get(item.pk)
            cells.append("; ".join(str(v) for v in value) if isinstance(value, list) else value)
        rows.append([response.pk, invitation.name, invitation.email, invitation.get_side_display(),
                     invitation.organisation.name if invitation.organisation else "",
                     f"{timezone.localtime(response.submitted_at):%Y-%m-%d %H:%M}", *cells])
    return headings, rows
