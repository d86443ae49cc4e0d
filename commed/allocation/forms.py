from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django import forms

from commed.accounts.models import User
from commed.allocation.rules import DEFAULT_TIME_LIMIT, OBJECTIVES, RunRules
from commed.allocation.selectors import Applicant, DetailQuestions
from commed.partners.models import Contact, Organisation
from commed.programmes.models import Locality, Project


class PreferencesForm(forms.Form):
    """Choice 1, choice 2, ...: one select per position, so it works without JavaScript and with a keyboard."""

    def __init__(self, *args: Any, options: list[Project], initial_projects: list[Project], max_choices: int,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = {str(p.pk): p for p in options}
        choices = [("", "(none)"), *((str(p.pk), p.title) for p in options)]
        for n in range(1, min(max_choices, len(options)) + 1):
            initial = str(initial_projects[n - 1].pk) if n <= len(initial_projects) else ""
            self.fields[f"choice_{n}"] = forms.ChoiceField(label=f"Choice {n}", choices=choices, required=False,
                                                           initial=initial)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen: list[Project] = []
        gap = ""
        for name in self.fields:
            value = data.get(name) or ""
            if not value:
                gap = gap or str(self.fields[name].label)
                continue
            if gap:
                self.add_error(name, f"{gap} is empty; fill the choices in order.")
            project = self.options[value]
            if project in chosen:
                self.add_error(name, f"{project.title} is already chosen.")
            chosen.append(project)
        data["projects"] = chosen
        return data


class ImportPreferencesForm(forms.Form):
    file = forms.FileField(label="CSV or Excel file", help_text="Columns: student e-mail, choice 1, choice 2 ... "
                           "and optionally locality, gender, ethnicity, attributes (name=value; name=value).")


def _parse_languages(text: str) -> dict[str, int]:
    out: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        code, _, count = part.partition(":")
        code = code.strip().lower()
        if not re.fullmatch(r"[a-z]{2,3}", code):
            raise forms.ValidationError(f"{part!r}: write a language code such as so or bn, then :1")
        try:
            out[code] = int(count.strip() or "1")
        except ValueError:
            raise forms.ValidationError(f"{part!r}: the number of speakers must be a whole number") from None
    return out


class ProjectSettingForm(forms.Form):
    min_size = forms.IntegerField(label="Minimum", min_value=0, max_value=100)
    max_size = forms.IntegerField(label="Maximum", min_value=1, max_value=100)
    may_close = forms.BooleanField(label="May close", required=False)
    languages = forms.CharField(label="Languages needed", required=False, max_length=200,
                                help_text="e.g. so:1, bn:1 (code: speakers needed)")

    def clean_languages(self) -> dict[str, int]:
        return _parse_languages(self.cleaned_data.get("languages") or "")


def _lines(text: str) -> list[tuple[int, list[str]]]:
    return [(n, [part.strip() for part in re.split(r"[,;]", line) if part.strip()])
            for n, line in enumerate(text.splitlines(), start=1) if line.strip()]


class RunForm(forms.Form):
    objective = forms.ChoiceField(choices=OBJECTIVES, initial="rank_cost")
    no_isolation = forms.MultipleChoiceField(
        label="Nobody the only one in their group by", required=False, widget=forms.CheckboxSelectMultiple,
        help_text="For each attribute ticked, a value present in a group is held by at least two of its members.")
    same_locality = forms.BooleanField(label="Students only go to projects in their own locality", required=False)
    partner_capacity = forms.BooleanField(label="Respect each partner's yearly capacity", required=False,
                                          initial=True)
    fallback_rank = forms.IntegerField(
        label="Place students in projects they did not rank, counted as this choice", required=False, min_value=1,
        max_value=20, help_text="Leave empty to place students only in projects they ranked.")
    together = forms.CharField(label="Keep together", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text="One group per line: student e-mails separated by commas.")
    apart = forms.CharField(label="Keep apart", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="One pair per line: two student e-mails separated by a comma.")
    locked = forms.CharField(label="Fixed placements", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="One per line: student e-mail, project title.")
    rank_costs = forms.CharField(
        label="Your own cost of a 1st, 2nd, 3rd ... choice", required=False, max_length=300,
        help_text="Only for the rank cost objective, e.g. 0, 3, 4, 10: whole numbers, each more than the one "
                  "before; later choices go on rising by the last step. Leave empty for 1, 4, 9, 16 ...")
    time_limit = forms.IntegerField(label="Time limit (seconds)", min_value=5, max_value=600,
                                    initial=int(DEFAULT_TIME_LIMIT))

    def __init__(self, *args: Any, attributes: list[str], students: list[User], projects: list[Project],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        no_isolation = self.fields["no_isolation"]
        if isinstance(no_isolation, forms.MultipleChoiceField):
            no_isolation.choices = [(a, a) for a in attributes]
        self.students = {s.email.lower(): s for s in students}
        self.projects = {p.title.strip().lower(): p for p in projects}

    def _student(self, field: str, line: int, email: str) -> int | None:
        student = self.students.get(email.lower())
        if student is None:
            self.add_error(field, f"Line {line}: {email} is not a student of this cohort.")
            return None
        return student.pk

    def clean_rank_costs(self) -> tuple[int, ...] | None:
        text = (self.cleaned_data.get("rank_costs") or "").strip()
        if not text:
            return None
        costs: list[int] = []
        for n, part in enumerate((p.strip() for p in re.split(r"[,;\s]+", text) if p.strip()), start=1):
            if not re.fullmatch(r"\d{1,6}", part):
                raise forms.ValidationError(f"Choice {n}: {part!r} is not a whole number of 0 or more.")
            if costs and int(part) <= costs[-1]:
                raise forms.ValidationError(
                    f"Choice {n} must cost more than choice {n - 1} ({costs[-1]}), or a student could be given a "
                    "lower choice for nothing.")
            costs.append(int(part))
        if len(costs) > 100:
            raise forms.ValidationError("Give at most 100 costs.")
        return tuple(costs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("rank_costs") is not None and data.get("objective") != "rank_cost":
            self.add_error("rank_costs", "Your own costs apply to the rank cost objective only; clear them or "
                                         "choose that objective.")
        together: list[tuple[int, ...]] = []
        for line, parts in _lines(data.get("together") or ""):
            ids = [self._student("together", line, email) for email in parts]
            if len(parts) < 2:
                self.add_error("together", f"Line {line}: name at least two students.")
            elif all(ids):
                together.append(tuple(i for i in ids if i is not None))
        apart: list[tuple[int, int]] = []
        for line, parts in _lines(data.get("apart") or ""):
            if len(parts) != 2:
                self.add_error("apart", f"Line {line}: name exactly two students.")
                continue
            a, b = (self._student("apart", line, email) for email in parts)
            if a is not None and b is not None:
                apart.append((a, b))
        locked: dict[int, int] = {}
        for line, raw in enumerate((data.get("locked") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            email, sep, title = raw.partition(",")
            if not sep:
                self.add_error("locked", f"Line {line}: write the student's e-mail, a comma, then the project title.")
                continue
            pk = self._student("locked", line, email.strip())
            project = self.projects.get(title.strip().lower())
            if project is None:
                self.add_error("locked", f"Line {line}: no project called {title.strip()!r} is open in this cohort.")
            elif pk is not None:
                locked[pk] = project.pk
        data["rules"] = RunRules(
            no_isolation=tuple(data.get("no_isolation") or ()), same_locality=bool(data.get("same_locality")),
            partner_capacity=bool(data.get("partner_capacity")), together=tuple(together), apart=tuple(apart),
            locked=locked, fallback_rank=data.get("fallback_rank"), objective=data.get("objective") or "rank_cost",
            time_limit=float(data.get("time_limit") or DEFAULT_TIME_LIMIT), rank_costs=data.get("rank_costs"),
        )
        return data


def rules_initial(rules: RunRules, students: dict[int, User], projects: dict[int, Project]) -> dict[str, Any]:
    """The form's initial values from a previous run's rules (so a new run starts from the last one)."""
    def email(pk: int) -> str:
        return students[pk].email if pk in students else ""

    return {
        "objective": rules.objective, "no_isolation": list(rules.no_isolation), "same_locality": rules.same_locality,
        "partner_capacity": rules.partner_capacity, "fallback_rank": rules.fallback_rank,
        "together": "\n".join(", ".join(email(s) for s in group) for group in rules.together),
        "apart": "\n".join(f"{email(a)}, {email(b)}" for a, b in rules.apart),
        "locked": "\n".join(f"{email(s)}, {projects[p].title}" for s, p in rules.locked.items() if p in projects),
        "time_limit": int(rules.time_limit),
        "rank_costs": ", ".join(str(c) for c in rules.rank_costs) if rules.rank_costs is not None else "",
    }


class MoveForm(forms.Form):
    student = forms.TypedChoiceField(coerce=int)
    project = forms.TypedChoiceField(label="Move to", coerce=int, empty_value=None, required=False)
    confirm = forms.BooleanField(label="I have read what this move breaks and costs; make the move", required=False)

    def __init__(self, *args: Any, students: list[tuple[int, str]], projects: list[tuple[int, str]],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        student = self.fields["student"]
        project = self.fields["project"]
        if isinstance(student, forms.ChoiceField) and isinstance(project, forms.ChoiceField):
            student.choices = [("", "Choose a student"), *sorted(students, key=lambda s: s[1])]
            project.choices = [("", "(no project: unassign)"), *sorted(projects, key=lambda p: p[1])]


class RerunForm(forms.Form):
    students = forms.TypedMultipleChoiceField(label="Keep these students where they are", coerce=int,
                                              required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, students: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["students"]
        if isinstance(field, forms.ChoiceField):
            field.choices = students


class PublishForm(forms.Form):
    confirm = forms.BooleanField(label="Make these the cohort's groups (students leave their current groups)")


class PartnerRankingForm(forms.Form):
    """One rank box per student who chose the partner: a plain number input, so it works without JavaScript.
    A blank box leaves the student unranked. Whether the ranks run 1, 2, 3 ... is for the service to check."""

    def __init__(self, *args: Any, applicants: Sequence[Applicant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.applicants = {f"rank_{a.student.pk}": a for a in applicants}
        for name, applicant in self.applicants.items():
            self.fields[name] = forms.IntegerField(
                label=f"Rank of {applicant.name}", required=False, min_value=1, max_value=32767,
                initial=applicant.rank,
                error_messages={
                    "invalid": f"{applicant.name}: write the rank as a whole number.",
                    "min_value": f"{applicant.name}: a rank is a whole number from 1.",
                    "max_value": f"{applicant.name}: that rank is too large.",
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "rank-input"}),
            )

    def rows(self) -> list[tuple[Applicant, forms.BoundField]]:
        return [(applicant, self[name]) for name, applicant in self.applicants.items()]

    def ranks(self) -> list[tuple[User, int]]:
        return [(self.applicants[name].student, int(value)) for name, value in self.cleaned_data.items()
                if name in self.applicants and value is not None]


class RankingLinkForm(forms.Form):
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), label="Contact")
    days = forms.IntegerField(label="Days the link works", min_value=1, max_value=366, initial=30, required=False)

    def __init__(self, *args: Any, organisations: Iterable[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = Contact.objects.filter(organisation__in=list(organisations)).select_related(
                "organisation")


class AttributeQuestionsForm(forms.Form):
    questions = forms.CharField(
        label="Questions", required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One attribute per line: its name, a colon, then the answers offered, separated by commas, e.g. "
                  "gender: Female, Male, Non-binary. Leave empty to ask nothing beyond locality and languages.")

    def clean_questions(self) -> list[tuple[str, list[str]]]:
        out: list[tuple[str, list[str]]] = []
        for n, raw in enumerate((self.cleaned_data.get("questions") or "").splitlines(), start=1):
            if not raw.strip():
                continue
            name, sep, answers = raw.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(f"Line {n}: write the attribute, a colon, then the answers separated "
                                            "by commas (e.g. gender: Female, Male, Non-binary).")
            out.append((name.strip(), [a.strip() for a in answers.split(",") if a.strip()]))
        return out


class StudentDetailForm(forms.Form):
    """About a student, for group allocation: placement locality, the languages the cohort's projects need, and
    each attribute of the no-isolation rule (a value in use in the cohort, or prefer not to say). Every answer
    is optional."""

    def __init__(self, *args: Any, questions: DetailQuestions, cohort_name: str, locality: Locality | None,
                 languages: Iterable[str], attributes: Mapping[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        self.fields["locality"] = forms.ModelChoiceField(
            label="Placement locality", required=False, empty_label="Not stated",
            queryset=Locality.objects.filter(pk__in=[loc.pk for loc in questions.localities]).order_by("name"),
            initial=locality.pk if locality is not None else None,
            error_messages={"invalid_choice": f"Placement locality: choose one of the localities of {cohort_name}."})
        spoken = set(languages)
        if questions.languages:
            self.fields["languages"] = forms.MultipleChoiceField(
                label="Languages you speak", required=False, widget=forms.CheckboxSelectMultiple,
                choices=questions.languages, initial=[code for code, _ in questions.languages if code in spoken],
                error_messages={"invalid_choice": "Languages: %(value)s is not a language the projects need."})
        self.attribute_fields: dict[str, str] = {}
        for n, (name, values) in enumerate(questions.attributes, start=1):
            label = name[:1].upper() + name[1:]
            self.attribute_fields[f"attribute_{n}"] = name
            self.fields[f"attribute_{n}"] = forms.ChoiceField(
                label=label, required=False, choices=[("", "Prefer not to say"), *((v, v) for v in values)],
                initial=attributes.get(name, ""),
                error_messages={"invalid_choice": f"{label}: choose one of the values listed, or prefer not to "
                                                  "say."})

    def attribute_rows(self) -> list[forms.BoundField]:
        return [self[name] for name in self.attribute_fields]

    def chosen_attributes(self) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(field) or "") for field, name in self.attribute_fields.items()}

    def chosen_languages(self) -> dict[str, bool] | None:
        if "languages" not in self.fields:
            return None
        spoken = set(self.cleaned_data.get("languages") or ())
        return {code: code in spoken for code, _ in self.questions.languages}
