"""``jixiao ledger import|export|check``: ledger records from and to CSV and Excel files, and
the records that break their ledger's consistency rules.

The command line is the server operator's tool: it acts as ``Actor.command_line()`` (``--user``
names the person the change log records beside the operator) and finds units through the
permission seam like every page does.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.access.lookups import get_unit_for_user
from jixiao.access.scope import units_for
from jixiao.commands import EXIT_BAD_INPUT, JixiaoCommand, check_migrated, write_atomic
from jixiao.ledgers import sources
from jixiao.ledgers.exporting import FORMATS, export_entries, export_filename
from jixiao.ledgers.importing import ColumnMap, ImportReport, find_mapping, import_file
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.quality import findings
from jixiao.ledgers.services import ledger_type_for
from jixiao.lib.actor import Actor
from jixiao.units.models import Unit

DEFAULT_FORMAT = "xlsx"
EXIT_VIOLATIONS = 1  # ``ledger check`` found records breaking a rule


class RowErrors(CommandError):
    """An import refused because of bad rows; the rows are already listed on stderr."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(report.summary())
        self.report = report


class Command(JixiaoCommand):
    help = _(
        "台账导入导出与检查。jixiao ledger import opinion 舆情.xlsx --mapping 舆情监测服务导出；"
        "jixiao ledger export opinion -o 舆情.xlsx --year 2021；jixiao ledger check --year 2021"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        imports = actions.add_parser(
            "import", help=_("导入 CSV 或 Excel 文件：所有行都正确才写入，已有记录按唯一标识更新")
        )
        imports.add_argument("type", metavar="TYPE", help=_("台账代码，如 opinion、expenditure"))
        imports.add_argument("file", type=Path, metavar="FILE", help=_("要导入的 .xlsx 或 .csv"))
        imports.add_argument("--mapping", metavar="NAME", help=_("已保存的导入映射名称"))
        imports.add_argument("--unit", metavar="CODE", help=_("预算单位编码；只有一个单位时可省略"))
        imports.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))
        imports.add_argument("--user", metavar="USERNAME", help=_("记为导入人的用户名"))
        choice = imports.add_mutually_exclusive_group()
        choice.add_argument(
            "--replace",
            dest="overlap",
            action="store_const",
            const=sources.REPLACE,
            help=_("文件与已有其他来源的记录覆盖同一项目和期间时，替换这些记录"),
        )
        choice.add_argument(
            "--add",
            dest="overlap",
            action="store_const",
            const=sources.ADD,
            help=_("同上情况下，保留已有记录并追加文件中的记录"),
        )
        checks = actions.add_parser(
            "check", help=_("列出违反台账一致性规则的记录；有则以非零状态退出")
        )
        checks.add_argument("--unit", metavar="CODE", help=_("预算单位编码；省略时检查所有单位"))
        checks.add_argument("--year", type=int, metavar="YEAR", help=_("只检查这一年的记录"))
        checks.add_argument("--type", metavar="TYPE", help=_("只检查这一台账（代码）"))
        exports = actions.add_parser("export", help=_("导出台账记录"))
        exports.add_argument("type", metavar="TYPE", help=_("台账代码"))
        exports.add_argument(
            "-o", "--output", type=Path, metavar="FILE", help=_("输出文件（默认按台账命名）")
        )
        exports.add_argument(
            "--unit",
            metavar="CODE",
            help=_("预算单位编码；省略时导出所有单位（只有一个单位时即该单位）"),
        )
        exports.add_argument("--year", type=int, metavar="YEAR", help=_("只导出这一年的记录"))
        exports.add_argument(
            "--format",
            choices=sorted(FORMATS),
            help=_("文件格式；默认按输出文件的扩展名，否则 xlsx"),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        if options["action"] == "import":
            self.import_(options)
        elif options["action"] == "check":
            self.check_rules(options)
        else:
            self.export(options)

    def import_(self, options: dict[str, Any]) -> None:
        """Import a file; bad rows are listed on stderr and nothing is written."""
        actor = Actor.command_line(_user(options["user"]))
        unit = _unit(actor, options["unit"], required=True)
        assert unit is not None
        ledger_type = _ledger_type(unit, options["type"])
        column_map = (
            ColumnMap.of(find_mapping(ledger_type, options["mapping"]))
            if options["mapping"]
            else None
        )
        report = import_file(
            ledger_type,
            unit,
            options["file"],
            column_map,
            actor=actor,
            dry_run=options["dry_run"],
            overlap=options.get("overlap") or sources.ASK,
        )
        if report.needs_choice:
            self.stderr.write(report.summary())
            for line in report.notes():
                self.stderr.write(line)
            if report.overlaps:
                self.stderr.write(_("请加 --replace（替换已有记录）或 --add（追加）后重新导入。"))
            else:
                self.stderr.write(_("核对无误后，请加 --add 重新导入。"))
            if getattr(self, "_called_from_command_line", False):
                sys.exit(EXIT_BAD_INPUT)
            raise CommandError(report.summary())
        if not report.ok:
            self.stderr.write(report.summary())
            for line in report.error_lines():
                self.stderr.write(line)
            if getattr(self, "_called_from_command_line", False):
                sys.exit(EXIT_BAD_INPUT)
            raise RowErrors(report)
        self.stdout.write(report.summary())
        for line in report.notes():
            self.stdout.write(line)

    def check_rules(self, options: dict[str, Any]) -> None:
        """List the records that break their ledger's rules; exit 1 when there are any."""
        actor = Actor.command_line()
        unit = _unit(actor, options["unit"], required=False)
        entries = LedgerEntry.objects.filter(unit__in=units_for(actor))
        if unit is not None:
            entries = entries.filter(unit=unit)
        if options["year"] is not None:
            entries = entries.filter(date__year=options["year"])
        if options["type"]:
            entries = entries.filter(ledger_type=_ledger_type(unit, options["type"]))
        count = 0
        for finding in findings(entries):
            count += 1
            self.stdout.write(finding.line())
        if not count:
            self.stdout.write(_("台账数据一致：没有违反一致性规则的记录。"))
            return
        summary = _("共 %(count)s 处违反台账一致性规则，请改正。") % {"count": count}
        if getattr(self, "_called_from_command_line", False):
            self.stderr.write(summary)
            sys.exit(EXIT_VIOLATIONS)
        raise CommandError(summary, returncode=EXIT_VIOLATIONS)

    def export(self, options: dict[str, Any]) -> None:
        """Write a ledger's records to a file."""
        unit = _unit(Actor.command_line(), options["unit"], required=False)
        ledger_type = _ledger_type(unit, options["type"])
        output: Path | None = options["output"]
        fmt = options["format"]
        if fmt is None:
            suffix = output.suffix.lower().lstrip(".") if output else ""
            fmt = suffix if suffix in FORMATS else DEFAULT_FORMAT
        year = options["year"]
        path = output or Path(export_filename(ledger_type, fmt, unit=unit, year=year))
        write_atomic(path, export_entries(ledger_type, fmt, unit=unit, year=year))
        entries = LedgerEntry.objects.filter(ledger_type=ledger_type)
        if unit is not None:
            entries = entries.filter(unit=unit)
        if year is not None:
            entries = entries.filter(date__year=year)
        self.stdout.write(
            _("已导出 %(count)s 条记录：%(path)s") % {"count": entries.count(), "path": path}
        )


def _unit(actor: Actor, key: str | None, *, required: bool) -> Unit | None:
    """The unit --unit names; without it the only unit, else an error (or all, for exports)."""
    if key:
        try:
            return get_unit_for_user(actor, key)
        except Http404:
            raise CommandError(_("找不到预算单位：%(code)s") % {"code": key}) from None
    units = list(units_for(actor)[:2])
    if len(units) == 1:
        return units[0]
    if not required:
        return None
    if not units:
        raise CommandError(_("还没有任何预算单位，请先导入绩效目标（或运行 jixiao demo）"))
    raise CommandError(_("有多个预算单位，请用 --unit 指定单位编码"))


def _ledger_type(unit: Unit | None, code: str) -> LedgerType:
    if unit is not None:
        return ledger_type_for(unit, code)  # ValidationError in Chinese when unknown
    found = LedgerType.objects.filter(code=code, unit__isnull=True).first()
    if found is None:
        raise CommandError(_("没有代码为“%(code)s”的台账类型") % {"code": code})
    return found


def _user(username: str | None) -> User | None:
    if username is None:
        return None
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("找不到用户：%(name)s") % {"name": username})
    return user
