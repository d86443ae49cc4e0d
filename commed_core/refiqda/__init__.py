"""REFI-QDA import and export: exchange coded projects with NVivo, ATLAS.ti, MAXQDA, QualCoder, Taguette.

Public API (plain dataclasses, no Django)::

    read_project(data: bytes, *, limits=DEFAULT_LIMITS) -> Project        # .qdpx (zip)
    write_project(project: Project) -> bytes                             # .qdpx
    read_codebook(data: bytes) -> Codebook                               # .qdc (XML)
    write_codebook(codebook: Codebook) -> bytes                          # .qdc
    validate_project_xml(xml: bytes) -> list[str]                        # XSD errors, needs xmlschema
    validate_codebook_xml(xml: bytes) -> list[str]
    read_codebook_text(data: bytes, filename: str) -> Codebook         # QualCoder's plain-text codebook

Every failure raises :class:`RefiQdaError` (a ``ValueError``) naming the zip entry, element and GUID,
and nothing half-built is returned. What was imported with a deviation from the standard, and what
could not be kept, is in ``project.report`` (REFI-QDA 1.5 section 7). See README.md in this folder
for the rules (positions, line endings, GUIDs, paths, limits).
"""

from .model import (
    Case,
    Code,
    Codebook,
    Coding,
    ImportReport,
    Link,
    Note,
    OtherSource,
    Project,
    RefiQdaError,
    Selection,
    Set,
    TextSource,
    User,
    Variable,
    VariableValue,
)
from .plaintext import read_codebook_text
from .reader import read_codebook, read_project
from .safezip import DEFAULT_LIMITS, ZipLimits
from .validate import validate_codebook_xml, validate_project_xml, validate_qdpx
from .writer import codebook_xml, project_xml, write_codebook, write_project

__all__ = [
    "DEFAULT_LIMITS",
    "Case",
    "Code",
    "Codebook",
    "Coding",
    "ImportReport",
    "Link",
    "Note",
    "OtherSource",
    "Project",
    "RefiQdaError",
    "Selection",
    "Set",
    "TextSource",
    "User",
    "Variable",
    "VariableValue",
    "ZipLimits",
    "codebook_xml",
    "project_xml",
    "read_codebook",
    "read_codebook_text",
    "read_project",
    "validate_codebook_xml",
    "validate_project_xml",
    "validate_qdpx",
    "write_codebook",
    "write_project",
]
