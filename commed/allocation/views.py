from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commed.accounts.models import Role, User
from commed.allocation import selectors, services
from commed.allocation.forms import (
    AttributeQuestionsForm,
    ImportPreferencesForm,
    MoveForm,
    PartnerRankingForm,
    PreferencesForm,
    ProjectSettingForm,
    PublishForm,
    RankingLinkForm,
    RerunForm,
    RunForm,
    StudentDetailForm,
    rules_initial,
)
from commed.allocation.imports import partner_rankings_import, preferences_import
from commed.allocation.models import RunStatus
from commed.allocation.rules import RunRules, objective_label, student_key
from commed.lib.access import AuthedRequest, roles_required
from commed.lib.forms import add_service_errors
from commed.lib.tabular import ImportFailed
from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.partners.models import Organisation
from commed.programmes.models import Cohort, Project

MANAGERS = (Role.LEAD, Role.ADMIN)


@roles_required(Role.LEAD, Role.ADMIN, Role.STUDENT, Role.PARTNER)
def index(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if selectors.is_manager(user):
        return render(request, "allocation/index.html",
                      {"cohorts": selectors.cohorts_with_latest_run(), "is_manager": True})
    if user.role == Role.PARTNER:
        return render(request, "allocation/index.html",
                      {"to_rank": selectors.cohorts_of_partner(user=user), "is_manager": False, "is_partner": True})
    mine = [(c, selectors.own_result(cohort=c, student=user)) for c in selectors.cohorts_of_student(user=user)]
    return render(request, "allocation/index.html", {"mine": mine, "is_manager": False})


# Students ---------------------------------------------------------------------------------------------------------


def _detail_form(request: AuthedRequest, *, cohort: Cohort, student: User, posted: bool) -> StudentDetailForm:
    detail = selectors.student_detail_of(cohort=cohort, student=student)
    attributes = detail.attributes if detail is not None and isinstance(detail.attributes, dict) else {}
    return StudentDetailForm(request.POST if posted else None, prefix="details",
                             questions=selectors.detail_questions(cohort=cohort), cohort_name=str(cohort),
                             locality=detail.locality if detail is not None else None,
                             languages=selectors.student_languages(student=student), attributes=attributes)


def _detail_save(request: AuthedRequest, form: StudentDetailForm, *, cohort: Cohort, student: User) -> bool:
    if not form.is_valid():
        return False
    try:
        services.student_detail_set(actor=request.user, cohort=cohort, student=student,
                                    locality=form.cleaned_data["locality"], attributes=form.chosen_attributes(),
                                    languages=form.chosen_languages(), only_asked=True)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


@roles_required(Role.STUDENT)
def preferences(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_student(user=request.user, pk=pk)
    options = list(selectors.cohort_options(cohort=cohort))
    current = [p.project for p in selectors.preferences_of(cohort=cohort, student=request.user)]
    result = selectors.own_result(cohort=cohort, student=request.user)
    # Two forms on the page, the ranking and "about you"; a hidden field of the second says which was sent.
    about_you = request.method == "POST" and "details-submit" in request.POST
    ranking = request.method == "POST" and not about_you
    form = PreferencesForm((request.POST or None) if ranking else None, options=options, initial_projects=current,
                           max_choices=selectors.MAX_CHOICES)
    details = _detail_form(request, cohort=cohort, student=request.user, posted=about_you)
    if about_you and result is None and _detail_save(request, details, cohort=cohort, student=request.user):
        messages.success(request, "Your details are saved. You can change them until the allocation is published.")
        return redirect("allocation:preferences", pk=cohort.pk)
    if ranking and result is None and form.is_valid():
        try:
            services.preferences_set(actor=request.user, cohort=cohort, student=request.user,
                                     projects=form.cleaned_data["projects"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your choices are saved. You can change them until the allocation is "
                                      "published.")
            return redirect("allocation:preferences", pk=cohort.pk)
    return render(request, "allocation/preferences.html", {"cohort": cohort, "options": options, "form": form,
                                                           "current": current, "result": result,
                                                           "details": details})


# Leads: the cohort, its preferences and settings -------------------------------------------------------------------


@roles_required(*MANAGERS)
def cohort(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    context = {"cohort": cohort, "summary": selectors.preference_summary(cohort=cohort),
               "runs": selectors.runs_of(cohort=cohort)[:50],
               "unranked_opportunities": selectors.opportunities_without_project(cohort=cohort),
               "partner_rankings": selectors.partner_ranking_overview(cohort=cohort),
               "rankings_open": selectors.published_run(cohort=cohort) is None,
               "student_details": selectors.student_details_overview(cohort=cohort)}
    return render(request, "allocation/cohort.html", context)


@roles_required(*MANAGERS)
def student_detail(request: AuthedRequest, pk: int, student_pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    student = selectors.cohort_student_get(cohort=cohort, pk=student_pk)
    closed = selectors.published_run(cohort=cohort) is not None
    posted = request.method == "POST" and not closed
    form = _detail_form(request, cohort=cohort, student=student, posted=posted)
    if posted and _detail_save(request, form, cohort=cohort, student=student):
        messages.success(request, f"The allocation details of {student} are saved.")
        return redirect(reverse("allocation:cohort", kwargs={"pk": cohort.pk}) + "#details-h")
    return render(request, "allocation/student_detail.html", {"cohort": cohort, "student": student, "form": form,
                                                              "closed": closed})


# Partners rank the students who chose them: signed in here, or through a `rank_applicants` link -------------------


def partner_ranking_page(request: HttpRequest, *, cohort: Cohort, organisation: Organisation, actor: User | None,
                         link: SignedLink | None = None) -> HttpResponse:
    """The ranking page, for a signed-in user (`actor`) or a partner contact through a signed link (`link`)."""
    closed = selectors.published_run(cohort=cohort) is not None
    applicants = selectors.partner_applicants(cohort=cohort, organisation=organisation)
    posted = request.method == "POST" and not closed
    form = PartnerRankingForm(request.POST if posted else None, applicants=applicants)
    if posted and form.is_valid():
        try:
            services.partner_ranking_replace(actor=actor, cohort=cohort, organisation=organisation,
                                             ranks=form.ranks(), by_name=link.recipient_name if link else "",
                                             via_link=link)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if link is not None:
                link_record_use(link=link, action="ranked")
            ranked = len(form.ranks())
            messages.success(request, f"Your ranking of {ranked} student{'s' if ranked != 1 else ''} is saved. "
                                      "You can change it until the allocation is published.")
            return redirect(request.path)
    return render(request, "allocation/partner_ranking.html", {
        "cohort": cohort, "organisation": organisation, "form": form, "closed": closed, "via_link": link is not None,
        "is_manager": actor is not None and selectors.is_manager(actor),
        "ranked_by_another": selectors.projects_ranked_by_another_partner(cohort=cohort, organisation=organisation),
    })


@roles_required(*MANAGERS, Role.PARTNER)
def partner_ranking(request: AuthedRequest, pk: int, organisation: int) -> HttpResponse:
    cohort, partner = selectors.partner_ranking_get_for_user(user=request.user, pk=pk, organisation_pk=organisation)
    return partner_ranking_page(request, cohort=cohort, organisation=partner, actor=request.user)


@require_POST
@roles_required(*MANAGERS)
def partner_ranking_link(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    form = RankingLinkForm(request.POST, organisations=selectors.cohort_partner_organisations(cohort=cohort))
    if form.is_valid():
        try:
            issued = services.partner_ranking_link_issue(actor=request.user, cohort=cohort,
                                                         contact=form.cleaned_data["contact"],
                                                         days=form.cleaned_data["days"] or 30)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(request, "allocation/link_issued.html", {"issued": issued, "cohort": cohort})
    else:
        messages.error(request, "Choose a contact of a partner organisation of this cohort.")
    return redirect("allocation:cohort", pk=cohort.pk)


IMPORTERS = {"preferences": preferences_import, "rankings": partner_rankings_import}


def _import_page(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    form = ImportPreferencesForm(request.POST or None, request.FILES or None)
    if kind == "rankings":
        form.fields["file"].help_text = "Columns: organisation, student e-mail, rank (1 = most preferred)."
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = IMPORTERS[kind](actor=request.user, cohort=cohort, data=upload.read(), filename=upload.name)
        except ImportFailed as error:
            errors = error.errors
        else:
            messages.success(request, result.summary)
            return redirect("allocation:cohort", pk=cohort.pk)
    return render(request, "allocation/import.html", {"cohort": cohort, "form": form, "errors": errors,
                                                      "kind": kind}, status=400 if errors else 200)


@roles_required(*MANAGERS)
def preferences_import_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _import_page(request, pk, "preferences")


@roles_required(*MANAGERS)
def partner_rankings_import_view(request: AuthedRequest, pk: int) -> HttpResponse:
    return _import_page(request, pk, "rankings")


@roles_required(*MANAGERS)
def project_settings(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    projects = list(selectors.cohort_options(cohort=cohort))
    settings = selectors.project_settings_for(projects)
    rows: list[tuple[Project, ProjectSettingForm]] = []
    for project in projects:
        setting = settings[project.pk]
        initial = {"min_size": setting.min_size, "max_size": setting.max_size, "may_close": setting.may_close,
                   "languages": ", ".join(f"{k}:{v}" for k, v in sorted(dict(setting.languages).items()))}
        rows.append((project, ProjectSettingForm(request.POST or None, prefix=f"p{project.pk}", initial=initial)))
    if request.method == "POST" and all(form.is_valid() for _, form in rows):
        try:
            services.project_settings_save_all(actor=request.user,
                                               settings=[(project, form.cleaned_data) for project, form in rows])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Group sizes and language needs saved.")
            return redirect("allocation:cohort", pk=cohort.pk)
    return render(request, "allocation/project_settings.html", {"cohort": cohort, "rows": rows})


@roles_required(*MANAGERS)
def attribute_questions(request: AuthedRequest, pk: int) -> HttpResponse:
    """What the cohort's students are asked about themselves for the no-isolation rule, before any run."""
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    questions = selectors.attribute_questions(cohort=cohort)
    initial = "\n".join(str(q) for q in questions)  # "name: answer, answer", as the form reads it
    form = AttributeQuestionsForm(request.POST or None, initial={"questions": initial})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.attribute_questions_save(actor=request.user, cohort=cohort,
                                                      questions=form.cleaned_data["questions"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            asked = ", ".join(q.name for q in saved) or "nothing beyond locality and languages"
            messages.success(request, f"Students of {cohort} are now asked about: {asked}.")
            return redirect("allocation:cohort", pk=cohort.pk)
    return render(request, "allocation/attribute_questions.html", {"cohort": cohort, "form": form})


# Runs -------------------------------------------------------------------------------------------------------------


@roles_required(*MANAGERS)
def run_create(request: AuthedRequest, pk: int) -> HttpResponse:
    cohort = selectors.cohort_get_for_manager(user=request.user, pk=pk)
    students = list(selectors.cohort_students(cohort=cohort))
    projects = list(selectors.cohort_options(cohort=cohort))
    initial = None
    last = selectors.runs_of(cohort=cohort).first()
    if last is not None:
        initial = rules_initial(RunRules.from_json(last.rules), {s.pk: s for s in students},
                                {p.pk: p for p in projects})
    form = RunForm(request.POST or None, initial=initial, attributes=selectors.attribute_names(cohort=cohort),
                   students=students, projects=projects)
    if request.method == "POST" and form.is_valid():
        run = services.run_create(actor=request.user, cohort=cohort, rules=form.cleaned_data["rules"])
        services.run_start(run=run)
        return redirect("allocation:run_detail", pk=run.pk)
    return render(request, "allocation/run_create.html", {"cohort": cohort, "form": form,
                                                          "students": len(students), "projects": len(projects)})


@roles_required(*MANAGERS)
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = services.run_fail_if_stale(run=selectors.run_get_for_user(user=request.user, pk=pk))
    objective = RunRules.from_json(run.rules).objective if isinstance(run.rules, dict) else "rank_cost"
    context: dict[str, object] = {"run": run, "objective_label": objective_label(objective)}
    if run.status == RunStatus.DONE:
        context["report"] = selectors.run_report(run=run)
    if run.status in (RunStatus.DONE, RunStatus.INFEASIBLE):
        context["conflicts"] = selectors.run_conflicts(run=run)
    return render(request, "allocation/run_detail.html", context)


@roles_required(*MANAGERS)
def run_status(request: AuthedRequest, pk: int) -> HttpResponse:
    run = services.run_fail_if_stale(run=selectors.run_get_for_user(user=request.user, pk=pk))
    response = render(request, "allocation/_run_status.html", {"run": run})
    if run.is_finished and request.htmx:
        # The page that polls shows the progress bar; once finished it reloads to show the result.
        response["HX-Refresh"] = "true"
    return response


@roles_required(*MANAGERS)
def run_move(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise Http404
    # A GET with a project is a preview (the page asks for one as the lead picks); with a student only, the form
    # starts on that student.
    data = request.POST if request.method == "POST" else (request.GET if "project" in request.GET else None)
    form = MoveForm(data, initial={"student": request.GET.get("student", "")},
                    students=selectors.run_students(run=run), projects=selectors.run_projects(run=run))
    preview = None
    if data is not None and form.is_valid():
        preview = selectors.move_preview(run=run, student_pk=form.cleaned_data["student"],
                                         project_pk=form.cleaned_data["project"])
        student, project = preview.student, preview.project
        if request.method == "POST" and form.cleaned_data["confirm"]:
            try:
                move = services.run_move_apply(actor=request.user, run=run, student=student, project=project)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                broken = f" It breaks {len(move.violations)} rule(s)." if move.violations else ""
                messages.success(request, f"{student} moved to {preview.to_name}.{broken}")
                return redirect(reverse("allocation:run_detail", kwargs={"pk": run.pk}) + "#groups")
        elif request.method == "POST":
            form.add_error("confirm", "Tick the box to confirm the move.")
    template = "allocation/_move_preview.html" if request.htmx else "allocation/run_move.html"
    return render(request, template, {"run": run, "form": form, "preview": preview})


@roles_required(*MANAGERS)
def run_rerun(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise Http404
    placed = [(pk_, name) for pk_, name in selectors.run_students(run=run) if student_key(pk_) in run.assignment]
    moved = sorted({m.student_id for m in run.moves.all()})
    form = RerunForm(request.POST or None, students=placed, initial={"students": moved})
    if request.method == "POST" and form.is_valid():
        try:
            new_run = services.run_rerun_with_locks(actor=request.user, run=run, students=form.cleaned_data["students"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("allocation:run_detail", pk=new_run.pk)
    return render(request, "allocation/run_rerun.html", {"run": run, "form": form})


@roles_required(*MANAGERS)
def run_publish(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise Http404
    form = PublishForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services.run_publish(actor=request.user, run=run)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Published: {count} groups in {run.cohort}. Students can see their result.")
            return redirect("allocation:run_detail", pk=run.pk)
    report = selectors.run_report(run=run)
    return render(request, "allocation/run_publish.html", {"run": run, "form": form, "report": report})


@roles_required(*MANAGERS)
def run_download(request: AuthedRequest, pk: int, what: str) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    if what == "problem":
        payload = run.problem
    elif what == "result" and run.result is not None:
        payload = {**run.result, "current_assignment": run.assignment}
    else:
        raise Http404
    services.run_export_record(actor=request.user, run=run, what=what)
    response = HttpResponse(json.dumps(payload, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="allocation-run-{run.pk}-{what}.json"'
    return response


