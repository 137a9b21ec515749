"""Indicator tables that lost their row (or all) borders: a stream of cells, or running text.

Web pages and PDF text layers often give a table as one long row of cells, or as paragraphs in
which the cells run together (`产出指标数量指标免费开放天数=300天质量指标…`). Rows are recovered
from content: a level name starts a row, and so does text that follows a value (a target, a
number). Each recovered row is then placed under the grid's columns like any other short row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jixiao.core.document import Warning
from jixiao.core.targets import is_target_like
from jixiao.importers import vocab as v

_HEADER_WORDS = [
    "一级指标",
    "二级指标",
    "三级指标内容",
    "三级指标",
    "指标名称",
    "绩效指标描述",
    "指标解释",
    "指标说明",
    "指标内容",
    "年度指标值",
    "指标目标值",
    "指标值及单位",
    "指标值确定依据",
    "指标值",
    "目标值",
    "全年完成值",
    "实际完成值",
    "未完成原因和改进措施",
    "偏差原因分析及改进措施",
    "分值",
    "得分",
    "权重",
    "绩效标准",
    "计量单位",
    "指标性质",
]
_HEADER_RE = re.compile("|".join(re.escape(w) for w in _HEADER_WORDS))

# Level names as they occur inside running text, longest first so 服务对象满意度指标 wins
# over 满意度指标.
_LEVEL_WORDS = sorted(
    [
        "产出指标",
        "效益指标",
        "满意度指标",
        "效果指标",
        "数量指标",
        "质量指标",
        "时效指标",
        "成本指标",
        "经济效益指标",
        "社会效益指标",
        "生态效益指标",
        "可持续影响指标",
        "服务对象满意度指标",
        "社会公众或服务对象满意度指标",
        "经济成本指标",
        "社会成本指标",
        "生态环境成本指标",
    ],
    key=len,
    reverse=True,
)
_LEVEL_RE = re.compile("|".join(re.escape(w) for w in _LEVEL_WORDS))
# A target inside running text: an operator then a number and unit, or a bare percentage.
_TARGET_RE = re.compile(
    r"(?:[≥≧≤≦><=＝═＞＜]=?|二(?=\d))\s*\d+(?:\.\d+)?\s*"
    r"(?:%|％|百分比|个工作日|[个条次人天日年月件项元万吨台辆户篇场所家份册本座公里米]{1,2}(?:/[^\d\s]{1,2})?)?"
    r"|\d+(?:\.\d+)?\s*(?:%|％|百分比)"
    r"|\d+(?:\.\d+)?[个条次人天日年月件项元吨台辆户篇场所家份册本座起例种]{1,2}(?=\d)"
)
_TRAILER_RE = re.compile(
    r"说明[:：]|注[:：]|总分|其他需要说明|填表人|审核意见|[^。，,；;]{0,20}绩效目标(申报|批复)?表"
)
_PAGE_MARK = re.compile(r"(?:^|\n)\d{1,2}、")


@dataclass
class FlatResult:
    """Rows recovered from a stream, the grid roles read from its header, and warnings."""

    roles: list[str | None]
    names: list[str] = field(default_factory=list)  # the header's words, for warning places
    rows: list[list[str]] = field(default_factory=list)
    places: list[str] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)


def _is_value(text: str) -> bool:
    """A numeric target or number: what ends a row's run of text cells in a stream."""
    return bool(re.search(r"\d", text)) and (
        is_target_like(text) or bool(re.fullmatch(r"-?\d+(?:\.\d+)?", text.strip()))
    )


def segment(cells: list[str], roles: list[str | None]) -> list[list[str]]:
    """Split a stream of cells into rows at level names and at text that follows a value."""
    return [row for _, row in segment_spans(cells, roles)]


def segment_spans(cells: list[str], roles: list[str | None]) -> list[tuple[int, list[str]]]:
    """segment(), each row with the index of its first cell in ``cells``."""
    has_basis = v.BASIS in roles
    has_unit = v.UNIT in roles
    has_explanation = v.EXPLANATION in roles
    texts = [c.strip() for c in cells]
    filled = [t for t in texts if t]
    rows: list[tuple[int, list[str]]] = []
    row: list[str] = []
    start = 0
    seen = 0
    for index, cell in enumerate(texts):
        if not cell:
            continue
        seen += 1
        following = filled[seen] if seen < len(filled) else None
        starts_row = False
        if v.is_level_name(cell):
            # A level-2 name right after a level-1 name stays in its row.
            starts_row = not (row and len(row) == 1 and v.is_level1_name(row[0]))
        elif row and _is_value(row[-1]) and not _is_value(cell):
            unit_cell = has_unit and len(cell) <= 4 and not re.search(r"\d", cell)
            starts_row = not (has_basis and v.is_basis_like(cell)) and not unit_cell
            if starts_row and has_explanation and _explains(row, cell, following):
                starts_row = False
        if starts_row and row:
            rows.append((start, row))
            row = []
        if not row:
            start = index
        row.append(cell)
    if row:
        rows.append((start, row))
    return rows


def _explains(row: list[str], cell: str, following: str | None) -> bool:
    """A self-evaluation row's 偏差原因 after its score, not the next row's indicator name.

    The row so far ends in two numbers (分值, 得分) and the text is followed by a level name,
    by nothing, or reads as a sentence.
    """
    scores = len(row) >= 3 and all(re.fullmatch(r"\d+(?:\.\d+)?", c) for c in row[-2:])
    if not scores:
        return False
    return following is None or v.is_level_name(following) or bool(re.search(r"[，。；,;]", cell))


def stream_rows(cells: list[str], roles: list[str | None], place: str) -> FlatResult:
    """Rows from a stream of cells that lost its row breaks."""
    result = FlatResult(roles)
    for row in segment(cells, roles):
        result.rows.append(row)
        result.places.append(place)
    return result


def _header(text: str) -> tuple[list[str], int] | None:
    """The header words at the start of `text` (squashed) and where the body begins."""
    start = text.find("一级")
    if start < 0:
        return None
    words: list[str] = []
    pos = start
    while m := _HEADER_RE.match(text, pos):
        words.append(m.group(0))
        pos = m.end()
    if "一级指标" not in words or not ({"三级指标", "三级指标内容", "指标名称"} & set(words)):
        return None
    return words, pos


def rows_from_flat_text(
    text: str, following: list[str], place: str, following_places: list[str]
) -> FlatResult | None:
    """Rows of an indicator table whose cells run together in paragraphs, or None if no header.

    ``place`` names the paragraph holding the header, ``following_places`` each paragraph after.
    """
    spaced = bool(re.search(r"一级指标\s+二级指标", text))
    squashed = re.sub(r"\s+", "", text)
    found = _header(squashed)
    if found is None:
        return None
    words, body_start = found
    roles = [v.column_role(w) for w in words]
    result = FlatResult(roles, names=list(words))
    if spaced:
        # Cells separated by spaces: the header ends where its words end in the spaced text.
        idx = text.find(words[-1], text.find("一级指标")) + len(words[-1])
        lines = [text[idx:], *following]
        if not lines[0].strip() and all(len(x.split()) <= len(roles) for x in following[:40]):
            for n, line in enumerate(following):
                if _TRAILER_RE.match(line.strip()):
                    break
                if line.split():
                    result.rows.append(line.split())
                    result.places.append(following_places[n])
            return result
        body = "\n".join(lines)
        body = _TRAILER_RE.split(body, maxsplit=1)[0]
        cells = body.split()
    else:
        body = "\n".join([squashed[body_start:], *following])
        body = _TRAILER_RE.split(body, maxsplit=1)[0]
        body = _PAGE_MARK.sub("", body)
        cells = _tokens(re.sub(r"\s+", "", body))
        result.warnings.append(
            Warning(
                place, "指标表的单元格连在一起（没有表格线），已按指标名称和指标值拆分，请逐行核对"
            )
        )
    for row in segment(cells, roles):
        result.rows.append(row)
        result.places.append(place)
        if not spaced and any(re.search(r"\d", c) and not _is_value(c) for c in row):
            shown = "｜".join(row)[:60]
            result.warnings.append(Warning(place, f"“{shown}”中的数字可能属于指标值，请核对这一行"))
    return result


def _tokens(text: str) -> list[str]:
    """Cut running text into cells at level names and targets."""
    cells: list[str] = []
    pos = 0
    pattern = re.compile(f"(?:{_LEVEL_RE.pattern})|(?:{_TARGET_RE.pattern})")
    for m in pattern.finditer(text):
        if m.start() > pos:
            # A unit sign stuck to the name belongs to the target after it (完成及时率%=99%).
            cells.append(text[pos : m.start()].rstrip("%％"))
        cells.append(m.group(0))
        pos = m.end()
    if pos < len(text):
        cells.append(text[pos:])
    return _split_actuals(cells)


_COUNT_HEAD = re.compile(
    r"^(\d+(?:\.\d+)?[个条次人天日年月件项元吨台辆户篇场所家份册本座起例种]{1,2})(.+)$"
)


def _split_actuals(cells: list[str]) -> list[str]:
    """Split `0起市民满意度调查` after a value: a count right after a target is its actual."""
    out: list[str] = []
    for cell in cells:
        m = _COUNT_HEAD.match(cell)
        if m and out and _is_value(out[-1]):
            out.extend([m.group(1), m.group(2)])
        else:
            out.append(cell)
    return out
