"""Human-readable changes between two snapshots of a project or of a department-wide goal.

A snapshot is the object's part of a ``jixiao.targets/1`` document: ``ProjectTargets.to_dict()``
or ``UnitGoalPart.to_dict()``. A change is a plain dict stored as JSON with each revision, e.g.
``{"field": "指标值", "indicator": "舆情监测预警、研判分析数", "path": "产出指标 / 数量指标 / …",
"before": "≥200条", "after": "≥250条"}``. A removed indicator's change may say what it
held (``"held": "口径 1 个、手工填报实际完成值 3 条"``): the row is kept and can be restored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

Change = dict[str, str | None]
Snapshot = Mapping[str, Any]
Triple = tuple[str, str, str]

K = TypeVar("K", bound=Hashable)

ADDED_INDICATOR = "新增指标"
REMOVED_INDICATOR = "删除指标"
# An indicator removed earlier and back in the table (restored by hand or by a re-import).
RESTORED_INDICATOR = "恢复指标"
ADDED_SUB_GOAL = "新增分项绩效目标"
REMOVED_SUB_GOAL = "删除分项绩效目标"

_BUDGET_FIELDS = (
    ("total", "预算数"),
    ("fiscal", "财政资金"),
    ("other", "其他资金"),
    ("carryover", "上年结转资金"),
)
_INDICATOR_FIELDS = (
    ("target", "指标值"),
    ("description", "绩效指标描述"),
    ("basis", "指标值确定依据"),
    ("weight", "权重"),
)
_SUB_GOAL_FIELDS = (("goal", "绩效目标"), ("indicators", "绩效指标"))


def with_occurrence(keys: Iterable[K]) -> list[tuple[K, int]]:
    """Each key with how often it came before: equal keys stay apart, matched in order."""
    seen: Counter[K] = Counter()
    result = []
    for key in keys:
        result.append((key, seen[key]))
        seen[key] += 1
    return result


def indicator_identities(triples: Iterable[Triple]) -> list[tuple[Triple, int]]:
    """An indicator's identity: its three level names and its occurrence among equal triples."""
    # Real tables repeat a level-3 name under different level-2s, and now and then the same
    # triple twice; the occurrence index keeps such rows apart across re-imports.
    return with_occurrence(triples)


def revision_diff(before: Snapshot, after: Snapshot) -> list[Change]:
    """The changes from one snapshot to the next, in the order a reader meets them."""
    if "sub_goals" in after or "sub_goals" in before:
        return _unit_goal_diff(before, after)
    return _project_diff(before, after)


def describe_change(change: Change, width: int = 60) -> str:
    """One change as a Chinese sentence, long texts shortened to ``width`` characters."""
    field = change["field"] or ""
    before, after = _excerpts(change.get("before"), change.get("after"), width)
    if field in (ADDED_INDICATOR, REMOVED_INDICATOR, RESTORED_INDICATOR):
        value = before if field == REMOVED_INDICATOR else after
        text = f"{field}「{change.get('indicator')}」：{value or '（空）'}"
        if change.get("held"):
            text += f"（带有{change['held']}，已保留，可恢复）"
        return text
    if field in (ADDED_SUB_GOAL, REMOVED_SUB_GOAL):
        return f"{field}「{change.get('sub_goal')}」"
    if change.get("indicator"):
        field = f"指标「{change['indicator']}」{field}"
    elif change.get("sub_goal"):
        field = f"分项绩效目标「{change['sub_goal']}」{field}"
    elif change.get("item"):
        field = f"{field}{change['item']}"
    return f"{field}：{before or '（空）'} → {after or '（空）'}"


def _excerpts(before: str | None, after: str | None, width: int) -> tuple[str | None, str | None]:
    """Both texts cut to ``width``, starting near their first difference when that lies far in."""
    if before and after and max(len(before), len(after)) > width:
        common = next(
            (i for i, (x, y) in enumerate(zip(before, after, strict=False)) if x != y),
            min(len(before), len(after)),
        )
        if common > width // 2:
            skip = common - width // 4  # keep a little of the shared text for context
            before, after = "…" + before[skip:], "…" + after[skip:]
    return _short(before, width), _short(after, width)


def _short(text: str | None, width: int) -> str | None:
    if text is None or len(text) <= width:
        return text
    return text[: width - 1] + "…"


def _change(field: str, before: Any, after: Any, **where: str) -> Change:
    return {"field": field, **where, "before": before, "after": after}


def _compare(changes: list[Change], field: str, before: Any, after: Any, **where: str) -> None:
    if before != after:
        changes.append(_change(field, before, after, **where))


def _money(budget: Mapping[str, Any], key: str) -> str | None:
    value = budget.get(key)
    return None if value is None else f"{value}{budget.get('unit') or ''}"


def _plan(snapshot: Snapshot) -> str | None:
    checkpoints = snapshot.get("spending_plan") or []
    return "、".join(f"{c['month']}月底{c['percent']}%" for c in checkpoints) or None


def _project_diff(a: Snapshot, b: Snapshot) -> list[Change]:
    changes: list[Change] = []
    _compare(changes, "项目编码", a.get("code"), b.get("code"))
    _compare(changes, "名称", a.get("name"), b.get("name"))
    budget_a, budget_b = a.get("budget") or {}, b.get("budget") or {}
    for key, label in _BUDGET_FIELDS:
        _compare(changes, label, _money(budget_a, key), _money(budget_b, key))
    _compare(changes, "资金用途", a.get("fund_use"), b.get("fund_use"))
    _compare(changes, "绩效目标", a.get("goal"), b.get("goal"))
    _compare(changes, "资金支出计划", _plan(a), _plan(b))
    changes.extend(_indicator_diff(a.get("indicators") or [], b.get("indicators") or []))
    return changes


def _triple(row: Mapping[str, Any]) -> Triple:
    return (row["level1"], row["level2"], row["level3"])


def _path(row: Mapping[str, Any]) -> str:
    return " / ".join(level for level in _triple(row) if level)


def _indicator_diff(
    rows_a: Sequence[Mapping[str, Any]], rows_b: Sequence[Mapping[str, Any]]
) -> list[Change]:
    old = dict(zip(indicator_identities(map(_triple, rows_a)), rows_a, strict=True))
    new = dict(zip(indicator_identities(map(_triple, rows_b)), rows_b, strict=True))
    changes: list[Change] = []
    for key, row in new.items():
        where = {"indicator": row["level3"], "path": _path(row)}
        before = old.get(key)
        if before is None:
            changes.append(_change(ADDED_INDICATOR, None, row.get("target"), **where))
            continue
        for field, label in _INDICATOR_FIELDS:
            _compare(changes, label, before.get(field), row.get(field), **where)
    for key, row in old.items():
        if key not in new:
            where = {"indicator": row["level3"], "path": _path(row)}
            changes.append(_change(REMOVED_INDICATOR, row.get("target"), None, **where))
    return changes


def _unit_goal_diff(a: Snapshot, b: Snapshot) -> list[Change]:
    changes: list[Change] = []
    _compare(changes, "总体绩效目标", a.get("overall"), b.get("overall"))
    subs_a: Sequence[Mapping[str, Any]] = a.get("sub_goals") or []
    subs_b: Sequence[Mapping[str, Any]] = b.get("sub_goals") or []
    old = dict(zip(with_occurrence(s["title"] for s in subs_a), subs_a, strict=True))
    new = dict(zip(with_occurrence(s["title"] for s in subs_b), subs_b, strict=True))
    for key, sub in new.items():
        before = old.get(key)
        if before is None:
            changes.append(_change(ADDED_SUB_GOAL, None, sub.get("goal"), sub_goal=sub["title"]))
            continue
        for field, label in _SUB_GOAL_FIELDS:
            _compare(changes, label, before.get(field), sub.get(field), sub_goal=sub["title"])
    for key, sub in old.items():
        if key not in new:
            changes.append(_change(REMOVED_SUB_GOAL, sub.get("goal"), None, sub_goal=sub["title"]))
    safeguards_a: Sequence[str] = a.get("safeguards") or []
    safeguards_b: Sequence[str] = b.get("safeguards") or []
    for i in range(max(len(safeguards_a), len(safeguards_b))):
        _compare(
            changes,
            "工作保障措施",
            safeguards_a[i] if i < len(safeguards_a) else None,
            safeguards_b[i] if i < len(safeguards_b) else None,
            item=f"第 {i + 1} 条",
        )
    return changes
