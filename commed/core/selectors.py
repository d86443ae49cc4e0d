"""What the home page shows each role: a few panels of things that need attention.

Each panel is built from its app's own selectors, which decide what the user may see and open: this module only
composes them (at most `LINES` lines a panel, and a link to the full list where one exists). Every panel costs a
fixed number of queries, however many objects there are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Model, QuerySet
from django.urls import reverse

from commed.accounts.models import STAFF_ROLES, Role, User
from commed.allocation import selectors as allocation_selectors
from commed.outreach import selectors as outreach_selectors
from commed.partners.selectors import agreements_expiring, organisations_visible_to
from commed.programmes import selectors as programme_selectors
from commed.qualitative import selectors as qualitative_selectors
from commed.reports import selectors as report_selectors
from commed.surveys import selectors as survey_selectors
from commed.surveys.models import Status as SurveyStatus

LINES = 5
NOTHING = "Nothing waiting"
MANAGERS = frozenset({Role.LEAD, Role.ADMIN})
T = TypeVar("T")
M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class Panel:
    title: str
    lines: list[tuple[str, str]]  # (text, url); url may be ""
    more_url: str = ""
    truncated: bool = False  # more lines than LINES were found

    @property
    def empty(self) -> bool:
        return not self.lines


def _date(value: object) -> str:
    return format(value, "%d %b %Y") if value is not None else ""


def _head(items: QuerySet[M]) -> list[M]:
    """The rows a panel needs: one more than it shows, to know whether there are more."""
    return list(items[: LINES + 1])


def _panel(title: str, items: Sequence[T], line: Callable[[T], tuple[str, str]], more_url: str = "") -> Panel:
    head = list(items[: LINES + 1])
    return Panel(title=title, lines=[line(item) for item in head[:LINES]], more_url=more_url,
                 truncated=len(head) > LINES)


def _plans_panel(user: User, title: str, *, only_user: bool) -> Panel:
    rows = programme_selectors.plans_awaiting_signature(user=user, only_user=only_user)

    def line(row: programme_selectors.PlanAwaiting) -> tuple[str, str]:
        cohort = row.project.cohort
        return (f"{row.project.title} ({cohort.programme.code} {cohort.academic_year}): waiting for "
                f"{', '.join(row.awaiting)}", reverse("programmes:plan", kwargs={"pk": row.project.pk}))

    return _panel(title, rows, line, reverse("programmes:index"))


def _overdue_panel(user: User) -> Panel:
    return _panel(
        "Overdue milestones",
        _head(programme_selectors.milestones_overdue(user=user)),
        lambda m: (f"{m.title}: {m.project.title} (due {_date(m.due_on)})",
                   reverse("programmes:project_detail", kwargs={"pk": m.project_id})),
        reverse("programmes:overdue"),
    )


def _open_surveys_panel(user: User) -> Panel:
    def line(survey: object) -> tuple[str, str]:
        invited: int = getattr(survey, "invited", 0)
        responded: int = getattr(survey, "responded", 0)
        rate = f" ({round(100 * responded / invited)}%)" if invited else ""
        return (f"{survey}: {responded} of {invited} answered{rate}",
                reverse("surveys:detail", kwargs={"pk": getattr(survey, "pk", 0)}))

    return _panel("Open surveys", _head(survey_selectors.survey_list(user=user, status=SurveyStatus.OPEN).order_by(
        "opened_at", "pk")), line, reverse("surveys:list") + "?status=open")


def _surveys_to_answer_panel(user: User) -> Panel:
    return _panel(
        "Surveys to answer",
        _head(survey_selectors.invitations_unanswered(user=user)),
        lambda invitation: (invitation.survey.title, reverse("surveys:respond", kwargs={"pk": invitation.pk})),
        reverse("surveys:mine"),
    )


def _drafts_panel(user: User) -> Panel:
    return _panel(
        "Partner reports not yet released",
        _head(report_selectors.drafts_unreleased(user=user)),
        lambda d: (f"{d.organisation.name}, {d.academic_year}",
                   reverse("reports:draft_detail", kwargs={"pk": d.pk})),
        reverse("reports:index"),
    )


def _runs_panel(user: User) -> Panel:
    return _panel(
        "Allocation runs finished but not published",
        _head(allocation_selectors.runs_awaiting_publication(user=user)),
        lambda run: (f"{run.cohort.programme.name} {run.cohort.academic_year}: run of "
                     f"{_date(run.finished_at or run.created_at)}",
                     reverse("allocation:run_detail", kwargs={"pk": run.pk})),
        reverse("allocation:index"),
    )


def _agreements_panel(user: User) -> Panel:
    return _panel(
        "Agreements expiring in the next 60 days",
        _head(agreements_expiring(user=user)),
        lambda a: (f"{a.partnership.organisation}: {a.title} (ends {_date(a.ends_on)})",
                   reverse("partners:detail", kwargs={"pk": a.partnership.organisation_id})),
        reverse("partners:agreements_expiring"),
    )


def _choices_panel(user: User) -> Panel:
    def line(row: allocation_selectors.OpenChoices) -> tuple[str, str]:
        what = (f"you have ranked {row.ranked} project{'s' if row.ranked != 1 else ''}; you may change them until "
                "the allocation is published") if row.ranked else "rank the projects you would like to join"
        return (f"{row.cohort.programme.name} {row.cohort.academic_year}: {what}",
                reverse("allocation:preferences", kwargs={"pk": row.cohort.pk}))

    return _panel("Project choices open", allocation_selectors.choices_open_for_student(user=user), line,
                  reverse("allocation:index"))


def _rankings_panel(user: User) -> Panel:
    return _panel(
        "Applicants to rank",
        allocation_selectors.cohorts_of_partner(user=user),
        lambda pair: (f"{pair[1].name}: the students who chose your projects in {pair[0].programme.name} "
                      f"{pair[0].academic_year}",
                      reverse("allocation:partner_ranking", kwargs={"pk": pair[0].pk, "organisation": pair[1].pk})),
        reverse("allocation:index"),
    )


def _consent_panel(user: User) -> Panel:
    return _panel(
        "Pupils taking part without current consent",
        _head(outreach_selectors.pupils_missing_consent(user=user)),
        lambda p: (f"{p.first_name} {p.last_name} ({p.programme.name})",
                   reverse("outreach:pupil_detail", kwargs={"pk": p.pk})),
    )


def _activities_panel(user: User) -> Panel:
    return _panel(
        "Upcoming activities",
        _head(outreach_selectors.activities_upcoming(user=user)),
        lambda a: (f"{a.title}, {_date(a.on)} ({getattr(a, 'registered', 0)} of {a.capacity} places taken)",
                   reverse("outreach:activity_detail", kwargs={"pk": a.pk})),
    )


def _studies_panel(user: User) -> Panel:
    def line(study: object) -> tuple[str, str]:
        n: int = getattr(study, "uncoded", 0)
        return (f"{study}: {n} document{'s' if n != 1 else ''} you have not coded",
                reverse("qualitative:study", kwargs={"slug": getattr(study, "slug", "")}))

    return _panel("Documents to code", _head(qualitative_selectors.studies_with_uncoded_documents(user=user)), line,
                  reverse("qualitative:study_list"))


def _directory_panel(user: User) -> Panel:
    organisations = organisations_visible_to(user=user)
    if user.role == Role.PARTNER:
        return _panel("Your organisation", _head(organisations.order_by("name")),
                      lambda o: (o.name, reverse("partners:detail", kwargs={"pk": o.pk})))
    return Panel("Partner directory", [(f"{organisations.count()} organisations", reverse("partners:list"))])


def home_panels(*, user: User) -> list[Panel]:
    if not user.is_active:
        return []
    role = user.role
    panels: list[Panel] = []
    if role in MANAGERS:
        panels += [
            _plans_panel(user, "Project plans awaiting signatures", only_user=False),
            _overdue_panel(user),
            _open_surveys_panel(user),
            _drafts_panel(user),
            _runs_panel(user),
        ]
    elif role == Role.TUTOR:
        panels += [_plans_panel(user, "Your groups' plans awaiting signatures", only_user=False),
                   _overdue_panel(user)]
    elif role == Role.STUDENT:
        panels += [_plans_panel(user, "Your project plan awaiting your signature", only_user=True),
                   _choices_panel(user)]
    elif role == Role.PARTNER:
        panels += [_plans_panel(user, "Project plans awaiting your organisation's signature", only_user=True),
                   _rankings_panel(user)]
    elif role == Role.COORDINATOR:
        panels += [_consent_panel(user), _activities_panel(user)]
    elif role == Role.RESEARCHER:
        panels.append(_studies_panel(user))
    panels.append(_surveys_to_answer_panel(user))
    if role in STAFF_ROLES:
        panels.append(_agreements_panel(user))
    if role in (*STAFF_ROLES, Role.PARTNER):
        panels.append(_directory_panel(user))
    return panels
