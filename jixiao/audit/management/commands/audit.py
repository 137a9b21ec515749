"""``jixiao audit verify``: recompute the change log's hash chain and name the first bad row."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from jixiao.audit.log import verify
from jixiao.commands import JixiaoCommand, check_migrated

EXIT_BROKEN = 1


class Command(JixiaoCommand):
    help = _(
        "审计日志（服务器运维人员使用）。verify：从第一条起重新计算审计日志的哈希链，"
        "完整时退出码为 0；发现被修改或删除的记录时指出第一条并以退出码 1 结束。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="verify")
        sub.add_parser("verify", help=_("校验审计日志的哈希链"))

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        result = verify()
        if result.ok:
            self.stdout.write(
                _("审计日志完整：共 %(n)s 条记录，哈希链校验通过。") % {"n": result.checked}
            )
            return
        self.stderr.write(_("审计日志校验失败：%(problem)s。") % {"problem": result.problem})
        if getattr(self, "_called_from_command_line", False):
            sys.exit(EXIT_BROKEN)
        raise SystemExit(EXIT_BROKEN)
