"""Which app handles which link purpose.

An app declares `HANDLERS = {"purpose": view}` in `commed/<app>/link_handlers.py`; a handler is a view
`(request, link) -> HttpResponse` reached only through /l/<token>/ after the link was checked. A link grants
exactly its purpose on its target, and nothing else: handlers must not look beyond `link.target`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps

Handler = Callable[..., Any]


@cache
def handlers() -> dict[str, Handler]:
    found: dict[str, Handler] = {}
    for config in apps.get_app_configs():
        if config.name.startswith("commed.") and find_spec(f"{config.name}.link_handlers"):
            for purpose, handler in import_module(f"{config.name}.link_handlers").HANDLERS.items():
                if purpose in found:
                    raise RuntimeError(f"two apps handle the link purpose {purpose!r}")
                found[purpose] = handler
    return found


def known_purposes() -> set[str]:
    return set(handlers())
