"""What an import preview must ask before an upload can be saved: the unit and the year a file
lacks, and whether OCR'd values were checked. Never guess silently.

A file's unit is looked up only among the units the person reaches, so the answer never tells
whether a unit outside their reach exists. A unit named by a code outside reach is refused, as
before; a file without a unit, or naming one only by a name the register does not hold (a
short form such as 卫健委), makes the preview ask: the units the person may import into are
offered, those alike to the file's name first. Only a superuser (or the operator) may create a
unit instead, after typing its full name and confirming.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from jixiao.access.perms import can, is_system
from jixiao.access.scope import units_for
from jixiao.core.document import Confirmation, TargetDocument, UnitRef
from jixiao.core.unit_names import rank_units
from jixiao.lib.params import year_or_none
from jixiao.units.models import Unit

__all__ = ["PLACEHOLDER_UNIT", "Questions", "file_year", "questions_for", "with_answers"]

# Stands in for a unit not chosen yet, so the rest of the document is checked meanwhile.
PLACEHOLDER_UNIT = UnitRef(None, "（待选择的预算单位）")
_YEAR = re.compile(r"(?<![0-9])(20[0-9]{2})(?![0-9])")


@dataclass
class Questions:
    """What the file settles, and what the person must answer, for one upload."""

    file_unit: str  # how the file names its unit, '' when it does not
    file_code: str = ""  # the unit code the file gives, '' when none
    unit: Unit | None = None  # the registered unit the file names, when the person may use it
    refused: bool = False  # the file names a unit the person may not import into
    ask_unit: bool = False
    matches: list[Unit] = field(default_factory=list)  # offered first, closest first
    others: list[Unit] = field(default_factory=list)
    may_create: bool = False
    ask_year: bool = False
    default_year: int | None = None
    year_from_name: bool = False  # the default year is the one in the file's name
    other_name: str = ""  # the file's name for a registered unit, when it differs (not used)
    to_confirm: list[Confirmation] = field(default_factory=list)

    @property
    def choices(self) -> list[Unit]:
        return [*self.matches, *self.others]


def _strip(text: str | None) -> str:
    return (text or "").strip()


def file_year(name: str) -> int | None:
    """A budget year in an upload's file name (2021年预算绩效目标.docx), None without one."""
    for found in _YEAR.findall(name or ""):
        year = year_or_none(found)
        if year is not None:
            return year
    return None


def questions_for(who: Any, document: TargetDocument, upload_name: str) -> Questions:
    """The questions the preview of ``document`` (uploaded as ``upload_name``) asks ``who``."""
    ref = document.unit or UnitRef(None, None)
    code, name = _strip(ref.code), _strip(ref.name)
    found = Questions(
        file_unit=" ".join(p for p in (code, name) if p),
        file_code=code,
        to_confirm=sorted(document.to_confirm, key=lambda c: c.confidence),
    )
    reachable = units_for(who)
    system = is_system(who)
    unit: Unit | None = None
    if code:
        unit = reachable.filter(code=code).first()
        # Outside reach, the same refusal whether or not the code exists; a superuser reaches
        # every unit, so for them a code not found is one the register does not hold.
        found.refused = unit is None and not system
        found.ask_unit = unit is None and system
    elif name:
        named = list(reachable.filter(name=name)[:2])
        unit = named[0] if len(named) == 1 else None
        found.ask_unit = unit is None
    else:
        found.ask_unit = True
    if unit is not None:
        if can(who, "edit", unit):
            found.unit = unit
            if name and name != unit.name:
                found.other_name = name
        else:
            found.refused = True
    if found.ask_unit:
        editable = [u for u in reachable.order_by("code", "name") if can(who, "edit", u)]
        ranked = [u for u, _score in rank_units(name, code, editable)]
        found.matches = ranked
        found.others = [u for u in editable if u not in ranked]
        found.may_create = system
    found.ask_year = document.year is None
    if found.ask_year:
        named_year = file_year(upload_name)
        found.year_from_name = named_year is not None
        found.default_year = named_year or timezone.localdate().year
    return found


def with_answers(
    document: TargetDocument, unit: UnitRef | None, year: int | None
) -> TargetDocument:
    """The document as it will be imported: into the unit and year given (when given)."""
    return dataclasses.replace(
        document,
        unit=unit if unit is not None else document.unit,
        year=year if year is not None else document.year,
    )
