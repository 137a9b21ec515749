"""Reports shaped for the pages: merged level cells, each project's charts and forms.

The numbers are the report objects' own (``jixiao.core.reports``); this module only arranges
them for the templates, so a page, a snapshot and a download never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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
from jixiao.rounds.forms import (
    EntryForm,
    OverrideForm,
    comment_name,
    entry_form,
    override_form,
    project_form,
)
from jixiao.rounds.models import Report, ReviewComment
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
    # Comments a reviewer (or the unit's head) made on this row when returning the report.
    comments: list[ReviewComment] = field(default_factory=list)
    # While deciding: the name of this row's comment box in the review form, and its text.
    comment_box: str = ""
    comment_text: str = ""


@dataclass
class ProjectView:
    """One project's table as a page draws it, with its forms when the report takes input."""

    table: Table
    rows: list[RowView]
    form: EntryForm | None = None
    override: OverrideForm | None = None  # the budget-execution score's
    charts: dict[str, Any] | None = None
    chart_id: str = ""
    # Comments on the project's budget block, and its comment box while deciding.
    comments: list[ReviewComment] = field(default_factory=list)
    comment_box: str = ""
    comment_text: str = ""

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


def entry_versions(report: Report) -> tuple[dict[int, int], dict[int, int]]:
    """The version of each saved entry of the report: by indicator id, and by project id."""
    rows = dict(report.indicators.values_list("indicator_id", "version"))
    projects = dict(report.projects.values_list("project_id", "version"))
    return rows, projects


def report_views(
    report: Report,
    doc: Document,
    *,
    editing: bool = False,
    deciding: bool = False,
    overriding: bool = False,
    data: Any = None,
    comments: Iterable[ReviewComment] = (),
    typed: Mapping[str, str] | None = None,
) -> list[ProjectView]:
    """The report's projects with the inputs the person may use now.

    ``editing``: the unit's inputs per row and per project (bound to ``data`` after a refused
    save, so nothing typed is lost). ``deciding``: a comment box per row and project for the
    head or the reviewer (``typed`` keeps their text). ``overriding``: a reviewer's 调整得分
    form per score. ``comments``: what the last return said about each row, shown beside it.
    """
    versions: tuple[dict[int, int], dict[int, int]] = (
        entry_versions(report) if editing else ({}, {})
    )
    on_rows: dict[int, list[ReviewComment]] = defaultdict(list)
    on_projects: dict[int, list[ReviewComment]] = defaultdict(list)
    for comment in comments:
        if comment.indicator_id is not None:
            on_rows[comment.indicator_id].append(comment)
        elif comment.project_id is not None:
            # (A comment without a project is on a target round's unit-wide goal.)
            on_projects[comment.project_id].append(comment)
    typed = typed or {}
    views = project_views(doc)
    for view in views:
        table = view.table
        if editing:
            view.form = project_form(
                table,
                _posted(data, f"p{table.project_id}"),
                version=versions[1].get(table.project_id or 0, 0),
            )
        if overriding and isinstance(table, ProjectEvaluation):
            view.override = override_form(table, None)
        view.comments = on_projects.get(table.project_id or 0, [])
        if deciding:
            view.comment_box = comment_name(project_id=table.project_id)
            view.comment_text = typed.get(view.comment_box, "")
        for item in view.rows:
            row = item.row
            if row.indicator_id is None:
                continue
            if editing:
                item.form = entry_form(
                    row,
                    _posted(data, f"i{row.indicator_id}"),
                    version=versions[0].get(row.indicator_id, 0),
                )
            scored = isinstance(row, EvaluationRow) and not row.not_applicable
            if overriding and scored and isinstance(table, ProjectEvaluation):
                item.override = override_form(table, row)  # type: ignore[arg-type]
            item.comments = on_rows.get(row.indicator_id, [])
            if deciding:
                item.comment_box = comment_name(row.indicator_id)
                item.comment_text = typed.get(item.comment_box, "")
    return views


def _posted(data: Any, prefix: str) -> Any:
    """The posted data for a row's form, None when the page did not send that row (a row
    added since the page was read shows what the report holds)."""
    if data is None or f"{prefix}-version" not in data:
        return None
    return data


def forms_of(views: list[ProjectView]) -> list[tuple[str, int, EntryForm]]:
    """Every input form of a report page: ("indicator" or "project", its id, the form)."""
    found: list[tuple[str, int, EntryForm]] = []
    for view in views:
        if view.form is not None and view.table.project_id is not None:
            found.append(("project", view.table.project_id, view.form))
        for item in view.rows:
            if item.form is not None and item.row.indicator_id is not None:
                found.append(("indicator", item.row.indicator_id, item.form))
    return found


def find_row(doc: Document, indicator_id: int) -> tuple[Table, RowView] | None:
    """A row of the document with its spans, and its project's table."""
    for table in doc.projects:
        for item in row_views(table.rows):
            if item.row.indicator_id == indicator_id:
                return table, item
    return None
