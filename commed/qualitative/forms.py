from __future__ import annotations

from typing import Any

from django import forms

from commed.accounts.models import Role, User
from commed.health.selectors import locality_list
from commed.qualitative.models import Code, CodeKind, Participant, Study, Variable

UPLOAD_TYPES = ".txt,.docx,.odt,.pdf,.vtt,.srt,.csv"


class StudyForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=80, required=False, label="Short name",
                           help_text="Letters, digits and hyphens; used in addresses and on the command line")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class StudyLocalitiesForm(forms.Form):
    localities = forms.ModelMultipleChoiceField(
        queryset=locality_list(), required=False, label="Localities the study is about",
        help_text="Health-needs localities; hold Ctrl (or Cmd) to choose several")
    share_themes = forms.BooleanField(
        required=False, label="Show the study's themes (names, counts of documents and speakers; never quotes) "
                              "on these localities' profiles")


class MemberForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Researcher")
    can_code = forms.BooleanField(required=False, initial=True, label="Codes in this study")
    blind = forms.BooleanField(required=False, label="Codes blind (does not see the others' codings)")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(role=Role.RESEARCHER, is_active=True)  # type: ignore[attr-defined]


class ParticipantForm(forms.Form):
    code = forms.CharField(max_length=40, help_text="The pseudonymous code, e.g. 2P14, 1P05, C01")
    role = forms.CharField(max_length=200, required=False)
    sector = forms.CharField(max_length=200, required=False)
    focus_group = forms.CharField(max_length=200, required=False)
    organisation = forms.CharField(max_length=200, required=False, label="Partner organisation")
    other = forms.CharField(required=False, label="Other variables",
                            help_text="One per line as name = value", widget=forms.Textarea(attrs={"rows": 2}))

    def attributes(self) -> dict[str, str]:
        data = self.cleaned_data
        values = {"Role": data["role"], "Sector": data["sector"], "Focus group": data["focus_group"],
                  "Partner organisation": data["organisation"]}
        for line in data["other"].splitlines():
            if "=" in line:
                name, value = line.split("=", 1)
                values[name.strip()] = value.strip()
        return {k: v for k, v in values.items() if v}


class IdentityForm(forms.Form):
    real_name = forms.CharField(max_length=200, label="Real name")
    other_names = forms.CharField(max_length=500, required=False,
                                  help_text="Other names the person is called by, comma separated")
    contact = forms.CharField(max_length=300, required=False)


class TableUploadForm(forms.Form):
    file = forms.FileField(label="Attribute table (XLSX or CSV)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}))
    code_column = forms.CharField(required=False, help_text="Column with the participant codes (else generated)")
    name_column = forms.CharField(required=False,
                                  help_text="Column with the names used in transcripts (kept apart, owner only)")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def clean(self, data: Any, initial: Any = None) -> Any:
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = []
        for item in items:
            try:
                cleaned.append(super().clean(item, initial))
            except forms.ValidationError as error:
                name = getattr(item, "name", "") or "upload"
                raise forms.ValidationError(f"{name}: {' '.join(error.messages)}") from error
        return cleaned


class DocumentUploadForm(forms.Form):
    upload = MultipleFileField(label="Documents",
                               help_text="Plain text, DOCX, ODT, PDF, WebVTT, SRT or a CSV of survey answers; "
                                         "several at once",
                               widget=MultipleFileInput(attrs={"accept": UPLOAD_TYPES}))
    names = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                            label="Other names to remove",
                            help_text="Comma separated; a name is replaced by [redacted], Name=CODE by [CODE]. "
                                      "Names in the register are replaced by their code.")
    survey_mode = forms.ChoiceField(choices=(("respondent", "One document per respondent"),
                                             ("question", "One document per question")),
                                    label="Survey CSV", required=False)


class CodeForm(forms.Form):
    name = forms.CharField(max_length=200)
    parent = forms.ModelChoiceField(queryset=Code.objects.none(), required=False, label="Under")
    kind = forms.ChoiceField(choices=[("", "By its place in the tree"), *CodeKind.choices], required=False)
    definition = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                                 label="Definition (the concept description)")
    inclusion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Include when")
    exclusion = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Exclude when")
    examples = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    colour = forms.CharField(max_length=7, required=False, widget=forms.TextInput(attrs={"type": "color"}))

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Code.objects.filter(study=study)  # type: ignore[attr-defined]


class CodeEditForm(CodeForm):
    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, study=study, **kwargs)
        del self.fields["parent"]


class CodingForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none())
    start = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(study=study, is_codable=True)  # type: ignore[attr-defined]


class TurnCodeForm(forms.Form):
    code = forms.ModelChoiceField(queryset=Code.objects.none())

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].queryset = Code.objects.filter(study=study, is_codable=True)  # type: ignore[attr-defined]


class TurnForm(forms.Form):
    participant = forms.ModelChoiceField(queryset=Participant.objects.none(), required=False)
    speaker = forms.CharField(max_length=120, required=False)

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = Participant.objects.filter(study=study)  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 24}), strip=False, label="Transcript text")


class MemoForm(forms.Form):
    title = forms.CharField(max_length=200, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Memo")
    document = forms.IntegerField(required=False, widget=forms.HiddenInput)
    code = forms.IntegerField(required=False, widget=forms.HiddenInput)
    coding = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(label="REFI-QDA project (.qdpx) or codebook (.qdc), or a QualCoder codebook (.txt)",
                           widget=forms.ClearableFileInput(attrs={"accept": ".qdpx,.qdc,.txt"}))


class VariableChoiceForm(forms.Form):
    variable = forms.ModelChoiceField(queryset=Variable.objects.none(), required=False, label="Attribute")

    def __init__(self, *args: Any, study: Study, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["variable"].queryset = Variable.objects.filter(study=study)  # type: ignore[attr-defined]
