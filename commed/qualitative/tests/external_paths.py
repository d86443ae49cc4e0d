"""Where the real files of other tools are (../shared/external, see its INDEX.md); tests read them there."""

from pathlib import Path

EXTERNAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "external"
REFI_QDA = EXTERNAL / "refi-qda"
