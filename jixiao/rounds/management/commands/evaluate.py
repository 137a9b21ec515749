"""``jixiao evaluate --unit CODE --year YEAR [--json]``: the year's self-evaluation scores."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jixiao.commands import check_migrated, parse_year
from jixiao.core.scoring import ScoringError
from jixiao.rounds.management.commands._common import (
    ReportCommand,
    dash,
    unit_with_projects,
)
from jixiao.rounds.services import evaluation_document


class Command(ReportCommand):
    help = _(
        "绩效自评：按 12 月 31 日的实际完成值计算各指标得分、预算执行得分、总分和等级。"
        "有自评填报时，带上单位的说明和审核人的得分调整（已提交的按提交时的快照）。"
        "jixiao evaluate --unit 224001 --year 2021 --json"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--unit", required=True, metavar="CODE", help=_("预算单位编码"))
        parser.add_argument("--year", required=True, metavar="YEAR", help=_("预算年度，如 2021"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出整份自评表"))

    def print_report(self, **options: Any) -> None:
        check_migrated()
        year = parse_year(options["year"])
        unit = unit_with_projects(options["unit"], year)
        try:
            doc, report = evaluation_document(unit, year)
        except ScoringError as exc:
            raise CommandError(str(exc)) from None
        if self.write_head(doc, report, options["json"]):
            return
        for project in doc.projects:
            e = project.execution
            self.stdout.write(f"{project.name}（{project.code or '无编码'}）")
            for row in project.rows:
                score = (
                    f"{row.score}"
                    if row.score == row.computed
                    else (f"{row.score}（计算 {row.computed}，调整理由：{row.override_reason}）")
                )
                shown = "不适用" if row.not_applicable else dash(row.actual)
                self.stdout.write(
                    f"  {row.level3}：指标值 {dash(row.target)}，实际 {shown}，"
                    f"分值 {row.points}，得分 {score}"
                )
            self.stdout.write(f"  预算执行率 {e.rate}%，分值 {e.points}，得分 {e.score}")
            capped = f"（按执行率封顶，原 {project.capped_from}）" if project.capped_from else ""
            self.stdout.write(f"  总分 {project.total}{capped}，等级 {project.grade}")
