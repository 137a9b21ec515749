"""A past year's self-evaluation results from an imported table (导入的自评结果).

A self-evaluation table (年初目标值, 实际完成值, 分值, 得分, 偏差原因 …) is a target table plus
the year's results. The import service writes its targets as any target table, and hands the
results to this module: they are planned (checked) with the targets, and written in the same
transaction, per indicator (:class:`RecordedResult`) and per project (:class:`RecordedEvaluation`,
with the fund line, the total, the file and the person), each with a change-log row.

These are the scores the table says the unit was given that year: history, shown as such on the
self-evaluation page. They never feed the scoring engine, which computes the live year from
ledgers. A re-import of a self-evaluation table replaces a project's results in place (before →
after in the change log); a plain target table carries no results and leaves them alone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.choices import Action
from jixiao.audit.log import Entry, jsonable
from jixiao.core import document as doc
from jixiao.lib.actor import Actor
from jixiao.targets.choices import ImportStatus
from jixiao.targets.models import (
    Indicator,
    Project,
    RecordedEvaluation,
    RecordedResult,
    plain,
)
from jixiao.targets.tables import level_spans
from jixiao.units.models import Unit

__all__ = [
    "EVALUATION_FIELDS",
    "RESULT_FIELDS",
    "PlannedResults",
    "RecordedProject",
    "RecordedRow",
    "RecordedYear",
    "has_results",
    "plan_results",
    "recorded_year",
    "write_results",
]

RESULT_FIELDS = ["actual", "points", "score", "explanation"]
EVALUATION_FIELDS = [
    "executed",
    "execution_rate",
    "execution_points",
    "execution_score",
    "total_score",
]

# check(place, unsaved instance, fields to leave out): the import's validator, which collects
# every problem with its place.
Check = Callable[[str, models.Model, list[str]], None]


def has_results(targets: doc.ProjectTargets) -> bool:
    """Whether a project of a document comes from a self-evaluation table."""
    return targets.results is not None or any(row.has_results for row in targets.indicators)


@dataclass
class PlannedResults:
    """A project's results as unsaved rows: its evaluation, and each row's result by the
    indicator's position in the table (rows without results are absent)."""

    evaluation: RecordedEvaluation
    rows: dict[int, RecordedResult] = field(default_factory=dict)


def plan_results(
    targets: doc.ProjectTargets, place: str, row_places: dict[int, str], check: Check
) -> PlannedResults | None:
    """The results a document's project carries, checked; None for a plain target table.

    ``row_places`` names each indicator row (by position) for the messages.
    """
    if not has_results(targets):
        return None
    found = targets.results or doc.ProjectResults()
    evaluation = RecordedEvaluation(
        executed=found.executed,
        execution_rate=found.execution_rate,
        execution_points=found.execution_points,
        execution_score=found.execution_score,
        total_score=found.total_score,
    )
    check(place + _("自评结果"), evaluation, ["project", "source", "imported_by"])
    planned = PlannedResults(evaluation)
    for position, row in enumerate(targets.indicators, start=1):
        if not row.has_results or position not in row_places:
            continue
        result = RecordedResult(
            actual=(row.actual or "").strip(),
            points=row.points,
            score=row.score,
            explanation=(row.explanation or "").strip(),
        )
        check(row_places[position] + _("自评结果"), result, ["indicator"])
        planned.rows[position] = result
    return planned


def _values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = jsonable(plain(value) if isinstance(value, Decimal) else value)
    return values


def _same(obj: models.Model, planned: models.Model, fields: Iterable[str]) -> bool:
    return _values(obj, fields) == _values(planned, fields)


def write_results(
    unit: Unit, project: Project, planned: PlannedResults, *, actor: Actor, source: str
) -> tuple[str, list[Entry]]:
    """Write a project's results after its indicators were synced with the same table;
    returns what was done (an ``ImportStatus``) and the change-log rows to append.

    Indicators are found by position: after the sync, the live indicators are exactly the
    table's rows, each at its row's position.
    """
    note = _("导入「%(source)s」的自评结果") % {"source": source}
    entries: list[Entry] = []
    live = {i.position: i for i in Indicator.objects.filter(project=project)}
    existing = {
        r.indicator_id: r
        for r in RecordedResult.objects.select_for_update().filter(
            indicator_id__in=[i.pk for i in live.values()]
        )
    }
    for position, indicator in sorted(live.items()):
        where = f"{project.label} / {indicator.level3}"[:300]
        row = planned.rows.get(position)
        found = existing.get(indicator.pk)
        if row is None:
            if found is not None:
                # The new table has this indicator without results: the old ones no longer hold.
                entries.append(
                    Entry.of(
                        Action.DELETE,
                        found,
                        unit=unit,
                        before=_values(found, RESULT_FIELDS),
                        comment=note,
                        object_repr=where,
                    )
                )
                found.delete()
            continue
        if found is None:
            row.indicator = indicator
            row.save()
            entries.append(
                Entry.of(
                    Action.CREATE,
                    row,
                    unit=unit,
                    after=_values(row, RESULT_FIELDS),
                    comment=note,
                    object_repr=where,
                )
            )
        elif not _same(found, row, RESULT_FIELDS):
            before = _values(found, RESULT_FIELDS)
            for name in RESULT_FIELDS:
                setattr(found, name, getattr(row, name))
            found.save(update_fields=RESULT_FIELDS)
            entries.append(
                Entry.of(
                    Action.UPDATE,
                    found,
                    unit=unit,
                    before=before,
                    after=_values(found, RESULT_FIELDS),
                    comment=note,
                    object_repr=where,
                )
            )

    evaluation = RecordedEvaluation.objects.select_for_update().filter(project=project).first()
    where = _("%(project)s %(year)s 年自评结果") % {"project": project.label, "year": project.year}
    logged = [*EVALUATION_FIELDS, "source"]
    fresh = planned.evaluation
    fresh.source = source[:255]
    if evaluation is None:
        fresh.project, fresh.imported_by, fresh.imported_at = project, actor.user, timezone.now()
        fresh.save()
        entries.insert(
            0,
            Entry.of(
                Action.CREATE,
                fresh,
                unit=unit,
                after=_values(fresh, logged),
                comment=note,
                object_repr=where,
            ),
        )
        return ImportStatus.CREATED, entries
    if not entries and _same(evaluation, fresh, EVALUATION_FIELDS):
        # The same results again: nothing is written, the record keeps its first import.
        return ImportStatus.UNCHANGED, []
    before = _values(evaluation, logged)
    for name in logged:
        setattr(evaluation, name, getattr(fresh, name))
    evaluation.imported_by, evaluation.imported_at = actor.user, timezone.now()
    evaluation.save()
    entries.insert(
        0,
        Entry.of(
            Action.UPDATE,
            evaluation,
            unit=unit,
            before=before,
            after=_values(evaluation, logged),
            comment=note,
            object_repr=where,
        ),
    )
    return ImportStatus.UPDATED, entries


# --- reading a year back for the self-evaluation page ---------------------------------------


@dataclass
class RecordedRow:
    """An indicator with its recorded result (None: the table gave it none), and the rowspans
    of its level-1 and level-2 cells (0: merged above)."""

    indicator: Indicator
    result: RecordedResult | None
    span1: int = 1
    span2: int = 1


@dataclass
class RecordedProject:
    """A project's recorded evaluation with its indicator rows, in table order."""

    project: Project
    evaluation: RecordedEvaluation
    rows: list[RecordedRow]

    @property
    def points_total(self) -> Decimal | None:
        """The recorded points of every row and of budget execution (None when none has any)."""
        points = [r.result.points for r in self.rows if r.result and r.result.points is not None]
        if self.evaluation.execution_points is not None:
            points.append(self.evaluation.execution_points)
        return sum(points, Decimal(0)) if points else None


@dataclass
class RecordedYear:
    """A unit's imported self-evaluation results for a year, project by project; the year's
    other projects (no results imported) are listed by name."""

    unit: Unit
    year: int
    projects: list[RecordedProject]
    without: list[Project]

    @property
    def sources(self) -> list[str]:
        """The files the results came from, in project order, each once."""
        return list(
            dict.fromkeys(p.evaluation.source for p in self.projects if p.evaluation.source)
        )


def recorded_year(unit: Unit, year: int) -> RecordedYear | None:
    """The unit's imported results for the year; None when no project of the year has any."""
    projects = list(
        Project.objects.filter(unit=unit, year=year)
        .select_related("recorded_evaluation__imported_by")
        .order_by("position", "id")
    )
    with_results = [p for p in projects if _evaluation_of(p) is not None]
    if not with_results:
        return None
    indicators = (
        Indicator.objects.filter(project__in=with_results)
        .select_related("recorded_result")
        .order_by("project_id", "position", "id")
    )
    by_project: dict[int, list[Indicator]] = {}
    for indicator in indicators:
        by_project.setdefault(indicator.project_id, []).append(indicator)
    shown = []
    for project in with_results:
        rows = by_project.get(project.pk, [])
        spans = level_spans([(i.level1, i.level2) for i in rows])
        evaluation = _evaluation_of(project)
        assert evaluation is not None
        shown.append(
            RecordedProject(
                project,
                evaluation,
                [
                    RecordedRow(i, _result_of(i), s1, s2)
                    for i, (s1, s2) in zip(rows, spans, strict=True)
                ],
            )
        )
    without = [p for p in projects if _evaluation_of(p) is None]
    return RecordedYear(unit, year, shown, without)


def _evaluation_of(project: Project) -> RecordedEvaluation | None:
    try:
        return project.recorded_evaluation
    except RecordedEvaluation.DoesNotExist:
        return None


def _result_of(indicator: Indicator) -> RecordedResult | None:
    try:
        return indicator.recorded_result
    except RecordedResult.DoesNotExist:
        return None
