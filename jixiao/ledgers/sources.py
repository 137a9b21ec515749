"""Where records come from, and what a second source brings: overlaps and repeats.

Every record knows its source (``LedgerEntry.origin`` and ``batch``: typed on the pages, a
file imported, the API). When an import covers a project and a period that records from
elsewhere already cover — the accounting system's export over the expenditures typed by
hand — counting both would double the figures, so the import says so first and the person
chooses: replace those records, or add to them. The period an import covers is, per
project, the whole months from its earliest to its latest record date.

Records that repeat one another (the same values in one of the type's ``repeats`` field
groups: the same date, amount and payee, or the same link) are listed before anything is
written, whether both are in the file or one is already in the ledger.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jixiao.ledgers.models import LedgerEntry, LedgerType
from jixiao.targets.models import Project
from jixiao.units.models import Unit

__all__ = ["ADD", "ASK", "CHOICES", "REPLACE", "Incoming", "Overlap", "Repeat"]

ASK = "ask"  # an overlap stops the import until the person chooses
REPLACE = "replace"  # the overlapped records are removed, the file's rows take their place
ADD = "add"  # the file's rows are added beside them
CHOICES = (ASK, REPLACE, ADD)
# A repeat list names this many pairs; a wrong file can repeat every row.
MAX_REPEATS = 50


@dataclass
class Incoming:
    """One validated row of a second source: its row, values, project, date and match."""

    row: int
    data: Mapping[str, Any]
    project_id: int | None
    date: dt.date | None
    matched: int | None  # the record its natural key updates, if any


@dataclass
class Overlap:
    """Records of another source inside the period the file covers for one project."""

    project: Project | None
    first: dt.date
    last: dt.date
    sources: dict[str, int]  # source text -> records
    entry_ids: list[int] = field(default_factory=list)
    amount_cents: int = 0
    has_amount: bool = False

    @property
    def count(self) -> int:
        """How many records are covered."""
        return len(self.entry_ids)

    def text(self) -> str:
        """One Chinese sentence: which project and period, how many records from where."""
        project = _project_text(self.project)
        sources = "、".join(f"{name} {n} 条" for name, n in self.sources.items())
        amount = f"，金额合计 {_yuan(self.amount_cents)} 元" if self.has_amount else ""
        return (
            f"文件覆盖{project} {self.first} 至 {self.last}，台账中这段时间已有 {self.count} 条"
            f"不在文件中的记录（{sources}）{amount}"
        )


@dataclass
class Repeat:
    """Two records with the same values in a repeat group: a row and a row, or a row and a
    record already in the ledger."""

    row: int
    fields: tuple[str, ...]  # labels
    values: tuple[str, ...]
    other_row: int | None = None
    entry: LedgerEntry | None = None

    def text(self) -> str:
        """One Chinese sentence naming both and what they share."""
        pairs = zip(self.fields, self.values, strict=False)
        shared = "，".join(f"{label}“{value}”" for label, value in pairs)
        if self.entry is not None:
            where = f"台账中已有的记录（{self.entry.source_text}，编号 {self.entry.pk}）"
        else:
            where = f"文件第 {self.other_row} 行"
        return f"第 {self.row} 行与{where}重复：{shared}"


def _project_text(project: Project | None) -> str:
    if project is None:
        return "（未关联项目的记录）"
    return f"项目“{' '.join(p for p in (project.code, project.name) if p)}”"


def _yuan(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100:,}.{cents % 100:02d}"


def _month_span(days: Iterable[dt.date]) -> tuple[dt.date, dt.date]:
    ordered = sorted(days)
    first, last = ordered[0], ordered[-1]
    end = calendar.monthrange(last.year, last.month)[1]
    return first.replace(day=1), last.replace(day=end)


def overlaps(ledger_type: LedgerType, unit: Unit, incoming: Sequence[Incoming]) -> list[Overlap]:
    """Per project, the records outside the file in the months it covers (one query each)."""
    days: dict[int | None, list[dt.date]] = defaultdict(list)
    for item in incoming:
        if item.date is not None:
            days[item.project_id].append(item.date)
    matched = {item.matched for item in incoming if item.matched is not None}
    projects = Project.objects.in_bulk([pk for pk in days if pk is not None])
    found = []
    for project_id, dates in days.items():
        first, last = _month_span(dates)
        in_project = {"project__isnull": True} if project_id is None else {"project_id": project_id}
        entries = (
            LedgerEntry.objects.filter(
                ledger_type=ledger_type, unit=unit, date__gte=first, date__lte=last, **in_project
            )
            .exclude(pk__in=matched)
            .select_related("batch")
            .order_by("date", "id")
        )
        overlap = Overlap(
            projects.get(project_id) if project_id is not None else None,
            first,
            last,
            {},
            has_amount=bool(ledger_type.amount_field),
        )
        for entry in entries:
            name = entry.source_text
            overlap.sources[name] = overlap.sources.get(name, 0) + 1
            overlap.entry_ids.append(entry.pk)
            overlap.amount_cents += entry.amount_cents or 0
        if overlap.entry_ids:
            found.append(overlap)
    return found


def _signature(group: Sequence[str], data: Mapping[str, Any]) -> tuple[str, ...] | None:
    values = tuple(str(data.get(code, "") or "").strip() for code in group)
    return values if all(values) else None  # a blank value repeats nothing


def repeats(
    ledger_type: LedgerType,
    unit: Unit,
    incoming: Sequence[Incoming],
    *,
    exclude: Iterable[int] = (),
) -> list[Repeat]:
    """Rows repeating one another or a record in the ledger (not the one they update)."""
    groups = [list(g) for g in (ledger_type.repeats or []) if g]
    if not groups:
        return []
    labels = {f.code: f.label for f in ledger_type.fields.all()}
    excluded = set(exclude) | {i.matched for i in incoming if i.matched is not None}
    found: list[Repeat] = []
    for group in groups:
        names = tuple(labels.get(code, code) for code in group)
        seen: dict[tuple[str, ...], int] = {}
        wanted: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for item in incoming:
            signature = _signature(group, item.data)
            if signature is None:
                continue
            if signature in seen:
                found.append(Repeat(item.row, names, signature, other_row=seen[signature]))
            else:
                seen[signature] = item.row
            wanted[signature].append(item.row)
        if not wanted:
            continue
        # The ledger's records with the same first field's values, compared in Python (the
        # values are JSON; a text comparison is portable, a typed one is not).
        first = group[0]
        stored = (
            LedgerEntry.objects.filter(ledger_type=ledger_type, unit=unit)
            .exclude(pk__in=excluded)
            .filter(**{f"data__{first}__in": sorted({s[0] for s in wanted})})
            .select_related("batch")
        )
        for entry in stored:
            signature = _signature(group, entry.data)
            for row in wanted.get(signature, []) if signature else []:
                found.append(Repeat(row, names, signature or (), entry=entry))
    found.sort(key=lambda r: (r.row, r.other_row or 0))
    return found[:MAX_REPEATS]


def by_source(entries: Iterable[LedgerEntry]) -> Mapping[str, int]:
    """How many of these records came from each source."""
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.source_text] = counts.get(entry.source_text, 0) + 1
    return counts
