"""Benchmark of commed_core.transcripts: reading, turn detection and pseudonymisation.

Run: .venv/bin/python bench/transcripts.py [--quick]

Every figure is a ratio against a baseline measured in the same run on the same input:
- read .txt        vs  bytes.decode("utf-8") + str.splitlines()       (cost of detection, normalising, turns)
- read .docx       vs  python-docx paragraphs joined, no checks        (cost of the zip/XML guard + tables)
- detect_turns     vs  one naive regex  ^[^:\\n]{1,40}:  over the text  (cost of the label rules)
- pseudonymise     vs  one re.sub per name, longest first             (the obvious loop, no log, no offsets)
Inputs: the 12 Sheffield ORDA interviews (../shared/external/transcripts/sheffield-orda) and a synthetic
transcript of about 5 MB made by repeating them, with a register of 15 and of 500 names.
"""

from __future__ import annotations

import io
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

import docx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from commed_core.transcripts import detect_turns, pseudonymise, read_document  # noqa: E402

SHEFFIELD = ROOT / ".." / "shared" / "external" / "transcripts" / "sheffield-orda"


def best_of_pair(ours: Callable[[], object], base: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Minimum time of each, the two alternating so that load changes on the machine hit both alike."""
    t_ours: list[float] = []
    t_base: list[float] = []
    for _ in range(repeats):
        for fn, times in ((ours, t_ours), (base, t_base)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return min(t_ours), min(t_base)


def naive_pseudonymise(text: str, register: dict[str, str]) -> str:
    for name in sorted(register, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(name)}\b", f"[{register[name]}]", text, flags=re.IGNORECASE)
    return text


def main() -> None:
    quick = "--quick" in sys.argv
    repeats = 3 if quick else 7
    txts = [(p.name, p.read_bytes()) for p in sorted(SHEFFIELD.glob("*.txt"))]
    docxs = [
        (p.name, p.read_bytes()) for p in sorted(SHEFFIELD.glob("*.docx")) if not p.name.startswith("Readme")
    ]
    corpus = "\n".join(data.decode("utf-8") for _, data in txts)
    big = corpus * (2 if quick else max(1, 5_000_000 // len(corpus)))
    register15 = {
        stem: f"P{i:02d}"
        for i, stem in enumerate(
            [
                "Ana",
                "David",
                "Jessica",
                "Kelly",
                "Lisa",
                "Michelle",
                "Pauline",
                "Penni",
                "Peter",
                "Robert",
                "Sam",
                "Stephen",
                "Bruce",
                "Jamie",
                "Jim",
            ]
        )
    }
    register500 = dict(register15)
    register500.update({f"Name{i} Surname{i}": f"X{i:03d}" for i in range(485)})

    rows: list[tuple[str, float, float, str]] = []

    def measure(label: str, ours: Callable[[], object], base: Callable[[], object], base_name: str) -> None:
        t_ours, t_base = best_of_pair(ours, base, repeats)
        rows.append((label, t_ours, t_base, base_name))

    measure(
        f"read_document, {len(txts)} .txt ({sum(len(d) for _, d in txts) // 1024} KiB)",
        lambda: [read_document(d, n) for n, d in txts],
        lambda: [d.decode("utf-8").splitlines() for _, d in txts],
        "decode+splitlines",
    )
    measure(
        f"read_document, {len(docxs)} .docx",
        lambda: [read_document(d, n) for n, d in docxs],
        lambda: ["\n".join(p.text for p in docx.Document(io.BytesIO(d)).paragraphs) for _, d in docxs],
        "python-docx paragraphs",
    )
    naive_label = re.compile(r"^[^:\n]{1,40}:", re.MULTILINE)
    measure(
        f"detect_turns, {len(big) / 1e6:.1f} M chars",
        lambda: detect_turns(big),
        lambda: list(naive_label.finditer(big)),
        "naive label regex",
    )
    measure(
        f"pseudonymise, 15 names, {len(big) / 1e6:.1f} M chars",
        lambda: pseudonymise(big, register15),
        lambda: naive_pseudonymise(big, register15),
        "re.sub per name",
    )
    measure(
        f"pseudonymise, 500 names, {len(corpus) / 1e6:.2f} M chars",
        lambda: pseudonymise(corpus, register500),
        lambda: naive_pseudonymise(corpus, register500),
        "re.sub per name",
    )
    print(f"{'measure':<48} {'ours (s)':>10} {'baseline (s)':>13} {'ratio':>7}  baseline")
    for label, ours, base, base_name in rows:
        print(f"{label:<48} {ours:>10.4f} {base:>13.4f} {ours / base:>7.2f}  {base_name}")


if __name__ == "__main__":
    main()
