"""Reports shaped for the pages: merged level cells, each project's charts and forms.

The numbers are the report objects' own (``jixiao.core.reports``); this module only arranges
them for the templates, so a page, a snapshot and a download never disagree.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core.reports import (
    BLUE,
    GREEN,
    RED,
    YELLOW,
    EvaluationRow,
    MonitoringReport,
    MonitoringRow,
    ProjectEvaluation,
    ProjectMonitoring,
    SelfEvaluationReport,
)
from jixiao.exporters.charts import completion_series, spending_series
from jixiao.rounds.choices import ReportStatus
from jixiao.rounds.forms import EntryForm, OverrideForm, entry_form, override_form, project_form
from jixiao.rounds.models import Report
from jixiao.targets.tables import level_spans

Document = MonitoringReport | SelfEvaluationReport
Table = ProjectMonitoring | ProjectEvaluation
Row = MonitoringRow | EvaluationRow

# The kinds the templates switch on.
MONITORING, EVALUATION = "monitoring", "evaluation"


@dataclass
class RowView:
    """A table row with the rowspans of its level-1 and level-2 cells (0: merged above)."""

    row: Row
    span1: int
    span2: int
    form: EntryForm | None = None
    override: OverrideForm | None = None


@dataclass
class ProjectView:
    """One project's table as a page draws it, with its forms when the report takes input."""

    table: Table
    rows: list[RowView]
    form: EntryForm | None = None
    override: OverrideForm | None = None  # the budget-execution score's
    charts: dict[str, Any] | None = None
    chart_id: str = ""

    @property
    def light_counts(self) -> list[tuple[str, int]]:
        """How many indicators show each light, red first (monitoring)."""
        counts = Counter(getattr(r.row, "light", None) for r in self.rows)
        return [(light, counts[light]) for light in (RED, YELLOW, GREEN, BLUE) if counts[light]]

    @property
    def needs_reason(self) -> int:
        """How many rows (and the budget) ask the unit for a reason or an explanation."""
        table = self.table
        if isinstance(table, ProjectMonitoring):
            rows = sum(1 for r in table.rows if r.reason_required)
            return rows + int(table.budget.reason_required)
        rows = sum(1 for r in table.rows if r.explanation_required)
        return rows + int(table.execution.explanation_required)

    @property
    def points_total(self) -> Decimal | None:
        """The points of every row and of budget execution (a self-evaluation's 100)."""
        table = self.table
        if not isinstance(table, ProjectEvaluation):
            return None
        return sum((r.points for r in table.rows), table.execution.points)


def kind_of(doc: Document) -> str:
    """ "monitoring" or "evaluation": which tables a template draws."""
    return MONITORING if isinstance(doc, MonitoringReport) else EVALUATION


def row_views(rows: tuple[Row, ...]) -> list[RowView]:
    """Rows with level-1 and level-2 cells merged down consecutive equal values."""
    spans = level_spans([(r.level1, r.level2) for r in rows])
    return [RowView(r, s1, s2) for r, (s1, s2) in zip(rows, spans, strict=True)]


def chart_data(doc: Document, project_id: int | None) -> dict[str, Any]:
    """The two charts' data (the unit's when project_id is None), as the exported files draw."""
    return {
        "spending": spending_series(doc, project_id),
        "completion": completion_series(doc, project_id),
    }


def project_views(doc: Document, *, charts: bool = False) -> list[ProjectView]:
    """Each project of a report with merged level cells (and its charts' data)."""
    views = []
    for table in doc.projects:
        view = ProjectView(table, row_views(table.rows))
        if charts:
            view.charts = chart_data(doc, table.project_id)
            view.chart_id = f"chart-data-{table.project_id}"
        views.append(view)
    return views


def report_views(report: Report, doc: Document) -> list[ProjectView]:
    """The report's projects with the forms its status allows.

    While the unit edits (draft, returned): a form per row and per project. While a
    self-evaluation awaits review: a reviewer's 调整得分 form per score.
    """
    views = project_views(doc)
    editable = report.editable
    reviewing = isinstance(doc, SelfEvaluationReport) and report.status == ReportStatus.SUBMITTED
    for view in views:
        table = view.table
        if editable:
            view.form = project_form(table)
        if reviewing and isinstance(table, ProjectEvaluation):
            view.override = override_form(table, None)
        for item in view.rows:
            row = item.row
            if editable and row.indicator_id is not None:
                item.form = entry_form(row)
            if (
                reviewing
                and isinstance(table, ProjectEvaluation)
                and isinstance(row, EvaluationRow)
                and not row.not_applicable
            ):
                item.override = override_form(table, row)
    return views


def find_row(doc: Document, indicator_id: int) -> tuple[Table, RowView] | None:
    """A row of the document with its spans, and its project's table."""
    for table in doc.projects:
        for item in row_views(table.rows):
            if item.row.indicator_id == indicator_id:
                return table, item
    return None
