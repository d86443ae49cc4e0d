"""XSD validation of REFI-QDA XML (Project.xsd / Codebook.xsd 1.0).

The schemas are not shipped with commed: they are read from ``schema_dir`` (default: the environment
variable ``COMMED_REFIQDA_SCHEMAS``, else ``../shared/external/schemas`` beside the checkout). The
validator is ``xmlschema`` (pure Python), imported only when a validation is asked for, so the product
does not need it to import or export; the document is parsed with defusedxml first and the parsed tree
handed to xmlschema, so untrusted input never reaches a non-hardened parser.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from ._xml import parse_untrusted
from .model import RefiQdaError
from .safezip import DEFAULT_LIMITS, SafeZip

_DEFAULT_DIR = Path(__file__).resolve().parents[2] / ".." / "shared" / "external" / "schemas"


def schema_dir() -> Path:
    configured = os.environ.get("COMMED_REFIQDA_SCHEMAS")
    return Path(configured) if configured else _DEFAULT_DIR


@lru_cache(maxsize=4)
def _schema(path: Path) -> Any:
    try:
        import xmlschema  # optional: only validation needs it
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RefiQdaError("XSD validation needs the 'xmlschema' package") from exc
    if not path.is_file():
        raise RefiQdaError(f"the REFI-QDA schema {path} is missing (set COMMED_REFIQDA_SCHEMAS)")
    return xmlschema.XMLSchema10(str(path))


def _validate(xml: bytes, xsd: str, directory: Path | None) -> list[str]:
    root = parse_untrusted(xml, entry=xsd.replace(".xsd", " XML"))
    schema = _schema((directory or schema_dir()).resolve() / xsd)
    return [f"{error.path}: {error.reason}" for error in schema.iter_errors(root)]


def validate_project_xml(xml: bytes, *, directory: Path | None = None) -> list[str]:
    """Errors of a ``project.qde`` document against Project.xsd (empty list: valid)."""
    return _validate(xml, "Project.xsd", directory)


def validate_codebook_xml(xml: bytes, *, directory: Path | None = None) -> list[str]:
    """Errors of a .qdc document against Codebook.xsd (empty list: valid)."""
    return _validate(xml, "Codebook.xsd", directory)


def validate_qdpx(data: bytes, *, directory: Path | None = None) -> list[str]:
    """Errors of the ``project.qde`` inside a .qdpx archive (opened with the usual zip limits)."""
    archive = SafeZip(data, DEFAULT_LIMITS)
    entry = archive.find("project.qde")
    if entry is None:
        raise RefiQdaError("the archive has no project.qde")
    return validate_project_xml(archive.read(entry), directory=directory)
