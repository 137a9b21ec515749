"""``jixiao monitor --unit CODE --year YEAR --as-of DATE [--json]``: monitoring at a date."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.utils.translation import gettext as _

from jixiao.commands import check_migrated, parse_date, parse_year
from jixiao.core.reports import LIGHT_LABELS
from jixiao.rounds.management.commands._common import (
    ReportCommand,
    dash,
    unit_with_projects,
)
from jixiao.rounds.services import monitoring_document


class Command(ReportCommand):
    help = _(
        "绩效运行监控：某一日期各指标的当前完成值、预计完成、预警灯和预算执行。"
        "有该日期的监控填报时，带上单位填写的偏差原因（已提交的按提交时的快照）。"
        "jixiao monitor --unit 224001 --year 2021 --as-of 2021-06-30 --json"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, metavar="CODE", help=_("预算单位编码"))
        parser.add_argument("--year", required=True, metavar="YEAR", help=_("预算年度，如 2021"))
        parser.add_argument(
            "--as-of",
            required=True,
            dest="as_of",
            metavar="DATE",
            help=_("监控日期，如 2021-06-30"),
        )
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出整份监控表"))

    def print_report(self, **options: Any) -> None:
        check_migrated()
        year = parse_year(options["year"])
        as_of = parse_date(options["as_of"])
        unit = unit_with_projects(options["unit"], year)
        doc, report = monitoring_document(unit, year, as_of)
        if self.write_head(doc, report, options["json"]):
            return
        self.stdout.write(
            _("%(u)s %(d)s 绩效运行监控，序时进度 %(t)s%%")
            % {"u": doc.unit.name, "d": doc.as_of.isoformat(), "t": doc.time_progress}
        )
        for project in doc.projects:
            b = project.budget
            self.stdout.write(
                f"{project.name}（{project.code or '无编码'}）"
                f" 预算 {dash(b.budget_adjusted)}{b.money_unit}，执行 {b.executed}{b.money_unit}，"
                f"执行率 {dash(b.execution_rate)}%，计划进度 {b.plan_percent}%，"
                f"预警 {LIGHT_LABELS.get(b.light or '', '—')}"
            )
            for row in project.rows:
                light = LIGHT_LABELS.get(row.light or "", "—")
                reason = (
                    "，需说明偏差原因" if row.reason_required and not row.deviation_reason else ""
                )
                self.stdout.write(
                    f"  {row.level3}：指标值 {dash(row.target)}，当前 {dash(row.current)}，"
                    f"应达 {dash(row.expected)}，全年预计 {dash(row.projected)}，"
                    f"{dash(row.likelihood)}，{light}{reason}"
                )
