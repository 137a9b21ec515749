"""Report -> file. One writer per format, all drawing the same format-free layout.

Writers (``RENDERERS``) take a :class:`~jixiao.exporters.targets_layout.Layout`, so each report
only needs its own layout builder: the target table (``EXPORTERS`` binds its builder to every
writer), the monitoring table and the self-evaluation table. Adding a format means adding one
renderer here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jixiao.core.document import TargetDocument
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.exporters import docx, pdf, xlsx
from jixiao.exporters.monitoring_layout import build_monitoring_layout
from jixiao.exporters.selfeval_layout import build_selfeval_layout
from jixiao.exporters.targets_layout import Layout, build_layout

__all__ = [
    "CONTENT_TYPES",
    "EXPORTERS",
    "LABELS",
    "RENDERERS",
    "SUFFIXES",
    "export_monitoring",
    "export_selfeval",
    "export_targets",
    "exporters_for",
]

R = TypeVar("R")
Renderer = Callable[[Layout], bytes]
Exporter = Callable[[TargetDocument], bytes]

RENDERERS: dict[str, Renderer] = {
    "xlsx": xlsx.render,
    "docx": docx.render,
    "pdf": pdf.render,
}

CONTENT_TYPES: dict[str, str] = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}

SUFFIXES: dict[str, str] = {fmt: f".{fmt}" for fmt in RENDERERS}

# What download buttons call each format.
LABELS: dict[str, str] = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF"}


def exporters_for(build: Callable[[R], Layout]) -> dict[str, Callable[[R], bytes]]:
    """Bind a report's layout builder to every renderer: ``{format: report -> bytes}``."""

    def bind(render: Renderer) -> Callable[[R], bytes]:
        return lambda report: render(build(report))

    return {fmt: bind(render) for fmt, render in RENDERERS.items()}


EXPORTERS: dict[str, Exporter] = exporters_for(build_layout)


def _renderer(fmt: str) -> Renderer:
    render = RENDERERS.get(fmt)
    if render is None:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {sorted(RENDERERS)}")
    return render


def export_targets(doc: TargetDocument, fmt: str) -> bytes:
    """Render a target document as ``fmt`` (xlsx, docx or pdf)."""
    _renderer(fmt)
    return EXPORTERS[fmt](doc)


def export_monitoring(
    report: MonitoringReport, fmt: str, *, project_id: int | None = None
) -> bytes:
    """The 绩效运行监控表 as ``fmt``: the unit file, or one project's table alone."""
    return _renderer(fmt)(build_monitoring_layout(report, project_id))


def export_selfeval(
    report: SelfEvaluationReport, fmt: str, *, project_id: int | None = None
) -> bytes:
    """The 项目支出绩效自评表 as ``fmt``: the unit file, or one project's table alone."""
    return _renderer(fmt)(build_selfeval_layout(report, project_id))
