"""The plan pages, shared by the signed-in views and the co-author link (`link_handlers.coauthor_plan`).

A page acts for a `PlanActor`: a signed-in party (user set), or a partner contact without an account acting for
their organisation through a signed link (link set). The actor also says where the page's forms go: the app's URLs
for a signed-in user, `<link path>?do=...` for the link, so the link's pages never point at a URL it cannot open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from commed.accounts.models import User
from commed.lib.forms import add_service_errors
from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.partners.models import Organisation
from commed.programmes import selectors, services
from commed.programmes.forms import ChangeRequestForm, CommentForm, PlanEditForm, SignForm, posted_number
from commed.programmes.models import ChangeRequest, Party, PlanVersion, Project, VersionStatus


@dataclass(frozen=True)
class PlanActor:
    party: str | None
    user: User | None = None
    link: SignedLink | None = None
    organisation: Organisation | None = None
    name: str = ""
    urls: dict[str, str] = field(default_factory=dict)

    @classmethod
    def signed_in(cls, *, user: User, project: Project, party: str | None) -> PlanActor:
        pk = project.pk
        organisation = None if party is None else services.plan_partner_organisation(project=project, party=party,
                                                                                    by=user)
        return cls(party=party, user=user, organisation=organisation, urls={
            "plan": reverse("programmes:plan", kwargs={"pk": pk}),
            "edit": reverse("programmes:plan_edit", kwargs={"pk": pk}),
            "change": reverse("programmes:change_request_create", kwargs={"pk": pk}),
            "sign": reverse("programmes:plan_sign", kwargs={"pk": pk}),
            "comment": reverse("programmes:plan_comment", kwargs={"pk": pk}),
        })

    @classmethod
    def through_link(cls, *, link: SignedLink, organisation: Organisation, path: str) -> PlanActor:
        name = link.contact.name if link.contact is not None else link.recipient_name
        return cls(party=Party.PARTNER, link=link, organisation=organisation, name=name, urls={
            "plan": path, "edit": f"{path}?do=edit", "change": f"{path}?do=change", "sign": f"{path}?do=sign",
            "comment": f"{path}?do=comment", "version": f"{path}?do=version&v=", "decide": f"{path}?do=decide&cr=",
        })

    def version_url(self, version: PlanVersion) -> str:
        if self.link is not None:
            return f"{self.urls['version']}{version.pk}"
        return reverse("programmes:plan_version", kwargs={"pk": version.pk})

    def record(self, action: str) -> None:
        if self.link is not None:
            link_record_use(link=self.link, action=action)


def plan_page(request: HttpRequest, *, project: Project, actor: PlanActor, can_manage: bool = False,
              link_form: object = None) -> HttpResponse:
    overview = selectors.plan_overview(plan=project.plan)
    mine = [s for s in overview.signatures if s.party == actor.party
            and (s.organisation is None or s.organisation == actor.organisation)]
    return render(request, "programmes/plan.html", {
        "project": project, "plan": project.plan, "overview": overview, "party": actor.party,
        "sign_form": SignForm() if overview.current else None,
        "already_signed": any(s.signature is not None for s in mine),
        "comment_form": CommentForm(), "can_manage": can_manage, "link_form": link_form,
        "urls": actor.urls, "through_link": actor.link is not None,
        "version_rows": [(v, actor.version_url(v)) for v in overview.versions],
        "conflict_rows": [(v, actor.version_url(v)) for v in overview.conflicts],
    })


def plan_edit_page(request: HttpRequest, *, project: Project, actor: PlanActor) -> HttpResponse:
    if actor.party is None:
        raise Http404
    plan = project.plan
    current = plan.current_version
    form = PlanEditForm(request.POST or None, initial=PlanEditForm.initial_for(current))
    base = posted_number(request.POST, "base") if request.method == "POST" else (current.number if current else None)
    if request.method == "POST" and form.is_valid():
        resolves = None
        resolves_id = request.POST.get("resolves", "")
        if resolves_id.isdigit():
            resolves = plan.versions.filter(pk=int(resolves_id), status=VersionStatus.CONFLICT).first()
        try:
            result = services.plan_edit(plan=plan, by=actor.user, party=actor.party, base_number=base,
                                        sections=form.sections(), note=form.cleaned_data["note"], resolves=resolves,
                                        name=actor.name, link=actor.link, organisation=actor.organisation)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            actor.record("edited")
            if result.conflict:
                messages.error(request, f"Someone saved the plan while you were editing. Your text is kept as "
                                        f"draft version {result.version.number}: merge it with the current version.")
                return redirect(actor.version_url(result.version))
            note = " (merged with the other edit, which changed other sections)" if result.merged else ""
            messages.success(request, f"Saved as version {result.version.number}{note}.")
            return redirect(actor.urls["plan"])
    return render(request, "programmes/plan_edit.html", {"project": project, "form": form, "party": actor.party,
                                                         "base": base, "urls": actor.urls})


def plan_version_page(request: HttpRequest, *, version: PlanVersion, actor: PlanActor) -> HttpResponse:
    plan = version.plan
    project = plan.project
    current = plan.current_version
    conflict = version.status == VersionStatus.CONFLICT and version.resolved_by_id is None
    other: PlanVersion | None = current if conflict else version.base
    merge_form = None
    if conflict and actor.party is not None and current is not None:
        initial = PlanEditForm.initial_for(current)
        for row in selectors.versions_compare(left=current, right=version):
            if row.differs and row.right:
                initial[row.key] = row.right if not row.left else f"{row.left}\n\n{row.right}"
        merge_form = PlanEditForm(initial=initial)
    return render(request, "programmes/plan_version.html", {
        "version": version, "project": project, "other": other, "conflict": conflict,
        "rows": selectors.versions_compare(left=other, right=version), "merge_form": merge_form,
        "urls": actor.urls,
    })


def plan_sign_post(request: HttpRequest, *, project: Project, actor: PlanActor) -> HttpResponse:
    if actor.party is None or request.method != "POST":
        raise Http404
    form = SignForm(request.POST)
    number = posted_number(request.POST, "version")
    if not form.is_valid() or number is None:
        messages.error(request, "Tick the box to confirm you have read the plan.")
    else:
        try:
            services.plan_sign(plan=project.plan, party=actor.party, by=actor.user, version_number=number,
                               name=actor.name, link=actor.link, organisation=actor.organisation)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            actor.record("signed")
            messages.success(request, f"Signed version {number}.")
    return redirect(actor.urls["plan"])


def plan_comment_post(request: HttpRequest, *, project: Project, actor: PlanActor) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    form = CommentForm(request.POST)
    if form.is_valid():
        services.plan_comment_add(plan=project.plan, by=actor.user, party=actor.party or "", name=actor.name,
                                  link=actor.link, **form.cleaned_data)
        actor.record("commented")
        messages.success(request, "Comment added.")
    else:
        messages.error(request, "Write a comment and choose its section.")
    return redirect(actor.urls["plan"])


def change_request_page(request: HttpRequest, *, project: Project, actor: PlanActor) -> HttpResponse:
    if actor.party is None:
        raise Http404
    plan = project.plan
    initial = {}
    section = request.GET.get("section", "")
    if section in services.SECTIONS and plan.current_version:
        initial = {"section": section, "proposed_text": plan.current_version.text(section)}
    form = ChangeRequestForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_request_create(plan=plan, by=actor.user, party=actor.party, name=actor.name,
                                           link=actor.link, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            actor.record("requested a change")
            messages.success(request, "Change requested: another party can accept or decline it.")
            return redirect(actor.urls["plan"])
    return render(request, "programmes/form.html", {"form": form, "title": "Request a change to the plan",
                                                    "back": actor.urls["plan"], "back_label": "The plan"})


def change_request_decide_post(request: HttpRequest, *, change_request: ChangeRequest,
                               actor: PlanActor) -> HttpResponse:
    """Accept or decline another party's change request (POST only). The caller has checked that the actor may
    reach the change request's plan."""
    if actor.party is None or request.method != "POST":
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        services.change_request_decide(change_request=change_request, by=actor.user, party=actor.party,
                                       accept=accept, name=actor.name, link=actor.link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        actor.record("accepted a change" if accept else "declined a change")
        messages.success(request, f"Change request {change_request.get_status_display().lower()}.")
    return redirect(actor.urls["plan"])
