"""What the monitor and evaluate commands share: finding the unit and printing a report."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from django.core.management.base import CommandError
from django.http import Http404
from django.utils.translation import gettext as _

from jixiao.access.lookups import get_unit_for_user
from jixiao.commands import JixiaoCommand
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.lib.actor import Actor
from jixiao.rounds.models import Report
from jixiao.targets.models import Project
from jixiao.units.models import Unit


def unit_with_projects(code: str, year: int, actor: Actor | None = None) -> Unit:
    """The unit by code (or by name when it has none), through the permission seam as the
    server operator; refusing one without projects in the year (Chinese errors)."""
    try:
        unit = get_unit_for_user(actor or Actor.command_line(), code)
    except Http404:
        raise CommandError(_("找不到预算单位：%(code)s") % {"code": code}) from None
    if not Project.objects.filter(unit=unit, year=year).exists():
        raise CommandError(
            _("预算单位 %(unit)s 没有 %(year)s 年的预算项目。") % {"unit": unit, "year": year}
        )
    return unit


def dash(value: object) -> str:
    """A cell for a readable table: the value, or a dash when there is none."""
    return "—" if value is None or value == "" else str(value)


class ReportCommand(JixiaoCommand):
    """A command that prints a unit's report: as JSON, or as readable lines."""

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            self.print_report(**options)
        except BrokenPipeError:
            # The reader stopped (``| head``): not an error; keep the final flush quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    def print_report(self, **options: Any) -> None:
        """Compute and print the report (subclasses)."""
        raise NotImplementedError

    def write_head(
        self, doc: MonitoringReport | SelfEvaluationReport, report: Report | None, as_json: bool
    ) -> bool:
        """Print the whole report as JSON (True: done), or the round's line before the rows."""
        if as_json:
            data = doc.to_json()
            if report is not None:
                data["report"] = {"round": str(report.round), "status": report.status}
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return True
        if report is not None:
            self.stdout.write(
                _("填报：%(r)s，状态：%(s)s")
                % {"r": report.round, "s": report.get_status_display()}
            )
        return False
