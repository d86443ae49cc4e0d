from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone

from commed.lib.forms import DateInput
from commed.partners.models import (
    AgreementKind,
    BenefitKind,
    Direction,
    InteractionKind,
    Organisation,
    OrganisationKind,
    Partnership,
    Stage,
)


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]



class OrganisationForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=OrganisationKind.choices)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    populations = forms.CharField(
        required=False, help_text="Comma separated, e.g. refugees and asylum seekers, older people"
    )
    focus_areas = forms.CharField(required=False, help_text="Comma separated, e.g. mental health, diabetes")
    languages = forms.CharField(required=False, help_text="Comma separated codes or names, e.g. bn, so, Polish")
    areas_served = forms.CharField(max_length=500, required=False, help_text="Postcode districts or local areas")
    address = forms.CharField(max_length=300, required=False)
    postcode = forms.CharField(max_length=10, required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    charity_number = forms.CharField(max_length=20, required=False)
    safeguarding_policy_date = forms.DateField(required=False, widget=DateInput)
    capacity_per_year = forms.IntegerField(min_value=0, initial=0)

    @staticmethod
    def initial_for(organisation: Organisation) -> dict[str, Any]:
        return {
            "name": organisation.name,
            "kind": organisation.kind,
            "description": organisation.description,
            "populations": ", ".join(p.name for p in organisation.populations.all()),
            "focus_areas": ", ".join(f.name for f in organisation.focus_areas.all()),
            "languages": ", ".join(language.code for language in organisation.languages.all()),
            "areas_served": organisation.areas_served,
            "address": organisation.address,
            "postcode": organisation.postcode,
            "website": organisation.website,
            "charity_number": organisation.charity_number,
            "safeguarding_policy_date": organisation.safeguarding_policy_date,
            "capacity_per_year": organisation.capacity_per_year,
        }

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for key in ("populations", "focus_areas", "languages"):
            data[key] = _split(data[key])
        return data


class ContactForm(forms.Form):
    name = forms.CharField(max_length=150)
    job_title = forms.CharField(max_length=150, required=False)
    role = forms.CharField(max_length=100, required=False, label="Role in the partnership")
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    is_primary = forms.BooleanField(required=False, label="Main contact")


class PartnershipForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="e.g. Community Action Project 2025/26")


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class AgreementForm(forms.Form):
    kind = forms.ChoiceField(choices=AgreementKind.choices)
    title = forms.CharField(max_length=200)
    starts_on = forms.DateField(widget=DateInput)
    ends_on = forms.DateField(required=False, widget=DateInput)
    renewal_on = forms.DateField(required=False, widget=DateInput, label="Discuss renewal on")
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InteractionForm(forms.Form):
    kind = forms.ChoiceField(choices=InteractionKind.choices)
    occurred_on = forms.DateField(widget=DateInput, label="Date")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none(), required=False)

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["partnership"])  # type: ignore[type-arg]
        field.queryset = Partnership.objects.filter(organisation=organisation)


class LedgerEntryForm(forms.Form):
    partnership = forms.ModelChoiceField(queryset=Partnership.objects.none())
    direction = forms.ChoiceField(choices=Direction.choices)
    kind = forms.ChoiceField(choices=BenefitKind.choices, label="What")
    description = forms.CharField(max_length=300)
    quantity = forms.DecimalField(required=False, min_value=0, max_digits=12, decimal_places=2)
    unit = forms.CharField(max_length=40, required=False)
    evidence = forms.CharField(max_length=500, required=False)
    occurred_on = forms.DateField(widget=DateInput, label="Date")

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("occurred_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["partnership"])  # type: ignore[type-arg]
        field.queryset = Partnership.objects.filter(organisation=organisation)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8, UTF-16 or Windows-1252) or XLSX, one row per contact")
