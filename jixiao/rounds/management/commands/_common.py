"""What the monitor and evaluate commands share: finding the unit and printing a report."""

from __future__ import annotations

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from jixiao.targets.models import Project
from jixiao.units.models import Unit


def unit_with_projects(code: str, year: int) -> Unit:
    """The unit by code, refusing one without projects in the year (Chinese errors)."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise CommandError(_("找不到预算单位：%(code)s") % {"code": code})
    if not Project.objects.filter(unit=unit, year=year).exists():
        raise CommandError(
            _("预算单位 %(unit)s 没有 %(year)s 年的预算项目。") % {"unit": unit, "year": year}
        )
    return unit


def dash(value: object) -> str:
    """A cell for a readable table: the value, or a dash when there is none."""
    return "—" if value is None or value == "" else str(value)
