"""A survey's answers and results as an Excel workbook (openpyxl)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from jixiao.exporters.text import is_formula_like, printable
from jixiao.surveys.answers import QuestionTally
from jixiao.surveys.models import Question, Response, Survey


def _append(sheet: Worksheet, values: list[object]) -> None:
    """A row whose texts stay texts: an answer typed as "=cmd|…" is never a formula."""
    sheet.append([printable(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
            if is_formula_like(cell.value):
                cell.quotePrefix = True


def survey_workbook(
    survey: Survey,
    questions: list[Question],
    responses: list[Response],
    results: list[QuestionTally],
    *,
    voided: int = 0,
) -> bytes:
    """Two sheets: 统计结果 (counts per option, from :func:`tally`) and 答卷明细 (each answer).

    ``responses`` are the answers that count; ``voided`` says how many were voided (left out).
    """
    book = Workbook()
    summary = book.active
    assert summary is not None
    summary.title = "统计结果"
    _append(summary, [survey.title])
    summary["A1"].font = Font(bold=True, size=14)
    _append(summary, [f"答卷 {len(responses)} 份（另有作废 {voided} 份，不计入）"])
    for n, result in enumerate(results, 1):
        _append(summary, [])
        _append(summary, [f"{n}. {result.text}", f"作答 {result.answered} 份"])
        summary.cell(summary.max_row, 1).font = Font(bold=True)
        if result.choices:
            _append(summary, ["选项", "份数", "占比（%）"])
            for choice in result.choices:
                _append(summary, [choice.label, choice.count, choice.percent])
        for text in result.texts:
            _append(summary, [text])
    summary.column_dimensions["A"].width = 48
    detail = book.create_sheet("答卷明细")
    _append(detail, ["问卷编号", "提交时间", "有效问卷", "评价", *[q.text for q in questions]])
    for cell in detail[1]:
        cell.font = Font(bold=True)
    for response in responses:
        values = []
        for q in questions:
            value = response.answers.get(q.key, "")
            values.append("、".join(value) if isinstance(value, list) else value)
        _append(
            detail,
            [
                response.number,
                response.submitted_at.strftime("%Y-%m-%d %H:%M"),
                "是" if response.valid else "否",
                response.rating,
                *values,
            ],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
