"""Where a row's cells go: placing short rows (web text drops merged and blank cells) under
the indicator grid's columns by how well each cell's text fits each column."""

from __future__ import annotations

import re

from jixiao.core.targets import is_target_like, normalize_op
from jixiao.importers import values as cv
from jixiao.importers import vocab as v
from jixiao.importers.values import squash_ws


def fit(role: str | None, text: str, weighted: bool = False) -> float:
    """How well a cell's text fits a column role (higher is better).

    In a grid with a 权重/分值 column a bare number is as likely a weight as a target.
    """
    if not text:
        return 0.0
    level1 = v.is_level1_name(text)
    level2 = v.is_level2_name(text)
    target = is_target_like(text)
    if role == v.LEVEL1:
        if level1:
            return 2.5 if level2 else 3.0
        return -3.0 if level2 or target else -0.5
    if role == v.LEVEL2:
        if level2:
            if not squash_ws(v.bare(text)).endswith("指标"):
                return 1.5  # a short form (数量, 社会公众满意度) may as well be an indicator
            return 2.0 if level1 else 3.0
        return -3.0 if level1 or target else -0.5
    if role == v.LEVEL3:
        if level1 or level2:
            # 服务对象满意度 is a level-2 name only once completed: often an indicator's own.
            return -4.0 if squash_ws(v.bare(text)).endswith("指标") else -1.0
        return -1.5 if target and len(text) <= 8 else 1.0
    if role == v.DESCRIPTION:
        if level1 or level2:
            return -3.0
        short_number = target and len(squash_ws(text)) <= 12 and bool(cv.NUMBER.search(text))
        return -1.0 if short_number else 0.3  # ≥90% is a target, not a description
    if role == v.LONG_TERM:
        return 0.0
    if role == v.TARGET:
        if level1 or level2:
            return -3.0
        if weighted and _BARE_NUMBER.match(text):
            return 1.0
        return 3.0 if target else -1.0
    if role in (v.OP, v.NATURE):
        return 3.0 if normalize_op(text) or squash_ws(text) in ("定性", "定量") else -2.0
    if role == v.UNIT:
        return 1.0 if len(squash_ws(text)) <= 5 and not cv.NUMBER.search(text) else -1.5
    if role == v.BASIS:
        return 1.0 if v.is_basis_like(text) else (-2.0 if level1 or level2 else 0.0)
    if role in (v.WEIGHT, v.SCORE):
        if cv.is_not_applicable(text) or text.strip() in cv.BLANKS:
            return 0.5
        return 1.5 if cv.decimal(cv.BRACKETED_TAIL.sub("", text)) is not None else -1.0
    if role == v.ACTUAL:
        return 0.5
    if role == v.BUDGET:
        return 2.0 if cv.money(text)[0] is not None else -2.0
    if role in (v.PROJECT_NAME, v.UNIT_NAME, v.GOAL):
        return -3.0 if level1 or level2 or target else 0.5
    if role == v.DIRECTION:
        return 1.0 if "向" in text else -1.0
    return -1.0 if role is None else 0.0


_BARE_NUMBER = re.compile(r"^\s*\d+(?:\.\d+)?\s*$")
_GAP_PENALTY = 0.5  # a cell skipped inside a row (web text drops blank cells) costs a little
_LONE_LEVEL1_PENALTY = 3.0  # a level-1 name placed without its level-2 name right after it


def align(cells: list[str], roles: list[str | None]) -> list[str | None] | None:
    """Place a row's cells under the grid's columns.

    Sources that drop merged or blank cells (web text) give short rows: the leading cells (the
    merged level names) are missing, and blank cells inside the row are gone. Every placement
    of the row's cells in order is scored by how well each cell fits its column, a skipped
    column inside the row costing a little; the best wins, ties going right (missing cells
    are merged ones on the left).
    """
    width = len(roles)
    end = max((i for i, t in enumerate(cells) if t), default=-1) + 1
    content = cells[:end][:width]
    n = len(content)
    if not n:
        return None
    # A row as wide as the grid (Word, Excel) kept its blank cells: no gaps inside it.
    gaps = len(cells) < width
    weighted = v.WEIGHT in roles
    has_level2 = v.LEVEL2 in roles
    # best[i][j]: the best score of cells i.. with cell i under column j, and where cell i+1 goes.
    best: list[list[tuple[float, int]]] = [[(float("-inf"), -1)] * width for _ in range(n)]
    for i in range(n - 1, -1, -1):
        for j in range(i, width - (n - i) + 1):
            here = fit(roles[j], content[i], weighted)
            if i == n - 1:
                best[i][j] = (here, -1)
                continue
            choice = (float("-inf"), -1)
            for k in range(j + 1, (width - (n - i - 1) if gaps else j + 1) + 1):
                score = best[i + 1][k][0] - (_GAP_PENALTY if k > j + 1 else 0.0)
                if roles[j] == v.LEVEL1 and roles[k] != v.LEVEL2 and has_level2:
                    # A new level-1 group always starts with its level-2 name: `成本 | 补助标准`
                    # is a level-2 name and an indicator, not a level-1 name alone.
                    score -= _LONE_LEVEL1_PENALTY
                if score > choice[0]:
                    choice = (score, k)
            best[i][j] = (here + choice[0], choice[1])
    start = (float("-inf"), -1)
    for j in range(0, width - n + 1):
        score = best[0][j][0]
        if j == 0 and len(cells) == width:
            score += 0.25  # a full-width row (Word, Excel) is most likely placed as is
        if score >= start[0]:
            start = (score, j)
    if start[0] < 0:
        return None
    placed: list[str | None] = []
    j = start[1]
    for i in range(n):
        placed.append(roles[j])
        j = best[i][j][1]
    return placed
