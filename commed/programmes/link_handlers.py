"""Signed-link purposes of this app. Each handler is reached only through /l/<token>/ after the link was checked
(expired, revoked and unknown tokens never get here). A handler grants its purpose on `link.target` and nothing
else, and re-checks what its purpose needs (the plan version to sign must still be current; feedback once)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.partners.models import Organisation
from commed.programmes import selectors, services
from commed.programmes.forms import FeedbackForm, LinkProposeForm, LinkSignForm, posted_number
from commed.programmes.models import Party, Plan, Project

T = TypeVar("T")


def _target(link: SignedLink, purpose: str, model: type[T]) -> T:
    target = link.target
    if link.purpose != purpose or not isinstance(target, model):
        raise Http404
    return target


def _done(request: HttpRequest, title: str, message: str) -> HttpResponse:
    return render(request, "programmes/link_done.html", {"title": title, "message": message})


def propose_need(request: HttpRequest, link: SignedLink) -> HttpResponse:
    organisation = _target(link, "propose_need", Organisation)
    initial = {"your_name": link.recipient_name}
    form = LinkProposeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        name = data.pop("your_name")
        try:
            opportunity = services.opportunity_propose(organisation=organisation, by=None, by_name=name, link=link,
                                                       **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            link_record_use(link=link, action="submitted", consume=True)
            return _done(request, "Thank you", f"Your proposal “{opportunity.title}” has reached the programme team. "
                                               "They will be in touch.")
    return render(request, "programmes/link_propose.html", {"form": form, "organisation": organisation})


def sign_plan(request: HttpRequest, link: SignedLink) -> HttpResponse:
    plan = _target(link, "sign_plan", Plan)
    number = link.params.get("version")
    current = plan.current_version
    project = plan.project
    if current is None or current.number != number:
        # The link names one version; the plan has changed since: it cannot be signed through this link.
        return render(request, "programmes/link_done.html", {
            "title": "The plan has changed",
            "message": f"This link was for version {number} of the plan, but the plan has been edited since "
                       f"(it is now version {current.number if current else '–'}). Ask the programme team for a "
                       "new link to read and sign the current version.",
        }, status=409)
    if plan.signatures.filter(version=current, party=Party.PARTNER, voided_at__isnull=True).exists():
        return _done(request, "Already signed", f"The partner has already signed version {number} of the plan for "
                                                f"{project}.")
    form = LinkSignForm(request.POST or None, initial={"name": link.recipient_name})
    if request.method == "POST" and posted_number(request.POST, "version") not in (None, number):
        raise Http404  # the link signs its own version and no other
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_sign(plan=plan, party=Party.PARTNER, version_number=number, name=form.cleaned_data["name"],
                               link=link)
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            link_record_use(link=link, action="signed", consume=True)
            return _done(request, "Signed", f"You signed version {number} of the plan for {project}. Thank you.")
    overview = selectors.plan_overview(plan=plan)
    return render(request, "programmes/link_sign.html", {"form": form, "project": project, "overview": overview,
                                                         "number": number})


def give_feedback(request: HttpRequest, link: SignedLink) -> HttpResponse:
    project = _target(link, "give_feedback", Project)
    organisation = project.organisations.filter(pk=link.params.get("organisation")).first()
    if organisation is None:
        raise Http404
    form = FeedbackForm(request.POST or None, initial={"name": link.recipient_name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.partner_feedback_submit(
                project=project, organisation=organisation, name=data["name"], link=link,
                about_students=data["about_students"], about_project=data["about_project"],
                about_partnership=data["about_partnership"], would_host_again=data["would_host_again"],
                answers=form.answers(),
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            link_record_use(link=link, action="submitted", consume=True)
            return _done(request, "Thank you for your feedback",
                         "Your feedback has been recorded and will shape the next projects.")
    return render(request, "programmes/link_feedback.html", {"form": form, "project": project,
                                                             "organisation": organisation})


HANDLERS = {"propose_need": propose_need, "sign_plan": sign_plan, "give_feedback": give_feedback}
