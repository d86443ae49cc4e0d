"""Signed-link purposes of widening participation; reached only through /l/<token>/ after the link was checked.

- refer_pupil: a teacher refers pupils of their school (the link's target) to a programme (params.programme).
  The link may be used for many pupils until it expires; each referral is logged as a use.
- destination_survey: a pupil answers one destination survey (the target); single use. If the pupil has
  withdrawn consent to follow-up since it was sent, the link shows nothing and accepts nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from commed.lib.forms import add_service_errors
from commed.links.models import SignedLink
from commed.links.services import link_record_use
from commed.outreach import services
from commed.outreach.forms import PupilForm, SurveyAnswerForm
from commed.outreach.models import ConsentPurpose, DestinationSurvey, OutreachProgramme
from commed.partners.models import Organisation, OrganisationKind


def refer_pupil(request: HttpRequest, link: SignedLink) -> HttpResponse:
    if link.purpose != "refer_pupil":
        raise Http404
    school = link.target
    programme = OutreachProgramme.objects.filter(pk=link.params.get("programme")).first()
    if not isinstance(school, Organisation) or school.kind != OrganisationKind.SCHOOL or programme is None:
        raise Http404
    form = PupilForm(request.POST or None)
    referred = None
    if request.method == "POST" and form.is_valid():
        try:
            referred = services.referral_submit(link=link, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            link_record_use(link=link, action="referred", consume=True)
            form = PupilForm()
    return render(request, "outreach/refer.html", {
        "form": form, "school": school, "programme": programme, "teacher": link.recipient_name,
        "referred": referred,
    })


def destination_survey(request: HttpRequest, link: SignedLink) -> HttpResponse:
    if link.purpose != "destination_survey":
        raise Http404
    survey = link.target
    if not isinstance(survey, DestinationSurvey):
        raise Http404
    if not services.consent_current(pupil=survey.pupil, purpose=ConsentPurpose.FOLLOW_UP):
        raise Http404
    if survey.answered_at is not None:
        return render(request, "outreach/survey_done.html", {"survey": survey})
    form = SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            link_record_use(link=link, action="answered", consume=True)
            return render(request, "outreach/survey_done.html", {"survey": survey})
    return render(request, "outreach/survey.html", {"form": form, "survey": survey,
                                                    "first_name": survey.pupil.first_name})


HANDLERS = {"refer_pupil": refer_pupil, "destination_survey": destination_survey}
