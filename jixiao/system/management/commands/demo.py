"""``jixiao demo``: load the demo unit's targets and the demo login (after ``jixiao migrate``)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand, check_migrated
from jixiao.system.demo.services import load_demo


class Command(JixiaoCommand):
    help = _(
        "载入演示数据（昌黎县委网信办 2021 年绩效目标）和演示账号；可重复运行。"
        "请先运行 jixiao migrate。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_("清除演示单位的数据后重新载入，并恢复演示账号的密码"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        result = load_demo(reset=options["reset"])
        self.stdout.write("\n".join(result.summary_lines()))
