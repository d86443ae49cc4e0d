from __future__ import annotations

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commed.accounts.models import Role
from commed.audit.models import Action
from commed.audit.services import audit_record
from commed.lib.access import AuthedRequest, roles_required
from commed.lib.forms import add_service_errors
from commed.lib.tabular import ImportFailed
from commed.programmes import plan_pages, selectors, services
from commed.programmes.forms import (
    BoardFilterForm,
    CheckInForm,
    CohortForm,
    ConsentForm,
    ContactLinkForm,
    GroupForm,
    ImportGroupsForm,
    KeyDateForm,
    LocalityForm,
    MilestoneForm,
    OpportunityForm,
    OpportunityReviewForm,
    OutputForm,
    ProgrammeForm,
    ProjectForm,
    ProposeLinkForm,
    ReflectionForm,
    StageForm,
)
from commed.programmes.imports import groups_import
from commed.programmes.models import CheckInSide, Project
from commed.programmes.plan_pages import PlanActor

MANAGERS = (Role.LEAD, Role.ADMIN)
PROJECT_ROLES = (Role.LEAD, Role.ADMIN, Role.TUTOR, Role.STUDENT, Role.PARTNER)
HISTORY_ROLES = (Role.LEAD, Role.ADMIN, Role.TUTOR, Role.COORDINATOR, Role.PARTNER)


def _form_page(request: AuthedRequest, form: object, title: str, back: str = "", back_label: str = "",
               multipart: bool = False) -> HttpResponse:
    return render(request, "programmes/form.html", {"form": form, "title": title, "back": back,
                                                    "back_label": back_label, "multipart": multipart})


# Overview pages ---------------------------------------------------------------------------------------------------


@roles_required(*PROJECT_ROLES)
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    context = {
        "projects": selectors.project_list(user=user),
        "is_manager": selectors.is_manager(user),
        "programmes": selectors.programme_list() if selectors.is_manager(user) else [],
        "overdue": selectors.milestones_overdue(user=user)[:20] if user.role != Role.PARTNER else [],
        "is_partner": user.role == Role.PARTNER,
        "partner_organisations": selectors.partner_organisations_of(user=user),
    }
    return render(request, "programmes/index.html", context)


@roles_required(*MANAGERS)
def programme_create(request: AuthedRequest) -> HttpResponse:
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{programme} created.")
            return redirect("programmes:programme_detail", pk=programme.pk)
    return _form_page(request, form, "New programme", "/programmes/", "Programmes")


@roles_required(*MANAGERS)
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    return render(request, "programmes/programme_detail.html", {"programme": programme})


@roles_required(*MANAGERS)
def cohort_create(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Cohort {cohort} created.")
            return redirect("programmes:cohort_board", pk=cohort.pk)
    return _form_page(request, form, f"New cohort of {programme}",
                      f"/programmes/{programme.pk}/", str(programme))


@roles_required(*MANAGERS)
def cohort_board(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    form = BoardFilterForm(request.GET or None)
    tutors = selectors.cohort_tutors(cohort=cohort)
    tutor_field = form.fields["tutor"]
    if isinstance(tutor_field, forms.ChoiceField):
        tutor_field.choices = [("", "Any"), *((str(t.pk), str(t)) for t in tutors)]
    columns = selectors.cohort_board(cohort=cohort, q=request.GET.get("q", "").strip(),
                                     stage=request.GET.get("stage", "").strip(),
                                     tutor=request.GET.get("tutor", "").strip())
    context = {"cohort": cohort, "columns": columns, "form": form,
               "awaiting": selectors.board_awaiting(columns=columns),
               "opportunities": cohort.opportunities.select_related("organisation"),
               "projects": cohort.projects.prefetch_related("organisations")}
    template = "programmes/_board.html" if request.htmx else "programmes/cohort_board.html"
    return render(request, template, context)


@roles_required(*MANAGERS)
def key_date_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    form = KeyDateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.key_date_add(actor=request.user, cohort=cohort, **form.cleaned_data)
        messages.success(request, "Key date added; every project of the cohort has it as a milestone.")
        return redirect("programmes:cohort_board", pk=cohort.pk)
    return _form_page(request, form, f"Add a key date to {cohort}", f"/programmes/cohorts/{cohort.pk}/", str(cohort))


@roles_required(*MANAGERS)
def locality_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    form = LocalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.locality_add(actor=request.user, cohort=cohort, **form.cleaned_data)
        messages.success(request, "Locality added.")
        return redirect("programmes:cohort_board", pk=cohort.pk)
    return _form_page(request, form, f"Add a locality or practice to {cohort}",
                      f"/programmes/cohorts/{cohort.pk}/", str(cohort))


@roles_required(*MANAGERS)
def project_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    initial = {}
    opportunity_id = request.GET.get("opportunity", "")
    if opportunity_id.isdigit():
        opportunity = cohort.opportunities.filter(pk=int(opportunity_id)).first()
        if opportunity is not None:
            initial = {"opportunity": opportunity.pk, "title": opportunity.title,
                       "organisations": [opportunity.organisation_id], "summary": opportunity.health_need}
    form = ProjectForm(request.POST or None, cohort=cohort, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(actor=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Project {project} created.")
            return redirect("programmes:project_detail", pk=project.pk)
    return _form_page(request, form, f"New project in {cohort}", f"/programmes/cohorts/{cohort.pk}/", str(cohort))


@roles_required(*MANAGERS)
def group_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    form = GroupForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.group_create(actor=request.user, cohort=cohort, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{group} formed.")
            return redirect("programmes:cohort_board", pk=cohort.pk)
    return _form_page(request, form, f"Form a group in {cohort}", f"/programmes/cohorts/{cohort.pk}/", str(cohort))


@roles_required(*MANAGERS)
def groups_import_view(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    form = ImportGroupsForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = groups_import(actor=request.user, cohort=cohort, data=upload.read(), filename=upload.name)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(request, result.summary)
            return redirect("programmes:cohort_board", pk=cohort.pk)
    return render(request, "programmes/import.html", {"form": form, "errors": errors, "cohort": cohort})


@roles_required(Role.LEAD, Role.ADMIN, Role.RESEARCHER)
def research_export(request: AuthedRequest, pk: int) -> HttpResponse:
    from commed.programmes.models import Cohort

    cohort = Cohort.objects.filter(pk=pk).select_related("programme").first()
    if cohort is None:
        raise Http404
    rows = selectors.reflections_for_research(cohort=cohort)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["student", "project", "what_happened", "learned_about_community", "do_differently"])
    for row in rows:
        writer.writerow([row.pseudonym, row.project_code, row.what_happened, row.learned_about_community,
                         row.do_differently])
    audit_record(actor=request.user, action=Action.EXPORT, obj=cohort,
                 summary=f"{len(rows)} pseudonymised reflections for research")
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="reflections-{cohort.pk}-research.csv"'
    return response


# Opportunities ----------------------------------------------------------------------------------------------------


@roles_required(*MANAGERS, Role.PARTNER)
def opportunity_list(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    return render(request, "programmes/opportunity_list.html", {
        "opportunities": selectors.opportunity_list(user=request.user, status=status),
        "is_manager": selectors.is_manager(request.user), "status": status,
        "can_propose": request.user.role == Role.PARTNER,
    })


@roles_required(Role.PARTNER)
def opportunity_propose(request: AuthedRequest) -> HttpResponse:
    organisation = selectors.partner_organisations_of(user=request.user).first()
    if organisation is None:
        raise Http404
    form = OpportunityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.opportunity_propose(organisation=organisation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Thank you: the programme team will review your proposal.")
            return redirect("programmes:opportunity_list")
    return _form_page(request, form, f"Propose a project with {organisation}", "/programmes/opportunities/",
                      "Opportunities")


@roles_required(*MANAGERS, Role.PARTNER)
def opportunity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for_user(user=request.user, pk=pk)
    is_manager = selectors.is_manager(request.user)
    form = OpportunityReviewForm(initial={"cohort": opportunity.cohort_id}) if is_manager else None
    return render(request, "programmes/opportunity_detail.html",
                  {"opportunity": opportunity, "form": form, "is_manager": is_manager})


@require_POST
@roles_required(*MANAGERS)
def opportunity_review(request: AuthedRequest, pk: int) -> HttpResponse:
    opportunity = selectors.opportunity_get_for_user(user=request.user, pk=pk)
    form = OpportunityReviewForm(request.POST)
    if form.is_valid():
        try:
            services.opportunity_review(actor=request.user, opportunity=opportunity, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{opportunity.title}: {opportunity.get_status_display().lower()}.")
            return redirect("programmes:opportunity_detail", pk=opportunity.pk)
    return render(request, "programmes/opportunity_detail.html",
                  {"opportunity": opportunity, "form": form, "is_manager": True}, status=400)


@roles_required(*MANAGERS)
def propose_link(request: AuthedRequest) -> HttpResponse:
    form = ProposeLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        issued = services.propose_link_issue(actor=request.user, **form.cleaned_data)
        return render(request, "programmes/link_issued.html", {
            "issued": issued, "what": f"propose a project for {issued.link.target}",
            "back": "/programmes/opportunities/"})
    return _form_page(request, form, "Send a partner a link to propose a project", "/programmes/opportunities/",
                      "Opportunities")


# Projects ---------------------------------------------------------------------------------------------------------


@roles_required(*PROJECT_ROLES)
def project_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    user = request.user
    party = selectors.project_party_for(user=user, project=project)
    return render(request, "programmes/project_detail.html", {
        "project": project,
        "party": party,
        "can_manage": selectors.project_can_manage(user=user, project=project),
        "can_contribute": selectors.project_can_contribute(user=user, project=project),
        "is_student": party == "students",
        "milestones": project.milestones.all(),
        "outputs": selectors.outputs_for(project=project),
        "reflections": selectors.reflections_for_project(user=user, project=project),
        "stage_form": StageForm(initial={"stage": project.stage}),
        "stage_changes": project.stage_changes.select_related("by")[:10],
        "feedback": selectors.feedback_for(user=user, project=project),
        "gaps": selectors.checkin_gaps(project=project),
        "today": timezone.localdate(),
    })


@require_POST
@roles_required(*PROJECT_ROLES)
def project_stage(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not selectors.project_can_manage(user=request.user, project=project):
        raise Http404
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            services.project_set_stage(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Stage: {project.get_stage_display()}.")
    return redirect("programmes:project_detail", pk=project.pk)


def _party_or_404(request: AuthedRequest, pk: int) -> tuple[Project, str]:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    party = selectors.project_party_for(user=request.user, project=project)
    if party is None:
        raise Http404
    return project, party


def _actor(request: AuthedRequest, project: Project) -> PlanActor:
    party = selectors.project_party_for(user=request.user, project=project)
    return PlanActor.signed_in(user=request.user, project=project, party=party)


@roles_required(*PROJECT_ROLES)
def plan_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    can_manage = selectors.project_can_manage(user=request.user, project=project)
    return plan_pages.plan_page(request, project=project, actor=_actor(request, project), can_manage=can_manage,
                                link_form=ContactLinkForm(project=project) if can_manage else None)


@roles_required(*PROJECT_ROLES)
def plan_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    project, _ = _party_or_404(request, pk)
    return plan_pages.plan_edit_page(request, project=project, actor=_actor(request, project))


@roles_required(*PROJECT_ROLES)
def plan_version(request: AuthedRequest, pk: int) -> HttpResponse:
    version = selectors.plan_version_get_for_user(user=request.user, pk=pk)
    return plan_pages.plan_version_page(request, version=version, actor=_actor(request, version.plan.project))


@require_POST
@roles_required(*PROJECT_ROLES)
def plan_sign(request: AuthedRequest, pk: int) -> HttpResponse:
    project, _ = _party_or_404(request, pk)
    return plan_pages.plan_sign_post(request, project=project, actor=_actor(request, project))


@require_POST
@roles_required(*PROJECT_ROLES)
def plan_comment(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    actor = _actor(request, project)
    if actor.party is None and not selectors.is_manager(request.user):
        raise Http404
    return plan_pages.plan_comment_post(request, project=project, actor=actor)


@roles_required(*PROJECT_ROLES)
def change_request_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project, _ = _party_or_404(request, pk)
    return plan_pages.change_request_page(request, project=project, actor=_actor(request, project))


@require_POST
@roles_required(*PROJECT_ROLES)
def change_request_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    change_request = selectors.change_request_get_for_user(user=request.user, pk=pk)
    actor = _actor(request, change_request.plan.project)
    return plan_pages.change_request_decide_post(request, change_request=change_request, actor=actor)


@require_POST
@roles_required(*PROJECT_ROLES)
def plan_link(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not selectors.project_can_manage(user=request.user, project=project):
        raise Http404
    form = ContactLinkForm(request.POST, project=project)
    coauthor = request.POST.get("purpose") == "coauthor_plan"
    if form.is_valid():
        try:
            if coauthor:
                issued = services.plan_coauthor_link_issue(actor=request.user, plan=project.plan,
                                                           **form.cleaned_data)
                what = "read, edit, comment on and sign the plan, as a co-author for their organisation"
            else:
                issued = services.plan_sign_link_issue(actor=request.user, plan=project.plan, **form.cleaned_data)
                what = f"read and sign version {issued.link.params['version']} of the plan"
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(request, "programmes/link_issued.html", {
                "issued": issued, "what": what, "back": f"/programmes/projects/{project.pk}/plan/"})
    else:
        messages.error(request, "Choose a partner contact.")
    return redirect("programmes:plan", pk=project.pk)


@roles_required(*PROJECT_ROLES)
def feedback_link(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not selectors.project_can_manage(user=request.user, project=project):
        raise Http404
    form = ContactLinkForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.feedback_link_issue(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "programmes/link_issued.html", {
                "issued": issued, "what": f"give feedback on {project}",
                "back": f"/programmes/projects/{project.pk}/"})
    return _form_page(request, form, f"Ask for the partner's feedback on {project}",
                      f"/programmes/projects/{project.pk}/", str(project))


@roles_required(*PROJECT_ROLES)
def milestone_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not selectors.project_can_manage(user=request.user, project=project):
        raise Http404
    form = MilestoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.milestone_add(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, "Milestone added.")
        return redirect("programmes:project_detail", pk=project.pk)
    return _form_page(request, form, f"Add a milestone to {project}", f"/programmes/projects/{project.pk}/",
                      str(project))


@require_POST
@roles_required(*PROJECT_ROLES)
def milestone_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    milestone = selectors.milestone_get_for_user(user=request.user, pk=pk)
    project = milestone.project
    if not selectors.project_can_contribute(user=request.user, project=project):
        raise Http404
    services.milestone_complete(actor=request.user, milestone=milestone)
    messages.success(request, f"{milestone.title}: done.")
    return redirect("programmes:project_detail", pk=project.pk)


@roles_required(Role.LEAD, Role.ADMIN, Role.TUTOR)
def overdue(request: AuthedRequest) -> HttpResponse:
    return render(request, "programmes/overdue.html",
                  {"milestones": selectors.milestones_overdue(user=request.user), "today": timezone.localdate()})


@roles_required(*PROJECT_ROLES)
def output_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not selectors.project_can_contribute(user=request.user, project=project):
        raise Http404
    form = OutputForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.output_create(actor=request.user, project=project, files=form.cleaned_data["attachments"],
                                   **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Output registered.")
            return redirect("programmes:project_detail", pk=project.pk)
    return _form_page(request, form, f"Register an output of {project}", f"/programmes/projects/{project.pk}/",
                      str(project), multipart=True)


@roles_required(*PROJECT_ROLES)  # type: ignore[type-var]
def output_file_download(request: AuthedRequest, pk: int) -> FileResponse:
    stored = selectors.output_file_get_for_user(user=request.user, pk=pk)
    response = FileResponse(stored.file.open("rb"), as_attachment=True, filename=stored.original_name,
                            content_type=stored.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Reflections ------------------------------------------------------------------------------------------------------


@roles_required(Role.STUDENT)
def reflection_create(request: AuthedRequest, pk: int) -> HttpResponse:
    project, party = _party_or_404(request, pk)
    if party != "students":
        raise Http404
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reflection = services.reflection_create(student=request.user, project=project,
                                                    **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Reflection saved.")
            return redirect("programmes:reflection_detail", pk=reflection.pk)
    return _form_page(request, form, "Write a reflection", f"/programmes/projects/{project.pk}/", str(project))


@roles_required(*PROJECT_ROLES)
def reflection_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    reflection = selectors.reflection_get_for_user(user=request.user, pk=pk)
    is_owner = reflection.student_id == request.user.pk
    return render(request, "programmes/reflection_detail.html", {
        "reflection": reflection, "is_owner": is_owner,
        "consent_form": ConsentForm(initial={"consent": reflection.consent}) if is_owner else None,
        "changes": reflection.consent_changes.all() if is_owner else [],
    })


@require_POST
@roles_required(*PROJECT_ROLES)
def reflection_consent(request: AuthedRequest, pk: int) -> HttpResponse:
    reflection = selectors.reflection_get_for_user(user=request.user, pk=pk)
    if reflection.student_id != request.user.pk and not selectors.is_manager(request.user):
        raise Http404
    form = ConsentForm(request.POST)
    if form.is_valid():
        try:
            services.reflection_set_consent(reflection=reflection, by=request.user, level=form.cleaned_data["consent"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Now: {reflection.get_consent_display().lower()}.")
    if reflection.student_id == request.user.pk:
        return redirect("programmes:reflection_detail", pk=reflection.pk)
    return redirect("programmes:project_detail", pk=reflection.project_id)


# Check-in, partner history ----------------------------------------------------------------------------------------


@roles_required(*PROJECT_ROLES)
def checkin(request: AuthedRequest, pk: int) -> HttpResponse:
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if request.user.role == Role.STUDENT:
        raise Http404
    side = CheckInSide.PARTNER if request.user.role == Role.PARTNER else CheckInSide.SCHOOL
    form = CheckInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_submit(project=project, side=side, by=request.user, answers=form.answers())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Thank you: your answers are recorded.")
            return redirect("programmes:project_detail", pk=project.pk)
    return render(request, "programmes/checkin.html", {"project": project, "form": form, "side": side,
                                                       "gaps": selectors.checkin_gaps(project=project)})


@roles_required(*HISTORY_ROLES)
def partner_history(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_for_history(user=request.user, pk=pk)
    projects = selectors.partner_history(user=request.user, organisation=organisation)
    return render(request, "programmes/partner_history.html", {
        "organisation": organisation, "partner_projects": projects,
        "openable": selectors.partner_history_openable(user=request.user, projects=projects),
    })
