"""Thin views of the qualitative workspace. Researchers only; study membership is checked by the selectors (404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from commed.accounts.models import Role
from commed.lib.access import AuthedRequest, roles_required
from commed.lib.forms import add_service_errors
from commed.qualitative import exchange, exports, selectors, services
from commed.qualitative.agreement import study_agreement
from commed.qualitative.forms import (
    CodeEditForm,
    CodeForm,
    CodingForm,
    CorrectionForm,
    DocumentUploadForm,
    ExchangeUploadForm,
    IdentityForm,
    MemberForm,
    MemoForm,
    ParticipantForm,
    StudyForm,
    StudyLocalitiesForm,
    TableUploadForm,
    TurnCodeForm,
    TurnForm,
    VariableChoiceForm,
)
from commed.qualitative.models import Study
from commed.qualitative.services import ImportFailed

RESEARCHERS = (Role.RESEARCHER,)
MAX_UPLOAD = 20 * 1024 * 1024


def _study(request: AuthedRequest, slug: str) -> Study:
    return selectors.study_get_for_user(user=request.user, slug=slug)


def _ctx(request: AuthedRequest, study: Study, **extra: Any) -> dict[str, Any]:
    member = selectors.member_get(study=study, user=request.user)
    return {"study": study, "member": member, "is_owner": study.owner_id == request.user.pk, **extra}


@roles_required(*RESEARCHERS)
def study_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "qualitative/study_list.html",
                  {"studies": selectors.study_list_for_user(user=request.user)})


@roles_required(*RESEARCHERS)
def study_create(request: AuthedRequest) -> HttpResponse:
    form = StudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            study = services.study_create(owner=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("qualitative:study", slug=study.slug)
    return render(request, "qualitative/form.html", {"form": form, "title": "New study"})


@roles_required(*RESEARCHERS)
def study_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    return render(request, "qualitative/study_detail.html", _ctx(
        request, study, documents=selectors.document_list(study=study, user=request.user),
        codebook=selectors.codebook_tree(study=study, user=request.user),
        orphans=selectors.orphaned_codings(study=study, user=request.user).count(),
        memos=selectors.memos_for(study=study, user=request.user)[:20],
        localities=selectors.study_localities(study=study),
    ))


@roles_required(*RESEARCHERS)
def study_localities(request: AuthedRequest, slug: str) -> HttpResponse:
    """The owner links the study to health localities and chooses whether their profiles show its themes."""
    study = selectors.study_get_for_owner(user=request.user, slug=slug)
    initial = {"localities": list(selectors.study_localities(study=study)), "share_themes": study.share_themes}
    form = StudyLocalitiesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.study_set_localities(actor=request.user, study=study, **form.cleaned_data)
        messages.success(request, "Localities saved.")
        return redirect("qualitative:study", slug=slug)
    return render(request, "qualitative/form.html", _ctx(request, study, form=form,
                                                          title="Localities and theme sharing (owner only)"))


@roles_required(*RESEARCHERS)
def members(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if study.owner_id != request.user.pk:
            raise Http404
        if form.is_valid():
            try:
                services.study_member_set(study=study, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Membership saved.")
                return redirect("qualitative:members", slug=slug)
    return render(request, "qualitative/members.html",
                  _ctx(request, study, members=selectors.study_members(study=study), form=form))


@roles_required(*RESEARCHERS)
def participants(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_create(study=study, by=request.user, code=form.cleaned_data["code"],
                                        attributes=form.attributes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['code']} added to the register.")
            return redirect("qualitative:participants", slug=slug)
    return render(request, "qualitative/participants.html", _ctx(
        request, study, register=selectors.participant_register(study=study, user=request.user), form=form,
        table_form=TableUploadForm()))


@roles_required(*RESEARCHERS)
def participants_import(request: AuthedRequest, slug: str) -> HttpResponse:
    study = selectors.study_get_for_owner(user=request.user, slug=slug)
    form = TableUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            made = services.participants_import_table(
                study=study, by=request.user, data=upload.read(MAX_UPLOAD + 1)[:MAX_UPLOAD + 1],
                filename=upload.name, code_column=form.cleaned_data["code_column"] or None,
                name_column=form.cleaned_data["name_column"] or None)
        except ImportFailed as error:
            form.add_error("file", str(error))
        else:
            messages.success(request, f"{len(made)} participants added.")
            return redirect("qualitative:participants", slug=slug)
    return render(request, "qualitative/form.html", _ctx(request, study, form=form, multipart=True,
                                                          title="Import participants and their attributes"))


@roles_required(*RESEARCHERS)
def participant_identity(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """The link from a code to a real person: the study owner only."""
    study = selectors.study_get_for_owner(user=request.user, slug=slug)
    participant = selectors.participant_get(study=study, pk=pk)
    identity = getattr(participant, "identity", None)
    initial = {"real_name": identity.real_name, "other_names": identity.other_names,
               "contact": identity.contact} if identity else None
    form = IdentityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.participant_identity_set(participant=participant, by=request.user, **form.cleaned_data)
        messages.success(request, "Saved.")
        return redirect("qualitative:participants", slug=slug)
    return render(request, "qualitative/form.html", _ctx(request, study, form=form,
                                                          title=f"Who is {participant.code}? (owner only)"))


@roles_required(*RESEARCHERS)
def documents_import(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = DocumentUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = request.FILES.getlist("upload")
        files = []
        for upload in uploads:
            if upload.size is not None and upload.size > MAX_UPLOAD:
                form.add_error("upload", f"{upload.name}: the file is larger than 20 MB")
                break
            files.append((upload.name or "upload", upload.read()))
        if not form.errors:
            try:
                result = services.documents_import(
                    study=study, by=request.user, files=files, extra_names=form.cleaned_data["names"].split(","),
                    survey_mode=form.cleaned_data["survey_mode"] or "respondent")
            except (ImportFailed, ValidationError) as error:
                form.add_error("upload", str(error) if isinstance(error, ImportFailed) else error.messages)
            else:
                messages.success(request, f"{len(result.documents)} documents imported, "
                                          f"{result.replacements} names replaced.")
                for warning in result.warnings[:20]:
                    messages.warning(request, warning)
                return redirect("qualitative:study", slug=slug)
    return render(request, "qualitative/form.html", _ctx(request, study, form=form, multipart=True,
                                                          title="Import documents"))


@roles_required(*RESEARCHERS)
def document_detail(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    document = selectors.document_get(study=study, pk=pk)
    codings = list(selectors.document_codings(document=document, user=request.user))
    turns = list(selectors.document_turns(document=document))
    return render(request, "qualitative/document.html", _ctx(
        request, study, document=document, codings=codings, turns=turns,
        pieces=selectors.document_pieces(document=document, codings=codings, turns=turns),
        coding_form=CodingForm(study=study), turn_code_form=TurnCodeForm(study=study),
        participants=list(study.participants.all()),
        memos=selectors.memos_for(study=study, user=request.user, document=document),
        memo_form=MemoForm(initial={"document": document.pk}),
    ))


@roles_required(*RESEARCHERS)
@require_POST
def coding_create(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    document = selectors.document_get(study=study, pk=pk)
    form = CodingForm(request.POST, study=study)
    if form.is_valid():
        try:
            services.coding_create(document=document, code=form.cleaned_data["code"], by=request.user,
                                   start=form.cleaned_data["start"], end=form.cleaned_data["end"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Coded.")
    else:
        messages.error(request, "Select some text and a code first.")
    return redirect(reverse("qualitative:document", kwargs={"slug": slug, "pk": pk}) + "#text")


@roles_required(*RESEARCHERS)
@require_POST
def turn_code(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    turn = selectors.turn_get(study=study, pk=pk)
    form = TurnCodeForm(request.POST, study=study)
    if form.is_valid():
        try:
            services.coding_create_for_turn(turn=turn, code=form.cleaned_data["code"], by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Turn coded.")
    return redirect("qualitative:document", slug=slug, pk=turn.document_id)


@roles_required(*RESEARCHERS)
@require_POST
def turn_edit(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    turn = selectors.turn_get(study=study, pk=pk)
    form = TurnForm(request.POST, study=study)
    if form.is_valid():
        services.turn_correct(turn=turn, by=request.user, participant=form.cleaned_data["participant"],
                              speaker=form.cleaned_data["speaker"] or None)
        messages.success(request, "Speaker saved.")
    return redirect("qualitative:document", slug=slug, pk=turn.document_id)


@roles_required(*RESEARCHERS)
@require_POST
def coding_delete(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    coding = selectors.coding_get(study=study, user=request.user, pk=pk)
    document_id = coding.document_id
    try:
        services.coding_delete(coding=coding, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("qualitative:document", slug=slug, pk=document_id)


@roles_required(*RESEARCHERS)
@require_POST
def coding_quote(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    """Choose a segment as an illustrative quote of its code's concept (or of the code itself)."""
    study = _study(request, slug)
    coding = selectors.coding_get(study=study, user=request.user, pk=pk)
    target = coding.code
    if target.kind == "code" and target.parent is not None:
        target = target.parent
    if request.POST.get("remove"):
        services.theme_quote_remove(code=target, coding=coding, by=request.user)
    else:
        services.theme_quote_add(code=target, coding=coding, by=request.user)
    messages.success(request, f"Quote {'removed from' if request.POST.get('remove') else 'added to'} {target}.")
    next_url = str(request.POST.get("next", ""))
    if not next_url.startswith("/research/"):
        next_url = reverse("qualitative:themes", kwargs={"slug": slug})
    return redirect(next_url)


@roles_required(*RESEARCHERS)
def document_correct(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    document = selectors.document_get(study=study, pk=pk)
    form = CorrectionForm(request.POST or None, initial={"text": document.text})
    if request.method == "POST" and form.is_valid():
        try:
            result = services.document_correct(document=document, by=request.user, new_text=form.cleaned_data["text"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Saved. Codings: {result.unchanged} unchanged, {result.moved} moved, "
                                      f"{result.fuzzy} approximate, {len(result.orphaned)} to review.")
            return redirect("qualitative:document", slug=slug, pk=pk)
    return render(request, "qualitative/form.html", _ctx(request, study, form=form,
                                                          title=f"Correct the transcript: {document.name}"))


@roles_required(*RESEARCHERS)
def document_log(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = selectors.study_get_for_owner(user=request.user, slug=slug)
    document = selectors.document_get(study=study, pk=pk)
    log = selectors.pseudonymisation_log_for_owner(study=study, user=request.user, document=document)
    return render(request, "qualitative/log.html", _ctx(request, study, document=document, log=log))


@roles_required(*RESEARCHERS)
def codebook(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = CodeForm(request.POST or None, study=study)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_create(study=study, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Code added.")
            return redirect("qualitative:codebook", slug=slug)
    return render(request, "qualitative/codebook.html", _ctx(
        request, study, tree=selectors.codebook_tree(study=study, user=request.user), form=form))


@roles_required(*RESEARCHERS)
def code_detail(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    study = _study(request, slug)
    code = selectors.code_get(study=study, pk=pk)
    initial = {f: getattr(code, f) for f in ("name", "kind", "definition", "inclusion", "exclusion", "examples",
                                             "colour")}
    form = CodeEditForm(request.POST or None, study=study, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.code_update(code=code, by=request.user, **{k: v for k, v in form.cleaned_data.items()
                                                                if k != "kind" or v})
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect("qualitative:code", slug=slug, pk=pk)
    return render(request, "qualitative/code.html", _ctx(
        request, study, code=code, form=form,
        segments=selectors.segments_of_code(study=study, user=request.user, code=code),
        memos=selectors.memos_for(study=study, user=request.user, code=code),
        memo_form=MemoForm(initial={"code": code.pk}),
    ))


@roles_required(*RESEARCHERS)
@require_POST
def memo_create(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = MemoForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write something in the memo.")
        return redirect("qualitative:study", slug=slug)
    data = form.cleaned_data
    document = selectors.document_get(study=study, pk=data["document"]) if data["document"] else None
    code = selectors.code_get(study=study, pk=data["code"]) if data["code"] else None
    coding = selectors.coding_get(study=study, user=request.user, pk=data["coding"]) if data["coding"] else None
    services.memo_create(study=study, by=request.user, text=data["text"], title=data["title"], document=document,
                         code=code, coding=coding)
    messages.success(request, "Memo saved.")
    if coding is not None:
        return redirect("qualitative:document", slug=slug, pk=coding.document_id)
    if document is not None:
        return redirect("qualitative:document", slug=slug, pk=document.pk)
    if code is not None:
        return redirect("qualitative:code", slug=slug, pk=code.pk)
    return redirect("qualitative:study", slug=slug)


@roles_required(*RESEARCHERS)
def search(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    query = request.GET.get("q", "").strip()[:200]
    hits = selectors.segments_search(study=study, query=query) if query else []
    return render(request, "qualitative/search.html", _ctx(request, study, query=query, hits=hits))


@roles_required(*RESEARCHERS)
def analysis(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = VariableChoiceForm(request.GET or None, study=study)
    variable = form.cleaned_data.get("variable") if form.is_valid() else None
    if variable is None:
        variable = study.variables.first()
    overlap = request.GET.get("overlap") == "1"
    return render(request, "qualitative/analysis.html", _ctx(
        request, study, form=form, variable=variable, overlap=overlap,
        by_attribute=selectors.matrix_code_by_attribute(study=study, user=request.user, variable=variable)
        if variable else None,
        cooccurrence=selectors.matrix_cooccurrence(study=study, user=request.user, overlap=overlap),
        by_document=selectors.counts_by_document(study=study, user=request.user),
        by_speaker=selectors.counts_by_speaker(study=study, user=request.user),
    ))


@roles_required(*RESEARCHERS)
def agreement(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    selectors.member_not_blind(study=study, user=request.user)  # agreement shows the others' codings
    unit = request.GET.get("unit", "turn")
    if unit not in ("character", "turn", "document"):
        unit = "turn"
    result = study_agreement(study=study, unit=unit)
    queue = result.queue[:200]
    return render(request, "qualitative/agreement.html", _ctx(
        request, study, unit=unit, result=result, queue=queue, units=("character", "turn", "document")))


@roles_required(*RESEARCHERS)
def review(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    return render(request, "qualitative/review.html", _ctx(
        request, study, orphans=selectors.orphaned_codings(study=study, user=request.user)))


@roles_required(*RESEARCHERS)
def themes(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    selectors.member_not_blind(study=study, user=request.user)  # quotes and counts of every coder
    return render(request, "qualitative/themes.html", _ctx(
        request, study, rows=selectors.themes_table(study=study), formats=exports.FORMATS))


@roles_required(*RESEARCHERS)
def themes_export(request: AuthedRequest, slug: str, fmt: str) -> HttpResponse:
    study = _study(request, slug)
    selectors.member_not_blind(study=study, user=request.user)
    if fmt not in exports.FORMATS:
        raise Http404
    data = exports.themes_table_export(study=study, by=request.user, fmt=fmt)
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{study.slug}-themes.{fmt}"'
    return response


@roles_required(*RESEARCHERS)
def exchange_page(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    form = ExchangeUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if study.owner_id != request.user.pk:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = upload.name or "upload"
            data = upload.read(MAX_UPLOAD + 1)
            try:
                if len(data) > MAX_UPLOAD:
                    raise ImportFailed(f"{name}: the file is larger than 20 MB")
                if name.lower().endswith((".qdc", ".txt")):
                    report = exchange.codebook_import(study=study, by=request.user, data=data, filename=name)
                else:
                    report = exchange.project_import(study=study, by=request.user, data=data, filename=name)
            except ImportFailed as error:
                form.add_error("file", f"{error} Nothing was imported.")
            else:
                messages.success(request, f"{name}: {report.codes} codes, {report.documents} documents, "
                                          f"{report.codings} codings imported.")
                for line in report.messages[:30]:
                    messages.warning(request, line)
                return redirect("qualitative:study", slug=slug)
    return render(request, "qualitative/exchange.html", _ctx(request, study, form=form))


@roles_required(*RESEARCHERS)
def export_qdpx(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    selectors.member_not_blind(study=study, user=request.user)  # the project holds every coder's codings
    data = exchange.project_export(study=study, by=request.user)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}.qdpx"'
    return response


@roles_required(*RESEARCHERS)
def export_qdc(request: AuthedRequest, slug: str) -> HttpResponse:
    study = _study(request, slug)
    data = exchange.codebook_export(study=study, by=request.user)
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{study.slug}.qdc"'
    return response
