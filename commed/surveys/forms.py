from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from commed.accounts.models import Role, User
from commed.partners.models import Organisation
from commed.programmes.models import Cohort, Project
from commed.surveys import logic
from commed.surveys.models import Instrument, Item, ItemKind, Side, Survey


def _queryset(form: forms.BaseForm, name: str, queryset: QuerySet[Any]) -> None:
    field = form.fields[name]
    if isinstance(field, forms.ModelChoiceField):
        field.queryset = queryset


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace(";", "\n").splitlines() if line.strip()]


class SurveyForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="Shown to respondents above the questions")
    remind_every_days = forms.IntegerField(min_value=1, max_value=90, initial=7, label="Remind every (days)",
                                           help_text="Non-responders get a reminder at most once in this many days")


class InstrumentForm(forms.Form):
    instrument = forms.ChoiceField(choices=[c for c in Instrument.choices if c[0] != Instrument.CUSTOM])
    project = forms.ModelChoiceField(queryset=Project.objects.none(), required=False,
                                     help_text="For end-of-project feedback")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                          help_text="For partnership quality (and the partner of a project)")
    academic_year = forms.CharField(max_length=7, required=False, help_text="e.g. 2025/26; a project gives its own")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "project", Project.objects.select_related("cohort__programme").order_by(
            "-cohort__academic_year", "title"))
        _queryset(self, "organisation", Organisation.objects.order_by("name"))


class SectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ItemForm(forms.Form):
    text = forms.CharField(max_length=500, label="Question")
    help_text = forms.CharField(max_length=300, required=False, label="Hint")
    kind = forms.ChoiceField(choices=ItemKind.choices, label="Kind of answer")
    required = forms.BooleanField(required=False, label="An answer is required")
    choices = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}), label="Options",
                              help_text="Single and multiple choice: one option a line")
    min_value = forms.FloatField(required=False, label="Smallest number allowed")
    max_value = forms.FloatField(required=False, label="Largest number allowed")
    condition_item = forms.ModelChoiceField(queryset=Item.objects.none(), required=False,
                                            label="Show only if the answer to",
                                            help_text="An earlier Likert or choice question")
    condition_values = forms.CharField(required=False, label="is one of",
                                       help_text="One answer a line (for a Likert question: 1 to 5)",
                                       widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, survey: Survey, item: Item | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = Item.objects.filter(survey=survey, kind__in=logic.CONDITION_KINDS)
        if item is not None:
            choices = choices.exclude(pk=item.pk)
        _queryset(self, "condition_item", choices)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["choices"] = _lines(data["choices"])
        data["condition_values"] = _lines(data["condition_values"])
        return data


def item_initial(item: Item) -> dict[str, Any]:
    return {
        "text": item.text, "help_text": item.help_text, "kind": item.kind, "required": item.required,
        "choices": "\n".join(str(c) for c in item.choices), "min_value": item.min_value, "max_value": item.max_value,
        "condition_item": item.condition_item, "condition_values": "\n".join(str(v) for v in item.condition_values),
    }


class InviteUsersForm(forms.Form):
    role = forms.ChoiceField(choices=[("", "–"), *Role.choices], required=False, label="Everyone with the role")
    cohort = forms.ModelChoiceField(queryset=Cohort.objects.none(), required=False,
                                    label="Only the students and tutors of the cohort")
    users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False,
                                           label="Or choose people", widget=forms.SelectMultiple(attrs={"size": 8}))
    side = forms.ChoiceField(choices=[("", "From each person's role"), *Side.choices[1:]], required=False,
                             label="They answer as")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "cohort", Cohort.objects.select_related("programme"))
        _queryset(self, "users", User.objects.filter(is_active=True).order_by("last_name", "first_name"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("role") or data.get("cohort") or data.get("users")):
            raise forms.ValidationError("Choose a role, a cohort or some people.")
        return data


class InviteLinkForm(forms.Form):
    name = forms.CharField(max_length=150, label="Their name")
    email = forms.EmailField(required=False, label="Their e-mail address",
                             help_text="The link and reminders are e-mailed to it; without it, send the link yourself")
    side = forms.ChoiceField(choices=Side.choices[1:], initial=Side.PARTNER, label="They answer as")
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), required=False,
                                          label="For the organisation")
    days = forms.IntegerField(min_value=1, max_value=366, initial=30, label="The link works for (days)")

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _queryset(self, "organisation", Organisation.objects.order_by("name"))
        if survey.organisation_id:
            self.fields["organisation"].initial = survey.organisation_id
