"""``jixiao export REPORT ...``: write a unit's report for a year as xlsx, docx or pdf."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jixiao.commands import JixiaoCommand, check_migrated, write_atomic
from jixiao.targets.services import document_for
from jixiao.units.models import Unit

DEFAULT_FORMAT = "xlsx"


def _formats() -> list[str]:
    # The exporters' registry decides; imported here because openpyxl and friends are slow.
    from jixiao.exporters import RENDERERS

    return sorted(RENDERERS)


class Command(JixiaoCommand):
    help = _(
        "导出报表。jixiao export targets --unit 224001 --year 2021 --format xlsx -o 目标表.xlsx"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        # One sub-command per report; monitoring and self-evaluation tables join them later.
        reports = parser.add_subparsers(dest="report", required=True, metavar="REPORT")
        targets = reports.add_parser("targets", help=_("绩效目标表"))
        targets.add_argument("--unit", required=True, metavar="CODE", help=_("预算单位编码"))
        targets.add_argument("--year", required=True, type=int, help=_("预算年度"))
        targets.add_argument(
            "--format",
            choices=_formats(),
            help=_("文件格式；不填时按输出文件的扩展名，默认 xlsx"),
        )
        targets.add_argument("-o", "--output", type=Path, metavar="FILE", help=_("输出文件"))

    def handle(self, *args: Any, **options: Any) -> None:
        check_migrated()
        if options["report"] == "targets":
            self.export_targets(
                options["unit"], options["year"], options["format"], options["output"]
            )

    def export_targets(self, code: str, year: int, fmt: str | None, output: Path | None) -> None:
        """Write the target tables of a unit and year."""
        from jixiao.exporters import export_targets

        unit = Unit.objects.filter(code=code).first()
        if unit is None:
            raise CommandError(_("找不到预算单位：%(code)s") % {"code": code})
        document = document_for(unit, year)
        if document.unit_goal is None and not document.projects:
            raise CommandError(
                _("预算单位 %(unit)s 没有 %(year)s 年的绩效目标。") % {"unit": unit, "year": year}
            )
        fmt, path = _format_and_path(fmt, output, f"{code}-{year}-绩效目标")
        write_atomic(path, export_targets(document, fmt))
        self.stdout.write(_("已导出：%(path)s") % {"path": path})


def _format_and_path(fmt: str | None, output: Path | None, stem: str) -> tuple[str, Path]:
    """The format asked for, else the output file's suffix, else xlsx; and the file to write."""
    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = suffix if suffix in _formats() else DEFAULT_FORMAT
    return fmt, output or Path(f"{stem}.{fmt}")
