from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet

from commed.accounts.models import Role, User
from commed.lib.forms import DateInput
from commed.partners.models import Contact, Organisation
from commed.programmes.models import (
    Cohort,
    Consent,
    Locality,
    MilestoneKind,
    Opportunity,
    OutputKind,
    PlanSection,
    PlanVersion,
    Project,
    ProjectStage,
)
from commed.programmes.services import CHECKIN_QUESTIONS, SECTIONS


def _queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset



class ProgrammeForm(forms.Form):
    name = forms.CharField(max_length=200)
    code = forms.CharField(max_length=20, help_text="Short code, e.g. CAP")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    years_of_study = forms.CharField(max_length=20, required=False, help_text="e.g. 3, 5")


class CohortForm(forms.Form):
    academic_year = forms.RegexField(regex=r"^\d{4}/\d{2}$", max_length=7, help_text="e.g. 2025/26",
                                     error_messages={"invalid": "Write the academic year as 2025/26."})
    starts_on = forms.DateField(required=False, widget=DateInput)
    ends_on = forms.DateField(required=False, widget=DateInput)


class KeyDateForm(forms.Form):
    kind = forms.ChoiceField(choices=MilestoneKind.choices)
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(widget=DateInput)


class LocalityForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="A locality or placement practice")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.all(), required=False,
                                          label="Partner organisation (if the practice is one)")


class OpportunityForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Opportunity
        fields = ("title", "health_need", "people_concerned", "languages", "offer_time", "offer_venue",
                  "offer_access", "offer_expertise", "available_from", "available_until", "students_wanted")
        labels: ClassVar[dict[str, str]] = {"title": "A short title", "offer_time": "Time", "offer_venue": "Venue",
                  "offer_access": "Access to people", "offer_expertise": "Expertise",
                  "students_wanted": "How many students"}
        widgets: ClassVar[dict[str, Any]] = {
            "health_need": forms.Textarea(attrs={"rows": 4}),
            "people_concerned": forms.Textarea(attrs={"rows": 2}),
            "offer_time": forms.Textarea(attrs={"rows": 2}),
            "offer_venue": forms.Textarea(attrs={"rows": 2}),
            "offer_access": forms.Textarea(attrs={"rows": 2}),
            "offer_expertise": forms.Textarea(attrs={"rows": 2}),
            "available_from": DateInput,
            "available_until": DateInput,
        }


class LinkProposeForm(OpportunityForm):
    your_name = forms.CharField(max_length=150)

    class Meta(OpportunityForm.Meta):
        pass


class OpportunityReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=(("published", "Publish"), ("declined", "Decline")))
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.select_related("programme"), required=False,
                                    help_text="The cohort the opportunity is published to")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ProposeLinkForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.select_related("organisation"),
                                     help_text="The partner contact who will receive the link")
    days = forms.IntegerField(min_value=1, max_value=366, initial=30, label="Valid for (days)")


class ContactLinkForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none())
    days = forms.IntegerField(min_value=1, max_value=366, initial=30, label="Valid for (days)")

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "contact", Contact.objects.filter(organisation__in=project.organisations.all()).select_related(
            "organisation"))


class ProjectForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    organisations = forms.ModelMultipleChoiceField(queryset=Organisation.objects.all(), required=False,
                                                   label="Partner organisations")
    opportunity = forms.ModelChoiceField(queryset=Opportunity.objects.none(), required=False)
    locality = forms.ModelChoiceField(queryset=Locality.objects.none(), required=False)

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "opportunity", Opportunity.objects.filter(cohort=cohort, status="published"))
        _queryset(self, "locality", cohort.localities.all())


class GroupForm(forms.Form):
    name = forms.CharField(max_length=100)
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False)
    tutor = forms.ModelChoiceField(queryset=User.objects.filter(role=Role.TUTOR, is_active=True), required=False)
    members = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                              help_text="Students' e-mail addresses, one a line or comma separated")

    def __init__(self, *args: Any, cohort: Cohort, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "project", cohort.projects.all())

    def clean_members(self) -> list[User]:
        raw = self.cleaned_data["members"].replace(",", "\n").replace(";", "\n")
        emails = [line.strip().lower() for line in raw.splitlines() if line.strip()]
        found = {u.email.lower(): u for u in User.objects.filter(email__in=emails)}
        missing = [e for e in emails if e not in found]
        if missing:
            raise forms.ValidationError(f"No account with the e-mail address {', '.join(missing)}.")
        return [found[e] for e in dict.fromkeys(emails)]


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=ProjectStage.choices)
    note = forms.CharField(max_length=300, required=False)


def posted_number(data: Any, key: str) -> int | None:
    """A version number carried in a hidden input (not a form field, so no visible label is drawn for it)."""
    value = str(data.get(key, "")).strip()
    return int(value) if value.isdigit() else None


class PlanEditForm(forms.Form):
    note = forms.CharField(max_length=300, required=False, label="What changed (optional)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in SECTIONS:
            self.fields[key] = forms.CharField(label=str(PlanSection(key).label), required=False,
                                               widget=forms.Textarea(attrs={"rows": 4}))

    @staticmethod
    def initial_for(version: PlanVersion | None) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for key in SECTIONS:
            initial[key] = version.text(key) if version else ""
        return initial

    def sections(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key in SECTIONS}


class CommentForm(forms.Form):
    section = forms.ChoiceField(choices=PlanSection.choices)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Comment")


class ChangeRequestForm(forms.Form):
    section = forms.ChoiceField(choices=PlanSection.choices)
    proposed_text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Proposed text")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SignForm(forms.Form):
    confirm = forms.BooleanField(label="I have read this version of the plan and agree to it")


class LinkSignForm(SignForm):
    name = forms.CharField(max_length=150, label="Your name")


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(choices=MilestoneKind.choices, initial=MilestoneKind.OTHER)
    title = forms.CharField(max_length=200)
    due_on = forms.DateField(widget=DateInput)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class OutputForm(forms.Form):
    kind = forms.ChoiceField(choices=OutputKind.choices)
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    url = forms.URLField(required=False, assume_scheme="https", label="Link")
    languages = forms.CharField(max_length=200, required=False)
    audience = forms.CharField(max_length=200, required=False)
    reach = forms.IntegerField(min_value=0, required=False, label="People reached")
    licence = forms.CharField(max_length=100, required=False, help_text="e.g. CC BY 4.0")
    partner_may_reuse = forms.BooleanField(required=False, label="The partner may reuse it")
    attachments = MultipleFileField(
        required=False, label="Files", help_text="PDF, Word, PowerPoint, Excel, PNG, JPEG, MP4, MP3 or text; "
                                                 "25 MB at most each")

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("attachments")
        return data


class ReflectionForm(forms.Form):
    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What happened")
    learned_about_community = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                              label="What I learned about the community")
    do_differently = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What I will do differently")
    consent = forms.ChoiceField(choices=Consent.choices, label="Who may read it", initial=Consent.PRIVATE,
                                widget=forms.RadioSelect)


class ConsentForm(forms.Form):
    consent = forms.ChoiceField(choices=Consent.choices, label="Who may read it", widget=forms.RadioSelect)


SCORE_CHOICES = [("", "No answer")] + [(str(n), label) for n, label in (
    (1, "1 – strongly disagree"), (2, "2 – disagree"), (3, "3 – neither"), (4, "4 – agree"),
    (5, "5 – strongly agree"))]


class CheckInForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, question in CHECKIN_QUESTIONS:
            self.fields[key] = forms.ChoiceField(choices=SCORE_CHOICES, label=question, required=False)

    def answers(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _ in CHECKIN_QUESTIONS}


class FeedbackForm(CheckInForm):
    name = forms.CharField(max_length=150, label="Your name")
    about_students = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="About the students")
    about_project = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="About the project")
    about_partnership = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}),
                                        label="About the partnership with the medical school")
    would_host_again = forms.BooleanField(required=False, initial=True, label="We would host students again")

    field_order = ("name", "about_students", "about_project", "about_partnership", "would_host_again")


class ImportGroupsForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX with the columns student e-mail, group, project, tutor")


class BoardFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    stage = forms.ChoiceField(choices=[("", "Any"), *ProjectStage.choices], required=False)
    tutor = forms.ChoiceField(choices=[("", "Any")], required=False)
