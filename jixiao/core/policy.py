"""The rule settings (绩效规则设置) of a finance bureau: points, formulas, light bands, caps.

rules.md marks which rules vary by province; each is a field here, with rules.md's default.
A finance bureau stores only the names it changes (JSON, decimals as strings);
:func:`Policy.from_mapping` reads them, refusing unknown names and bad values with a Chinese
message. ``docs/settings.md`` documents every name; a test checks that the two agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from jixiao.core.wording import MET, NATIONAL, PARTIAL, Vocabulary

PROPORTIONAL = "proportional"
TO_OUTPUT = "output"
RATIO = "ratio"
LINEAR = "linear"

# Level-1 groups of the indicator table, by the names scoring uses for them.
OUTPUT = "output"  # 产出指标 (with a level-1 成本指标 unless cost_in_output is off)
COST = "cost"  # 成本指标 at level 1
BENEFIT = "benefit"  # 效益指标
SATISFACTION = "satisfaction"  # 满意度指标

# Grades by total (rules.md §4, a national constant): the lowest total of each grade.
GRADES = (("优", Decimal(90)), ("良", Decimal(80)), ("中", Decimal(60)), ("差", Decimal(0)))


class PolicyError(ValueError):
    """A setting with an unknown name or a value it cannot take (message in Chinese)."""


@dataclass(frozen=True)
class Policy:
    """Every setting of the scoring and monitoring rules, with rules.md's defaults."""

    # Self-evaluation points of the level-1 groups and of budget execution (sum 100).
    points_output: Decimal = Decimal("50")
    points_benefit: Decimal = Decimal("30")
    points_satisfaction: Decimal = Decimal("10")
    points_execution: Decimal = Decimal("10")
    # A level-1 成本指标 group counts inside 产出 (True) or carries points_cost of its own.
    cost_in_output: bool = True
    points_cost: Decimal = Decimal("0")
    # The points of a level-1 group absent from the table: shared among the present groups in
    # proportion to their points ("proportional"), or all given to 产出 ("output").
    absent_group: str = PROPORTIONAL
    # Reverse indicators missing their target: w × t / a ("ratio") or w × (1 − (a − t)/t) for
    # t < a < 2t and 0 beyond ("linear").
    reverse_formula: str = RATIO
    # Qualitative grades: the band of the indicator's points, in percent (low, high).
    band_met_low: Decimal = Decimal("80")
    band_met_high: Decimal = Decimal("100")
    band_partial_low: Decimal = Decimal("60")
    band_partial_high: Decimal = Decimal("80")
    band_unmet_low: Decimal = Decimal("0")
    band_unmet_high: Decimal = Decimal("60")
    # Over-achievement: an actual at least overrun_threshold percent above the target needs an
    # explanation and loses overrun_deduction points (0: no deduction).
    overrun_threshold: Decimal = Decimal("30")
    overrun_deduction: Decimal = Decimal("0")
    # Budget execution: a rate below this percent needs an explanation.
    execution_explain_below: Decimal = Decimal("90")
    # Cap the total by the execution rate (rate < 80% → at most 89, < 70% → 79 …).
    execution_cap: bool = False
    execution_caps: tuple[tuple[Decimal, Decimal], ...] = (
        (Decimal("80"), Decimal("89")),
        (Decimal("70"), Decimal("79")),
        (Decimal("60"), Decimal("69")),
        (Decimal("50"), Decimal("59")),
    )
    # Warning lights: v below light_yellow is red, below light_green yellow, below light_blue
    # green, else blue.
    light_yellow: Decimal = Decimal("60")
    light_green: Decimal = Decimal("80")
    light_blue: Decimal = Decimal("120")
    # A blue light (over-run) asks for a deviation reason, like red and yellow.
    reason_on_blue: bool = True
    # Hebei mode: a positive indicator more than monitoring_overrun_threshold percent above its
    # annual target asks for a deviation reason.
    monitoring_overrun_reason: bool = False
    monitoring_overrun_threshold: Decimal = Decimal("15")
    # The layout of the exported monitoring table: 财预〔2019〕136号 ("national") or Hubei's form
    # ("hubei": one 完成目标可能性 column, reasons and measures as rows under the grid).
    monitoring_layout: str = "national"
    # A bureau's own words for the grades of a qualitative actual and for "none happened",
    # added to the national table of jixiao.core.wording (a word moves out of the grade it was in).
    words_met: tuple[str, ...] = ()
    words_partial: tuple[str, ...] = ()
    words_unmet: tuple[str, ...] = ()
    words_zero: tuple[str, ...] = ()

    @property
    def vocabulary(self) -> Vocabulary:
        """The national grade words with this bureau's own."""
        if not (self.words_met or self.words_partial or self.words_unmet or self.words_zero):
            return NATIONAL
        return NATIONAL.extended(
            self.words_met, self.words_partial, self.words_unmet, self.words_zero
        )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Policy:
        """The defaults with ``values`` applied; unknown names and bad values raise PolicyError."""
        if not values:
            return cls()
        if not isinstance(values, Mapping):
            raise PolicyError("规则设置应是“名称: 值”的对象。")
        known = {f.name: f for f in fields(cls)}
        changes: dict[str, Any] = {}
        for name, raw in values.items():
            if name not in known:
                raise PolicyError(f"未知的规则设置“{name}”。")
            changes[name] = _convert(name, raw, getattr(DEFAULT, name))
        policy = replace(cls(), **changes)
        policy.check()
        return policy

    def check(self) -> None:
        """Refuse settings that contradict each other."""
        if self.absent_group not in (PROPORTIONAL, TO_OUTPUT):
            raise PolicyError("absent_group 只能是 proportional 或 output。")
        if self.monitoring_layout not in ("national", "hubei"):
            raise PolicyError("monitoring_layout 只能是 national 或 hubei。")
        if self.reverse_formula not in (RATIO, LINEAR):
            raise PolicyError("reverse_formula 只能是 ratio 或 linear。")
        for low, high, name in (
            (self.band_met_low, self.band_met_high, "band_met"),
            (self.band_partial_low, self.band_partial_high, "band_partial"),
            (self.band_unmet_low, self.band_unmet_high, "band_unmet"),
        ):
            if not Decimal(0) <= low <= high <= Decimal(100):
                raise PolicyError(f"{name}_low 和 {name}_high 应满足 0 ≤ 下限 ≤ 上限 ≤ 100。")
        if not self.light_yellow <= self.light_green <= self.light_blue:
            raise PolicyError("预警分档应满足 light_yellow ≤ light_green ≤ light_blue。")
        for name in (
            "points_output",
            "points_benefit",
            "points_satisfaction",
            "points_execution",
            "points_cost",
            "overrun_threshold",
            "overrun_deduction",
            "monitoring_overrun_threshold",
        ):
            if getattr(self, name) < 0:
                raise PolicyError(f"{name} 不能为负数。")
        seen: dict[str, str] = {}
        for name in ("words_met", "words_partial", "words_unmet"):
            for word in getattr(self, name):
                if word in seen and seen[word] != name:
                    raise PolicyError(f"词语“{word}”同时出现在 {seen[word]} 和 {name} 中。")
                seen[word] = name
        total = sum(self.group_points().values(), Decimal(0)) + self.points_execution
        if total != 100:
            raise PolicyError(f"规则设置中各部分分值合计为 {total}，应为 100。")

    def group_points(self) -> dict[str, Decimal]:
        """The points of each level-1 group before absent groups are shared out."""
        points = {
            OUTPUT: self.points_output,
            BENEFIT: self.points_benefit,
            SATISFACTION: self.points_satisfaction,
        }
        if not self.cost_in_output:
            points[COST] = self.points_cost
        return points

    def band(self, grade: str) -> tuple[Decimal, Decimal]:
        """A qualitative grade's band as (low, high) percent of the points."""
        if grade == MET:
            return self.band_met_low, self.band_met_high
        if grade == PARTIAL:
            return self.band_partial_low, self.band_partial_high
        return self.band_unmet_low, self.band_unmet_high

    def to_json(self) -> dict[str, Any]:
        """Every setting by name, decimals as strings (what a snapshot records)."""
        return {f.name: _to_json(getattr(self, f.name)) for f in fields(self)}

    def changes(self) -> dict[str, Any]:
        """Only the settings that differ from the defaults, as JSON."""
        return {
            f.name: _to_json(getattr(self, f.name))
            for f in fields(self)
            if getattr(self, f.name) != getattr(DEFAULT, f.name)
        }


# The qualitative grades MET, PARTIAL and UNMET and their words are in jixiao.core.wording.

DEFAULT = Policy()


def grade_for(total: Decimal) -> str:
    """The grade (优 良 中 差) of a total score."""
    for grade, low in GRADES:
        if total >= low:
            return grade
    return GRADES[-1][0]


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, tuple):
        return [_to_json(v) for v in value]
    return value


def _convert(name: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise PolicyError(f"{name} 应为 true 或 false。")
        return raw
    if isinstance(default, Decimal):
        return _decimal(name, raw)
    if name.startswith("words_"):
        if not isinstance(raw, list | tuple) or not all(isinstance(w, str) for w in raw):
            raise PolicyError(f'{name} 应为词语的列表，如 ["已办结", "全部办结"]。')
        words = tuple(w.strip() for w in raw if w.strip())
        if any(any(ch.isspace() for ch in w) for w in words):
            raise PolicyError(f"{name} 中的词语不能含空格。")
        return words
    if isinstance(default, tuple):
        if not isinstance(raw, list | tuple):
            raise PolicyError(f"{name} 应为 [执行率下限, 总分上限] 的列表。")
        caps = []
        for pair in raw:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                raise PolicyError(f"{name} 的每一项应为 [执行率, 总分上限]。")
            caps.append((_decimal(name, pair[0]), _decimal(name, pair[1])))
        return tuple(caps)
    if not isinstance(raw, str):
        raise PolicyError(f"{name} 应为文字。")
    return raw


def _decimal(name: str, raw: Any) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, str | int | Decimal):
        raise PolicyError(f'{name} 应为数字（小数写成字符串，如 "12.5"）。')
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        raise PolicyError(f"{name} 的值“{raw}”不是数字。") from None
    if not value.is_finite():
        raise PolicyError(f"{name} 的值“{raw}”不是数字。")
    return value
