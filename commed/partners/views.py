from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from commed.accounts.models import PARTNER_EDITOR_ROLES, STAFF_ROLES, Role
from commed.lib.access import AuthedRequest, roles_required
from commed.lib.forms import add_service_errors
from commed.lib.tabular import ImportFailed
from commed.partners import selectors, services
from commed.partners.exports import partners_export
from commed.partners.forms import (
    AgreementForm,
    ContactForm,
    ImportForm,
    InteractionForm,
    LedgerEntryForm,
    OrganisationForm,
    PartnershipForm,
    StageForm,
)
from commed.partners.imports import partners_import
from commed.partners.models import OrganisationKind, Stage

DIRECTORY_ROLES = (*STAFF_ROLES, Role.PARTNER)
EDITORS = tuple(PARTNER_EDITOR_ROLES)


@roles_required(*DIRECTORY_ROLES)
def organisation_list(request: AuthedRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "").strip() for key in (
        "q", "kind", "population", "focus_area", "language", "area", "contact_role", "stage", "safeguarding",
        "min_capacity", "max_capacity")}
    organisations = selectors.organisation_list(user=request.user, **filters)
    context = {
        "organisations": organisations,
        "filters": filters,
        "kinds": OrganisationKind.choices,
        "stages": Stage.choices,
        "options": selectors.organisation_filter_options(),
        "can_create": request.user.role in PARTNER_EDITOR_ROLES,
    }
    template = "partners/_organisation_rows.html" if request.htmx else "partners/organisation_list.html"
    return render(request, template, context)


@roles_required(*DIRECTORY_ROLES)
def organisation_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    return render(
        request,
        "partners/organisation_detail.html",
        {
            "organisation": organisation,
            "timeline": selectors.organisation_timeline(organisation=organisation),
            "health": selectors.organisation_health(organisation=organisation),
            "can_edit": selectors.organisation_can_edit(user=request.user, organisation=organisation),
            "can_manage": request.user.role in PARTNER_EDITOR_ROLES,
            "can_record": selectors.organisation_can_record(user=request.user, organisation=organisation),
            "interaction_form": InteractionForm(organisation=organisation),
        },
    )


@roles_required(*EDITORS)
def organisation_create(request: AuthedRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{organisation} added.")
            return redirect("partners:detail", pk=organisation.pk)
    return render(request, "partners/form.html", {"form": form, "title": "Add a partner organisation"})


@roles_required(*DIRECTORY_ROLES)
def organisation_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not selectors.organisation_can_edit(user=request.user, organisation=organisation):
        raise Http404
    form = OrganisationForm(request.POST or None, initial=OrganisationForm.initial_for(organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(actor=request.user, organisation=organisation, **form.service_kwargs())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("partners:detail", pk=organisation.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Edit {organisation}", "organisation": organisation}
    )


@roles_required(*DIRECTORY_ROLES)
def contact_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not selectors.organisation_can_edit(user=request.user, organisation=organisation):
        raise Http404
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_create(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Contact added.")
            return redirect("partners:detail", pk=organisation.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Add a contact at {organisation}",
                                         "organisation": organisation}
    )


@roles_required(*DIRECTORY_ROLES)
def contact_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for_user(user=request.user, pk=pk)
    if not selectors.organisation_can_edit(user=request.user, organisation=contact.organisation):
        raise Http404
    initial = {f: getattr(contact, f) for f in ContactForm.base_fields}
    form = ContactForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if "delete" in request.POST:
            services.contact_delete(actor=request.user, contact=contact)
            messages.success(request, "Contact removed.")
            return redirect("partners:detail", pk=contact.organisation_id)
        if form.is_valid():
            try:
                services.contact_update(actor=request.user, contact=contact, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Contact saved.")
                return redirect("partners:detail", pk=contact.organisation_id)
    return render(
        request,
        "partners/form.html",
        {"form": form, "title": f"Edit {contact.name}", "organisation": contact.organisation, "deletable": True},
    )


@roles_required(*EDITORS)
def partnership_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    form = PartnershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.partnership_create(
            actor=request.user, organisation=organisation, title=form.cleaned_data["title"], lead=request.user
        )
        messages.success(request, "Partnership opened.")
        return redirect("partners:detail", pk=organisation.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Open a partnership with {organisation}",
                                         "organisation": organisation}
    )


@roles_required(*EDITORS)
def partnership_stage(request: AuthedRequest, pk: int) -> HttpResponse:
    partnership = selectors.partnership_get_for_user(user=request.user, pk=pk)
    form = StageForm(request.POST or None, initial={"stage": partnership.stage})
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_set_stage(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Stage changed.")
            return redirect("partners:detail", pk=partnership.organisation_id)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Change the stage of {partnership}",
                                         "organisation": partnership.organisation}
    )


@roles_required(*EDITORS)
def agreement_create(request: AuthedRequest, pk: int) -> HttpResponse:
    partnership = selectors.partnership_get_for_user(user=request.user, pk=pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_create(actor=request.user, partnership=partnership, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Agreement recorded.")
            return redirect("partners:detail", pk=partnership.organisation_id)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Record an agreement for {partnership}",
                                         "organisation": partnership.organisation}
    )


@require_POST
@roles_required(*DIRECTORY_ROLES)
def interaction_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not selectors.organisation_can_record(user=request.user, organisation=organisation):
        raise Http404
    form = InteractionForm(request.POST, organisation=organisation)
    if form.is_valid():
        try:
            services.interaction_log(actor=request.user, organisation=organisation, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            form = InteractionForm(organisation=organisation)
            if not request.htmx:
                messages.success(request, "Interaction logged.")
                return redirect("partners:detail", pk=organisation.pk)
    context = {
        "organisation": organisation,
        "interaction_form": form,
        "timeline": selectors.organisation_timeline(organisation=organisation),
        "health": selectors.organisation_health(organisation=organisation),
        "can_record": True,
    }
    if request.htmx:
        return render(request, "partners/_timeline_panel.html", context)
    return render(request, "partners/organisation_detail.html", context, status=400)


@roles_required(*DIRECTORY_ROLES)
def ledger_create(request: AuthedRequest, pk: int) -> HttpResponse:
    organisation = selectors.organisation_get_for_user(user=request.user, pk=pk)
    if not selectors.organisation_can_record(user=request.user, organisation=organisation):
        raise Http404
    form = LedgerEntryForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.ledger_entry_add(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Ledger entry recorded.")
            return redirect("partners:detail", pk=organisation.pk)
    return render(
        request, "partners/form.html", {"form": form, "title": f"Record what flowed with {organisation}",
                                         "organisation": organisation}
    )


@roles_required(*STAFF_ROLES)
def agreements_expiring(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "partners/agreements_expiring.html",
        {"agreements": selectors.agreements_expiring(user=request.user)},
    )


@roles_required(*EDITORS)
def partners_import_view(request: AuthedRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = partners_import(actor=request.user, data=upload.read(), filename=upload.name)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(request, result.summary)
            return redirect("partners:list")
    return render(request, "partners/import.html", {"form": form, "errors": errors})


@roles_required(*EDITORS)
def partners_export_view(request: AuthedRequest, fmt: str) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    return partners_export(actor=request.user, fmt=fmt)
