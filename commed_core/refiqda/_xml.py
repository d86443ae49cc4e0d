"""Parsing untrusted XML with defusedxml, and small helpers shared by the reader and the validator."""

from __future__ import annotations

from xml.etree.ElementTree import Element  # the type only; parsing uses defusedxml

import defusedxml.ElementTree as safe_et
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from .model import RefiQdaError


def parse_untrusted(data: bytes, *, entry: str) -> Element:
    """Parse ``data`` with DTDs, entity declarations and external references all forbidden.

    REFI-QDA files never need a DTD, so any ``<!DOCTYPE`` is refused outright: this stops XXE,
    billion-laughs and quadratic-blowup payloads before a single entity is expanded.
    """
    if not data.strip():
        raise RefiQdaError(f"{entry} is empty, not XML")
    try:
        root: Element = safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DTDForbidden as exc:
        raise RefiQdaError(
            f"{entry} has a DTD (<!DOCTYPE {exc.name}>); REFI-QDA files never need one and DTDs carry entity "
            "attacks (XXE, billion laughs): refused"
        ) from exc
    except EntitiesForbidden as exc:
        raise RefiQdaError(
            f"{entry} declares an XML entity ({exc.name!r}): entity expansion is refused"
        ) from exc
    except ExternalReferenceForbidden as exc:
        raise RefiQdaError(
            f"{entry} refers to an external resource ({exc.sysid!r}): never fetched, refused"
        ) from exc
    except safe_et.ParseError as exc:
        raise RefiQdaError(f"{entry} is not well-formed XML: {exc}") from exc
    except (ValueError, UnicodeError) as exc:
        raise RefiQdaError(f"{entry} is not readable XML: {exc}") from exc
    return root


def local_name(tag: object) -> str:
    """``{urn:QDA-XML:project:1.0}Code`` -> ``Code``; comments and processing instructions -> ``""``."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
