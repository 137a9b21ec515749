"""A unit-year's actuals as the CLI and the pages show them: per project, each indicator's row."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from jixiao.core import metrics as m
from jixiao.metrics.evaluate import Actual, catalog_for, evaluate
from jixiao.metrics.models import Evidence, ManualActual
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

SOURCE_LABELS = {"metric": "按口径计算", "manual": "手工填报", "none": "未设置口径"}


@dataclass
class ActualRow:
    """One indicator with its actual, the metric in words, and the hand entry behind it."""

    indicator: Indicator
    actual: Actual
    metric_text: str | None
    entry: ManualActual | None = None  # the hand entry the actual comes from

    @property
    def source_label(self) -> str:
        """How the actual was obtained, in Chinese."""
        return SOURCE_LABELS[self.actual.source]

    @property
    def computed(self) -> bool:
        """True when a metric computes the actual (so there are records to list)."""
        return self.actual.source == "metric"

    @property
    def takes_manual(self) -> bool:
        """True when the actual is entered by hand (a manual metric, or none at all)."""
        return self.actual.source != "metric"

    def as_json(self, project: Project) -> dict[str, Any]:
        """The row as ``jixiao actuals --json`` prints it."""
        actual = self.actual
        return {
            "project": project.code,
            "project_name": project.name,
            "level1": self.indicator.level1,
            "level2": self.indicator.level2,
            "level3": self.indicator.level3,
            "target": self.indicator.target,
            "actual": m.value_text(actual.value),
            "text": actual.text,
            "source": actual.source,
            "metric": actual.metric,
            "metric_text": self.metric_text,
            "records": actual.records,
            "numerator": _text(actual.numerator),
            "denominator": _text(actual.denominator),
            "error": actual.error,
        }


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@dataclass
class ProjectActuals:
    """A project and its indicators' rows, in indicator order."""

    project: Project
    rows: list[ActualRow] = field(default_factory=list)

    def spanned(self) -> list[tuple[ActualRow, int, int]]:
        """Each row with the spans of its level-1 and level-2 cells (0: merged with the above).

        Equal names in consecutive rows merge, as in the printed target tables.
        """
        spans = [[1, 1] for _ in self.rows]
        for level in (0, 1):
            names = [r.indicator.triple[: level + 1] for r in self.rows]
            start = 0
            for index in range(1, len(self.rows) + 1):
                if index < len(self.rows) and names[index] == names[start]:
                    spans[index][level] = 0
                    spans[start][level] += 1
                else:
                    start = index
        return [(row, a, b) for row, (a, b) in zip(self.rows, spans, strict=True)]


def actual_tables(unit: Unit, year: int, as_of: dt.date) -> list[ProjectActuals]:
    """Every project of the unit-year with its indicators' actuals at ``as_of``."""
    # Removed evidence is kept but not shown with the entry.
    live = Prefetch("files", Evidence.objects.live().order_by("uploaded_at", "id"))
    latest = ManualActual.objects.filter(as_of__lte=as_of).prefetch_related(live)
    projects = list(
        Project.objects.filter(unit=unit, year=year)
        .order_by("position", "id")
        .prefetch_related(
            Prefetch(
                "indicators",
                Indicator.objects.order_by("position", "id").prefetch_related(
                    Prefetch("manual_actuals", latest.order_by("-as_of", "-entered_at", "-id"))
                ),
            )
        )
    )
    actuals = evaluate(projects, as_of)
    catalog = catalog_for(unit)
    words: dict[str, str | None] = {}
    tables = []
    for project in projects:
        table = ProjectActuals(project)
        for indicator in project.indicators.all():
            actual = actuals[indicator.pk]
            entries = list(indicator.manual_actuals.all())
            entry = entries[0] if entries and actual.source == "manual" else None
            table.rows.append(ActualRow(indicator, actual, _words(actual, catalog, words), entry))
        tables.append(table)
    return tables


def _words(
    actual: Actual, catalog: dict[str, m.LedgerSchema], cache: dict[str, str | None]
) -> str | None:
    """The metric in words (cached per definition), None without a usable metric."""
    if actual.metric is None or actual.error is not None:
        return None
    key = repr(actual.metric)
    if key not in cache:
        cache[key] = m.describe(m.parse(actual.metric), catalog)
    return cache[key]
