"""Writes for surveys: the builder, sending (to accounts and by signed link), answering, reminders, instruments.

Every change to a survey's design is checked as a whole afterwards (`logic.rules_check`: conditions point at an
earlier choice item, options are valid) inside the same transaction, so a move or an edit that would break a
condition is refused. Items are locked once the survey has a response.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from commed.accounts.models import Role, User
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.links.models import SignedLink
from commed.links.services import IssuedLink, link_issue
from commed.partners.models import Contact, Organisation
from commed.programmes import services as programme_services
from commed.programmes.models import Project
from commed.surveys import logic, selectors
from commed.surveys.instruments import FEEDBACK_TEXT_KEYS, INSTRUMENTS
from commed.surveys.models import (
    Answer,
    Instrument,
    Invitation,
    Item,
    Reminder,
    Section,
    Side,
    Status,
    Survey,
)
from commed.surveys.models import Response as SurveyResponse

LINK_PURPOSE = "survey_response"
LOCKED = "This survey has responses, so its questions can no longer change. Make a copy to change them."


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# The builder -------------------------------------------------------------------------------------------------------


def _ensure_editable(survey: Survey) -> None:
    if selectors.survey_is_locked(survey=survey):
        raise ValidationError(LOCKED)


def _check_design(survey: Survey) -> None:
    found = logic.rules_check(selectors.survey_rules(survey=survey))
    if found:
        texts = dict(Item.objects.filter(survey=survey).values_list("key", "text"))
        raise ValidationError([f"“{texts.get(key, key)}”: {problem}" for key, problem in found.items()])


@transaction.atomic
def survey_create(
    *, actor: User | None, title: str, description: str = "", instrument: str = Instrument.CUSTOM,
    project: Project | None = None, organisation: Organisation | None = None, academic_year: str = "",
    remind_every_days: int = 7,
) -> Survey:
    if not title.strip():
        raise ValidationError({"title": "Give the survey a title."})
    if remind_every_days < 1:
        raise ValidationError({"remind_every_days": "At least one day."})
    survey = Survey.objects.create(
        title=title.strip(), description=description.strip(), instrument=instrument, project=project,
        organisation=organisation, academic_year=academic_year.strip() or (project.cohort.academic_year if project
                                                                           else ""),
        remind_every_days=remind_every_days, created_by=actor, created_at=timezone.now(),
    )
    audit_record(actor=actor, action=Action.CREATE, obj=survey)
    return survey


@transaction.atomic
def survey_update(
    *, actor: User, survey: Survey, title: str, description: str = "", remind_every_days: int = 7,
) -> Survey:
    """The title, introduction and reminder interval may change at any time; they do not change what was asked."""
    if not title.strip():
        raise ValidationError({"title": "Give the survey a title."})
    if remind_every_days < 1:
        raise ValidationError({"remind_every_days": "At least one day."})
    survey.title, survey.description, survey.remind_every_days = title.strip(), description.strip(), remind_every_days
    survey.save(update_fields=["title", "description", "remind_every_days"])
    audit_record(actor=actor, action=Action.CHANGE, obj=survey)
    return survey


@transaction.atomic
def section_add(*, actor: User | None, survey: Survey, title: str, description: str = "") -> Section:
    _ensure_editable(survey)
    last = Section.objects.filter(survey=survey).aggregate(last=Max("position"))["last"]
    return Section.objects.create(survey=survey, title=title.strip() or "Questions", description=description.strip(),
                                  position=0 if last is None else last + 1)


@transaction.atomic
def section_update(*, actor: User, section: Section, title: str, description: str = "") -> Section:
    _ensure_editable(section.survey)
    section.title, section.description = title.strip() or "Questions", description.strip()
    section.save(update_fields=["title", "description"])
    return section


def _sections_renumbered(survey: Survey) -> list[Section]:
    """The survey's sections in order, their positions made 0, 1, 2 ... (older data may have gaps or ties)."""
    sections = list(Section.objects.select_for_update().filter(survey=survey).order_by("position", "id"))
    for position, section in enumerate(sections):
        if section.position != position:
            Section.objects.filter(pk=section.pk).update(position=position)
            section.position = position
    return sections


@transaction.atomic
def section_move(*, actor: User, section: Section, up: bool) -> Section:
    """Swap the section with the one before (up) or after it; the first stays first, the last stays last. A
    move that would put a conditional question before the one it depends on is refused."""
    survey = section.survey
    _ensure_editable(survey)
    sections = _sections_renumbered(survey)
    index = next(i for i, s in enumerate(sections) if s.pk == section.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(sections):
        Section.objects.filter(pk=section.pk).update(position=other)
        Section.objects.filter(pk=sections[other].pk).update(position=index)
        _check_design(survey)
        audit_record(actor=actor, action=Action.CHANGE, obj=section,
                     summary=f"Moved the section {'up' if up else 'down'} in “{survey}”",
                     changes={"position": [index, other]})
    section.refresh_from_db()
    return section


@transaction.atomic
def section_delete(*, actor: User, section: Section) -> int:
    """Delete the section and its questions; returns how many questions went. Only while nobody has answered the
    survey (the lock), and not while a question elsewhere depends on one of this section's questions."""
    survey = section.survey
    _ensure_editable(survey)
    impact = selectors.section_delete_impact(section=section)
    if impact.answers:
        raise ValidationError(LOCKED)
    if impact.blockers:
        raise ValidationError([f"“{dependent}” depends on “{controller}” in this section: remove or change its "
                               "condition first." for dependent, controller in impact.blockers])
    keys = list(Item.objects.filter(section=section).order_by("position", "id").values_list("key", flat=True))
    audit_record(actor=actor, action=Action.DELETE, obj=section,
                 summary=f"Deleted the section “{section.title}” of “{survey}” with {len(keys)} questions",
                 changes={"items": keys})
    section.delete()
    _sections_renumbered(survey)
    return len(keys)


def _unique_key(survey: Survey, wanted: str, exclude: Item | None = None) -> str:
    others = Item.objects.filter(survey=survey)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    taken = set(others.values_list("key", flat=True))
    base = slugify(wanted).replace("-", "_")[:30] or f"q{len(taken) + 1}"
    key, n = base, 1
    while key in taken:
        n += 1
        key = f"{base}_{n}"
    return key


def _item_fields(
    survey: Survey, *, text: str, kind: str, choices: Sequence[str], min_value: float | None,
    max_value: float | None, condition_item: Item | None, condition_values: Sequence[str],
) -> dict[str, Any]:
    if not text.strip():
        raise ValidationError({"text": "Write the question."})
    if kind not in logic.KINDS:
        raise ValidationError({"kind": "Choose a kind of question."})
    if condition_item is not None and condition_item.survey_id != survey.pk:
        raise ValidationError({"condition_item": "A condition can only depend on a question of this survey."})
    cleaned_choices = [c.strip() for c in choices if c.strip()] if kind in (logic.SINGLE, logic.MULTIPLE) else []
    numeric = kind == logic.NUMBER
    return {
        "text": text.strip(), "kind": kind, "choices": cleaned_choices,
        "min_value": min_value if numeric else None, "max_value": max_value if numeric else None,
        "condition_item": condition_item,
        "condition_values": [v.strip() for v in condition_values if v.strip()] if condition_item else [],
    }


@transaction.atomic
def item_add(
    *, actor: User | None, section: Section, text: str, kind: str, required: bool = False, help_text: str = "",
    choices: Sequence[str] = (), min_value: float | None = None, max_value: float | None = None,
    condition_item: Item | None = None, condition_values: Sequence[str] = (), key: str = "",
) -> Item:
    survey = section.survey
    _ensure_editable(survey)
    fields = _item_fields(survey, text=text, kind=kind, choices=choices, min_value=min_value, max_value=max_value,
                          condition_item=condition_item, condition_values=condition_values)
    last = Item.objects.filter(section=section).aggregate(last=Max("position"))["last"]
    item = Item.objects.create(survey=survey, section=section, key=_unique_key(survey, key or text),
                               required=required, help_text=help_text.strip(),
                               position=0 if last is None else last + 1, **fields)
    _check_design(survey)
    return item


@transaction.atomic
def item_update(
    *, actor: User, item: Item, text: str, kind: str, required: bool = False, help_text: str = "",
    choices: Sequence[str] = (), min_value: float | None = None, max_value: float | None = None,
    condition_item: Item | None = None, condition_values: Sequence[str] = (),
) -> Item:
    survey = item.survey
    _ensure_editable(survey)
    if condition_item is not None and condition_item.pk == item.pk:
        raise ValidationError({"condition_item": "A question cannot depend on itself."})
    fields = _item_fields(survey, text=text, kind=kind, choices=choices, min_value=min_value, max_value=max_value,
                          condition_item=condition_item, condition_values=condition_values)
    for name, value in {**fields, "required": required, "help_text": help_text.strip()}.items():
        setattr(item, name, value)
    item.save()
    _check_design(survey)
    return item


@transaction.atomic
def item_delete(*, actor: User, item: Item) -> None:
    _ensure_editable(item.survey)
    if item.dependents.exists():
        raise ValidationError("Other questions depend on this one: remove their conditions first.")
    item.delete()


@transaction.atomic
def item_move(*, actor: User, item: Item, up: bool) -> Item:
    """Swap the item with its neighbour in the section (the first item of a section moves to the end of the
    previous section, the last to the start of the next)."""
    survey = item.survey
    _ensure_editable(survey)
    siblings = list(Item.objects.filter(section=item.section).order_by("position", "id"))
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            Item.objects.filter(pk=sibling.pk).update(position=position)
            sibling.position = position
    index = next(i for i, s in enumerate(siblings) if s.pk == item.pk)
    neighbour_index = index - 1 if up else index + 1
    if 0 <= neighbour_index < len(siblings):
        neighbour = siblings[neighbour_index]
        Item.objects.filter(pk=item.pk).update(position=neighbour.position)
        Item.objects.filter(pk=neighbour.pk).update(position=siblings[index].position)
    else:
        sections = list(Section.objects.filter(survey=survey).order_by("position", "id"))
        at = next(i for i, s in enumerate(sections) if s.pk == item.section_id)
        target_index = at - 1 if up else at + 1
        if not 0 <= target_index < len(sections):
            return item
        target = sections[target_index]
        bounds = Item.objects.filter(section=target).aggregate(last=Max("position"))["last"]
        if up:
            position = 0 if bounds is None else bounds + 1
        else:
            Item.objects.filter(section=target).update(position=F("position") + 1)
            position = 0
        Item.objects.filter(pk=item.pk).update(section=target, position=position)
    item.refresh_from_db()
    _check_design(survey)
    return item


@transaction.atomic
def survey_copy(*, actor: User, survey: Survey, title: str = "") -> Survey:
    """A new draft with the same sections and items (conditions included), to change a locked survey."""
    copy = survey_create(actor=actor, title=title or f"{survey.title} (copy)", description=survey.description,
                         instrument=survey.instrument, project=survey.project, organisation=survey.organisation,
                         academic_year=survey.academic_year, remind_every_days=survey.remind_every_days)
    new_items: dict[int, Item] = {}
    for section in selectors.survey_sections(survey=survey):
        new_section = Section.objects.create(survey=copy, title=section.title, description=section.description,
                                             position=section.position)
        for item in section.items.all():
            new_items[item.pk] = Item.objects.create(
                survey=copy, section=new_section, key=item.key, text=item.text, help_text=item.help_text,
                kind=item.kind, required=item.required, choices=item.choices, min_value=item.min_value,
                max_value=item.max_value, position=item.position, condition_values=item.condition_values,
                condition_item=new_items.get(item.condition_item_id) if item.condition_item_id else None,
            )
    return copy


@transaction.atomic
def survey_open(*, actor: User, survey: Survey) -> Survey:
    if not Item.objects.filter(survey=survey).exists():
        raise ValidationError("Add at least one question before opening the survey.")
    _check_design(survey)
    survey.status, survey.opened_at, survey.closed_at = Status.OPEN, timezone.now(), None
    survey.save(update_fields=["status", "opened_at", "closed_at"])
    audit_record(actor=actor, action=Action.CHANGE, obj=survey, summary="opened")
    return survey


@transaction.atomic
def survey_close(*, actor: User, survey: Survey) -> Survey:
    survey.status, survey.closed_at = Status.CLOSED, timezone.now()
    survey.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action=Action.CHANGE, obj=survey, summary="closed")
    return survey


# Ready-made instruments ------------------------------------------------------------------------------------------


@transaction.atomic
def instrument_create(
    *, actor: User | None, instrument: str, project: Project | None = None,
    organisation: Organisation | None = None, academic_year: str = "", title: str = "",
) -> Survey:
    """A draft survey with the instrument's sections and items (see instruments.py)."""
    if instrument not in INSTRUMENTS:
        raise ValidationError({"instrument": "Choose one of the ready-made questionnaires."})
    if instrument in (Instrument.PARTNER_END, Instrument.STUDENT_END) and project is None:
        raise ValidationError({"project": "End-of-project feedback is about one project: choose it."})
    if instrument == Instrument.PARTNERSHIP_QUALITY and organisation is None:
        raise ValidationError({"organisation": "Choose the partner organisation."})
    if instrument == Instrument.PARTNER_END and project is not None and organisation is None:
        organisation = project.organisations.order_by("name").first()
    default_title, description, sections = INSTRUMENTS[instrument]
    about = str(project) if project is not None else str(organisation)
    year = academic_year or (project.cohort.academic_year if project is not None else "")
    if instrument == Instrument.PARTNERSHIP_QUALITY and not year:
        raise ValidationError({"academic_year": "Give the academic year, e.g. 2025/26."})
    default = f"{default_title}: {about}" + (f" ({year})" if year else "")
    survey = survey_create(actor=actor, title=title or default[:200], description=description,
                           instrument=instrument, project=project, organisation=organisation, academic_year=year)
    for section_title, section_text, items in sections:
        section = section_add(actor=actor, survey=survey, title=section_title, description=section_text)
        for key, kind, text, required, extra in items:
            condition = extra.get("condition")
            item_add(
                actor=actor, section=section, key=key, text=text, kind=kind, required=required,
                choices=extra.get("choices", ()), min_value=extra.get("min_value"), max_value=extra.get("max_value"),
                condition_item=Item.objects.get(survey=survey, key=condition[0]) if condition else None,
                condition_values=condition[1] if condition else (),
            )
    return survey


# Sending -----------------------------------------------------------------------------------------------------------


def _side_of(user: User) -> str:
    if user.role == Role.PARTNER:
        return Side.PARTNER
    if user.role == Role.STUDENT:
        return Side.STUDENT
    return Side.SCHOOL


def _ensure_open(survey: Survey) -> None:
    if survey.status != Status.OPEN:
        raise ValidationError("Open the survey before sending it." if survey.status == Status.DRAFT
                              else "This survey is closed.")


def _invite_mail(invitation: Invitation, url: str, *, reminder: bool) -> None:
    survey = invitation.survey
    subject = f"{'Reminder: ' if reminder else ''}{survey.title}"
    body = (f"Dear {invitation.name},\n\n"
            f"{'We have not yet had your answers to' if reminder else 'Please answer'} “{survey.title}”.\n\n"
            f"{survey.description}\n\nAnswer here: {url}\n\nThank you.")
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


def _organisation_for(survey: Survey, user: User) -> Organisation | None:
    if user.role != Role.PARTNER:
        return None
    organisations = Organisation.objects.filter(contacts__user=user).distinct()
    if survey.organisation_id and organisations.filter(pk=survey.organisation_id).exists():
        return survey.organisation
    return organisations.order_by("name").first()


@transaction.atomic
def invitations_create(*, actor: User, survey: Survey, users: Iterable[User], side: str = "") -> list[Invitation]:
    """Invite account holders (not already invited) and e-mail each the page to answer on. Side: from each
    person's role unless given (partner contacts answer for the partner, staff for the school)."""
    _ensure_open(survey)
    if side and side not in Side.values:
        raise ValidationError({"side": "Choose a side."})
    already = set(Invitation.objects.filter(survey=survey, user__isnull=False).values_list("user_id", flat=True))
    now = timezone.now()
    created = []
    for user in users:
        if user.pk in already or not user.is_active:
            continue
        already.add(user.pk)
        invitation = Invitation.objects.create(
            survey=survey, user=user, name=str(user)[:150], email=user.email, side=side or _side_of(user),
            organisation=_organisation_for(survey, user), created_by=actor, created_at=now,
        )
        created.append(invitation)
        if invitation.email:
            _invite_mail(invitation, _site(reverse("surveys:respond", kwargs={"pk": invitation.pk})), reminder=False)
    if created:
        audit_record(actor=actor, action=Action.CREATE, obj=survey, summary=f"Invited {len(created)} people",
                     changes={"invited": [i.user_id for i in created]})
    return created


@transaction.atomic
def invitation_link_create(
    *, actor: User, survey: Survey, name: str, email: str = "", side: str = Side.PARTNER,
    organisation: Organisation | None = None, contact: Contact | None = None, days: int = 30,
) -> tuple[Invitation, IssuedLink]:
    """Invite someone without an account: a signed link bound to this one invitation, e-mailed when an address
    is given (and shown to the lead once, to send another way)."""
    _ensure_open(survey)
    if not name.strip():
        raise ValidationError({"name": "Whom is the link for?"})
    if side not in Side.values:
        raise ValidationError({"side": "Choose a side."})
    if contact is not None:
        organisation = organisation or contact.organisation
    invitation = Invitation.objects.create(
        survey=survey, name=name.strip()[:150], email=email.strip(), side=side, organisation=organisation,
        created_by=actor, created_at=timezone.now(),
    )
    issued = _issue_link(actor, invitation, contact=contact, days=days)
    audit_record(actor=actor, action=Action.CREATE, obj=invitation, summary="invited by signed link")
    if invitation.email:
        _invite_mail(invitation, issued.url, reminder=False)
    return invitation, issued


def _issue_link(actor: User | None, invitation: Invitation, *, contact: Contact | None = None,
                days: int = 30) -> IssuedLink:
    try:
        issued = link_issue(actor=actor, purpose=LINK_PURPOSE, target=invitation, recipient_name=invitation.name,
                            recipient_email=invitation.email, contact=contact, days=days)
    except ValueError as error:
        raise ValidationError({"days": str(error)}) from None
    invitation.link = issued.link
    invitation.save(update_fields=["link"])
    return issued


# Answering ---------------------------------------------------------------------------------------------------------


def _record_partner_feedback(survey: Survey, invitation: Invitation, answers: Mapping[str, logic.Answer],
                             by: User | None, link: SignedLink | None) -> None:
    """A partner's end-of-project answers are also the project's PartnerFeedback (and a partner-side check-in),
    so the partner's timeline, reciprocity ledger and the project's check-in gap include them."""
    project, organisation = survey.project, invitation.organisation or survey.organisation
    if project is None or organisation is None or invitation.side != Side.PARTNER:
        return
    if not project.organisations.filter(pk=organisation.pk).exists():
        return
    texts = {key: str(answers.get(key, "")) for key in FEEDBACK_TEXT_KEYS}
    if not any(texts.values()):
        return
    checkin = {key: answers[key] for key, _ in programme_services.CHECKIN_QUESTIONS if key in answers}
    programme_services.partner_feedback_submit(
        project=project, organisation=organisation, by=by, name=invitation.name, link=link,
        would_host_again=answers.get("would_host_again") != "No", answers=checkin, **texts,
    )


@transaction.atomic
def response_submit(
    *, invitation: Invitation, posted: Mapping[str, Sequence[str]], by: User | None = None,
    link: SignedLink | None = None,
) -> SurveyResponse:
    """Check and store one person's answers: once per invitation, only while the survey is open. Errors are
    raised per item key (hidden items are neither required nor stored)."""
    invitation = Invitation.objects.select_for_update().select_related("survey").get(pk=invitation.pk)
    survey = invitation.survey
    if survey.status != Status.OPEN:
        raise ValidationError("This survey is closed." if survey.status == Status.CLOSED
                              else "This survey is not open yet.")
    if invitation.responded_at is not None or SurveyResponse.objects.filter(invitation=invitation).exists():
        raise ValidationError("You have already answered this survey: thank you.")
    items = selectors.survey_items(survey=survey)
    cleaned = logic.answers_clean([selectors.rule_of(item) for item in items], posted)
    if cleaned.errors:
        raise ValidationError(dict(cleaned.errors))
    now = timezone.now()
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(invitation=invitation, survey=survey, via_link=link,
                                                     submitted_at=now)
    except IntegrityError:
        raise ValidationError("You have already answered this survey: thank you.") from None
    Answer.objects.bulk_create([Answer(response=response, item=item, value=cleaned.answers[item.key])
                                for item in items if item.key in cleaned.answers])
    invitation.responded_at = now
    invitation.save(update_fields=["responded_at"])
    if survey.instrument == Instrument.PARTNER_END:
        _record_partner_feedback(survey, invitation, cleaned.answers, by, link)
    audit_record(actor=by, action=Action.CREATE, obj=response,
                 summary=f"{invitation.name} answered {len(cleaned.answers)} questions"
                         + (" through a signed link" if link else ""))
    return response


# Reminders ---------------------------------------------------------------------------------------------------------


def reminders_send(*, survey: Survey | None = None, now: dt.datetime | None = None) -> int:
    """E-mail everyone invited to an open survey who has not answered, at most once in the survey's
    `remind_every_days` (counted from the invitation or the last reminder). People invited by link get a fresh
    link (the token of the first is not kept); the earlier link keeps working too."""
    now = now or timezone.now()
    pending = (Invitation.objects.filter(survey__status=Status.OPEN, responded_at__isnull=True)
               .exclude(email="").select_related("survey", "link", "link__contact").order_by("pk"))
    if survey is not None:
        pending = pending.filter(survey=survey)
    sent = 0
    for invitation in pending:
        last = invitation.last_reminded_at or invitation.created_at
        if now - last < dt.timedelta(days=invitation.survey.remind_every_days):
            continue
        with transaction.atomic():
            # Claim the reminder first, so two runs at once cannot both send it.
            claimed = Invitation.objects.filter(pk=invitation.pk, responded_at__isnull=True,
                                                last_reminded_at=invitation.last_reminded_at).update(
                last_reminded_at=now, reminders_sent=invitation.reminders_sent + 1)
            if not claimed:
                continue
            if invitation.user_id is not None:
                url = _site(reverse("surveys:respond", kwargs={"pk": invitation.pk}))
            else:
                contact = invitation.link.contact if invitation.link else None
                url = _issue_link(invitation.created_by, invitation, contact=contact).url
            Reminder.objects.create(invitation=invitation, sent_at=now, recipient=invitation.email)
            _invite_mail(invitation, url, reminder=True)
        sent += 1
    if sent:
        audit_record(actor=None, action=Action.CHANGE, object_type="surveys.Invitation",
                     object_label=str(survey) if survey else "All open surveys",
                     summary=f"Sent {sent} survey reminders")
    return sent
