"""The target document model (format ``jixiao.targets/1``), free of Django and of file formats.

Every importer produces a :class:`TargetDocument`; every exporter and the database services
consume one. Money and percentages are ``Decimal``; in JSON they are decimal strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

FORMAT = "jixiao.targets/1"


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _undec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


@dataclass(frozen=True)
class ParsedTarget:
    """A target text (指标值) understood: kind, operator, value and unit."""

    kind: str  # quantitative | qualitative | deadline | not_applicable
    op: str | None = None  # >= > = < <=, None for the non-numeric kinds
    value: str | None = None  # a decimal string (or an ISO date for deadlines), None if absent
    unit: str | None = None  # as written, 百分比 normalised to %

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "op": self.op, "value": self.value, "unit": self.unit}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedTarget:
        return cls(data["kind"], data.get("op"), data.get("value"), data.get("unit"))


@dataclass
class IndicatorRow:
    """One row of an indicator table (绩效指标表)."""

    level1: str
    level2: str
    level3: str
    target: str
    parsed: ParsedTarget
    description: str | None = None
    basis: str | None = None
    weight: Decimal | None = None
    # A self-evaluation table's results for the row (实际完成值, 分值, 得分, 偏差原因); all None
    # in a target table, and then left out of the dict.
    actual: str | None = None
    points: Decimal | None = None
    score: Decimal | None = None
    explanation: str | None = None

    @property
    def has_results(self) -> bool:
        return any(v is not None for v in (self.actual, self.points, self.score, self.explanation))

    def to_dict(self) -> dict[str, Any]:
        data = {
            "level1": self.level1,
            "level2": self.level2,
            "level3": self.level3,
            "description": self.description,
            "target": self.target,
            "parsed": self.parsed.to_dict(),
            "basis": self.basis,
            "weight": _dec(self.weight),
        }
        if self.has_results:
            data.update(
                actual=self.actual,
                points=_dec(self.points),
                score=_dec(self.score),
                explanation=self.explanation,
            )
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> IndicatorRow:
        return cls(
            level1=data["level1"],
            level2=data["level2"],
            level3=data["level3"],
            target=data["target"],
            parsed=ParsedTarget.from_dict(data["parsed"]),
            description=data.get("description"),
            basis=data.get("basis"),
            weight=_undec(data.get("weight")),
            actual=data.get("actual"),
            points=_undec(data.get("points")),
            score=_undec(data.get("score")),
            explanation=data.get("explanation"),
        )


@dataclass
class Budget:
    """A project's budget (预算数) in the table's money unit (万元 or 元)."""

    unit: str | None = None
    total: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None
    carryover: Decimal | None = None  # 上年结转, where the table states it (left out when None)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "unit": self.unit,
            "total": _dec(self.total),
            "fiscal": _dec(self.fiscal),
            "other": _dec(self.other),
        }
        if self.carryover is not None:
            data["carryover"] = _dec(self.carryover)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Budget:
        return cls(
            data.get("unit"),
            _undec(data.get("total")),
            _undec(data.get("fiscal")),
            _undec(data.get("other")),
            _undec(data.get("carryover")),
        )


@dataclass(frozen=True)
class Checkpoint:
    """A spending-plan checkpoint: the cumulative percent due by the end of a month."""

    month: int
    percent: Decimal

    def to_dict(self) -> dict[str, Any]:
        return {"month": self.month, "percent": str(self.percent)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Checkpoint:
        return cls(int(data["month"]), Decimal(str(data["percent"])))


@dataclass
class ProjectResults:
    """A self-evaluation table's fund and total lines for a project (table money unit)."""

    executed: Decimal | None = None  # 全年执行数
    execution_rate: Decimal | None = None  # 执行率, percent
    execution_points: Decimal | None = None  # 分值 of the fund line (usually 10)
    execution_score: Decimal | None = None  # 得分 of the fund line
    total_score: Decimal | None = None  # 总分
    full_year_budget: Decimal | None = None  # 全年预算数 (the budget after the year's changes)

    def to_dict(self) -> dict[str, Any]:
        data = {
            "executed": _dec(self.executed),
            "execution_rate": _dec(self.execution_rate),
            "execution_points": _dec(self.execution_points),
            "execution_score": _dec(self.execution_score),
            "total_score": _dec(self.total_score),
        }
        if self.full_year_budget is not None:
            data["full_year_budget"] = _dec(self.full_year_budget)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectResults:
        return cls(
            _undec(data.get("executed")),
            _undec(data.get("execution_rate")),
            _undec(data.get("execution_points")),
            _undec(data.get("execution_score")),
            _undec(data.get("total_score")),
            _undec(data.get("full_year_budget")),
        )


@dataclass
class ProjectTargets:
    """A budget project (预算项目) with its header block and indicator table."""

    code: str | None
    name: str | None
    budget: Budget = field(default_factory=Budget)
    fund_use: str | None = None
    spending_plan: list[Checkpoint] = field(default_factory=list)
    goal: str | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    # Set when the table is a self-evaluation table (its rows then carry results too).
    results: ProjectResults | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "name": self.name,
            "budget": self.budget.to_dict(),
            "fund_use": self.fund_use,
            "spending_plan": [c.to_dict() for c in self.spending_plan],
            "goal": self.goal,
            "indicators": [i.to_dict() for i in self.indicators],
        }
        if self.results is not None:
            data["results"] = self.results.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProjectTargets:
        return cls(
            code=data.get("code"),
            name=data.get("name"),
            budget=Budget.from_dict(data.get("budget") or {}),
            fund_use=data.get("fund_use"),
            spending_plan=[Checkpoint.from_dict(c) for c in data.get("spending_plan") or []],
            goal=data.get("goal"),
            indicators=[IndicatorRow.from_dict(i) for i in data.get("indicators") or []],
            results=None
            if data.get("results") is None
            else ProjectResults.from_dict(data["results"]),
        )


@dataclass
class SubGoal:
    """A sub-goal (分项绩效目标) of the department-wide targets."""

    title: str
    goal: str | None = None
    indicators: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "goal": self.goal, "indicators": self.indicators}


@dataclass
class UnitGoalPart:
    """The department-wide part (部门整体绩效目标): overall goal, sub-goals, safeguards."""

    overall: str | None = None
    sub_goals: list[SubGoal] = field(default_factory=list)
    safeguards: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "overall": self.overall,
            "sub_goals": [s.to_dict() for s in self.sub_goals],
            "safeguards": list(self.safeguards),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> UnitGoalPart:
        return cls(
            overall=data.get("overall"),
            sub_goals=[
                SubGoal(s["title"], s.get("goal"), s.get("indicators"))
                for s in data.get("sub_goals") or []
            ],
            safeguards=list(data.get("safeguards") or []),
        )


@dataclass(frozen=True)
class Warning:
    """Something the importer could not read cleanly, with its place in the source."""

    where: str  # e.g. "第 2 个表格第 5 行“指标值”列"
    message: str  # Chinese, for the user

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


@dataclass(frozen=True)
class Confirmation:
    """A value read by OCR from a scan, to be confirmed by a person before it is saved."""

    where: str  # the place, as in warnings (第 1 个表格第 14 行“指标值”列)
    field: str  # the column's Chinese name, e.g. 指标值
    text: str  # what OCR read
    confidence: Decimal  # 0..1, as the OCR engine reports it, two places

    @property
    def percent(self) -> int:
        """The confidence as a whole percent (half up), as pages and the command show it."""
        return int((self.confidence * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))

    def to_dict(self) -> dict[str, str]:
        return {
            "where": self.where,
            "field": self.field,
            "text": self.text,
            "confidence": str(self.confidence),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Confirmation:
        return cls(data["where"], data["field"], data["text"], Decimal(str(data["confidence"])))


@dataclass(frozen=True)
class UnitRef:
    """The budget unit a document belongs to."""

    code: str | None
    name: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name}


@dataclass
class TargetDocument:
    """Everything one file says about a unit's targets for one year."""

    year: int | None = None
    unit: UnitRef | None = None
    unit_goal: UnitGoalPart | None = None
    projects: list[ProjectTargets] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)
    # OCR'd values awaiting a person's check, least confident first (empty for text files).
    to_confirm: list[Confirmation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "year": self.year,
            "unit": None if self.unit is None else self.unit.to_dict(),
            "unit_goal": None if self.unit_goal is None else self.unit_goal.to_dict(),
            "projects": [p.to_dict() for p in self.projects],
            "warnings": [w.to_dict() for w in self.warnings],
            "to_confirm": [c.to_dict() for c in self.to_confirm],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TargetDocument:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} document")
        unit = data.get("unit")
        goal = data.get("unit_goal")
        return cls(
            year=data.get("year"),
            unit=None if unit is None else UnitRef(unit.get("code"), unit.get("name")),
            unit_goal=None if goal is None else UnitGoalPart.from_dict(goal),
            projects=[ProjectTargets.from_dict(p) for p in data.get("projects") or []],
            warnings=[Warning(w["where"], w["message"]) for w in data.get("warnings") or []],
            to_confirm=[Confirmation.from_dict(c) for c in data.get("to_confirm") or []],
        )


SCHEMA_PATH = Path(__file__).with_name("schemas") / "jixiao.targets-1.schema.json"


def schema() -> dict[str, Any]:
    """The published JSON Schema of the jixiao.targets/1 format."""
    import json

    result: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return result


def validate_dict(data: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError when data is not a valid jixiao.targets/1 document."""
    import jsonschema

    jsonschema.validate(data, schema())
