"""The qualitative-analysis workspace: studies, the participant register, documents, codebook, codings, memos.

Offsets (`start`, `end`) are Unicode code points of `Document.text`, end exclusive, as REFI-QDA plain-text
selections. A coding keeps its quote and some context so it can be re-anchored when the transcript is corrected.
The link from a participant code to a real person (`ParticipantIdentity`) and the pseudonymisation log
(`PseudonymisationLog`) are separate tables, shown to the study owner only and never exported.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def new_guid() -> str:
    return str(uuid.uuid4())


class Study(models.Model):
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_studies")
    guid = models.CharField(max_length=36, default=new_guid)
    created_at = models.DateTimeField()
    # Off by default: research data stays with the researchers unless the owner shares the study's themes (names
    # and counts of documents and speakers, never quotes) with the profiles of the localities linked below.
    share_themes = models.BooleanField(default=False, help_text="Show the study's themes on linked locality profiles")

    class Meta:
        ordering = ("title",)
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.title


class StudyLocality(models.Model):
    """A health locality (``health.Locality``) the study is about.

    ``locality_id`` is a plain integer, as the health app keeps its links to other apps, so that the two apps'
    migrations stay independent.
    """

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="locality_links")
    locality_id = models.PositiveIntegerField()

    class Meta:
        ordering = ("study", "locality_id")
        constraints = (models.UniqueConstraint(fields=("study", "locality_id"), name="qual_study_locality_unique"),)
        indexes = (models.Index(fields=("locality_id", "study"), name="qual_locality_study"),)

    def __str__(self) -> str:
        return f"{self.study} in locality {self.locality_id}"


class StudyMember(models.Model):
    """A researcher who may see the study; `can_code` if the owner chose them to code; `blind` hides others' codings."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_memberships")
    can_code = models.BooleanField(default=True)
    blind = models.BooleanField(default=False)
    added_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("study", "user"), name="qual_member_unique"),)
        ordering = ("study", "user")

    def __str__(self) -> str:
        return f"{self.user} in {self.study}"


class Coder(models.Model):
    """Who made codings in this study: a commed user, or a user of another tool brought in by a REFI-QDA import."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="coders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    name = models.CharField(max_length=200)
    guid = models.CharField(max_length=36, default=new_guid)

    class Meta:
        ordering = ("name",)
        constraints = (models.UniqueConstraint(fields=("study", "guid"), name="qual_coder_guid"),)

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    """A pseudonymous code in the study's register (2P14, 1P05, C01). Attributes are `ParticipantValue` rows."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="participants")
    code = models.CharField(max_length=40)
    guid = models.CharField(max_length=36, default=new_guid)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("code",)
        constraints = (models.UniqueConstraint(fields=("study", "code"), name="qual_participant_code"),)

    def __str__(self) -> str:
        return self.code


class ParticipantIdentity(models.Model):
    """The real person behind a code. Held apart; visible to the study owner only; never exported."""

    participant = models.OneToOneField(Participant, on_delete=models.CASCADE, related_name="identity")
    real_name = models.CharField(max_length=200)
    other_names = models.CharField(max_length=500, blank=True,
                                   help_text="Other names the person is called by, comma separated")
    contact = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"identity of {self.participant}"


class Variable(models.Model):
    """An attribute of participants (role, sector, focus group, partner organisation, or any custom variable)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="variables")
    name = models.CharField(max_length=120)
    type = models.CharField(max_length=10, default="Text")
    description = models.TextField(blank=True)
    guid = models.CharField(max_length=36, default=new_guid)

    class Meta:
        ordering = ("name",)
        constraints = (models.UniqueConstraint(fields=("study", "name"), name="qual_variable_name"),)

    def __str__(self) -> str:
        return self.name


class ParticipantValue(models.Model):
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="values")
    variable = models.ForeignKey(Variable, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=500)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("participant", "variable"), name="qual_value_unique"),)
        indexes = (models.Index(fields=("variable", "participant"), name="qual_value_var"),)

    def __str__(self) -> str:
        return f"{self.variable_id}={self.value}"


class Document(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="documents")
    name = models.CharField(max_length=300)
    text = models.TextField()
    source_format = models.CharField(max_length=20, default="text")
    encoding = models.CharField(max_length=40, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="documents", help_text="The interviewee, for one-to-one interviews")
    guid = models.CharField(max_length=36, default=new_guid)
    version = models.PositiveIntegerField(default=1)
    imported_at = models.DateTimeField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ("name",)
        constraints = (models.UniqueConstraint(fields=("study", "guid"), name="qual_document_guid"),)

    def __str__(self) -> str:
        return self.name


class PseudonymisationLog(models.Model):
    """Every replacement made on import (original name, code, offsets in the original text). Owner only."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="pseudonymisation_log")
    entries = models.JSONField(default=list)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"pseudonymisation log of document {self.document_id}"


class Turn(models.Model):
    """A speaker turn: `document.text[start:end]`; its text is copied here for full-text search (FTS5 / GIN)."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="turns")
    index = models.PositiveIntegerField()
    speaker = models.CharField(max_length=120, blank=True)
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="turns")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    time = models.FloatField(null=True, blank=True)
    text = models.TextField()

    class Meta:
        ordering = ("document", "index")
        indexes = (models.Index(fields=("document", "start"), name="qual_turn_doc_start"),)

    def __str__(self) -> str:
        return f"{self.document} turn {self.index + 1}"


class CodeKind(models.TextChoices):
    THEME = "theme", "Theme"
    CONCEPT = "concept", "Concept"
    CODE = "code", "Code"


class Code(models.Model):
    """A node of the codebook: themes > concepts > codes. `theme` is the root ancestor, kept for aggregates."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    theme = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=10, choices=CodeKind.choices, default=CodeKind.CODE)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    inclusion = models.TextField(blank=True)
    exclusion = models.TextField(blank=True)
    examples = models.TextField(blank=True)
    colour = models.CharField(max_length=7, blank=True)
    is_codable = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    guid = models.CharField(max_length=36, default=new_guid)

    class Meta:
        ordering = ("position", "name")
        constraints = (models.UniqueConstraint(fields=("study", "guid"), name="qual_code_guid"),)

    def __str__(self) -> str:
        return self.name


class AnchorStatus(models.TextChoices):
    OK = "ok", "Anchored"
    FUZZY = "fuzzy", "Re-anchored approximately"
    ORPHANED = "orphaned", "Could not be re-anchored"


class Coding(models.Model):
    """A code applied to `document.text[start:end]` by one coder, with the quote and its context for re-anchoring."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(Coder, on_delete=models.PROTECT, related_name="codings")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    quote = models.TextField()
    before = models.CharField(max_length=64, blank=True)
    after = models.CharField(max_length=64, blank=True)
    # The turn in which the coding starts, and that turn's participant (or the document's): for matrices.
    turn = models.ForeignKey(Turn, null=True, blank=True, on_delete=models.SET_NULL, related_name="codings")
    participant = models.ForeignKey(Participant, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="codings")
    status = models.CharField(max_length=10, choices=AnchorStatus.choices, default=AnchorStatus.OK)
    guid = models.CharField(max_length=36, default=new_guid)
    selection_guid = models.CharField(max_length=36, default=new_guid)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("document", "start", "end")
        indexes = (
            # Covering indexes for the matrices: code-by-attribute groups on (code, participant); co-occurrence
            # scans the first and looks partners up in the second (study, turn, code).
            models.Index(fields=("study", "code", "participant", "turn"), name="qual_coding_code_part"),
            models.Index(fields=("study", "turn", "code"), name="qual_coding_turn_code"),
            models.Index(fields=("document", "start"), name="qual_coding_doc_start"),
            models.Index(fields=("code", "coder"), name="qual_coding_code_coder"),
        )

    def __str__(self) -> str:
        return f"{self.code} in {self.document} [{self.start}:{self.end}]"


class Memo(models.Model):
    """A memo on a document, a code or a coded segment (exactly one of the three), or on the study."""

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memos")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    code = models.ForeignKey(Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    coding = models.ForeignKey(Coding, null=True, blank=True, on_delete=models.CASCADE, related_name="memos")
    title = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    guid = models.CharField(max_length=36, default=new_guid)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.title or self.text[:40]


class ThemeQuote(models.Model):
    """An illustrative quote chosen for the themes table: a coding shown under a concept (or theme)."""

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="quotes")
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ("position", "id")
        constraints = (models.UniqueConstraint(fields=("code", "coding"), name="qual_quote_unique"),)

    def __str__(self) -> str:
        return f"quote {self.coding_id} for {self.code_id}"
