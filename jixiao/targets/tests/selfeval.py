"""A self-evaluation table built by hand: the demo document with a past year's results, as
the interpreter gives one from a table with 年初目标值, 实际完成值, 分值, 得分 and 偏差原因."""

from __future__ import annotations

import dataclasses
from decimal import Decimal

from jixiao.core.document import ProjectResults, TargetDocument

PROJECT = "网络安全和信息化经费"
# 实际完成值, 分值, 得分, 偏差原因 of the four rows of the project, as the table writes them.
RESULTS = [
    ("230条", "25", "25", None),
    ("98.21%", "25", "24.55", "个别舆情处置滞后，已建立24小时值班制度。"),
    ("达成", "30", "30", None),
    ("95%", "10", "10", None),
]
FUNDS = ProjectResults(
    executed=Decimal("14.20"),
    execution_rate=Decimal("94.67"),
    execution_points=Decimal("10"),
    execution_score=Decimal("9.47"),
    total_score=Decimal("99.02"),
)


def selfeval_document(document: TargetDocument, year: int = 2020) -> TargetDocument:
    """The demo document as a self-evaluation table of ``year``: its first project carries
    the year's results, its second (a target table's) none."""
    document.year = year
    project = document.projects[0]
    for row, (actual, points, score, explanation) in zip(project.indicators, RESULTS, strict=True):
        row.actual, row.points, row.score = actual, Decimal(points), Decimal(score)
        row.explanation = explanation
    project.results = dataclasses.replace(FUNDS)
    return document
