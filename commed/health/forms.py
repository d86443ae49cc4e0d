from __future__ import annotations

from typing import Any

from django import forms

from commed.health.models import LocalityKind
from commed.health.services import parse_codes

COMMANDS = [
    ("imd", "IMD (IoD2019 Files 1, 2, 3, 6, 7; GLA sheets)"),
    ("postcodes", "Postcode and ward lookups (ONS)"),
    ("fingertips", "Fingertips data export"),
    ("gp_practices", "GP practices, registered patients, QOF"),
]


class LocalityForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=LocalityKind.choices, label="Defined by")
    codes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="LSOA (E01...), ward (E05...), local authority (E06-E09...), PCN (U...) or practice codes, "
        "separated by commas, spaces or new lines",
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def service_kwargs(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["codes"] = parse_codes(data["codes"])
        return data


class HealthImportForm(forms.Form):
    command = forms.ChoiceField(choices=COMMANDS, label="Kind of file")
    file = forms.FileField(help_text="The publisher's CSV file, as published (layout detected from its header)")
    release_label = forms.CharField(max_length=120, required=False, help_text="e.g. IoD2019; default: the kind")


class EvidenceCiteForm(forms.Form):
    """Cite ticked indicator rows of a profile (or, with none ticked, the whole profile) for a project."""

    project = forms.TypedChoiceField(coerce=int, label="Cite for the project")
    note = forms.CharField(max_length=500, required=False, label="Why it matters (optional)")

    def __init__(self, *args: Any, projects: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["project"].choices = [(p.pk, str(p)) for p in projects]  # type: ignore[attr-defined]


class IndicatorDomainForm(forms.Form):
    indicator_id = forms.TypedChoiceField(coerce=int, label="Indicator")
    domain = forms.CharField(max_length=120, label="Profile domain", help_text="e.g. Wider determinants of health")

    def __init__(self, *args: Any, indicators: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator_id"].choices = indicators  # type: ignore[attr-defined]
