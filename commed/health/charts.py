"""Server-side SVG geometry for the spine chart (drawn by ``health/_spine.svg.html`` with presentation
attributes only: the CSP forbids inline styles)."""

from __future__ import annotations

from dataclasses import dataclass

from commed.health.selectors import IndicatorRow

WIDTH = 320  # the spine's width in SVG units
LABEL = 300  # room for the indicator's name on the left
ROW = 24
# Fingertips' colours: better, similar, worse, higher/lower (BOB), not compared.
FILL = {
    "better": "#92D050",
    "similar": "#FFC000",
    "worse": "#C00000",
    "higher": "#3260C4",
    "lower": "#BED2FF",
    "not compared": "#FFFFFF",
}


@dataclass(frozen=True)
class SpineRow:
    y: float
    label: str
    title: str
    worst_x: float
    range_width: float
    q25_x: float
    iqr_width: float
    local_x: float
    fill: str


@dataclass(frozen=True)
class SpineChart:
    rows: list[SpineRow]
    width: int
    height: int
    label_width: int
    spine_width: int
    centre_x: float


def spine_chart(indicators: list[IndicatorRow]) -> SpineChart:
    rows: list[SpineRow] = []
    for row in indicators:
        if row.spine is None:
            continue
        y = len(rows) * ROW + 8
        s = row.spine
        name = row.name if len(row.name) <= 44 else row.name[:43] + "…"
        title = (
            f"{row.name}, {row.area_name} {row.period}: {row.value:,.4g}, England {row.england:,.4g}, "
            f"{row.comparison}; range of {int(s['areas'])} {row.area_type} areas"
        )
        rows.append(
            SpineRow(
                y=y,
                label=f"{name} ({row.area_name})" if len(name) < 30 else name,
                title=title,
                worst_x=LABEL + s["worst"] * WIDTH,
                range_width=(s["best"] - s["worst"]) * WIDTH,
                q25_x=LABEL + s["q25"] * WIDTH,
                iqr_width=(s["q75"] - s["q25"]) * WIDTH,
                local_x=LABEL + s["local"] * WIDTH,
                fill=FILL.get(row.comparison, "#FFFFFF"),
            )
        )
    return SpineChart(rows, LABEL + WIDTH + 10, max(len(rows), 1) * ROW + 16, LABEL, WIDTH, LABEL + WIDTH / 2)
