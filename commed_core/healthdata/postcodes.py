"""UK postcodes in the three forms ONS lookups carry them.

- ``pcds``: the "natural" form, outward code, one space, inward code: ``"SE6 4RU"``, ``"E1 6AN"``;
- ``pcd7``: 7 characters, outward code left-aligned in 4 then the inward code: ``"SE6 4RU"``, ``"E1  6AN"``,
  ``"SW1A1AA"`` (no space when the outward code has 4 characters);
- ``pcd8``: 8 characters, outward code left-aligned in 4, a space, the inward code: ``"SE6  4RU"``,
  ``"SW1A 1AA"``.

(ONS Postcode Directory user guide, "Postcode formats".)
"""

from __future__ import annotations

import re

__all__ = ["normalise_postcode", "postcode_pcd7", "postcode_pcd8"]

# Outward code: area (1-2 letters), district (digit, then an optional digit or letter); inward: digit + 2
# letters.
_POSTCODE = re.compile(r"[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}")


def normalise_postcode(postcode: str) -> str:
    """The ``pcds`` form of any spelling of a postcode: ``normalise_postcode("se6 4rU") == "SE6 4RU"``.

    Spaces anywhere are ignored (so pcd7 and pcd8 forms normalise too) and letters are upper-cased. Raises
    ``ValueError`` when what is left is not shaped like a UK postcode.
    """
    compact = "".join(postcode.split()).upper()
    if not _POSTCODE.fullmatch(compact):
        raise ValueError(f"not a UK postcode: {postcode!r}")
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_pcd7(postcode: str) -> str:
    """The 7-character ``pcd7`` form (ONS lookups' first column)."""
    outward, inward = normalise_postcode(postcode).split(" ")
    return f"{outward:<4}{inward}" if len(outward) < 4 else f"{outward}{inward}"


def postcode_pcd8(postcode: str) -> str:
    """The 8-character ``pcd8`` form."""
    outward, inward = normalise_postcode(postcode).split(" ")
    return f"{outward:<4} {inward}"
