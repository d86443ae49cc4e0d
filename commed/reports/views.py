from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from commed.accounts.models import Role
from commed.lib.access import AuthedRequest, roles_required
from commed.lib.forms import add_service_errors
from commed.reports import builders, selectors, services
from commed.reports.charts import chart_svg
from commed.reports.documents import CONTENT_TYPES
from commed.reports.forms import CharacteristicsForm, DraftCreateForm, NextStepsForm, ReviewLinkForm, RunForm
from commed.reports.models import StudentCharacteristics

MANAGERS = (Role.LEAD, Role.ADMIN)
READERS = (Role.LEAD, Role.ADMIN, Role.PARTNER)


def _document(content: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@roles_required(*READERS)
def index(request: AuthedRequest) -> HttpResponse:
    drafts = selectors.draft_list(user=request.user)
    context: dict[str, object] = {"drafts": drafts, "manager": selectors.is_manager(request.user)}
    if selectors.is_manager(request.user):
        context["form"] = DraftCreateForm()
        context["cohorts"] = selectors.cohort_list(user=request.user)
    return render(request, "reports/index.html", context)


@require_POST
@roles_required(*MANAGERS)
def draft_create(request: AuthedRequest) -> HttpResponse:
    form = DraftCreateForm(request.POST)
    if form.is_valid():
        try:
            draft = services.draft_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Draft started with {draft.quotes.count()} proposed quotes.")
            return redirect("reports:draft_detail", pk=draft.pk)
    else:
        messages.error(request, "Choose an organisation and give the academic year like 2025/26.")
    return redirect("reports:index")


@roles_required(*READERS)
def draft_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    report = selectors.service_evaluation(organisation=draft.organisation, academic_year=draft.academic_year,
                                          draft=draft)
    context: dict[str, object] = {"draft": draft, "report": report, "title": builders.service_evaluation_title(report),
                                  "manager": selectors.is_manager(request.user)}
    if context["manager"] and not draft.is_released:
        context["steps_form"] = NextStepsForm(initial={"next_steps": draft.next_steps})
        context["link_form"] = ReviewLinkForm(draft=draft)
        context["all_quotes"] = selectors.quote_rows(selectors.draft_quotes_shown(draft=draft, include_withdrawn=True))
    return render(request, "reports/draft_detail.html", context)


@require_POST
@roles_required(*MANAGERS)
def draft_next_steps(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    form = NextStepsForm(request.POST)
    if form.is_valid():
        try:
            services.draft_set_next_steps(actor=request.user, draft=draft, next_steps=form.cleaned_data["next_steps"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Next steps saved.")
    return redirect("reports:draft_detail", pk=draft.pk)


@require_POST
@roles_required(*MANAGERS)
def draft_refresh(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    try:
        added = services.draft_quotes_refresh(actor=request.user, draft=draft)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{added} new quotes proposed.")
    return redirect("reports:draft_detail", pk=draft.pk)


@require_POST
@roles_required(*MANAGERS)
def draft_link(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    form = ReviewLinkForm(request.POST, draft=draft)
    if form.is_valid():
        try:
            issued = services.draft_link_issue(actor=request.user, draft=draft, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            return render(request, "reports/link_issued.html", {"issued": issued, "draft": draft})
    else:
        messages.error(request, "Choose a contact of the partner.")
    return redirect("reports:draft_detail", pk=draft.pk)


@require_POST
@roles_required(*MANAGERS)
def draft_release(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    try:
        services.draft_release(actor=request.user, draft=draft)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Released: the partner's contacts can now read and download the report.")
    return redirect("reports:draft_detail", pk=draft.pk)


@roles_required(*READERS)
def draft_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    draft = selectors.draft_get_for_user(user=request.user, pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    content = services.service_evaluation_export(actor=request.user, organisation=draft.organisation,
                                                 academic_year=draft.academic_year, fmt=fmt, draft=draft)
    return _document(content, services.report_filename(organisation=draft.organisation,
                                                       academic_year=draft.academic_year, fmt=fmt), fmt)


def _filters(request: AuthedRequest) -> selectors.DashboardFilters:
    return selectors.dashboard_filters(user=request.user, programme=request.GET.get("programme", ""),
                                       year=request.GET.get("year", ""), locality=request.GET.get("locality", ""))


@roles_required(*MANAGERS)
def dashboard(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    charts = [(chart, mark_safe(chart_svg(chart, fit=True))) for chart in selectors.dashboard_charts(filters=filters)]  # noqa: S308 (built from escaped text)
    results = selectors.dashboard_survey_results(filters=filters)
    survey_charts = [(result, [(chart, mark_safe(chart_svg(chart, fit=True))) for chart in result.charts])  # noqa: S308 (built from escaped text)
                     for result in results.surveys]
    return render(request, "reports/dashboard.html", {"filters": filters, "charts": charts,
                                                      "survey_results": results, "survey_charts": survey_charts,
                                                      "options": selectors.dashboard_options()})


@roles_required(*MANAGERS)
def chart_download(request: AuthedRequest, key: str) -> HttpResponse:
    chart = selectors.dashboard_chart(filters=_filters(request), key=key)
    response = HttpResponse(chart_svg(chart), content_type="image/svg+xml")
    response["Content-Disposition"] = f'attachment; filename="commed-{key}.svg"'
    return response


@roles_required(*MANAGERS)
def equity(request: AuthedRequest) -> HttpResponse:
    filters = _filters(request)
    return render(request, "reports/equity.html", {"filters": filters, "equity": selectors.equity_view(filters=filters),
                                                   "options": selectors.dashboard_options()})


@roles_required(*MANAGERS)
def pack_download(request: AuthedRequest, pk: int, fmt: str) -> HttpResponse:
    cohort = selectors.cohort_get(user=request.user, pk=pk)
    if fmt not in CONTENT_TYPES:
        raise Http404
    content = services.accountability_pack_export(actor=request.user, cohort=cohort, fmt=fmt)
    name = f"social-accountability-{cohort.programme.code}-{cohort.academic_year.replace('/', '-')}.{fmt}"
    return _document(content, name, fmt)


@roles_required(*MANAGERS)
def runs(request: AuthedRequest) -> HttpResponse:
    form = RunForm(request.POST or None, initial={"academic_year": (selectors.academic_years() or [""])[0]})
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_start(actor=request.user, academic_year=form.cleaned_data["academic_year"],
                                     fmt=form.cleaned_data["fmt"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("reports:run_detail", pk=run.pk)
    return render(request, "reports/runs.html", {"form": form, "runs": selectors.run_list(user=request.user)})


@roles_required(*MANAGERS)
def run_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    template = "reports/_run_progress.html" if request.htmx else "reports/run_detail.html"
    return render(request, template, {"run": run})


@roles_required(*MANAGERS)  # type: ignore[type-var]
def run_download(request: AuthedRequest, pk: int) -> FileResponse:
    run = selectors.run_get_for_user(user=request.user, pk=pk)
    try:
        path = services.run_archive_path(run=run)
    except ValidationError:
        raise Http404 from None
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True,
                        filename=f"service-evaluations-{run.academic_year.replace('/', '-')}.zip")


@roles_required(Role.STUDENT)
def characteristics(request: AuthedRequest) -> HttpResponse:
    record = StudentCharacteristics.objects.filter(student=request.user).first()

    def answer(value: bool | None) -> str:
        return "" if value is None else ("yes" if value else "no")

    initial = {"consented": record.consented, "first_in_family": answer(record.first_in_family),
               "disability": answer(record.disability),
               "caring_responsibility": answer(record.caring_responsibility)} if record else {}
    form = CharacteristicsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.characteristics_set(student=request.user, consented=form.cleaned_data["consented"],
                                     **form.answers())
        messages.success(request, "Saved." if form.cleaned_data["consented"] else
                         "Saved: nothing about you is used in the equity view.")
        return redirect("reports:characteristics")
    return render(request, "reports/characteristics.html", {"form": form})
