"""Signed-link purposes of this app. Each handler is reached only through /l/<token>/ after the link was checked
(expired, revoked and unknown tokens never get here). A handler grants its purpose on `link.target` and nothing
else, and re-checks what its purpose needs (the plan version to sign must still be current; feedback once).

Purposes: propose_need (an organisation), sign_plan (one version of a plan), give_feedback (a project, once), and
coauthor_plan (a plan: read, edit, comment, request changes, decide other parties' change requests and sign as
that partner organisation)."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.partners.models import Organisation
from commed.programmes import plan_pages, selectors, services
from commed.programmes.forms import FeedbackForm, LinkProposeForm, LinkSignForm, posted_number
from commed.programmes.models import Party, Plan, Project
from commed.programmes.plan_pages import PlanActor

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
    organisation = services.plan_partner_organisation(project=project, party=Party.PARTNER, link=link)
    if plan.signatures.filter(version=current, party=Party.PARTNER, organisation=organisation,
                              voided_at__isnull=True).exists():
        return _done(request, "Already signed", f"{organisation or 'The partner'} has already signed version {number} "
                                                f"of the plan for {project}.")
    form = LinkSignForm(request.POST or None, initial={"name": link.recipient_name})
    if request.method == "POST" and posted_number(request.POST, "version") not in (None, number):
        raise Http404  # the link signs its own version and no other
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_sign(plan=plan, party=Party.PARTNER, version_number=number, name=form.cleaned_data["name"],
                               link=link, organisation=organisation)
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


def coauthor_plan(request: HttpRequest, link: SignedLink) -> HttpResponse:
    """A partner contact without an account co-authors the plan of one project, as an equal of the signed-in
    parties: the same pages (`plan_pages`), acting for the link's organisation. `?do=` picks the page; the link
    reaches this plan's pages and change requests only; other plans or anything else is a 404."""
    plan = _target(link, "coauthor_plan", Plan)
    project = plan.project
    organisation = project.organisations.filter(pk=link.params.get("organisation")).first()
    if organisation is None:
        raise Http404  # the organisation is no longer a partner of the project
    actor = PlanActor.through_link(link=link, organisation=organisation, path=request.path)
    do = request.GET.get("do", "")
    if do == "":
        return plan_pages.plan_page(request, project=project, actor=actor)
    if do == "edit":
        return plan_pages.plan_edit_page(request, project=project, actor=actor)
    if do == "version":
        number = request.GET.get("v", "")
        version = plan.versions.select_related("base").filter(pk=int(number)).first() if number.isdigit() else None
        if version is None:
            raise Http404
        return plan_pages.plan_version_page(request, version=version, actor=actor)
    if do == "sign":
        return plan_pages.plan_sign_post(request, project=project, actor=actor)
    if do == "comment":
        return plan_pages.plan_comment_post(request, project=project, actor=actor)
    if do == "change":
        return plan_pages.change_request_page(request, project=project, actor=actor)
    if do == "decide":
        number = request.GET.get("cr", "")
        if not number.isdigit() or request.method != "POST":
            raise Http404
        change_request = selectors.change_request_get_for_plan(plan=plan, pk=int(number))
        return plan_pages.change_request_decide_post(request, change_request=change_request, actor=actor)
    raise Http404


HANDLERS = {"propose_need": propose_need, "sign_plan": sign_plan, "give_feedback": give_feedback,
            "coauthor_plan": coauthor_plan}
