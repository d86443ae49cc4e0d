from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commed.accounts.models import Role, User
from commed.lib.access import AuthedRequest, roles_required, signed_in
from commed.lib.forms import add_service_errors
from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.surveys import logic, selectors, services
from commed.surveys.exports import CONTENT_TYPES, survey_export
from commed.surveys.forms import (
    InstrumentForm,
    InviteLinkForm,
    InviteUsersForm,
    ItemForm,
    SectionForm,
    SurveyForm,
    item_initial,
)
from commed.surveys.models import Instrument, Invitation, Item, Section, Status, Survey

MANAGERS = (Role.LEAD, Role.ADMIN)


def _posted(request: HttpRequest) -> Any:
    """The posted data, or None for a GET (an empty POST still validates, and shows what is missing)."""
    return request.POST if request.method == "POST" else None


def _form_page(request: HttpRequest, form: object, title: str, survey: Survey | None = None,
               status: int = 200) -> HttpResponse:
    return render(request, "surveys/form.html", {"form": form, "title": title, "survey": survey}, status=status)


# The list and the builder ------------------------------------------------------------------------------------------


@roles_required(*MANAGERS)
def survey_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "surveys/survey_list.html", {
        "surveys": selectors.survey_list(user=request.user, status=request.GET.get("status", "")),
        "status": request.GET.get("status", ""), "statuses": Status.choices,
    })


@roles_required(*MANAGERS)
def survey_create(request: AuthedRequest) -> HttpResponse:
    form = SurveyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.survey_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            services.section_add(actor=request.user, survey=survey, title="Questions")
            return redirect("surveys:detail", pk=survey.pk)
    return _form_page(request, form, "New survey")


@roles_required(*MANAGERS)
def instrument_create(request: AuthedRequest) -> HttpResponse:
    form = InstrumentForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.instrument_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"“{survey.title}” is ready as a draft: check it, then open it.")
            return redirect("surveys:detail", pk=survey.pk)
    return _form_page(request, form, "A ready-made questionnaire")


@roles_required(*MANAGERS)
def survey_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    return render(request, "surveys/survey_detail.html", {
        "survey": survey,
        "sections": selectors.survey_sections(survey=survey),
        "locked": selectors.survey_is_locked(survey=survey),
        "rate": selectors.survey_response_rate(survey=survey),
        "invitations": selectors.survey_invitations(survey=survey),
    })


@roles_required(*MANAGERS)
def survey_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    form = SurveyForm(_posted(request), initial={"title": survey.title, "description": survey.description,
                                                     "remind_every_days": survey.remind_every_days})
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_update(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:detail", pk=survey.pk)
    return _form_page(request, form, f"Edit {survey}", survey)


def _act(request: AuthedRequest, survey: Survey, action: Any, done: str) -> HttpResponse:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("surveys:detail", pk=survey.pk)


@require_POST
@roles_required(*MANAGERS)
def survey_status(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    if request.POST.get("status") == Status.OPEN:
        return _act(request, survey, lambda: services.survey_open(actor=request.user, survey=survey),
                    "The survey is open: invite people to answer it.")
    if request.POST.get("status") == Status.CLOSED:
        return _act(request, survey, lambda: services.survey_close(actor=request.user, survey=survey),
                    "The survey is closed: no more answers are taken.")
    raise Http404


@require_POST
@roles_required(*MANAGERS)
def survey_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    copy = services.survey_copy(actor=request.user, survey=survey)
    messages.success(request, "This is an editable copy of the survey, as a draft.")
    return redirect("surveys:detail", pk=copy.pk)


@roles_required(*MANAGERS)
def section_create(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    form = SectionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.section_add(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:detail", pk=survey.pk)
    return _form_page(request, form, f"Add a section to {survey}", survey)


@roles_required(*MANAGERS)
def section_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    form = SectionForm(_posted(request), initial={"title": section.title, "description": section.description})
    if request.method == "POST" and form.is_valid():
        try:
            services.section_update(actor=request.user, section=section, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("surveys:detail", pk=section.survey_id)
    return _form_page(request, form, f"Edit the section {section}", section.survey)


@require_POST
@roles_required(*MANAGERS)
def section_move(request: AuthedRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    up = request.POST.get("direction") == "up"
    return _act(request, section.survey, lambda: services.section_move(actor=request.user, section=section, up=up),
                f"Moved the section “{section.title}” {'up' if up else 'down'}.")


@roles_required(*MANAGERS)
def section_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    """A page saying what would go (the section's questions), then the POST that deletes it."""
    section = selectors.section_get(user=request.user, pk=pk)
    impact = selectors.section_delete_impact(section=section)
    if request.method == "POST":
        return _act(request, section.survey,
                    lambda: services.section_delete(actor=request.user, section=section),
                    f"Deleted the section “{section.title}” and its {len(impact.items)} questions.")
    return render(request, "surveys/section_delete.html", {
        "section": section, "survey": section.survey, "impact": impact,
        "locked": selectors.survey_is_locked(survey=section.survey),
    })


@roles_required(*MANAGERS)
def item_create(request: AuthedRequest, pk: int) -> HttpResponse:
    section = selectors.section_get(user=request.user, pk=pk)
    form = ItemForm(_posted(request), survey=section.survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_add(actor=request.user, section=section, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Question added.")
            return redirect("surveys:detail", pk=section.survey_id)
    return _form_page(request, form, f"Add a question to {section}", section.survey)


@roles_required(*MANAGERS)
def item_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    form = ItemForm(_posted(request), survey=item.survey, item=item, initial=item_initial(item))
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Question saved.")
            return redirect("surveys:detail", pk=item.survey_id)
    return _form_page(request, form, "Edit the question", item.survey)


@require_POST
@roles_required(*MANAGERS)
def item_move(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    up = request.POST.get("direction") == "up"
    return _act(request, item.survey, lambda: services.item_move(actor=request.user, item=item, up=up),
                f"Moved “{item.text}” {'up' if up else 'down'}.")


@require_POST
@roles_required(*MANAGERS)
def item_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    item = selectors.item_get(user=request.user, pk=pk)
    return _act(request, item.survey, lambda: services.item_delete(actor=request.user, item=item),
                f"Removed “{item.text}”.")


# Sending and reminding ---------------------------------------------------------------------------------------------


@roles_required(*MANAGERS)
def invite(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    form = InviteUsersForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        people: list[User] = list(data["users"])
        if data["role"] or data["cohort"]:
            people += list(selectors.audience(role=data["role"], cohort=data["cohort"]))
        try:
            created = services.invitations_create(actor=request.user, survey=survey, users=people,
                                                  side=data["side"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Invited {len(created)} people (anyone already invited is not asked twice).")
            return redirect("surveys:detail", pk=survey.pk)
    return _form_page(request, form, f"Send {survey} to people with an account", survey)


@roles_required(*MANAGERS)
def invite_link(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    form = InviteLinkForm(_posted(request), survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            _, issued = services.invitation_link_create(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "surveys/link_issued.html", {"issued": issued, "survey": survey})
    return _form_page(request, form, f"A signed link to {survey}", survey)


@require_POST
@roles_required(*MANAGERS)
def remind(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    sent = services.reminders_send(survey=survey)
    messages.success(request, f"Sent {sent} reminders (people reminded in the last {survey.remind_every_days} "
                              "days are not reminded again).")
    return redirect("surveys:detail", pk=survey.pk)


# Results and exports -----------------------------------------------------------------------------------------------


@roles_required(*MANAGERS)
def results(request: AuthedRequest, pk: int) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    gap = selectors.survey_gap(survey=survey)
    context: dict[str, Any] = {
        "survey": survey, "rate": selectors.survey_response_rate(survey=survey),
        "summaries": selectors.survey_results(survey=survey),
        "gap": gap if any(row.partner_n or row.school_n for row in gap) else [],
    }
    if survey.instrument == Instrument.PARTNERSHIP_QUALITY and survey.organisation and survey.academic_year:
        year_gap = selectors.partnership_quality_gap(organisation=survey.organisation, year=survey.academic_year)
        # Shown only when other surveys or the project check-ins of the year add to this survey's answers.
        if year_gap != gap:
            context["year_gap"] = year_gap
    return render(request, "surveys/results.html", context)


@roles_required(*MANAGERS)
def export(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    survey = selectors.survey_get(user=request.user, pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    return survey_export(actor=request.user, survey=survey, fmt=fmt)


# Answering ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    checked: bool


@dataclass(frozen=True)
class Question:
    item: Item
    number: int
    name: str
    value: str
    options: list[Option]
    error: str
    condition: str
    # For surveys/conditions.js: the controlling question's field name and the answers that show this one.
    shown_if: str = ""
    shown_values: str = ""


def _questions(
    survey: Survey, posted: dict[str, list[str]], errors: dict[str, str]
) -> list[tuple[Section, list[Question]]]:
    number = 0
    numbers: dict[int, int] = {}
    sections = []
    for section in selectors.survey_sections(survey=survey):
        questions = []
        for item in section.items.all():
            number += 1
            numbers[item.pk] = number
            values = posted.get(item.key, [])
            condition = shown_if = shown_values = ""
            if item.condition_item is not None:
                shown_if = f"q-{item.condition_item.key}"
                shown_values = json.dumps([str(v) for v in item.condition_values])
                labels = dict(item.condition_item.option_labels())
                shown = " or ".join(f"“{labels.get(str(v), v)}”" for v in item.condition_values)
                condition = f"Answer only if you answered {shown} to question {numbers.get(item.condition_item.pk)}."
            questions.append(Question(
                item=item, number=number, name=f"q-{item.key}", value=values[0] if values else "",
                options=[Option(v, label, v in values) for v, label in item.option_labels()],
                error=errors.get(item.key, ""), condition=condition, shown_if=shown_if, shown_values=shown_values,
            ))
        sections.append((section, questions))
    return sections


def respond_page(request: HttpRequest, invitation: Invitation, *, by: User | None,
                 link: SignedLink | None = None) -> HttpResponse:
    """The questionnaire for one invitation, for its invitee signed in or through their signed link."""
    survey = invitation.survey
    if invitation.responded_at is not None:
        return render(request, "surveys/done.html", {"title": "Already answered", "message":
                      f"Your answers to “{survey.title}” are recorded. Thank you."})
    if survey.status != Status.OPEN:
        return render(request, "surveys/done.html", {"title": "This survey is closed", "message":
                      f"“{survey.title}” no longer takes answers."}, status=410 if link else 200)
    posted: dict[str, list[str]] = {}
    errors: dict[str, str] = {}
    general: list[str] = []
    if request.method == "POST":
        posted = {item.key: request.POST.getlist(f"q-{item.key}") for item in selectors.survey_items(survey=survey)}
        try:
            services.response_submit(invitation=invitation, posted=posted, by=by, link=link)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                errors = {key: " ".join(messages_) for key, messages_ in error.message_dict.items()}
            else:
                general = list(error.messages)
        else:
            if link is not None:
                link_record_use(link=link, action="submitted", consume=True)
            return render(request, "surveys/done.html", {"title": "Thank you", "message":
                          f"Your answers to “{survey.title}” are recorded."})
    return render(request, "surveys/respond.html", {
        "survey": survey, "invitation": invitation, "sections": _questions(survey, posted, errors),
        "errors": errors, "general": general, "by_link": link is not None,
        "kinds": {"likert": logic.LIKERT, "single": logic.SINGLE, "multiple": logic.MULTIPLE,
                  "number": logic.NUMBER, "text": logic.TEXT},
    })


@signed_in
def mine(request: AuthedRequest) -> HttpResponse:
    return render(request, "surveys/mine.html", {"invitations": selectors.invitations_of(user=request.user)})


@signed_in
def respond(request: AuthedRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_user(user=request.user, pk=pk)
    return respond_page(request, invitation, by=request.user)
