"""The main menu. Each app may declare `NAV: list[NavItem]` in `commed/<app>/navigation.py`; the menu shows
the entries of every installed app, in INSTALLED_APPS order, to the roles each entry names."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps

from commed.accounts.models import User


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    roles: frozenset[str]
    current: bool = False


# The core app has no menu entry of its own.
NAV: list[NavItem] = []


@cache
def menu() -> tuple[NavItem, ...]:
    items: list[NavItem] = []
    for config in apps.get_app_configs():
        if config.name.startswith("commed.") and find_spec(f"{config.name}.navigation"):
            items.extend(import_module(f"{config.name}.navigation").NAV)
    return tuple(items)


def navigation_for(*, user: User, path: str) -> list[NavItem]:
    items = []
    for item in menu():
        if user.role in item.roles:
            current = path == item.url if item.url == "/" else path.startswith(item.url)
            items.append(replace(item, current=current))
    return items
