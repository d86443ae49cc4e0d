from __future__ import annotations

from typing import Any

from django import forms

from commed.partners.models import Contact, Organisation
from commed.reports.models import QuoteDecision, ReportDraft
from commed.reports.selectors import QuoteRow, academic_year_valid


class DraftCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    academic_year = forms.CharField(max_length=7, help_text="e.g. 2025/26")

    def clean_academic_year(self) -> str:
        year: str = self.cleaned_data["academic_year"].strip()
        if not academic_year_valid(year):
            raise forms.ValidationError("Give the academic year like 2025/26.")
        return year


class NextStepsForm(forms.Form):
    next_steps = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                                 help_text="One step a line; empty: suggestions from the feedback and check-ins")


class ReviewLinkForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Partner contact")
    days = forms.IntegerField(min_value=1, max_value=90, initial=30, label="Days the link works")

    def __init__(self, *args: Any, draft: ReportDraft, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.filter(  # type: ignore[attr-defined]
            organisation=draft.organisation).order_by("name")


class RunForm(forms.Form):
    academic_year = forms.CharField(max_length=7, help_text="e.g. 2025/26")
    fmt = forms.ChoiceField(choices=(("pdf", "PDF"), ("docx", "DOCX")), label="Format")

    def clean_academic_year(self) -> str:
        year: str = self.cleaned_data["academic_year"].strip()
        if not academic_year_valid(year):
            raise forms.ValidationError("Give the academic year like 2025/26.")
        return year


DECISIONS = ((QuoteDecision.APPROVED.value, "Approve"), (QuoteDecision.WITHDRAWN.value, "Withdraw"))


class ReviewForm(forms.Form):
    """One approve/withdraw choice per quote, then the partner's name and response."""

    name = forms.CharField(max_length=150, label="Your name")
    response = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), required=False,
                               label="Your response to the report",
                               help_text="It is printed in the report, under your name")

    def __init__(self, *args: Any, quotes: list[QuoteRow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.quotes = quotes
        for quote in quotes:
            initial = quote.decision if quote.decision in dict(DECISIONS) else QuoteDecision.APPROVED.value
            self.fields[f"quote_{quote.pk}"] = forms.ChoiceField(
                choices=DECISIONS, widget=forms.RadioSelect, initial=initial, label=f"\u201c{quote.text}\u201d",
                help_text=quote.attribution,
            )

    def quote_fields(self) -> list[tuple[QuoteRow, forms.BoundField]]:
        return [(quote, self[f"quote_{quote.pk}"]) for quote in self.quotes]

    def plain_fields(self) -> list[forms.BoundField]:
        return [self["name"], self["response"]]

    def decisions(self) -> dict[int, str]:
        return {q.pk: self.cleaned_data[f"quote_{q.pk}"] for q in self.quotes if q.pk is not None}


YES_NO = (("", "Prefer not to say"), ("yes", "Yes"), ("no", "No"))


class CharacteristicsForm(forms.Form):
    consented = forms.BooleanField(required=False, label="I agree that the answers below are used, in groups of "
                                                         "5 or more only, to check that every group of students "
                                                         "has the same experience")
    first_in_family = forms.ChoiceField(choices=YES_NO, required=False, label="First in your family at university")
    disability = forms.ChoiceField(choices=YES_NO, required=False, label="Disability or long-term condition")
    caring_responsibility = forms.ChoiceField(choices=YES_NO, required=False, label="Caring responsibility")

    def answers(self) -> dict[str, bool | None]:
        return {key: {"yes": True, "no": False}.get(self.cleaned_data.get(key) or "")
                for key in ("first_in_family", "disability", "caring_responsibility")}
