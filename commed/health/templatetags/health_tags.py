from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, places: int = 1) -> str:
    """0.2345 -> '23.5%'; None -> 'n/a'."""
    if value is None:
        return "n/a"
    return f"{value * 100:.{places}f}%"


@register.filter
def num(value: float | None) -> str:
    """A value as Fingertips shows it: 4 significant figures, thousands separated; None -> '-'."""
    if value is None:
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


@register.filter
def svgnum(value: float) -> str:
    """A coordinate for an SVG attribute: always a dot decimal, whatever the locale."""
    return f"{value:.1f}"


@register.inclusion_tag("health/_need_evidence.html")
def need_evidence(project_id: int) -> dict[str, object]:
    """The indicators and profiles a project cites, for the plan's "need" section: {% need_evidence project.pk %}."""
    from commed.health.selectors import evidence_for_project

    return {"citations": list(evidence_for_project(project_id=project_id))}
