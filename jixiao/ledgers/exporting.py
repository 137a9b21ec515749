"""Ledger export: every record of a type as a table whose headers are the fields' labels.

The table imports back unchanged: headers are what the automatic mapping recognises, the
project cell is "code name", dates are dates in Excel and ISO text in CSV.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from jixiao.ledgers.io import FORMATS, write_table
from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.ledgers.values import FieldSpec
from jixiao.targets.models import Project
from jixiao.units.models import Unit

__all__ = ["FORMATS", "export_entries", "export_filename", "export_table", "project_cell"]

UNIT_HEADER = "预算单位"


def project_cell(project: Project | None) -> str:
    """A project as a cell the import finds it by again: "code name", or what it has."""
    if project is None:
        return ""
    return " ".join(part for part in (project.code, project.name) if part)


def _cell(spec: FieldSpec, value: Any) -> Any:
    """A stored value as the cell a person expects: dates as dates, money as numbers."""
    if value is None:
        return None
    kind = spec.kind
    if kind == "date":
        return dt.date.fromisoformat(value)
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind in ("money", "decimal"):
        return Decimal(value)
    if kind == "boolean":
        return "是" if value else "否"
    if kind == "multichoice":
        return "、".join(value)
    return value


def export_table(
    ledger_type: LedgerType,
    *,
    unit: Unit | None = None,
    year: int | None = None,
    units: QuerySet[Unit] | None = None,
) -> tuple[list[str], Iterator[list[Any]]]:
    """The headers and the rows (a lazy iterator) of a type's records, oldest first.

    Without a unit, records of every unit (of ``units``, those the person reaches, when
    given), with a 预算单位 column.
    """
    field_specs = [FieldSpec.of(f) for f in ledger_type.fields.all()]
    headers = [s.label for s in field_specs]
    if ledger_type.has_project:
        headers.append("项目")
    if ledger_type.states:
        headers.append("状态")
    if unit is None:
        headers.append(UNIT_HEADER)
    entries = LedgerEntry.objects.filter(ledger_type=ledger_type).select_related("project")
    # Across units each row names its unit, so the unit is fetched with it.
    entries = entries.filter(unit=unit) if unit is not None else entries.select_related("unit")
    if unit is None and units is not None:
        entries = entries.filter(unit__in=units)
    if year is not None:
        entries = entries.filter(date__year=year)

    def rows() -> Iterator[list[Any]]:
        for entry in entries.order_by("date", "id").iterator(chunk_size=2000):
            row = [_cell(s, entry.data.get(s.code)) for s in field_specs]
            if ledger_type.has_project:
                row.append(project_cell(entry.project))
            if ledger_type.states:
                row.append(entry.state)
            if unit is None:
                row.append(str(entry.unit))
            yield row

    return headers, rows()


def export_entries(
    ledger_type: LedgerType,
    fmt: str,
    *,
    unit: Unit | None = None,
    year: int | None = None,
    units: QuerySet[Unit] | None = None,
) -> bytes:
    """A type's records as an ``xlsx`` or ``csv`` file's bytes (see :func:`export_table`)."""
    headers, rows = export_table(ledger_type, unit=unit, year=year, units=units)
    return write_table(headers, rows, fmt)


def export_filename(
    ledger_type: LedgerType, fmt: str, *, unit: Unit | None = None, year: int | None = None
) -> str:
    """A file name saying what the export holds, e.g. 224001-2021-舆情台账.xlsx."""
    parts = [p for p in (unit.code or unit.name if unit else "", str(year or "")) if p]
    return "-".join([*parts, f"{ledger_type.name}台账"]) + f".{fmt}"
