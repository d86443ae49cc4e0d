"""The `commed` console script.

`commed demo` and `commed serve` start the site; `commed import KIND FILE` runs the importer for KIND;
`commed allocate` is the allocation solver and needs no database; anything else is a Django management command.
"""

from __future__ import annotations

import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commed.settings")
    import django

    django.setup()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help", "help"):
        print(__doc__.strip())
        print("\nCommands: demo, serve, import KIND FILE, allocate PROBLEM.json --out RESULT.json, "
              "and every `manage.py` command (migrate, createsuperuser, retention ...).")
        return 0
    command, rest = args[0], args[1:]
    if command == "allocate":
        from commed_core.allocation.cli import main as allocate_main  # type: ignore[import-not-found,unused-ignore]

        return int(allocate_main(rest))
    _django()
    from django.core.management import execute_from_command_line

    if command == "import":
        if not rest:
            print("usage: commed import KIND FILE  (KIND: partners, groups, imd, postcodes, fingertips, ...)",
                  file=sys.stderr)
            return 2
        command, rest = "import_" + rest[0].replace("-", "_"), rest[1:]
    try:
        execute_from_command_line(["commed", command, *rest])
    except SystemExit as exit_:
        return int(exit_.code or 0) if isinstance(exit_.code, int) else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
