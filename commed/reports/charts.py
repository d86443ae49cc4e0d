"""Server-rendered SVG bar charts. No JavaScript and no inline styles (the CSP forbids them): presentation
attributes only. Every chart is shown next to a table of the same numbers, and the same SVG is downloadable.

Plain Python: no database, no Django.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Okabe-Ito colours: distinguishable with the common colour-vision deficiencies, and dark enough on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
LABEL_WIDTH = 220
BAR_AREA = 360
ROW = 22


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | None]


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    description: str
    labels: Sequence[str]
    series: Sequence[Series]
    note: str = ""
    own_scales: bool = False

    @property
    def columns(self) -> list[str]:
        return [s.name for s in self.series]

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        return [
            (label, ["suppressed" if s.values[i] is None else f"{s.values[i]:,}" for s in self.series])
            for i, label in enumerate(self.labels)
        ]

    @property
    def is_empty(self) -> bool:
        # A suppressed count (None) is something recorded, only not shown.
        return not any(v is None or v for s in self.series for v in s.values)


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def chart_svg(chart: Chart, *, fit: bool = False) -> str:
    """A horizontal grouped bar chart with a legend; the text alternative is the <title>, <desc> and table.

    `fit` makes it as wide as its container (inline on a page); otherwise it has a fixed size (the download).
    Each series has its own scale when `chart.own_scales` (e.g. a count next to people reached)."""
    groups = max(len(chart.labels), 1)
    per_group = max(len(chart.series), 1)
    group_height = per_group * ROW * 0.8 + 10
    legend_height = 20 if len(chart.series) > 1 else 0
    height = int(groups * group_height + legend_height + 24)
    width = LABEL_WIDTH + BAR_AREA + 60
    overall = max((v or 0 for s in chart.series for v in s.values), default=0) or 1
    peaks = [(max((v or 0 for v in s.values), default=0) or 1) if chart.own_scales else overall for s in chart.series]
    ident = f"chart-{escape(chart.key)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{ident}-title {ident}-desc" '
        + ('width="100%" ' if fit else f'width="{width}" height="{height}" ')
        + f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)} The table beside the chart gives the same '
        "numbers.</desc>",
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#FFFFFF"/>',
    ]
    y = 4.0
    for index, label in enumerate(chart.labels):
        name = label if len(label) <= 34 else label[:33] + "\u2026"
        parts.append(f'<text x="0" y="{_num(y + group_height / 2)}" font-size="12" fill="#222222">'
                     f"{escape(name)}</text>")
        for number, series in enumerate(chart.series):
            value = series.values[index]
            bar_y = y + number * ROW * 0.8
            colour = PALETTE[number % len(PALETTE)]
            if value is None:
                parts.append(f'<text x="{LABEL_WIDTH}" y="{_num(bar_y + 12)}" font-size="11" fill="#444444">'
                             "suppressed (fewer than 5)</text>")
                continue
            bar = BAR_AREA * value / peaks[number]
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{_num(bar_y)}" width="{_num(max(bar, 1 if value else 0))}" '
                f'height="{_num(ROW * 0.8 - 3)}" fill="{colour}"><title>{escape(label)}, {escape(series.name)}: '
                f"{value:,}</title></rect>"
            )
            parts.append(f'<text x="{_num(LABEL_WIDTH + bar + 4)}" y="{_num(bar_y + 12)}" font-size="11" '
                         f'fill="#222222">{value:,}</text>')
        y += group_height
    if legend_height:
        x = float(LABEL_WIDTH)
        for number, series in enumerate(chart.series):
            colour = PALETTE[number % len(PALETTE)]
            parts.append(f'<rect x="{_num(x)}" y="{_num(y + 4)}" width="12" height="12" fill="{colour}"/>')
            parts.append(f'<text x="{_num(x + 16)}" y="{_num(y + 14)}" font-size="11" fill="#222222">'
                         f"{escape(series.name)}</text>")
            x += 24 + 7 * len(series.name)
    parts.append("</svg>")
    return "".join(parts)
