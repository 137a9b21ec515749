"""``jixiao actuals --unit CODE --year YEAR --as-of DATE [--json]``: every indicator's actual."""

from __future__ import annotations

import json
import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.access.lookups import get_unit_for_user
from jixiao.commands import JixiaoCommand, check_migrated, parse_date, parse_year
from jixiao.lib.actor import Actor
from jixiao.metrics.tables import ActualRow, ProjectActuals, actual_tables
from jixiao.targets.models import Project


class Command(JixiaoCommand):
    help = _(
        "各绩效指标在某一日期的实际完成值、所用口径和记录数。"
        "jixiao actuals --unit 224001 --year 2021 --as-of 2021-06-30 --json"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, metavar="CODE", help=_("预算单位编码"))
        parser.add_argument("--year", required=True, metavar="YEAR", help=_("预算年度，如 2021"))
        parser.add_argument(
            "--as-of", required=True, dest="as_of", metavar="DATE", help=_("统计日，如 2021-06-30")
        )
        parser.add_argument(
            "--json", action="store_true", help=_("以 JSON 输出，每个指标一行（按项目和指标顺序）")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        # The server operator's tool: it reaches every unit, through the same seam as the pages.
        actor = Actor.command_line()
        try:
            unit = get_unit_for_user(actor, options["unit"])
        except Http404:
            raise CommandError(_("找不到预算单位：%(code)s") % {"code": options["unit"]}) from None
        year = parse_year(options["year"])
        as_of = parse_date(options["as_of"])
        if not Project.objects.filter(unit=unit, year=year).exists():
            raise CommandError(
                _("预算单位 %(unit)s 没有 %(year)s 年的预算项目。") % {"unit": unit, "year": year}
            )
        try:
            self._write(actual_tables(unit, year, as_of), as_json=options["json"])
        except BrokenPipeError:
            # The reader stopped (``| head``): not an error. Point stdout at /dev/null so the
            # interpreter's final flush does not raise again.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def _write(self, tables: list[ProjectActuals], *, as_json: bool) -> None:
        """Print the rows: JSON lines, or a readable table."""
        for table in tables:
            if not as_json:
                self.stdout.write(f"{table.project.label}（{table.project.code or '无编码'}）")
            for row in table.rows:
                if as_json:
                    data = row.as_json(table.project)
                    self.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                else:
                    self.stdout.write(_line(row))


def _line(row: ActualRow) -> str:
    """One indicator as a readable Chinese line."""
    actual = row.actual
    shown = actual.text if actual.text is not None else "—"
    if actual.numerator is not None:
        denominator = "—" if actual.denominator is None else actual.denominator
        shown += f"（{actual.numerator} / {denominator}）"
    how = row.source_label
    if actual.error:
        how = f"口径有误：{actual.error}"
    elif actual.source == "metric":
        how += f"，{actual.records} 条记录"
    target = row.indicator.target or "—"
    return f"  {row.indicator.level3}：指标值 {target}，实际完成值 {shown}（{how}）"
