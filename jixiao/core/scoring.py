"""Self-evaluation scoring (单位自评, rules.md §4): points, indicator scores, execution, total.

Pure and exact: points are shared out in :class:`~fractions.Fraction` arithmetic and rounded
once, to 2 places, by the largest remainder method, so the rounded points add up to the exact
total; every score is rounded half-up to 2 places. Every rule that varies by province comes from
a :class:`~jixiao.core.policy.Policy`. ``docs/scoring.md`` explains the rules with examples.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

from jixiao.core.document import ParsedTarget
from jixiao.core.numbers import round2
from jixiao.core.policy import (
    BENEFIT,
    COST,
    DEFAULT,
    LINEAR,
    OUTPUT,
    SATISFACTION,
    TO_OUTPUT,
    Policy,
    PolicyError,
    grade_for,
)
from jixiao.core.quantities import Incomparable, actual_in_target_unit
from jixiao.core.targets import DEADLINE, NOT_APPLICABLE, QUANTITATIVE, parse_target
from jixiao.core.wording import MET, PARTIAL

ZERO = Decimal("0.00")
GROUP_LABELS = {
    OUTPUT: "产出指标",
    COST: "成本指标",
    BENEFIT: "效益指标",
    SATISFACTION: "满意度指标",
}


NOTE_EMPTY = "未填报实际完成值"
NOTE_NO_NUMBER = "实际完成值无法读出数字"
NOTE_UNKNOWN_GRADE = "无法判断完成等级"


class ScoringError(ValueError):
    """Input that cannot be scored as it stands (message in Chinese)."""


@dataclass(frozen=True)
class IndicatorInput:
    """One row of the self-evaluation table as the scorer needs it."""

    level1: str
    level2: str
    level3: str
    target: ParsedTarget
    # Decimal: a number; str: as written ("" = nothing entered); None: not applicable.
    actual: Decimal | str | None
    weight: Decimal | None = None  # the points the table gives this indicator
    # A score a person entered: inside the band of a qualitative grade, or for a numeric row
    # whose actual cannot be compared with its target (see jixiao.core.quantities).
    score: Decimal | None = None
    # The table writes percentages as fractions (0.95 for 95%).
    fractions: bool = False
    # The target as written (a qualitative actual that repeats it is 达成).
    target_text: str | None = None


@dataclass(frozen=True)
class IndicatorScore:
    """The points and score of one indicator, with what the table must say about it."""

    points: Decimal
    score: Decimal
    not_applicable: bool
    grade: str | None  # qualitative and deadline rows: 达成 | 部分达成 | 未达成
    band: tuple[Decimal, Decimal] | None  # qualitative: the allowed score range in points
    met: bool
    overrun: bool
    explanation_required: bool
    note: str | None
    # 完成率, %: the unrounded score ÷ points × 100 (a/t for a numeric row short of its target,
    # 100 when met), 2 places; None when not applicable or without points.
    completion: Decimal | None = None


@dataclass(frozen=True)
class ExecutionResult:
    """Budget execution: rate in percent, its points and score."""

    rate: Decimal
    points: Decimal
    score: Decimal
    explanation_required: bool


@dataclass(frozen=True)
class ProjectScore:
    """The self-evaluation of one project."""

    indicators: tuple[IndicatorScore, ...]
    execution: ExecutionResult
    total: Decimal
    grade: str
    capped_from: Decimal | None


# --- words and numbers ---------------------------------------------------------------------


def group_of(level1: str, policy: Policy = DEFAULT) -> str:
    """The scoring group of a level-1 name (产出, 成本, 效益, 满意度 matched loosely)."""
    if "产出" in level1:
        return OUTPUT
    if "成本" in level1:
        return OUTPUT if policy.cost_in_output else COST
    if "效益" in level1:
        return BENEFIT
    if "满意" in level1:
        return SATISFACTION
    raise ScoringError(f"一级指标“{level1}”不属于产出、成本、效益、满意度指标")


def grade_of(text: str, policy: Policy = DEFAULT, target: str | None = None) -> str | None:
    """The grade (达成 / 部分达成 / 未达成) an actual's words say against the target as written,
    by the vocabulary of jixiao.core.wording with the bureau's own words; None if they say none."""
    return policy.vocabulary.grade(text, target)


# --- one indicator -------------------------------------------------------------------------


def score_indicator(
    target: ParsedTarget,
    actual: Decimal | str | None,
    points: Decimal,
    policy: Policy = DEFAULT,
    entered: Decimal | None = None,
    *,
    fractions: bool = False,
    target_text: str | None = None,
) -> IndicatorScore:
    """Score one indicator whose points are known.

    ``entered`` is a person's score: inside the band of a qualitative grade, or for a numeric
    row whose actual cannot be compared with its target (other units, an ambiguous number).
    ``fractions``: the table writes percentages as fractions (0.95 for 95%). ``target_text``:
    the target as written, for grading words against it (jixiao.core.wording).
    """
    if actual is None or target.kind == NOT_APPLICABLE:
        return IndicatorScore(
            points=ZERO,
            score=ZERO,
            not_applicable=True,
            grade=None,
            band=None,
            met=True,
            overrun=False,
            explanation_required=False,
            note=None,
        )
    w = _round2(_fraction(points, "分值"))
    if w < 0:
        raise ScoringError("分值不能为负数")
    if isinstance(actual, Decimal) and not actual.is_finite():
        raise ScoringError(f"实际完成值“{actual}”不是数字")
    if target.kind == QUANTITATIVE and target.value is not None:
        try:
            number = actual_in_target_unit(target, actual, fractions=fractions)
        except Incomparable as exc:
            return _by_person(w, str(exc), entered)
        if entered is not None:
            raise ScoringError("定量指标的得分按公式计算，不能手工填写")
        if number is None and policy.vocabulary.says_zero(str(actual)):
            number = Fraction(0)  # 未发生 against 0起: none happened
        if number is None:
            text = str(actual)
            return _unscored(w, NOTE_EMPTY if not text.strip() else NOTE_NO_NUMBER)
        return _score_quantitative(target, number, w, policy)
    if target.kind == DEADLINE and target.value is not None:
        done = _actual_date(actual, target.value)
        if done is not None:
            if done <= dt.date.fromisoformat(target.value):
                return _graded(MET, w, policy, entered, None)
            late = f"完成日期晚于期限（{target.value}）"
            return _graded(PARTIAL, w, policy, entered, late)
    # Qualitative targets, deadlines not met by a date, and quantitative targets without a value
    # are graded by the actual's words.
    text = str(actual)
    grade = grade_of(text, policy, target_text) if text.strip() else None
    if grade is None:
        note = NOTE_EMPTY if not text.strip() else NOTE_UNKNOWN_GRADE
        if entered is not None:
            raise ScoringError(f"{note}，不能按完成等级填写得分")
        return _unscored(w, note)
    return _graded(grade, w, policy, entered, None)


def _score_quantitative(
    target: ParsedTarget, number: Fraction, w: Decimal, policy: Policy
) -> IndicatorScore:
    """A numeric target and its actual in the target's unit: rules.md §4's formulas, then the
    over-run rule."""
    assert target.value is not None
    t = _fraction(target.value, "指标值")
    a = max(number, Fraction(0))  # negative actuals count as 0
    points = Fraction(w)
    overrun = False
    if target.op in ("<=", "<"):
        met = a <= t
        exact = points if met else _reverse(points, a, t, policy)
    elif target.op == "=" and t == 0:
        met = a <= 0
        exact = points if met else Fraction(0)
    else:
        # >= > = (t ≠ 0), and a value without an operator, which reads like "=".
        met = a >= t
        exact = points if met else points * a / t
        overrun = t > 0 and a >= t * (1 + Fraction(policy.overrun_threshold) / 100)
    formula = exact  # before any over-run deduction: the completion of the target
    note: str | None = None
    if overrun:
        exact = max(exact - Fraction(policy.overrun_deduction), Fraction(0))
        threshold = _plain(policy.overrun_threshold)
        if policy.overrun_deduction > 0:
            note = f"超额完成{threshold}%以上，扣{_plain(policy.overrun_deduction)}分"
        else:
            note = f"超额完成{threshold}%以上，需说明原因"
    return IndicatorScore(
        points=w,
        score=_round2(min(max(exact, Fraction(0)), points)),
        not_applicable=False,
        grade=None,
        band=None,
        met=met,
        overrun=overrun,
        explanation_required=not met or overrun,
        note=note,
        completion=_completion(formula, points),
    )


def _completion(exact: Fraction, points: Fraction) -> Decimal | None:
    """The exact score as a percent of the points (2 places), None without points."""
    if points <= 0:
        return None
    return _round2(min(max(exact, Fraction(0)), points) / points * 100)


def _reverse(points: Fraction, a: Fraction, t: Fraction, policy: Policy) -> Fraction:
    """The score of a reverse indicator above its target (a > t)."""
    if t <= 0:
        return Fraction(0)
    if policy.reverse_formula == LINEAR:
        return points * (1 - (a - t) / t) if a < 2 * t else Fraction(0)
    return points * t / a


def _graded(
    grade: str, w: Decimal, policy: Policy, entered: Decimal | None, note: str | None
) -> IndicatorScore:
    """A graded row: the band of its grade, and the entered score or the band's default."""
    low_percent, high_percent = policy.band(grade)
    low = _round2(Fraction(w) * Fraction(low_percent) / 100)
    high = _round2(Fraction(w) * Fraction(high_percent) / 100)
    if entered is not None:
        if not entered.is_finite() or not low <= entered <= high:
            raise ScoringError(f"完成等级为“{grade}”，得分应在 {low}–{high} 之间")
        score = _round2(Fraction(entered))
    else:
        score = high if grade == MET else low
    return IndicatorScore(
        points=w,
        score=score,
        not_applicable=False,
        grade=grade,
        band=(low, high),
        met=grade == MET,
        overrun=False,
        explanation_required=grade != MET,
        note=note,
        completion=_completion(Fraction(score), Fraction(w)),
    )


def _by_person(w: Decimal, reason: str, entered: Decimal | None) -> IndicatorScore:
    """A numeric row the formulas cannot score: 0 with the reason until a person scores it."""
    if entered is None:
        # 0 until a person scores it; the band (0–w) is what the person may enter.
        return replace(
            _unscored(w, f"{reason}；请核对实际完成值，或由评价人员打分"), band=(ZERO, w)
        )
    if not entered.is_finite() or not ZERO <= entered <= w:
        raise ScoringError(f"人工打分应在 0–{w} 之间")
    score = _round2(Fraction(entered))
    return IndicatorScore(
        points=w,
        score=score,
        not_applicable=False,
        grade=None,
        band=(ZERO, w),
        met=score >= w,
        overrun=False,
        explanation_required=score < w,
        note=f"人工打分：{reason}",
        completion=_completion(Fraction(score), Fraction(w)),
    )


def _unscored(w: Decimal, note: str) -> IndicatorScore:
    """A row whose actual cannot be scored: 0, with the reason, and an explanation needed."""
    return IndicatorScore(
        points=w,
        score=ZERO,
        not_applicable=False,
        grade=None,
        band=None,
        met=False,
        overrun=False,
        explanation_required=True,
        note=note,
        completion=_completion(Fraction(0), Fraction(w)),
    )


def _actual_date(actual: Decimal | str, deadline: str) -> dt.date | None:
    """The date an actual says the work was done, read in the deadline's year."""
    if not isinstance(actual, str) or not actual.strip():
        return None
    parsed = parse_target(actual, year=dt.date.fromisoformat(deadline).year)
    if parsed.kind != DEADLINE or parsed.value is None:
        return None
    return dt.date.fromisoformat(parsed.value)


# --- budget execution ----------------------------------------------------------------------


def score_execution(
    budget_total: Decimal, executed: Decimal, policy: Policy = DEFAULT
) -> ExecutionResult:
    """The execution rate (executed / full-year budget, in percent) and its score."""
    total = _fraction(budget_total, "全年预算数")
    done = _fraction(executed, "全年执行数")
    if total <= 0:
        raise ScoringError("全年预算数应大于0")
    if done < 0:
        raise ScoringError("全年执行数不能为负数")
    rate = _round2(done / total * 100)
    points = Fraction(policy.points_execution)
    # From the rounded rate, as the table shows it, so that a reader can check the score.
    score = _round2(points * min(Fraction(rate), Fraction(100)) / 100)
    explain = rate < policy.execution_explain_below
    return ExecutionResult(rate, _round2(points), score, explain)


# --- points --------------------------------------------------------------------------------


def allocate_points(
    indicators: Sequence[IndicatorInput], policy: Policy = DEFAULT
) -> list[Decimal]:
    """Each indicator's points, 2 places, adding up exactly to the exact total (rules.md §4)."""
    _check_policy(policy)
    groups = [group_of(i.level1, policy) for i in indicators]
    applicable = [not _not_applicable(i) for i in indicators]
    weights = [None if i.weight is None else _fraction(i.weight, "分值") for i in indicators]
    if any(w is not None and w < 0 for w in weights):
        raise ScoringError("分值不能为负数")
    if indicators and all(w is not None for w in weights):
        exact = _table_points([w or Fraction(0) for w in weights], groups, applicable, policy)
    else:
        exact = _group_points(weights, groups, applicable, policy)
    return _largest_remainder(exact)


def _check_policy(policy: Policy) -> None:
    """The points of the groups and of execution must make 100."""
    total = sum(policy.group_points().values(), Decimal(0)) + policy.points_execution
    if total != 100:
        raise PolicyError(f"规则设置中各部分分值合计为 {_plain(total)}，应为 100")


def _not_applicable(indicator: IndicatorInput) -> bool:
    return indicator.actual is None or indicator.target.kind == NOT_APPLICABLE


def _table_points(
    weights: list[Fraction], groups: list[str], applicable: list[bool], policy: Policy
) -> list[Fraction]:
    """Every indicator weighted: the weights are the points; not-applicable ones pass theirs on."""
    expected = 100 - Fraction(policy.points_execution)
    given = sum(weights, Fraction(0))
    if given != expected:
        raise ScoringError(
            f"各指标分值合计为 {_plain_fraction(given)}，应为 {_plain_fraction(expected)}"
        )
    points = [w if ok else Fraction(0) for w, ok in zip(weights, applicable, strict=True)]
    everyone = [i for i, ok in enumerate(applicable) if ok]
    orphaned = Fraction(0)  # weights of groups with no applicable indicator
    for group in dict.fromkeys(groups):
        members = [i for i, g in enumerate(groups) if g == group]
        passed_on = sum((weights[i] for i in members if not applicable[i]), Fraction(0))
        takers = [i for i in members if applicable[i]]
        if takers:
            _share(points, passed_on, takers, weights)
        else:
            orphaned += passed_on
    _share(points, orphaned, everyone, weights)
    return points


def _group_points(
    weights: list[Fraction | None], groups: list[str], applicable: list[bool], policy: Policy
) -> list[Fraction]:
    """Points from the groups' points: weighted indicators keep theirs, the rest share equally."""
    budget = _present_group_points(groups, applicable, policy)
    points = [Fraction(0)] * len(groups)
    for group, group_total in budget.items():
        members = [i for i, g in enumerate(groups) if g == group]
        given = sum((w for i in members if (w := weights[i]) is not None), Fraction(0))
        label = GROUP_LABELS[group]
        if given > group_total:
            raise ScoringError(
                f"“{label}”各指标分值合计为 {_plain_fraction(given)}，"
                f"超过该组分值 {_plain_fraction(group_total)}"
            )
        unweighted = [i for i in members if weights[i] is None]
        if not unweighted and given != group_total:
            raise ScoringError(
                f"“{label}”各指标分值合计为 {_plain_fraction(given)}，"
                f"应为 {_plain_fraction(group_total)}"
            )
        sharers = [i for i in unweighted if applicable[i]]
        nominal = [Fraction(0)] * len(groups)
        for i in members:
            weight = weights[i]
            if weight is not None:
                nominal[i] = weight
            elif applicable[i]:
                nominal[i] = (group_total - given) / len(sharers)
        passed_on = sum((nominal[i] for i in members if not applicable[i]), Fraction(0))
        if not sharers:
            passed_on += group_total - given  # the share of unweighted, not-applicable ones
        takers = [i for i in members if applicable[i]]
        for i in takers:
            points[i] = nominal[i]
        _share(points, passed_on, takers, nominal)
    return points


def _present_group_points(
    groups: list[str], applicable: list[bool], policy: Policy
) -> dict[str, Fraction]:
    """The points of each group with an applicable indicator, absent groups' points shared out."""
    base = {g: Fraction(p) for g, p in policy.group_points().items()}
    present = [
        g for g in base if any(ok and gg == g for gg, ok in zip(groups, applicable, strict=True))
    ]
    if not present:
        return {}
    absent = sum((p for g, p in base.items() if g not in present), Fraction(0))
    result = {g: base[g] for g in present}
    if policy.absent_group == TO_OUTPUT and OUTPUT in result:
        result[OUTPUT] += absent
        return result
    present_total = sum(result.values(), Fraction(0))
    for g in present:
        if present_total > 0:
            result[g] += absent * base[g] / present_total
        else:
            result[g] += absent / len(present)  # nothing to be proportional to
    return result


def _share(points: list[Fraction], amount: Fraction, takers: list[int], by: list[Fraction]) -> None:
    """Add ``amount`` to the takers' points in proportion to ``by`` (equally if all are 0)."""
    if amount == 0 or not takers:
        return
    total = sum((by[i] for i in takers), Fraction(0))
    for i in takers:
        points[i] += amount * by[i] / total if total > 0 else amount / len(takers)


def _largest_remainder(exact: list[Fraction]) -> list[Decimal]:
    """Round to cents so that the sum is the exact total rounded; ties go to the earlier one."""
    cents = [math.floor(x * 100) for x in exact]
    target = math.floor(sum(exact, Fraction(0)) * 100 + Fraction(1, 2))
    missing = target - sum(cents)
    order = sorted(range(len(exact)), key=lambda i: (-(exact[i] * 100 - cents[i]), i))
    for i in order[:missing]:
        cents[i] += 1
    return [Decimal(c).scaleb(-2) for c in cents]


# --- the project ---------------------------------------------------------------------------


def score_project(
    indicators: Sequence[IndicatorInput],
    *,
    budget_total: Decimal,
    executed: Decimal,
    policy: Policy = DEFAULT,
) -> ProjectScore:
    """Score a project: every indicator, budget execution, the total (capped) and the grade.

    A table without indicators, or with only not-applicable ones, cannot be scored.
    """
    if not indicators:
        raise ScoringError("绩效指标表中没有指标，无法自评计分")
    if all(_not_applicable(indicator) for indicator in indicators):
        raise ScoringError("绩效指标表中的指标都不适用，无法自评计分")
    execution = score_execution(budget_total, executed, policy)
    points = allocate_points(indicators, policy)
    scores = []
    for number, (indicator, w) in enumerate(zip(indicators, points, strict=True), start=1):
        try:
            scores.append(
                score_indicator(
                    indicator.target,
                    indicator.actual,
                    w,
                    policy,
                    indicator.score,
                    fractions=indicator.fractions,
                    target_text=indicator.target_text,
                )
            )
        except ScoringError as exc:
            raise ScoringError(f"第 {number} 个指标“{indicator.level3}”：{exc}") from None
    total, capped_from, grade = total_and_grade(
        [s.score for s in scores], execution.score, execution.rate, policy
    )
    return ProjectScore(tuple(scores), execution, total, grade, capped_from)


def total_and_grade(
    scores: Sequence[Decimal], execution_score: Decimal, rate: Decimal, policy: Policy = DEFAULT
) -> tuple[Decimal, Decimal | None, str]:
    """(total, total before the cap or None, grade) from rounded scores; also after overrides."""
    total = sum(scores, ZERO) + execution_score
    capped_from = None
    cap = _cap(rate, policy)
    if cap is not None and total > cap:
        capped_from, total = total, cap
    return total, capped_from, grade_for(total)


def _cap(rate: Decimal, policy: Policy) -> Decimal | None:
    """The highest total allowed at this execution rate, None when no cap applies."""
    if not policy.execution_cap:
        return None
    under = [(threshold, cap) for threshold, cap in policy.execution_caps if rate < threshold]
    if not under:
        return None
    return _round2(Fraction(min(under)[1]))


# --- the `jixiao score` contract -----------------------------------------------------------

_TOP_KEYS = {"budget", "indicators", "settings", "year"}
_INDICATOR_KEYS = {
    "level1",
    "level2",
    "level3",
    "target",
    "actual",
    "weight",
    "score",
    "fractions",
}
_REQUIRED_KEYS = ("level1", "level2", "level3", "target", "actual")


@dataclass(frozen=True)
class ProjectInput:
    """One project read from the `jixiao score` JSON input."""

    indicators: tuple[IndicatorInput, ...]
    budget_total: Decimal
    executed: Decimal
    policy: Policy


def read_json(data: Mapping[str, Any]) -> ProjectInput:
    """Read and check the JSON input of one project (docs/scoring.md); Chinese errors."""
    if not isinstance(data, Mapping):
        raise ScoringError("输入应是一个 JSON 对象")
    _no_unknown_keys(data, _TOP_KEYS, "输入")
    policy = Policy.from_mapping(data.get("settings"))
    year = data.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        raise ScoringError("year 应为整数年度，如 2021")
    budget = data.get("budget")
    if not isinstance(budget, Mapping):
        raise ScoringError('缺少 budget（应为 {"total": 全年预算数, "executed": 全年执行数}）')
    _no_unknown_keys(budget, {"total", "executed"}, "budget")
    total = _number(budget, "total", "全年预算数")
    executed = _number(budget, "executed", "全年执行数")
    rows = data.get("indicators")
    if not isinstance(rows, list):
        raise ScoringError("缺少 indicators（应为指标的列表）")
    indicators = tuple(_indicator(row, n, year) for n, row in enumerate(rows, start=1))
    return ProjectInput(indicators, total, executed, policy)


def result_json(result: ProjectScore) -> dict[str, Any]:
    """A project's scores as the JSON of `jixiao score --json` (decimals as strings)."""
    return {
        "indicators": [_indicator_json(s) for s in result.indicators],
        "execution": {
            "rate": str(result.execution.rate),
            "points": str(result.execution.points),
            "score": str(result.execution.score),
        },
        "total": str(result.total),
        "grade": result.grade,
    }


def score_json(data: dict[str, Any]) -> dict[str, Any]:
    """Score one project given as JSON data (docs/scoring.md); bad input raises in Chinese."""
    project = read_json(data)
    result = score_project(
        project.indicators,
        budget_total=project.budget_total,
        executed=project.executed,
        policy=project.policy,
    )
    return result_json(result)


def _indicator(row: Any, number: int, year: int | None) -> IndicatorInput:
    """One indicator of the JSON input, checked."""
    where = f"第 {number} 个指标"
    if not isinstance(row, Mapping):
        raise ScoringError(f"{where}应是一个对象")
    _no_unknown_keys(row, _INDICATOR_KEYS, where)
    for key in _REQUIRED_KEYS:
        if key not in row:
            raise ScoringError(f"{where}缺少 {key}")
    for key in ("level1", "level2", "level3", "target"):
        if not isinstance(row[key], str):
            raise ScoringError(f"{where}的 {key} 应为文字")
    if not row["target"].strip():
        raise ScoringError(f"{where}“{row['level3']}”的指标值为空")
    raw = row["actual"]
    actual: Decimal | str | None
    if raw is None or isinstance(raw, str):
        actual = raw
    else:
        actual = _number(row, "actual", f"{where}的实际完成值")
    fractions = row.get("fractions", False)
    if not isinstance(fractions, bool):
        raise ScoringError(f"{where}的 fractions 应为 true 或 false")
    return IndicatorInput(
        level1=row["level1"],
        level2=row["level2"],
        level3=row["level3"],
        target=parse_target(row["target"], year=year),
        actual=actual,
        weight=_optional_number(row, "weight", f"{where}的分值"),
        score=_optional_number(row, "score", f"{where}的得分"),
        fractions=fractions,
    )


def _indicator_json(s: IndicatorScore) -> dict[str, Any]:
    return {
        "points": str(s.points),
        "score": str(s.score),
        "not_applicable": s.not_applicable,
        "grade": s.grade,
        "band": None if s.band is None else [str(s.band[0]), str(s.band[1])],
        "met": s.met,
        "overrun": s.overrun,
        "explanation_required": s.explanation_required,
        "note": s.note,
    }


def _no_unknown_keys(data: Mapping[str, Any], known: set[str], where: str) -> None:
    # A misspelt key ("wieght") would otherwise be ignored and change the scores silently.
    unknown = sorted(str(k) for k in data if k not in known)
    if unknown:
        raise ScoringError(f"{where}中有未知的项：{'、'.join(unknown)}")


def _number(data: Mapping[str, Any], key: str, label: str) -> Decimal:
    if key not in data or data[key] is None:
        raise ScoringError(f"缺少{label}（{key}）")
    return _decimal(data[key], label)


def _optional_number(data: Mapping[str, Any], key: str, label: str) -> Decimal | None:
    value = data.get(key)
    return None if value is None else _decimal(value, label)


def _decimal(raw: Any, label: str) -> Decimal:
    """A decimal from JSON: a string, an integer, a Decimal, or (at the edge) a float."""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ScoringError(f"{label}应为数字")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise ScoringError(f"{label}“{raw}”不是数字") from None
    if not value.is_finite():
        raise ScoringError(f"{label}“{raw}”不是数字")
    return value


# --- exact arithmetic ----------------------------------------------------------------------


def _fraction(value: Decimal | str, label: str) -> Fraction:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ScoringError(f"{label}“{value}”不是数字") from None
    if not number.is_finite():
        raise ScoringError(f"{label}“{value}”不是数字")
    return Fraction(number)


def _round2(x: Fraction) -> Decimal:
    """``x`` rounded half-up (away from zero on a tie) to 2 places, exactly."""
    return round2(x)


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent ("30", "2.5")."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain_fraction(value: Fraction) -> str:
    """A fraction as a decimal for a message (2 places when it does not terminate sooner)."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    if Fraction(exact) != value:
        return str(_round2(value))
    return _plain(exact)
