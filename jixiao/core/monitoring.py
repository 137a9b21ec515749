"""In-year monitoring maths (绩效运行监控, rules.md §3): 序时进度, the spending plan at a date,
warning lights, the value expected by a date, the full-year projection and its likelihood.

Everything here is pure: a target, a current value and a date in, an :class:`IndicatorStatus`
or :class:`BudgetStatus` out. Shares of the year are exact; every number a table shows is
rounded half-up to 2 places, and a light is set from the rounded ratio, so a reader can check
the light from the printed number. ``docs/monitoring.md`` explains the rules with an example.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation, localcontext
from fractions import Fraction
from itertools import pairwise

from jixiao.core.document import ParsedTarget
from jixiao.core.numbers import round2
from jixiao.core.policy import DEFAULT, Policy
from jixiao.core.quantities import (
    DURATION,
    PERCENT,
    Incomparable,
    actual_in_target_unit,
    restate,
    unit_of,
)
from jixiao.core.reports import BLUE, GREEN, LIKELIHOODS, RED, YELLOW
from jixiao.core.scoring import grade_of
from jixiao.core.targets import (
    DEADLINE,
    NOT_APPLICABLE,
    POSITIVE,
    QUALITATIVE,
    QUANTITATIVE,
    direction,
    is_cumulative,
)
from jixiao.core.wording import MET, PARTIAL, UNMET

__all__ = [
    "BudgetStatus",
    "IndicatorStatus",
    "elapsed_share",
    "light_for",
    "monitor_budget",
    "monitor_indicator",
    "plan_curve",
    "plan_percent_at",
    "time_progress",
]

CERTAIN, POSSIBLE, IMPOSSIBLE = LIKELIHOODS  # 确定能 / 有可能 / 完全不可能

# Projection methods, as the monitoring table prints them.
METHOD_CUMULATIVE = "按序时进度推算：{current} ÷ {progress}% = {projected}"
METHOD_RATE = "比率类指标按当前水平预计"
METHOD_LEVEL = "水平类指标按当前水平预计"
METHOD_QUALITATIVE = "定性指标按当前完成情况预计"
METHOD_DEADLINE = "时限指标按截止日期判断"
METHOD_NONE = "尚无完成值，无法预计"
METHOD_UNREADABLE = "完成值无法读出数字，无法预计"
METHOD_BEFORE_YEAR = "年度尚未开始，无法预计"
METHOD_NOT_APPLICABLE = "不适用指标，无需预计"
METHOD_RUNNING = "期限类指标随时间累积，按持续运行预计为{target}"
METHOD_RUNNING_BEHIND = "期限类指标随时间累积：{current} + 年内剩余 {left} = {projected}"
METHOD_SPENDING = "按资金支出计划预计：{current}% + 计划年内剩余 {left}% = {projected}%"
ON_TIME = "按期完成"

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)
_RATE_UNITS = ("%", "‰")


_GRADE_LIGHTS = {MET: GREEN, PARTIAL: YELLOW, UNMET: RED}


# --- the year and the spending plan ----------------------------------------------------------


def elapsed_share(as_of: date, year: int) -> Decimal:
    """The share of ``year`` elapsed at the end of ``as_of`` (0 before the year, 1 after it)."""
    if as_of.year < year:
        return Decimal(0)
    if as_of.year > year:
        return Decimal(1)
    with localcontext() as ctx:
        ctx.prec = 28  # exact to 28 digits whatever the caller's context
        return Decimal(_day(as_of)) / Decimal(_days_in(year))


def time_progress(as_of: date, year: int) -> Decimal:
    """序时进度: the elapsed share of the year in percent, 2 places."""
    return _round(elapsed_share(as_of, year) * _HUNDRED)


def plan_percent_at(checkpoints: Sequence[tuple[int, Decimal]], as_of: date, year: int) -> Decimal:
    """The spending plan's cumulative percent at ``as_of``, interpolated linearly in days."""
    points = _plan_points(checkpoints, year)
    if as_of.year < year:
        return Decimal(0)
    if as_of.year > year:
        return _round(points[-1][1])
    day = _day(as_of)
    for (day0, pct0), (day1, pct1) in pairwise(points):
        if day <= day1:
            return _round(pct0 + (pct1 - pct0) * (day - day0) / (day1 - day0))
    return _round(points[-1][1])


def plan_curve(checkpoints: Sequence[tuple[int, Decimal]], year: int) -> list[tuple[date, Decimal]]:
    """The spending plan at each month end of ``year`` (12 points, for charts)."""
    ends = [_month_end(year, month) for month in range(1, 13)]
    return [(end, plan_percent_at(checkpoints, end, year)) for end in ends]


def _plan_points(
    checkpoints: Sequence[tuple[int, Decimal]], year: int
) -> list[tuple[int, Decimal]]:
    """The plan's corners as (day of year, cumulative percent), from (0, 0) to year end."""
    by_month: dict[int, Decimal] = {}
    for month, pct in checkpoints:
        if not 1 <= month <= 12:
            raise ValueError(f"资金支出计划的月份“{month}”应在 1–12 之间")
        by_month[month] = Decimal(pct)  # a month given twice: the later entry wins
    points = [(0, Decimal(0))]
    points += [(_day(_month_end(year, m)), by_month[m]) for m in sorted(by_month)]
    year_end = _days_in(year)
    if points[-1][0] < year_end:
        # A plan that stops before December runs on to 100% (or stays, if already there).
        points.append((year_end, max(points[-1][1], _HUNDRED)))
    return points


# --- lights ----------------------------------------------------------------------------------


def light_for(ratio: Decimal | None, policy: Policy = DEFAULT) -> str | None:
    """The light of a ratio v (percent) by the policy's bands; None for no ratio."""
    if ratio is None:
        return None
    if ratio < policy.light_yellow:
        return RED
    if ratio < policy.light_green:
        return YELLOW
    if ratio < policy.light_blue:
        return GREEN
    return BLUE


def _reason_required(light: str | None, policy: Policy) -> bool:
    """Red and yellow ask for a deviation reason; blue too unless reason_on_blue is off."""
    return light in (RED, YELLOW) or (light == BLUE and policy.reason_on_blue)


# --- indicators ------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorStatus:
    """One indicator at a date: expected value, ratio, light, projection and likelihood."""

    expected: Decimal | str | None  # the value expected by the date
    ratio: Decimal | None  # v of rules.md §3, percent, 2 places
    light: str | None  # RED | YELLOW | GREEN | BLUE, None when there is nothing to compare
    projected: Decimal | str | None  # 全年预计完成值
    projection_method: str  # how it was projected, in Chinese
    likelihood: str | None  # suggested 完成目标可能性
    reason_required: bool


def monitor_indicator(
    target: ParsedTarget,
    current: Decimal | str | None,
    as_of: date,
    year: int,
    policy: Policy = DEFAULT,
    *,
    target_text: str | None = None,
    fractions: bool = False,
    name: str | None = None,
    plan: Sequence[tuple[int, Decimal]] | None = None,
) -> IndicatorStatus:
    """Compare an indicator's current value with its target at ``as_of`` (rules.md §3).

    ``current`` is a number in the target's unit, a text (a grade word, or a number with its
    unit such as ``"0.5年"`` or ``"6个月"``, converted into the target's unit) or None (no value
    yet). ``target_text`` is the target as written; a qualitative target's expected value is that
    text (the parsed target does not keep it), else 达成. ``fractions``: the table writes
    percentages as fractions (0.95 for 95%). A current value that cannot be compared with the
    target (another dimension, an ambiguous number) gets no light; the reason is the method.

    Time-aware targets (rules.md §2): a duration on the calendar that runs (``1年``, ``≥12个月``
    运行期限) accrues with the year; a spending rate (``name`` 预算执行率 / 预算控制率 …, in %)
    is projected by the spending plan ``plan`` (month, cumulative percent).
    """
    if target.kind == NOT_APPLICABLE:
        return IndicatorStatus(None, None, None, None, METHOD_NOT_APPLICABLE, None, False)
    if target.kind == DEADLINE and target.value is not None:
        return _monitor_deadline(date.fromisoformat(target.value), current, as_of, policy)
    if target.kind in (QUALITATIVE, DEADLINE):  # a deadline without a year: graded by words
        expected = target_text.strip() if target_text and target_text.strip() else MET
        return _monitor_qualitative(expected, current, policy)
    kind = _time_kind(target, name, plan)
    return _monitor_quantitative(target, current, as_of, year, policy, fractions, kind, plan)


def _monitor_qualitative(
    expected: str, current: Decimal | str | None, policy: Policy
) -> IndicatorStatus:
    if current is None or not str(current).strip():
        return IndicatorStatus(expected, None, None, None, METHOD_NONE, None, False)
    text = str(current).strip()
    grade = _grade(text, policy, expected)
    light = None if grade is None else _GRADE_LIGHTS[grade]
    # Mid-year, a grade short of 达成 can still be reached by year end.
    likelihood = None if grade is None else CERTAIN if grade == MET else POSSIBLE
    reason = _reason_required(light, policy)
    return IndicatorStatus(expected, None, light, text, METHOD_QUALITATIVE, likelihood, reason)


def _monitor_deadline(
    deadline: date, current: Decimal | str | None, as_of: date, policy: Policy
) -> IndicatorStatus:
    text = None if current is None else str(current).strip() or None
    grade = None if text is None else _grade(text, policy)
    if as_of <= deadline:
        light = RED if grade == UNMET else GREEN  # on time so far unless reported as failed
    else:
        light = GREEN if grade == MET else RED
    if text is not None:
        projected: str | None = text
    elif as_of <= deadline:
        projected = ON_TIME
    else:
        projected = None
    likelihood = CERTAIN if light == GREEN else POSSIBLE
    reason = _reason_required(light, policy)
    return IndicatorStatus(ON_TIME, None, light, projected, METHOD_DEADLINE, likelihood, reason)


def _monitor_quantitative(
    target: ParsedTarget,
    current: Decimal | str | None,
    as_of: date,
    year: int,
    policy: Policy,
    fractions: bool,
    kind: str | None = None,
    plan: Sequence[tuple[int, Decimal]] | None = None,
) -> IndicatorStatus:
    way = direction(target)
    t = _decimal(target.value)
    if way is None or t is None:
        t = None  # 定量（其他） or an operator alone: nothing to compare with
    cumulative = is_cumulative(target)
    share = elapsed_share(as_of, year)
    expected: Decimal | None = None
    if t is not None:
        expected = _round(t * share) if cumulative and way == POSITIVE else t
    if kind is not None and t is not None:
        return _monitor_in_time(target, t, current, as_of, year, policy, fractions, kind, plan)

    read = _current_number(target, current, expected, policy, fractions)
    if isinstance(read, IndicatorStatus):
        return read
    raw = read

    positive = way == POSITIVE
    value = max(raw, Decimal(0)) if positive else raw  # a negative current counts as 0
    projected, method = _project(target, value, cumulative, share)

    ratio: Decimal | None = None
    light: str | None = None
    likelihood: str | None = None
    reason = False
    if t is not None and positive:
        if t <= 0:
            # No ratio to a zero or negative target: reaching it is enough.
            light = GREEN if raw >= t else RED
        else:
            base = t * share if cumulative else t
            if base > 0:
                ratio = _round(value / base * _HUNDRED)
                light = light_for(ratio, policy)
        likelihood = _likelihood_positive(projected, t, policy)
        overrun = t * (1 + policy.monitoring_overrun_threshold / _HUNDRED)
        reason = _reason_required(light, policy) or (
            policy.monitoring_overrun_reason and value > overrun
        )
    elif t is not None:  # reverse: less is better
        light = GREEN if value <= t else RED
        if projected is not None:
            likelihood = CERTAIN if projected <= t else POSSIBLE
        reason = _reason_required(light, policy)
    return IndicatorStatus(expected, ratio, light, projected, method, likelihood, reason)


def _current_number(
    target: ParsedTarget,
    current: Decimal | str | None,
    expected: Decimal | None,
    policy: Policy,
    fractions: bool,
) -> Decimal | IndicatorStatus:
    """A numeric target's current value in its unit, or the status saying why there is none
    (no value yet, another dimension or an ambiguous number, no number in the text)."""
    if current is None or (isinstance(current, str) and not current.strip()):
        return IndicatorStatus(expected, None, None, None, METHOD_NONE, None, False)
    try:
        number = actual_in_target_unit(target, current, fractions=fractions)
    except Incomparable as exc:
        return IndicatorStatus(expected, None, None, None, str(exc), None, False)
    if number is None and isinstance(current, str) and policy.vocabulary.says_zero(current):
        number = Fraction(0)  # 未发生: none so far
    if number is None:
        return IndicatorStatus(expected, None, None, None, METHOD_UNREADABLE, None, False)
    return _decimal_of(number)


# --- time-aware targets (rules.md §2) -----------------------------------------------------------

RUNNING = "running"  # a duration on the calendar that runs with it
SPENDING = "spending"  # a spending rate, projected by the spending plan

# Indicator names of spending rates (预算执行率, 预算控制率, 资金支出率 …).
_SPENDING_NAME = re.compile(r"(预算|资金|经费|支出)(执行|控制|支出|使用)率|支出进度|执行进度")
# A reverse (≤) duration is a limit on how long something takes, not one that runs.


def _time_kind(
    target: ParsedTarget, name: str | None, plan: Sequence[tuple[int, Decimal]] | None
) -> str | None:
    """RUNNING, SPENDING or None for an ordinary target."""
    if target.kind != QUANTITATIVE or target.value is None:
        return None
    way = direction(target)
    unit = unit_of(target.unit)
    if way == POSITIVE and unit is not None and unit.dimension == DURATION:
        return RUNNING
    if (
        name
        and plan is not None
        and unit is not None
        and unit.dimension == PERCENT
        and _SPENDING_NAME.search(name)
    ):
        return SPENDING
    return None


def _monitor_in_time(
    target: ParsedTarget,
    t: Decimal,
    current: Decimal | str | None,
    as_of: date,
    year: int,
    policy: Policy,
    fractions: bool,
    kind: str,
    plan: Sequence[tuple[int, Decimal]] | None,
) -> IndicatorStatus:
    """A running duration or a spending rate at ``as_of``."""
    share = elapsed_share(as_of, year)
    positive = direction(target) == POSITIVE
    if kind == RUNNING:
        # Time elapsed in the year, in the target's unit: 0.5年 or 6个月 at 30 June.
        elapsed = _decimal_of(restate(Fraction(share), "年", target.unit))
        exact = min(t, elapsed)
        left = _decimal_of(restate(Fraction(1 - share), "年", target.unit))
    else:
        now = plan_percent_at(plan or (), as_of, year)
        end = plan_percent_at(plan or (), date(year, 12, 31), year)
        exact = t * now / end if positive and end > 0 else t
        left = end - now
    expected = _round(exact) if positive else t
    read = _current_number(target, current, expected, policy, fractions)
    if isinstance(read, IndicatorStatus):
        return read
    value = max(read, Decimal(0))
    ratio: Decimal | None = None
    if positive:
        if exact > 0:
            ratio = _round(value / exact * _HUNDRED)
            light = light_for(ratio, policy)
        else:
            light = GREEN  # nothing expected yet (1 January, or no spending planned)
    else:
        light = GREEN if value <= t else RED
    if kind == RUNNING:
        if light == BLUE:
            light = GREEN  # a duration cannot run ahead of the calendar: it started earlier
        on_plan = value >= expected  # on plan to the shown (rounded) figure
        projected = t if on_plan else _round(value + left)
        method = (
            METHOD_RUNNING.format(target=_plain(t) + (target.unit or ""))
            if on_plan
            else METHOD_RUNNING_BEHIND.format(current=value, left=_round(left), projected=projected)
        )
    else:
        projected = _round(value + left)
        method = METHOD_SPENDING.format(current=value, left=_round(left), projected=projected)
    if positive:
        likelihood = _likelihood_positive(projected, t, policy)
    else:
        likelihood = CERTAIN if projected <= t else POSSIBLE
    reason = _reason_required(light, policy)
    return IndicatorStatus(expected, ratio, light, projected, method, likelihood, reason)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _project(
    target: ParsedTarget, value: Decimal, cumulative: bool, share: Decimal
) -> tuple[Decimal | None, str]:
    """The full-year projection of a numeric current value and how it was made."""
    if not cumulative:
        method = METHOD_RATE if target.unit in _RATE_UNITS else METHOD_LEVEL
        return _round(value), method
    if share == 0:
        return None, METHOD_BEFORE_YEAR
    projected = _round(value / share)
    progress = _round(share * _HUNDRED)
    method = METHOD_CUMULATIVE.format(current=value, progress=progress, projected=projected)
    return projected, method


def _likelihood_positive(projected: Decimal | None, t: Decimal, policy: Policy) -> str | None:
    if projected is None:
        return None
    if projected >= t:
        return CERTAIN
    if t > 0 and _round(projected / t * _HUNDRED) >= policy.light_yellow:
        return POSSIBLE
    return IMPOSSIBLE if t > 0 else POSSIBLE


# --- budget ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetStatus:
    """Budget execution of a project at a date, compared with its spending plan."""

    plan_percent: Decimal  # the plan at the date, cumulative %, 2 places
    planned: Decimal | None  # budget × plan_percent / 100, 2 places
    execution_rate: Decimal | None  # executed / budget × 100, 2 places
    time_progress: Decimal  # 序时进度 %, 2 places
    ratio: Decimal | None  # executed / planned × 100, 2 places
    light: str | None
    reason_required: bool


def projected_spending(
    budget: Decimal | None,
    executed: Decimal,
    checkpoints: Sequence[tuple[int, Decimal]],
    as_of: date,
    year: int,
) -> Decimal | None:
    """全年预计执行数: spent so far plus what the spending plan still spends by 31 December
    (budget × (plan at year end − plan at the date) / 100), 2 places; None without a budget."""
    if budget is None:
        return None
    now = plan_percent_at(checkpoints, as_of, year)
    end = plan_percent_at(checkpoints, date(year, 12, 31), year)
    return _round(executed + budget * max(end - now, Decimal(0)) / _HUNDRED)


@dataclass(frozen=True)
class Funds:
    """Amounts per fund source: 当年财政拨款, 上年结转资金, 其他资金 (None: not known)."""

    fiscal: Decimal | None = None
    carryover: Decimal | None = None
    other: Decimal | None = None


def spending_by_source(sourced: Funds, unsourced: Decimal, budget: Funds) -> Funds:
    """Spending split by fund source (资金来源).

    ``sourced`` holds what records naming their source spent from each (0 for none); the
    ``unsourced`` rest goes to the one source the budget gives money to, or to 财政拨款 when the
    budget names none. When two or more sources may hold money (a budget amount that is not 0;
    None means not stated, which may be money, except a carry-over left unstated, which is
    none), the unsourced money makes each of them unknown (None): the sourced amounts are only
    lower bounds then, and no proportion is guessed.
    """
    parts = {
        "fiscal": (sourced.fiscal or Decimal(0), budget.fiscal),
        "carryover": (sourced.carryover or Decimal(0), budget.carryover or Decimal(0)),
        "other": (sourced.other or Decimal(0), budget.other),
    }
    if not unsourced:
        return Funds(**{name: spent for name, (spent, _b) in parts.items()})
    holders = [name for name, (_s, money) in parts.items() if money != 0]
    if not holders:
        holders = ["fiscal"]
    if len(holders) == 1:
        return Funds(
            **{
                name: spent + unsourced if name in holders else spent
                for name, (spent, _b) in parts.items()
            }
        )
    return Funds(
        **{name: None if name in holders else spent for name, (spent, _b) in parts.items()}
    )


def monitor_budget(
    budget: Decimal | None,
    executed: Decimal,
    checkpoints: Sequence[tuple[int, Decimal]],
    as_of: date,
    year: int,
    policy: Policy = DEFAULT,
) -> BudgetStatus:
    """Compare the money spent by ``as_of`` with the spending plan (rules.md §3)."""
    plan_percent = plan_percent_at(checkpoints, as_of, year)
    planned: Decimal | None = None
    execution_rate: Decimal | None = None
    ratio: Decimal | None = None
    if budget is not None:
        # The ratio uses the unrounded planned amount of the (rounded, printed) plan percent.
        exact_planned = budget * plan_percent / _HUNDRED
        planned = _round(exact_planned)
        if exact_planned != 0:
            ratio = _round(executed / exact_planned * _HUNDRED)
        if budget != 0:
            execution_rate = _round(executed / budget * _HUNDRED)
    light = light_for(ratio, policy)
    return BudgetStatus(
        plan_percent=plan_percent,
        planned=planned,
        execution_rate=execution_rate,
        time_progress=time_progress(as_of, year),
        ratio=ratio,
        light=light,
        reason_required=_reason_required(light, policy),
    )


# --- helpers ---------------------------------------------------------------------------------


def _grade(text: str, policy: Policy, target: str | None = None) -> str | None:
    """MET / PARTIAL / UNMET from a current value's words (jixiao.core.wording)."""
    return grade_of(unicodedata.normalize("NFKC", text).rstrip("."), policy, target)


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _decimal_of(value: Fraction) -> Decimal:
    """A converted value as a Decimal (exact when it terminates, else to 28 digits)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def _round(value: Decimal) -> Decimal:
    return round2(value)


def _day(day: date) -> int:
    return day.timetuple().tm_yday


def _days_in(year: int) -> int:
    return 366 if calendar.isleap(year) else 365


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])
