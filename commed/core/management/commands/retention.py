from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Apply every retention rule (run it daily, e.g. from cron: `commed retention`)."

    def handle(self, *args: Any, **options: Any) -> None:
        for config in apps.get_app_configs():
            if config.name.startswith("commed.") and find_spec(f"{config.name}.retention"):
                for line in import_module(f"{config.name}.retention").apply():
                    self.stdout.write(line)
