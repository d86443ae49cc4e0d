"""Re-anchoring codings after a transcript is corrected: see :mod:`commed_core.anchoring.reanchor`."""

from commed_core.anchoring.reanchor import (
    CONTEXT_CHARS,
    CONTEXT_THRESHOLD,
    FUZZY_THRESHOLD,
    UNIQUE_QUOTE_MIN,
    Anchor,
    AnchorResult,
    AnchorStatus,
    reanchor,
)

__all__ = [
    "CONTEXT_CHARS",
    "CONTEXT_THRESHOLD",
    "FUZZY_THRESHOLD",
    "UNIQUE_QUOTE_MIN",
    "Anchor",
    "AnchorResult",
    "AnchorStatus",
    "reanchor",
]
