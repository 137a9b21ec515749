"""The ``jixiao`` console script: Django's command line with our settings.

The command line is the server operator's tool: it acts with every permission and its changes
are recorded in the change log as 命令行（<OS user>）. ``jixiao --help`` says so first.
"""

from __future__ import annotations

import os
import sys

HELP_ARGS = ({"--help"}, {"-h"}, {"help"})


def main(argv: list[str] | None = None) -> None:
    """Run a management command (``jixiao migrate``, ``jixiao import FILE`` …)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    from django.core.management import execute_from_command_line

    args = sys.argv[1:] if argv is None else argv
    if not args or set(args) in HELP_ARGS:
        print_operator_note()
    # "jixiao" rather than the script path, so help and usage name the command users type.
    execute_from_command_line(["jixiao", *args])


def print_operator_note() -> None:
    """The lines ``jixiao --help`` starts with: whose tool this is, and what it may do."""
    import django

    django.setup()
    from jixiao.commands import operator_note

    print(operator_note())
    print("常用命令：jixiao serve（运行服务器）、jixiao backup / restore（备份与恢复）、")
    print("jixiao audit verify（校验审计日志）、jixiao demo（演示数据）；详见 README.md。")
    print()


if __name__ == "__main__":
    main()
