"""The monitoring and self-evaluation reports as data: what the official tables, the web pages,
the command line and the frozen snapshots all show, so a number never differs between them.

A report is built once (from the database by ``jixiao.rounds.build``, or read back from a
snapshot) and then only rendered. Money is in the project's money unit (万元 or 元) as the
target table has it; rates, ratios and shares are percents; all are ``Decimal`` and appear in
JSON as decimal strings. Texts a person enters (reasons, explanations) travel with the numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import Any, TypeVar

MONITORING_FORMAT = "jixiao.monitoring/1"
SELF_EVALUATION_FORMAT = "jixiao.selfeval/1"

# Lights (预警), by their code names; the Chinese labels the tables print.
RED, YELLOW, GREEN, BLUE = "red", "yellow", "green", "blue"
LIGHT_LABELS = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯", BLUE: "蓝灯"}
LIKELIHOODS = ("确定能", "有可能", "完全不可能")
DEVIATION_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")


@dataclass(frozen=True)
class UnitInfo:
    """The unit a report is of (and its department in charge, 主管部门)."""

    code: str | None
    name: str
    department: str | None = None  # 主管部门 name, else the unit itself


@dataclass(frozen=True)
class PlanPoint:
    """One point of the spending chart: cumulative percent planned and spent by a date."""

    date: dt.date
    planned: Decimal  # cumulative % of the budget the plan wants spent by this date
    spent: Decimal | None  # cumulative % actually spent by this date (None after the as-of date)


@dataclass(frozen=True)
class BudgetExecution:
    """Budget execution of a project at a date (the monitoring table's budget block)."""

    money_unit: str  # 万元 | 元
    budget_initial: Decimal | None  # 年初预算 (the first imported version's budget)
    budget_adjusted: Decimal | None  # 调整后预算 (the current budget)
    executed: Decimal  # 实际执行数 to date, in money_unit
    executed_source: str  # "ledger" (支出台账) | "manual" (entered in the report)
    plan_percent: Decimal  # the spending plan at the date, cumulative %, interpolated
    planned: Decimal | None  # budget_adjusted × plan_percent, in money_unit
    execution_rate: Decimal | None  # executed / budget_adjusted, %
    time_progress: Decimal  # 序时进度: elapsed share of the year, %
    ratio: Decimal | None  # executed / planned × 100 (what the light is set by)
    light: str | None
    reason_required: bool
    deviation_category: str | None = None
    deviation_reason: str | None = None
    correction: str | None = None
    curve: tuple[PlanPoint, ...] = ()  # month ends of the year (and the as-of date)
    # 全年预计执行数 in money_unit: entered by the unit, else executed + what the spending plan
    # still spends by December (jixiao.core.monitoring.projected_spending).
    projected: Decimal | None = None
    projected_source: str = "plan"  # "plan" | "manual"

    @property
    def over_budget(self) -> bool:
        """Spent more than the full-year budget (execution rate above 100%): a warning."""
        return self.execution_rate is not None and self.execution_rate > 100


@dataclass(frozen=True)
class MonitoringFund:
    """A fund row of the 136号 monitoring table (年度资金总额 / 其中：财政拨款 / 其他资金)."""

    label: str
    budget_initial: Decimal | None  # 年初预算数
    budget_full_year: Decimal | None  # 全年预算数
    executed: Decimal | None  # 1-N月执行数 (None: not known by source)
    rate: Decimal | None  # 1-N月执行率, %
    projected: Decimal | None  # 全年预计执行数


@dataclass(frozen=True)
class MonitoringRow:
    """One indicator at a date (a row of 绩效运行监控表)."""

    indicator_id: int | None
    level1: str
    level2: str
    level3: str
    target: str  # 指标值 as written
    current: str | None  # 当前完成值 as shown ("93", "92.31", "是"); None: no value yet
    expected: str | None  # the value expected by the date (target × elapsed share, or target)
    projected: str | None  # 全年预计完成
    projection_method: str  # how it was projected, in Chinese
    ratio: Decimal | None  # v of rules.md §3 (percent), None for reverse/qualitative
    light: str | None  # red | yellow | green | blue; None when there is nothing to compare
    likelihood_suggested: str | None  # from the projection
    likelihood: str | None  # as the unit set it (defaults to the suggestion)
    reason_required: bool
    deviation_category: str | None = None
    deviation_reason: str | None = None
    correction: str | None = None
    source: str = "none"  # metric | manual | none: where the current value came from
    remark: str | None = None  # 备注


@dataclass(frozen=True)
class ProjectMonitoring:
    """One project's monitoring table."""

    project_id: int | None
    code: str | None
    name: str
    budget: BudgetExecution
    rows: tuple[MonitoringRow, ...]
    goal: str | None = None  # 年度总体目标: 全年预期目标
    achievement: str | None = None  # 1-N月执行情况, as the unit wrote it
    funds: tuple[MonitoringFund, ...] = ()


@dataclass(frozen=True)
class MonitoringReport:
    """A unit's monitoring at a date: every project's table (the unit summary's data too)."""

    unit: UnitInfo
    year: int
    as_of: dt.date
    time_progress: Decimal  # 序时进度, %
    projects: tuple[ProjectMonitoring, ...]
    settings: dict[str, Any] = field(default_factory=dict)  # the Policy's changes from defaults

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (the frozen snapshot's content)."""
        return {"format": MONITORING_FORMAT, **_encode(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MonitoringReport:
        """A report read back from :meth:`to_json`."""
        return _decode(cls, _body(data, MONITORING_FORMAT))


@dataclass(frozen=True)
class FundRow:
    """A row of the self-evaluation fund block (年度资金总额, 当年财政拨款 …)."""

    label: str
    budget_initial: Decimal | None  # 年初预算数
    budget_full_year: Decimal | None  # 全年预算数
    executed: Decimal | None  # 全年执行数
    points: Decimal | None  # 分值 (the first row only)
    rate: Decimal | None  # 执行率, %
    score: Decimal | None  # 得分 (the first row only)


@dataclass(frozen=True)
class EvaluationRow:
    """One indicator scored (a row of 项目支出绩效自评表)."""

    indicator_id: int | None
    level1: str
    level2: str
    level3: str
    target: str  # 年度指标值
    actual: str | None  # 实际完成值 as shown; None: not applicable
    points: Decimal  # 分值 (0 when not applicable)
    computed: Decimal  # the score the rules give
    score: Decimal  # 得分: the override when there is one, else computed
    not_applicable: bool = False
    grade: str | None = None  # qualitative: 达成 | 部分达成 | 未达成
    band: tuple[Decimal, Decimal] | None = None  # qualitative: the score's allowed range
    met: bool = True  # fully met (no explanation needed unless an over-run)
    explanation_required: bool = False
    explanation: str | None = None  # 偏差原因分析及改进措施
    override_reason: str | None = None  # why a reviewer changed the computed score
    override_by: str | None = None
    note: str | None = None  # what the scoring noticed (over-run deduction, unreadable actual)
    # 完成率, %: the unrounded score ÷ points (actual ÷ target for a numeric row); None for
    # not-applicable rows and in snapshots taken before it was kept.
    completion: Decimal | None = None


@dataclass(frozen=True)
class ExecutionScore:
    """Budget execution at year end, scored."""

    rate: Decimal  # %, executed / full-year budget
    points: Decimal
    computed: Decimal
    score: Decimal
    explanation_required: bool
    explanation: str | None = None
    override_reason: str | None = None
    override_by: str | None = None


@dataclass(frozen=True)
class ProjectEvaluation:
    """One project's self-evaluation table."""

    project_id: int | None
    code: str | None
    name: str
    department: str  # 主管部门
    implementer: str  # 实施单位
    money_unit: str
    funds: tuple[FundRow, ...]
    goal: str | None  # 年度总体目标: 预期目标
    achievement: str | None  # 实际完成情况
    rows: tuple[EvaluationRow, ...]
    execution: ExecutionScore
    total: Decimal  # the sum of the rounded scores, after the cap if one applies
    grade: str  # 优 良 中 差
    capped_from: Decimal | None = None  # the total before the execution-rate cap
    curve: tuple[PlanPoint, ...] = ()


@dataclass(frozen=True)
class SelfEvaluationReport:
    """A unit's self-evaluation of a year: every project's table."""

    unit: UnitInfo
    year: int
    as_of: dt.date
    projects: tuple[ProjectEvaluation, ...]
    settings: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as JSON (the frozen snapshot's content)."""
        return {"format": SELF_EVALUATION_FORMAT, **_encode(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SelfEvaluationReport:
        """A report read back from :meth:`to_json`."""
        return _decode(cls, _body(data, SELF_EVALUATION_FORMAT))


# --- JSON ------------------------------------------------------------------------------------

T = TypeVar("T")


def _body(data: dict[str, Any], expected: str) -> dict[str, Any]:
    if data.get("format") != expected:
        raise ValueError(f"not a {expected} document: {data.get('format')!r}")
    return {k: v for k, v in data.items() if k != "format"}


def _encode(obj: Any) -> Any:
    return _jsonable(asdict(obj))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


_NESTED: dict[str, type] = {}


def _decode(cls: type[T], data: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for f in fields(cls):  # type: ignore[arg-type]
        if f.name not in data:
            continue
        kwargs[f.name] = _decode_value(str(f.type), data[f.name])
    return cls(**kwargs)


def _decode_value(annotation: str, value: Any) -> Any:
    if value is None:
        return None
    for name, nested in _NESTED.items():
        if annotation.startswith(f"tuple[{name},"):
            return tuple(_decode(nested, v) for v in value)
        if annotation.startswith(name):
            return _decode(nested, value)
    if annotation.startswith("tuple[Decimal, Decimal]"):
        return (Decimal(value[0]), Decimal(value[1]))
    if annotation.startswith("Decimal"):
        return Decimal(value)
    if annotation.startswith("dt.date"):
        return dt.date.fromisoformat(value)
    return value


_NESTED.update(
    {
        cls.__name__: cls
        for cls in (
            UnitInfo,
            PlanPoint,
            BudgetExecution,
            MonitoringFund,
            MonitoringRow,
            ProjectMonitoring,
            FundRow,
            EvaluationRow,
            ExecutionScore,
            ProjectEvaluation,
        )
    }
)
