"""`commed import gp-practices FILE`: see `commed.health.imports.COMMAND_LAYOUTS` for the layouts it takes."""

from __future__ import annotations

from commed.health.imports import COMMAND_LAYOUTS
from commed.health.management.commands._health_import import HealthImportCommand


class Command(HealthImportCommand):
    command = "gp_practices"
    takes_polarity = False
    help = (
        "Import a publisher's file (layout detected: " + ", ".join(COMMAND_LAYOUTS["gp_practices"]) + ") "
        "as a new release, "
        "streaming and all or nothing; a newer release of the same kind and scope becomes the current one."
    )
