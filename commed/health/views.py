from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commed.accounts.models import STAFF_ROLES, Role
from commed.health import selectors, services
from commed.health.charts import spine_chart
from commed.health.forms import EvidenceCiteForm, HealthImportForm, IndicatorDomainForm, LocalityForm
from commed.health.imports import HealthImportError, health_import
from commed.lib.access import AuthedRequest, roles_required, signed_in
from commed.lib.forms import add_service_errors
from commed.qualitative.selectors import locality_themes

# Profiles are built from public open data: every signed-in user may read them. Staff define localities;
# only leads and administrators load national data.
LOCALITY_EDITORS = tuple(STAFF_ROLES)
IMPORTERS = (Role.LEAD, Role.ADMIN)


@signed_in
def locality_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "health/locality_list.html",
        {
            "localities": selectors.locality_list(),
            "can_edit": request.user.role in LOCALITY_EDITORS,
            "can_import": request.user.role in IMPORTERS,
        },
    )


@signed_in
def locality_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    locality = selectors.locality_get(pk=pk)
    profile = selectors.locality_profile(locality=locality)
    voice = selectors.locality_community_voice(locality=locality, areas=profile.areas, user=request.user)
    projects = selectors.projects_citable_by(user=request.user)
    return render(
        request,
        "health/locality_detail.html",
        {
            "locality": locality,
            "profile": profile,
            "voice": voice,
            "study_themes": locality_themes(locality=locality),
            "chart": spine_chart(profile.indicators),
            "can_edit": request.user.role in LOCALITY_EDITORS,
            "cite_form": EvidenceCiteForm(projects=projects) if projects else None,
        },
    )


@require_POST
@signed_in
def evidence_cite(request: AuthedRequest, pk: int) -> HttpResponse:
    """Students, tutors, partners and leads cite ticked indicator rows (or the whole profile) for a project they
    take part in; the plan's "need" section then lists them."""
    locality = selectors.locality_get(pk=pk)
    form = EvidenceCiteForm(request.POST, projects=selectors.projects_citable_by(user=request.user))
    if not form.is_valid():
        messages.error(request, "Choose one of your projects to cite the evidence for.")
        return redirect("health:locality_detail", pk=locality.pk)
    project = selectors.project_citable_get(user=request.user, pk=form.cleaned_data["project"])
    values = [selectors.indicator_value_get(pk=int(v)) for v in request.POST.getlist("value") if v.isdigit()]
    voices = selectors.voices_citable(user=request.user, pks=request.POST.getlist("voice"))
    cited: list[object] = []
    if values or not voices:
        cited += services.evidence_cite_many(
            project_id=project.pk, by=request.user, locality=locality, indicator_values=values,
            note=form.cleaned_data["note"],
        )
    for opportunity in voices:
        voice = services.evidence_cite_voice(project_id=project.pk, by=request.user, locality=locality,
                                             opportunity=opportunity, note=form.cleaned_data["note"])
        if voice is not None:
            cited.append(voice)
    messages.success(request, f"{len(cited)} piece{'s' if len(cited) != 1 else ''} of evidence cited for {project}.")
    return redirect("health:locality_detail", pk=locality.pk)


@signed_in
def locality_priorities(request: AuthedRequest, pk: int) -> HttpResponse:
    locality = selectors.locality_get(pk=pk)
    profile = selectors.locality_profile(locality=locality)
    voice = selectors.locality_community_voice(locality=locality, areas=profile.areas, user=request.user)
    priorities = selectors.locality_priorities(profile=profile, partners=voice.organisations)
    return render(
        request,
        "health/locality_priorities.html",
        {"locality": locality, "profile": profile, "priorities": priorities, "voice": voice},
    )


@roles_required(*LOCALITY_EDITORS)
def locality_create(request: AuthedRequest) -> HttpResponse:
    form = LocalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            locality = services.locality_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{locality} defined.")
            return redirect("health:locality_detail", pk=locality.pk)
    return render(request, "health/form.html", {"form": form, "title": "Define a locality"})


@roles_required(*LOCALITY_EDITORS)
def locality_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    locality = selectors.locality_get(pk=pk)
    initial = {"name": locality.name, "kind": locality.kind, "codes": ", ".join(locality.codes),
               "description": locality.description}
    form = LocalityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.locality_update(actor=request.user, locality=locality, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("health:locality_detail", pk=locality.pk)
    return render(request, "health/form.html", {"form": form, "title": f"Edit {locality}", "locality": locality})


@signed_in
def release_list(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "health/release_list.html",
        {
            "releases": selectors.release_list(),
            "indicators": selectors.indicator_list(),
            "can_import": request.user.role in IMPORTERS,
            "domain_form": _domain_form(None) if request.user.role in IMPORTERS else None,
        },
    )


def _domain_form(data: Any) -> IndicatorDomainForm:
    choices = [(i.indicator_id, f"{i.indicator_id} {i.name}") for i in selectors.indicator_list()]
    return IndicatorDomainForm(data, indicators=choices)


@require_POST
@roles_required(*IMPORTERS)
def indicator_domain(request: AuthedRequest) -> HttpResponse:
    """Put an indicator in a profile domain (Fingertips' exports do not say which); the dashboard counts by it."""
    form = _domain_form(request.POST)
    if form.is_valid():
        indicator = services.indicator_set_domain(actor=request.user, **form.cleaned_data)
        messages.success(request, f"{indicator.name}: domain {indicator.domain!r}.")
    else:
        messages.error(request, "Choose a loaded indicator and give its domain.")
    return redirect("health:releases")


@roles_required(*IMPORTERS)
def import_view(request: AuthedRequest) -> HttpResponse:
    form = HealthImportForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            error = (f"{upload.name} is larger than {settings.IMPORT_MAX_BYTES:,} bytes: import it on the server "
                     f"with `commed import {form.cleaned_data['command'].replace('_', '-')} FILE`.")
        else:
            try:
                with upload.open("rb") as handle:
                    result = health_import(
                        command=form.cleaned_data["command"], fileobj=handle, filename=upload.name,
                        actor=request.user, release_label=form.cleaned_data["release_label"],
                    )
            except HealthImportError as failure:
                error = f"{failure} Nothing was imported."
            else:
                messages.success(request, result.summary)
                return redirect("health:releases")
    return render(request, "health/import.html", {"form": form, "error": error})
