"""How each URL's access rule is declared for the persona test (commed/tests/test_url_access.py).

Every app lists its URLs in `commed/<app>/tests/access_specs.py` as `SPECS: list[UrlSpec]`. The persona test
walks the URL resolver: a named URL without a spec fails the suite.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Kwargs = dict[str, Any]


@dataclass(frozen=True)
class UrlSpec:
    name: str
    # Personas who may use the URL on their own object (e.g. partner_a on org_a).
    allowed: frozenset[str]
    # URL kwargs for the persona's own object; None when the URL takes no arguments.
    own: Callable[[Any, str], Kwargs] | None = None
    # URL kwargs for an object the persona has no connection to; None when there is no such object.
    foreign: Callable[[Any, str], Kwargs] | None = None
    # Allowed personas who see every object (staff), so `foreign` gives them their ok status too.
    sees_all: frozenset[str] = frozenset()
    method: str = "get"
    data: Callable[[Any], dict[str, Any]] | None = None
    ok_status: tuple[int, ...] = (200,)
    # Reached without signing in (signed links, public forms, health check).
    public: bool = False
    # Anonymous visitors are redirected to sign in, unless the URL is public.
    anonymous_status: tuple[int, ...] = (302,)
    extra: dict[str, Any] = field(default_factory=dict)
