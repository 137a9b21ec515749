"""Report -> file. One writer per format, all drawing the same format-free layout.

Writers (``RENDERERS``) take a :class:`~jixiao.exporters.targets_layout.Layout`, so a later
report (monitoring, self-evaluation) only needs its own layout builder; ``EXPORTERS`` binds the
target-table builder to every writer. Adding a format means adding one renderer here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from jixiao.core.document import TargetDocument
from jixiao.exporters import docx, pdf, xlsx
from jixiao.exporters.targets_layout import Layout, build_layout

__all__ = [
    "CONTENT_TYPES",
    "EXPORTERS",
    "RENDERERS",
    "SUFFIXES",
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


def exporters_for(build: Callable[[R], Layout]) -> dict[str, Callable[[R], bytes]]:
    """Bind a report's layout builder to every renderer: ``{format: report -> bytes}``."""

    def bind(render: Renderer) -> Callable[[R], bytes]:
        return lambda report: render(build(report))

    return {fmt: bind(render) for fmt, render in RENDERERS.items()}


EXPORTERS: dict[str, Exporter] = exporters_for(build_layout)


def export_targets(doc: TargetDocument, fmt: str) -> bytes:
    """Render a target document as ``fmt`` (xlsx, docx or pdf)."""
    exporter = EXPORTERS.get(fmt)
    if exporter is None:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {sorted(EXPORTERS)}")
    return exporter(doc)
