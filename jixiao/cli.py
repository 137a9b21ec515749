"""The ``jixiao`` console script: Django's command line with our settings."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a management command (``jixiao migrate``, ``jixiao import FILE`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    # "jixiao" rather than the script path, so help and usage name the command users type.
    execute_from_command_line(["jixiao", *args])


if __name__ == "__main__":
    main()
