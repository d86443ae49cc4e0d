"""Thin views: access via selectors (404 for anyone who may not see), writes via services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from commed.accounts.models import Role, User
from commed.lib.access import AuthedRequest, signed_in
from commed.lib.forms import add_service_errors
from commed.outreach import exports, selectors, services
from commed.outreach.certificates import certificate_pdf
from commed.outreach.forms import (
    ActivityForm,
    ApplicationForm,
    ConcernCloseForm,
    ConcernForm,
    ConsentForm,
    DecisionForm,
    MentorForm,
    MentorNewForm,
    PlacementForm,
    ProgrammeForm,
    PupilChoiceForm,
    PupilWithSchoolForm,
    ReferralLinkForm,
    RulesForm,
    SessionForm,
    SurveySendForm,
    WithdrawForm,
)
from commed.outreach.matching import mentor_match_propose
from commed.outreach.mentoring import age_on, dbs_valid_until, mentor_problems, training_valid_until
from commed.outreach.models import OutreachProgramme, PlacementPupil, PupilStatus, Route


def _form_page(request: HttpRequest, form: object, title: str, back: str = "", intro: str = "",
               status: int = 200) -> HttpResponse:
    return render(request, "outreach/form.html", {"form": form, "title": title, "back": back, "intro": intro},
                  status=status)


# ------------------------------------------------------------------------------------------------ programmes


@signed_in
def dashboard(request: AuthedRequest) -> HttpResponse:
    cohort = request.GET.get("cohort", "").strip()
    funnel = selectors.funnel(user=request.user, cohort=cohort)
    return render(request, "outreach/dashboard.html", {
        "programmes": selectors.programme_list(user=request.user),
        "funnel": funnel,
        "cohort": cohort,
        "flagged": selectors.matches_flagged(),
        "due": selectors.surveys_due(today=timezone.localdate()),
        "is_coordinator": selectors.is_coordinator(request.user),
        "is_lead": selectors.is_safeguarding_lead(request.user),
    })


@signed_in
def programme_create(request: AuthedRequest) -> HttpResponse:
    selectors.require_coordinator(request.user)
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{programme} created.")
            return redirect("outreach:programme_detail", pk=programme.pk)
    return _form_page(request, form, "New widening-participation programme", back="/outreach/")


@signed_in
def programme_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_get(user=request.user, pk=pk)
    status = request.GET.get("status", "")
    return render(request, "outreach/programme_detail.html", {
        "programme": programme,
        "pupils": selectors.pupil_list(user=request.user, programme=programme, status=status),
        "status": status,
        "statuses": PupilStatus.choices,
        "activities": programme.activities.all(),
        "placements": programme.placements.select_related("host"),
        "is_coordinator": selectors.is_coordinator(request.user),
    })


@signed_in
def programme_rules(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    import json

    form = RulesForm(request.POST or None,
                     initial={"eligibility_rules": json.dumps(programme.eligibility_rules, indent=2)})
    if request.method == "POST" and form.is_valid():
        changed = services.programme_set_rules(actor=request.user, programme=programme,
                                               rules=form.cleaned_data["eligibility_rules"])
        messages.success(request, f"Rules saved; {changed} pupils' eligibility changed.")
        return redirect("outreach:programme_detail", pk=programme.pk)
    return _form_page(request, form, f"Eligibility rules of {programme}",
                      back=f"/outreach/programmes/{programme.pk}/")


@signed_in
def referral_link(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = ReferralLinkForm(request.POST or None)
    issued_url = ""
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.referral_link_issue(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            issued_url = request.build_absolute_uri(issued.path)
    return render(request, "outreach/referral_link.html",
                  {"form": form, "programme": programme, "issued_url": issued_url})


def apply(request: HttpRequest, pk: int) -> HttpResponse:
    """The public application form of a programme that has not ended."""
    programme = OutreachProgramme.objects.filter(pk=pk, ends_on__gte=timezone.localdate()).first()
    if programme is None:
        raise Http404
    form = ApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("confirm")
        try:
            services.application_submit(programme=programme, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "outreach/applied.html", {"programme": programme})
    return render(request, "outreach/apply.html", {"form": form, "programme": programme})


# ------------------------------------------------------------------------------------------------ pupils


@signed_in
def pupil_create(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = PupilWithSchoolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pupil = services.pupil_create(actor=request.user, programme=programme, route=Route.DIRECT,
                                          **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outreach:pupil_detail", pk=pupil.pk)
    return _form_page(request, form, f"Add a pupil to {programme}", back=f"/outreach/programmes/{programme.pk}/")


@signed_in
def pupil_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    today = timezone.localdate()
    return render(request, "outreach/pupil_detail.html", {
        "pupil": pupil,
        "age": age_on(pupil.date_of_birth, today),
        "guardian_needed": services.guardian_consent_needed(pupil=pupil, on=today),
        "consent_states": selectors.consent_summary(pupil=pupil),
        "may_contact": services.survey_may_contact(pupil=pupil),
        "is_coordinator": selectors.is_coordinator(request.user),
        "decision_form": DecisionForm(initial={"status": pupil.status}),
        "withdraw_form": WithdrawForm(),
        "survey_form": SurveySendForm(),
    })


@require_POST
@signed_in
def pupil_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.pupil_decide(actor=request.user, pupil=pupil, status=form.cleaned_data["status"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{pupil}: {pupil.get_status_display()}.")
    return redirect("outreach:pupil_detail", pk=pupil.pk)


@signed_in
def consent_record(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = ConsentForm(request.POST or None, initial={"given_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            for purpose in data["purposes"]:
                services.consent_record(actor=request.user, pupil=pupil, purpose=purpose,
                                        given_by=data["given_by"], given_by_name=data["given_by_name"],
                                        given_on=data["given_on"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect("outreach:pupil_detail", pk=pupil.pk)
    needed = services.guardian_consent_needed(pupil=pupil, on=timezone.localdate())
    intro = ("A parent or guardian must also consent for this pupil (under 16, or the programme requires it)."
             if needed else "The pupil's own consent is enough for this programme.")
    return _form_page(request, form, f"Record consent for {pupil}", back=f"/outreach/pupils/{pupil.pk}/",
                      intro=intro)


@require_POST
@signed_in
def consent_withdraw(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        services.consent_withdraw(actor=request.user, pupil=pupil, **form.cleaned_data)
        messages.success(request, "Consent withdrawn. It is honoured everywhere from now on.")
    return redirect("outreach:pupil_detail", pk=pupil.pk)


@signed_in
def certificate(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    response = HttpResponse(certificate_pdf(actor=request.user, pupil=pupil), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{pupil.pk}.pdf"'
    return response


@require_POST
@signed_in
def survey_send(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    pupil = selectors.pupil_get(user=request.user, pk=pk)
    form = SurveySendForm(request.POST)
    if form.is_valid():
        try:
            services.survey_send(actor=request.user, pupil=pupil, point=form.cleaned_data["point"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Survey sent to {pupil.first_name}.")
    return redirect("outreach:pupil_detail", pk=pupil.pk)


# ------------------------------------------------------------------------------------------------ activities


@signed_in
def activity_create(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = ActivityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outreach:activity_detail", pk=activity.pk)
    return _form_page(request, form, f"New activity in {programme}", back=f"/outreach/programmes/{programme.pk}/")


@signed_in
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get(user=request.user, pk=pk)
    form = PupilChoiceForm(request.POST or None, pupils=selectors.pupils_available(programme=activity.programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.registration_add(actor=request.user, activity=activity, pupil=form.cleaned_data["pupil"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{form.cleaned_data['pupil']} registered.")
            return redirect("outreach:activity_detail", pk=activity.pk)
    return render(request, "outreach/activity_detail.html", {
        "activity": activity, "registrations": selectors.activity_register(activity=activity), "form": form,
    })


@signed_in
def register(request: AuthedRequest, pk: int) -> HttpResponse:
    """The register on a phone: one big button per pupil, toggled with htmx."""
    activity = selectors.activity_get(user=request.user, pk=pk)
    registrations = selectors.activity_register(activity=activity)
    return render(request, "outreach/register.html", {
        "activity": activity, "registrations": registrations,
        "present": sum(1 for r in registrations if r.attended),
    })


@require_POST
@signed_in
def attendance_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_get(user=request.user, pk=pk)
    services.attendance_set(actor=request.user, registration=registration, attended=not registration.attended)
    if request.htmx:
        return render(request, "outreach/_register_button.html", {"registration": registration})
    return redirect("outreach:register", pk=registration.activity_id)


@signed_in
def placement_create(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    form = PlacementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            placement = services.placement_create(actor=request.user, programme=programme, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outreach:placement_detail", pk=placement.pk)
    return _form_page(request, form, f"New work-experience placement in {programme}",
                      back=f"/outreach/programmes/{programme.pk}/")


@signed_in
def placement_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    placement = selectors.placement_get(user=request.user, pk=pk)
    form = PupilChoiceForm(request.POST or None, pupils=selectors.pupils_available(programme=placement.programme))
    if request.method == "POST" and "complete" in request.POST:
        row_id = request.POST.get("complete", "")
        row = PlacementPupil.objects.filter(placement=placement, pk=int(row_id)).first() if row_id.isdigit() else None
        if row is None:
            raise Http404
        row.completed = True
        row.save(update_fields=["completed"])
        return redirect("outreach:placement_detail", pk=placement.pk)
    if request.method == "POST" and form.is_valid():
        try:
            services.placement_add_pupil(actor=request.user, placement=placement, pupil=form.cleaned_data["pupil"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outreach:placement_detail", pk=placement.pk)
    return render(request, "outreach/placement_detail.html", {
        "placement": placement, "rows": placement.pupils.select_related("pupil__school"), "form": form,
    })


# ------------------------------------------------------------------------------------------------ mentoring


@signed_in
def mentor_list(request: AuthedRequest) -> HttpResponse:
    today = timezone.localdate()
    mentors = [
        (mentor, mentor_problems(mentor, today), dbs_valid_until(mentor), training_valid_until(mentor))
        for mentor in selectors.mentor_list(user=request.user)
    ]
    return render(request, "outreach/mentor_list.html", {"mentors": mentors, "flagged": selectors.matches_flagged()})


@signed_in
def mentor_create(request: AuthedRequest) -> HttpResponse:
    selectors.require_coordinator(request.user)
    form = MentorNewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        user = User.objects.filter(username=data.pop("username"), role=Role.STUDENT, is_active=True).first()
        if user is None:
            form.add_error("username", "No student has this username.")
        else:
            try:
                services.mentor_register(actor=request.user, user=user, **data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect("outreach:mentor_list")
    return _form_page(request, form, "Register a mentor", back="/outreach/mentors/")


@signed_in
def mentor_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_get(user=request.user, pk=pk)
    form = MentorForm(request.POST or None,
                      initial={name: getattr(mentor, name) for name in services.MENTOR_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.mentor_update(actor=request.user, mentor=mentor, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("outreach:mentor_list")
    return _form_page(request, form, f"Mentor: {mentor}", back="/outreach/mentors/")


@signed_in
def matching(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    if request.method == "POST":
        made, refused = 0, []
        for pair in request.POST.getlist("pair"):
            pupil_id, _, mentor_id = pair.partition(":")
            if not (pupil_id.isdigit() and mentor_id.isdigit()):
                continue
            pupil = selectors.pupil_get(user=request.user, pk=int(pupil_id))
            mentor = selectors.mentor_get(user=request.user, pk=int(mentor_id))
            try:
                services.match_create(actor=request.user, mentor=mentor, pupil=pupil)
                made += 1
            except ValidationError as error:
                refused.append(" ".join(error.messages))
        if made:
            messages.success(request, f"{made} matches confirmed.")
        for reason in refused:
            messages.error(request, reason)
        return redirect("outreach:matching", pk=programme.pk)
    return render(request, "outreach/matching.html", {
        "programme": programme, "proposals": mentor_match_propose(programme=programme),
    })


@require_POST
@signed_in
def match_end(request: AuthedRequest, pk: int) -> HttpResponse:
    match = selectors.match_get(user=request.user, pk=pk)
    services.match_end(actor=request.user, match=match, reason=request.POST.get("reason", "ended by coordinator"))
    messages.success(request, "Match ended.")
    return redirect("outreach:mentor_list")


@signed_in
def my_mentees(request: AuthedRequest) -> HttpResponse:
    return render(request, "outreach/my_mentees.html", {"cards": selectors.mentee_cards(user=request.user)})


@signed_in
def session_log(request: AuthedRequest, pk: int) -> HttpResponse:
    match = selectors.match_get_for_mentor(user=request.user, pk=pk)
    form = SessionForm(request.POST or None, initial={"held_on": timezone.localdate(), "minutes": 45})
    if request.method == "POST" and form.is_valid():
        try:
            services.session_log(actor=request.user, match=match, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Session logged.")
            return redirect("outreach:my_mentees")
    return _form_page(request, form, f"Log a session with {match.pupil.first_name}", back="/outreach/mentoring/")


@signed_in
def concern_raise(request: AuthedRequest, pk: int) -> HttpResponse:
    pupil = selectors.pupil_for_concern(user=request.user, pk=pk)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.concern_raise(actor=request.user, pupil=pupil, **form.cleaned_data)
        messages.success(request, "Thank you. The safeguarding lead has been told and will follow it up.")
        return redirect("outreach:my_mentees" if not selectors.can_see_pupils(request.user) else "outreach:dashboard")
    return _form_page(
        request, form, f"Raise a safeguarding concern about {pupil.first_name}",
        intro="If a child is in immediate danger, call 999 first. Only the safeguarding lead reads this.",
    )


@signed_in
def concern_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "outreach/concern_list.html", {"concerns": selectors.concern_list(user=request.user)})


@signed_in
def concern_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    concern = selectors.concern_get(user=request.user, pk=pk)
    services.concern_view_record(user=request.user, concern=concern)
    form = ConcernCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and concern.closed_at is None:
        services.concern_close(actor=request.user, concern=concern, **form.cleaned_data)
        return redirect("outreach:concern_detail", pk=concern.pk)
    return render(request, "outreach/concern_detail.html",
                  {"concern": concern, "views": concern.views.all(), "form": form})


# ------------------------------------------------------------------------------------------------ exports


@signed_in
def export_list(request: AuthedRequest, pk: int) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    return render(request, "outreach/exports.html", {"programme": programme, "columns": exports.COLUMNS})


@signed_in
def export(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    selectors.require_coordinator(request.user)
    programme = selectors.programme_get(user=request.user, pk=pk)
    if kind not in exports.KINDS:
        raise Http404
    data = exports.outreach_export(actor=request.user, programme=programme, kind=kind)
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{kind}-{programme.pk}.csv"'
    return response
