"""The department-wide part (部门整体绩效目标) from a document's paragraphs.

Its shape: a heading for the overall goal (一、总体绩效目标) and its text; a heading for the
sub-goals (二、分项绩效目标), each sub-goal a numbered title (（一）营造网络正面舆论强势) with
`绩效目标：` and `绩效指标：` lines; a heading for the safeguards (三、工作保障措施), each a
numbered paragraph. The part ends at the project part (第二部分 / 预算项目绩效目标).
"""

from __future__ import annotations

import re

from jixiao.core.document import SubGoal, UnitGoalPart

_NUMBERED = re.compile(
    r"^\s*[(（]\s*[一二三四五六七八九十百\d]+\s*[)）]\s*|^\s*\d+\s*[.、．]\s*(?=\D)"
)
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|\d+\s*[、.．])?\s*(.{2,16})$")
_END = re.compile(r"^(第[二三四]部分|预算项目绩效目标|项目支出绩效目标)")
_GOAL_LINE = re.compile(r"^\s*(?:绩效目标|目标)\s*[:：]\s*(.*)$", re.S)
_INDICATOR_LINE = re.compile(r"^\s*(?:绩效指标|指标)\s*[:：]\s*(.*)$", re.S)

OVERALL = "overall"
SUB_GOALS = "sub_goals"
SAFEGUARDS = "safeguards"


def _section(text: str) -> str | None:
    m = _HEADING.match(text)
    if not m or len(text) > 24:
        return None
    name = re.sub(r"\s+", "", m.group(1))
    if "总体" in name and "目标" in name:
        return OVERALL
    if "分项" in name and "目标" in name:
        return SUB_GOALS
    if "保障措施" in name:
        return SAFEGUARDS
    return None


def read_unit_goal(paragraphs: list[str]) -> UnitGoalPart | None:
    """Read the department-wide part, or None when the paragraphs hold none."""
    part = UnitGoalPart()
    section: str | None = None
    found = False
    overall: list[str] = []
    for raw in paragraphs:
        text = raw.strip()
        if not text:
            continue
        if _END.match(text):
            if found:
                break
            continue
        heading = _section(text)
        if heading:
            section = heading
            found = True
            continue
        if section == OVERALL:
            overall.append(text)
        elif section == SUB_GOALS:
            _sub_goal_line(part, text)
        elif section == SAFEGUARDS:
            if _NUMBERED.match(text) or not part.safeguards:
                part.safeguards.append(_NUMBERED.sub("", text, count=1).strip())
            else:
                part.safeguards[-1] += "\n" + text
    if not found:
        return None
    part.overall = "\n".join(overall) or None
    return part


def _sub_goal_line(part: UnitGoalPart, text: str) -> None:
    if m := _GOAL_LINE.match(text):
        if part.sub_goals:
            part.sub_goals[-1].goal = m.group(1).strip() or None
        return
    if m := _INDICATOR_LINE.match(text):
        if part.sub_goals:
            part.sub_goals[-1].indicators = m.group(1).strip() or None
        return
    if _NUMBERED.match(text) and len(text) <= 40:
        part.sub_goals.append(SubGoal(_NUMBERED.sub("", text, count=1).strip()))
        return
    if part.sub_goals:
        last = part.sub_goals[-1]
        if last.indicators is not None:
            last.indicators += "\n" + text
        elif last.goal is not None:
            last.goal += "\n" + text
        else:
            last.goal = text
