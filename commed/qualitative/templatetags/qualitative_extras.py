from __future__ import annotations

import math
from typing import Any

from django import template

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key, key) if mapping else key


@register.filter
def coef(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return f"{value:.3f}"


@register.filter
def matrix_rows(matrix: Any) -> list[tuple[Any, list[int]]]:
    return list(zip(matrix.rows, matrix.cells, strict=True))
