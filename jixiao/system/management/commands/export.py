"""``jixiao export REPORT ...``: write a unit's report for a year as xlsx, docx or pdf."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.access.lookups import get_unit_for_user
from jixiao.commands import JixiaoCommand, check_migrated, parse_date, parse_year, write_atomic
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.lib.actor import Actor
from jixiao.targets.services import document_for
from jixiao.units.models import Unit

DEFAULT_FORMAT = "xlsx"


def _formats() -> list[str]:
    # The exporters' registry decides; imported here because openpyxl and friends are slow.
    from jixiao.exporters import RENDERERS

    return sorted(RENDERERS)


class Command(JixiaoCommand):
    help = _(
        "导出报表：targets 绩效目标表，monitoring 绩效运行监控表，selfeval 项目支出绩效自评表。"
        "命令行是服务器管理员的工具，可导出任何单位。"
        "jixiao export monitoring --unit 224001 --year 2021 --as-of 2021-06-30 --format pdf"
        " -o 监控表.pdf"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        # One sub-command per report, each with the same options.
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        for name, label in (
            ("targets", _("绩效目标表")),
            ("monitoring", _("绩效运行监控表（含单位汇总页和图表）")),
            ("selfeval", _("项目支出绩效自评表（含单位汇总页和图表）")),
        ):
            report = reports.add_parser(name, help=label, description=label)
            report.add_argument("--unit", required=True, metavar="CODE", help=_("预算单位编码"))
            report.add_argument("--year", required=True, type=int, help=_("预算年度"))
            if name == "monitoring":
                report.add_argument(
                    "--as-of",
                    dest="as_of",
                    required=True,
                    metavar="DATE",
                    help=_("监控日期，如 2021-06-30"),
                )
            if name != "targets":
                report.add_argument(
                    "--project", metavar="CODE", help=_("只导出这个项目（项目编码或名称）")
                )
            report.add_argument(
                "--format",
                choices=_formats(),
                help=_("文件格式；不填时按输出文件的扩展名，默认 xlsx"),
            )
            report.add_argument("-o", "--output", type=Path, metavar="FILE", help=_("输出文件"))

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        if options["report"] == "targets":
            self.export_targets(
                options["unit"], options["year"], options["format"], options["output"]
            )
        else:
            self.export_round_report(options)

    def export_round_report(self, options: dict[str, Any]) -> None:
        """Write the monitoring or self-evaluation tables of a unit and year."""
        from jixiao.core.scoring import ScoringError
        from jixiao.exporters import export_monitoring, export_selfeval
        from jixiao.rounds.management.commands._common import unit_with_projects
        from jixiao.rounds.services import evaluation_document, monitoring_document

        year = parse_year(str(options["year"]))
        code = options["unit"]
        _unit(code)  # through the access seam, like every command (its answer is the same)
        if options["report"] == "monitoring":
            as_of = parse_date(options["as_of"])
            doc: MonitoringReport | SelfEvaluationReport
            doc, _report = monitoring_document(unit_with_projects(code, year), year, as_of)
            stem = f"{code}-{year}-绩效运行监控-{as_of.isoformat()}"
        else:
            try:
                doc, _report = evaluation_document(unit_with_projects(code, year), year)
            except ScoringError as exc:
                raise CommandError(str(exc)) from None
            stem = f"{code}-{year}-绩效自评"
        project_id = None
        if options.get("project"):
            wanted = options["project"]
            found = [p for p in doc.projects if wanted in (p.code, p.name)]
            if not found:
                raise CommandError(_("报表中没有这个项目：%(p)s") % {"p": wanted})
            project_id = found[0].project_id
        fmt, path = _format_and_path(options["format"], options["output"], stem)
        if isinstance(doc, MonitoringReport):
            data = export_monitoring(doc, fmt, project_id=project_id)
        else:
            data = export_selfeval(doc, fmt, project_id=project_id)
        write_atomic(path, data)
        self.stdout.write(_("已导出：%(path)s") % {"path": path})

    def export_targets(self, code: str, year: int, fmt: str | None, output: Path | None) -> None:
        """Write the target tables of a unit and year."""
        from jixiao.exporters import export_targets

        unit = _unit(code)
        document = document_for(unit, year)
        if document.unit_goal is None and not document.projects:
            raise CommandError(
                _("预算单位 %(unit)s 没有 %(year)s 年的绩效目标。") % {"unit": unit, "year": year}
            )
        fmt, path = _format_and_path(fmt, output, f"{code}-{year}-绩效目标")
        write_atomic(path, export_targets(document, fmt))
        self.stdout.write(_("已导出：%(path)s") % {"path": path})


def _unit(code: str) -> Unit:
    """The unit by code, reached as the operator (who reaches every unit)."""
    try:
        return get_unit_for_user(Actor.command_line(), code)
    except Http404:
        raise CommandError(_("找不到预算单位：%(code)s") % {"code": code}) from None


def _format_and_path(fmt: str | None, output: Path | None, stem: str) -> tuple[str, Path]:
    """The format asked for, else the output file's suffix, else xlsx; and the file to write."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in _formats() else DEFAULT_FORMAT
    return fmt, output or Path(f"{stem}.{fmt}")
