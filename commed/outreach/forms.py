from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils import timezone

from commed.lib.forms import DateInput
from commed.outreach.eligibility import DEFAULT_RULES, rules_validate
from commed.outreach.models import (
    ActivityKind,
    ConsentGiver,
    ConsentPurpose,
    CourseArea,
    Pupil,
    PupilStatus,
    SurveyPoint,
)
from commed.outreach.selectors import gp_practices, schools


class RulesField(forms.CharField):
    """Eligibility rules as JSON text (see eligibility.py for the language)."""

    widget = forms.Textarea(attrs={"rows": 12, "spellcheck": "false"})

    def to_python(self, value: Any) -> Any:
        text = (super().to_python(value) or "").strip()
        if not text:
            return {}
        try:
            rules = json.loads(text)
        except json.JSONDecodeError as error:
            raise forms.ValidationError(f"This is not valid JSON: {error.msg} (line {error.lineno}).") from None
        errors = rules_validate(rules)
        if errors:
            raise forms.ValidationError(errors)
        return rules


RULES_HELP = ('JSON, e.g. {"rules": [{"name": "Area or FSM", "when": {"any_of": ["imd_decile <= 4", "fsm"]}}]}. '
              "Leave empty to make everyone eligible.")


class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=200)
    cohort = forms.CharField(max_length=20, help_text="e.g. 2026/27")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    starts_on = forms.DateField(widget=DateInput)
    ends_on = forms.DateField(widget=DateInput)
    guardian_consent_required = forms.BooleanField(required=False, label="Always ask a parent or guardian")
    keeps_comparator = forms.BooleanField(required=False, initial=True,
                                          label="Follow up applicants not taken up (comparator group)")
    eligibility_rules = RulesField(required=False, help_text=RULES_HELP,
                                   initial=json.dumps(DEFAULT_RULES, indent=2))


class RulesForm(forms.Form):
    eligibility_rules = RulesField(required=False, help_text=RULES_HELP, label="Eligibility rules")


class PupilForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    year_group = forms.TypedChoiceField(coerce=int, choices=[(y, f"Year {y}") for y in (10, 11, 12, 13)],
                                        initial=12)
    date_of_birth = forms.DateField(widget=DateInput)
    home_postcode = forms.CharField(max_length=10, required=False)
    email = forms.EmailField(required=False, label="Pupil's e-mail")
    phone = forms.CharField(max_length=40, required=False, label="Pupil's phone")
    guardian_name = forms.CharField(max_length=150, required=False, label="Parent or guardian's name")
    guardian_email = forms.EmailField(required=False, label="Parent or guardian's e-mail")
    guardian_phone = forms.CharField(max_length=40, required=False, label="Parent or guardian's phone")
    fsm = forms.BooleanField(required=False, label="Receives free school meals")
    first_gen = forms.BooleanField(required=False, label="First in family to go to university")
    care_experienced = forms.BooleanField(required=False, label="Care-experienced")
    young_carer = forms.BooleanField(required=False, label="Young carer")
    disability = forms.BooleanField(required=False, label="Has a disability")
    interests = forms.CharField(max_length=300, required=False, help_text="e.g. medicine, nursing, pharmacy")
    languages = forms.CharField(max_length=200, required=False, help_text="Language codes, e.g. en, bn")

    def clean_date_of_birth(self) -> Any:
        born = self.cleaned_data["date_of_birth"]
        if born >= timezone.localdate():
            raise forms.ValidationError("Enter a date in the past.")
        return born


class PupilWithSchoolForm(PupilForm):
    school = forms.ModelChoiceField(queryset=schools(), empty_label="Choose a school")

    field_order = ("school",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools()  # type: ignore[attr-defined]


class ApplicationForm(PupilWithSchoolForm):
    confirm = forms.BooleanField(label="I have read how my information is used and want to apply")


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=[(s.value, s.label) for s in (
        PupilStatus.ACCEPTED, PupilStatus.WAITLISTED, PupilStatus.DECLINED)])


class ConsentForm(forms.Form):
    purposes = forms.MultipleChoiceField(choices=ConsentPurpose.choices, widget=forms.CheckboxSelectMultiple,
                                         label="Consent given for")
    given_by = forms.ChoiceField(choices=ConsentGiver.choices, label="Given by")
    given_by_name = forms.CharField(max_length=150, label="Name of the person consenting")
    given_on = forms.DateField(widget=DateInput, label="Date given")

    def clean_given_on(self) -> Any:
        day = self.cleaned_data["given_on"]
        if day > timezone.localdate():
            raise forms.ValidationError("Consent cannot be dated in the future.")
        return day


class WithdrawForm(forms.Form):
    purpose = forms.ChoiceField(choices=ConsentPurpose.choices, label="Withdraw consent for")
    note = forms.CharField(max_length=300, required=False, label="Who asked, and how")


class ReferralLinkForm(forms.Form):
    school = forms.ModelChoiceField(queryset=schools(), empty_label="Choose a school")
    teacher_name = forms.CharField(max_length=150)
    teacher_email = forms.EmailField(required=False, help_text="The link is e-mailed to this address")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = schools()  # type: ignore[attr-defined]


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=ActivityKind.choices)
    title = forms.CharField(max_length=200)
    on = forms.DateField(widget=DateInput, label="Date")
    location = forms.CharField(max_length=200, required=False)
    capacity = forms.IntegerField(min_value=1)


class PupilChoiceForm(forms.Form):
    pupil: forms.ModelChoiceField[Pupil] = forms.ModelChoiceField(queryset=Pupil.objects.none(),
                                                                 empty_label="Choose a pupil")

    def __init__(self, *args: Any, pupils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pupil"].queryset = pupils  # type: ignore[attr-defined]


class PlacementForm(forms.Form):
    host = forms.ModelChoiceField(queryset=gp_practices(), empty_label="Choose a GP practice")
    supervisor_name = forms.CharField(max_length=150)
    supervisor_email = forms.EmailField(required=False)
    starts_on = forms.DateField(widget=DateInput)
    ends_on = forms.DateField(widget=DateInput)
    places = forms.IntegerField(min_value=1)
    risk_assessed_on = forms.DateField(widget=DateInput, required=False, label="Risk assessment done on")
    risk_assessment_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["host"].queryset = gp_practices()  # type: ignore[attr-defined]


class MentorForm(forms.Form):
    dbs_number = forms.CharField(max_length=20, required=False, label="DBS certificate number")
    dbs_issued_on = forms.DateField(widget=DateInput, required=False, label="DBS issue date")
    dbs_enhanced = forms.BooleanField(required=False, label="Enhanced check")
    dbs_update_service = forms.BooleanField(required=False, label="Subscribed to the DBS update service")
    dbs_update_checked_on = forms.DateField(widget=DateInput, required=False,
                                            label="Update service status last checked on")
    safeguarding_training_on = forms.DateField(widget=DateInput, required=False,
                                               label="Safeguarding training completed on")
    capacity = forms.IntegerField(min_value=1, max_value=3, initial=1, label="Pupils (1 to 3)")
    interests = forms.CharField(max_length=300, required=False)
    languages = forms.CharField(max_length=200, required=False, help_text="Language codes, e.g. en, bn")
    locality = forms.CharField(max_length=10, required=False, help_text="Postcode district, e.g. SE6")
    active = forms.BooleanField(required=False, initial=True)


class MentorNewForm(MentorForm):
    username = forms.CharField(max_length=150, help_text="The student's commed username")

    field_order = ("username",)


class SessionForm(forms.Form):
    held_on = forms.DateField(widget=DateInput, label="Date of the session")
    minutes = forms.IntegerField(min_value=1, max_value=600, label="Length in minutes")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                            help_text="What you talked about. Raise any worry as a concern instead.")


class ConcernForm(forms.Form):
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="What happened or worries you")


class ConcernCloseForm(forms.Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Outcome and actions taken")


class SurveySendForm(forms.Form):
    point = forms.ChoiceField(choices=SurveyPoint.choices, label="Follow-up point")


class SurveyAnswerForm(forms.Form):
    applied_to_he = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")], coerce=lambda v: v == "yes", widget=forms.RadioSelect,
        label="Have you applied to university or college for higher education?",
    )
    course_area = forms.ChoiceField(choices=CourseArea.choices, label="Which area did you apply for?")
    offers = forms.IntegerField(min_value=0, max_value=10, required=False, label="How many offers did you get?")
    accepted_place = forms.CharField(max_length=200, required=False,
                                     label="Which place and course have you accepted, if any?")
