"""Amounts with their units (计量单位): read, convert within a dimension, compare with a target.

A target says ``≤15万元`` and its actual ``142000元``; a target ``≥2年`` and its actual
``18个月``; a target ``≥90%`` and its actual ``95%``, ``95`` or ``0.95``. Scoring and monitoring
compare the two only after converting the actual into the target's unit, and refuse — with a
reason in Chinese — what cannot be compared (rules.md §2, issue 10):

- **Dimensions.** Money (元 千元 万元 百万元 千万元 亿元), percentages (% ‰), durations on the
  calendar (年 半年 季度 月 个月 周 天 日 小时 分钟 秒; 1年 = 12个月 = 365天), working days
  (工作日 个工作日: not convertible to calendar days), mass (吨 公斤 千克 斤 克), length (公里 千米
  km 米 m), area (平方米 m² 亩 公顷 平方公里), volume (立方米 m³), and counts by their measure
  word (条, 次, 人次 …, each its own dimension, with a leading 万/亿/千/百 as a factor:
  ``1.2万人次`` = 12000 人次). A unit such as ``元/亩`` is a ratio of two units and converts
  part by part. Any other unit is a dimension of its own.
- **A multiplier alone** (``万``, ``亿``, ``千``, ``百``) takes the other side's dimension:
  ``15万`` against ``万元`` is 15万元, against ``条`` 150000条.
- **A bare number** is in the target's unit (``230`` against ``≥200条`` is 230条), except a
  number between 0 and 1 against a percentage, which may be a fraction (0.95 = 95%) or a
  percentage (0.95%): it is read as a fraction only where the table says so
  (``fractions=True``), otherwise it is refused as ambiguous and left for a person.
- **A target without a unit** takes the actual's number as it stands.
- **Several numbers** in an actual (``预警117条、研判95条，合计212条``): the one the text marks as
  the total (合计, 共计, 总计, 累计, 总共) is taken; without such a mark the actual is refused as
  ambiguous.

Every conversion is exact (:class:`~fractions.Fraction`), so converting to another unit of the
same dimension and back gives the number written, and a score never changes when a target and
its actual are restated in other units of their dimension.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from jixiao.core.document import ParsedTarget
from jixiao.core.targets import QUANTITATIVE, parse_target

MONEY = "money"
PERCENT = "percent"
DURATION = "duration"
WORKDAYS = "workdays"
MASS = "mass"
LENGTH = "length"
AREA = "area"
VOLUME = "volume"
COUNT = "count"  # a count's dimension is "count:<measure word>"
SCALE = "scale"  # a multiplier alone (万): takes the other side's dimension

# Dimension names as the reasons say them.
DIMENSION_WORDS = {
    MONEY: "金额",
    PERCENT: "百分比",
    DURATION: "时长",
    WORKDAYS: "工作日数",
    MASS: "重量",
    LENGTH: "长度",
    AREA: "面积",
    VOLUME: "体积",
    COUNT: "数量",
}


def _table(spec: dict[Fraction, str]) -> dict[str, Fraction]:
    return {word: factor for factor, words in spec.items() for word in words.split()}


# Each dimension's units with their factor to the dimension's base unit.
_UNITS: dict[str, dict[str, Fraction]] = {
    MONEY: _table(
        {
            Fraction(1): "元 元人民币 人民币",
            Fraction(10**3): "千元",
            Fraction(10**4): "万元 万元人民币",
            Fraction(10**6): "百万元",
            Fraction(10**7): "千万元",
            Fraction(10**8): "亿元",
        }
    ),
    PERCENT: _table({Fraction(1): "%", Fraction(1, 10): "‰"}),
    DURATION: _table(
        {
            Fraction(365): "年 周年",
            Fraction(365, 2): "半年 个半年",
            Fraction(365, 4): "季度 个季度",
            Fraction(365, 12): "月 个月",
            Fraction(7): "周 星期 个星期",
            Fraction(1): "天 日 自然日 个自然日",
            Fraction(1, 24): "小时 个小时",
            Fraction(1, 24 * 60): "分钟 分钟内",
            Fraction(1, 24 * 60 * 60): "秒",
        }
    ),
    WORKDAYS: _table({Fraction(1): "工作日 个工作日"}),
    MASS: _table(
        {
            Fraction(1000): "吨",
            Fraction(1): "公斤 千克 kg",
            Fraction(1, 2): "斤",
            Fraction(1, 1000): "克 g",
        }
    ),
    LENGTH: _table({Fraction(1000): "公里 千米 km", Fraction(1): "米 m"}),
    AREA: _table(
        {
            Fraction(1): "平方米 m2 m²",
            Fraction(2000, 3): "亩",
            Fraction(10**4): "公顷",
            Fraction(10**6): "平方公里 平方千米 km2 km²",
        }
    ),
    VOLUME: _table({Fraction(1): "立方米 m3 m³", Fraction(1, 1000): "升 L"}),
}
_BY_WORD: dict[str, tuple[str, Fraction]] = {
    word: (dimension, factor)
    for dimension, words in _UNITS.items()
    for word, factor in words.items()
}
_MULTIPLIERS = {
    "百": Fraction(100),
    "千": Fraction(10**3),
    "万": Fraction(10**4),
    "亿": Fraction(10**8),
}
# Measure words of counts (a count in one is not a count in another).
_MEASURE_TEXT = """
条 次 个 人 篇 项 场 户 辆 家 所 座 台 套 件 份 本 册 期 批 种 类 处 间 张 幅 部 名 位 例 起
宗 则 株 棵 头 只 人次 户次 车次 架次 场次 课时 学时 节 课 篇次 条次 册次 家次 批次 轮 组 支
块 面 封 单 笔 盏 根 栋 幢 村 镇 个村 所次 门 首 集 期次
"""
_MEASURE_WORDS = frozenset(_MEASURE_TEXT.split())


@dataclass(frozen=True)
class Unit:
    """A unit as written, its dimension and its factor to the dimension's base unit."""

    text: str
    dimension: str
    factor: Fraction

    @property
    def dimension_word(self) -> str:
        base = self.dimension.split(":", 1)[0]
        return DIMENSION_WORDS.get(base, f"“{self.text}”")


@dataclass(frozen=True)
class Quantity:
    """A number and its unit (None: a bare number)."""

    value: Fraction
    unit: Unit | None

    def to(self, unit: Unit) -> Fraction:
        """The value in ``unit`` (raises :class:`Incomparable` across dimensions)."""
        if self.unit is None:
            return self.value
        return convert(self.value, self.unit, unit)


class Incomparable(ValueError):
    """A target and an actual that cannot be compared as they stand (message in Chinese).

    ``ambiguous`` is True when a person's word would settle it (a fraction or a percentage,
    which of several numbers), False when the two measure different things. ``readings`` are
    the written-out texts a person may pick from to settle it (``95%`` or ``0.95%`` for 0.95).
    """

    def __init__(
        self, message: str, *, ambiguous: bool = False, readings: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.ambiguous = ambiguous
        self.readings = readings


def unit_of(text: str | None) -> Unit | None:
    """The unit a (normalised) unit text names; None for no unit."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    known = _BY_WORD.get(text)
    if known is not None:
        return Unit(text, known[0], known[1])
    if text in _MEASURE_WORDS:
        return Unit(text, f"{COUNT}:{text}", Fraction(1))
    if text in _MULTIPLIERS:
        return Unit(text, SCALE, _MULTIPLIERS[text])
    head, rest = text[0], text[1:]
    if head in _MULTIPLIERS and rest:
        inner = unit_of(rest)
        if inner is not None and inner.dimension.startswith(COUNT + ":"):
            return Unit(text, inner.dimension, inner.factor * _MULTIPLIERS[head])
    if "/" in text:
        top, _, bottom = text.partition("/")
        upper, lower = unit_of(top), unit_of(bottom)
        if (
            upper is not None
            and lower is not None
            and SCALE
            not in (
                upper.dimension,
                lower.dimension,
            )
        ):
            return Unit(text, f"{upper.dimension}/{lower.dimension}", upper.factor / lower.factor)
    return Unit(text, f"other:{text}", Fraction(1))


def convert(value: Fraction, source: Unit, target: Unit) -> Fraction:
    """``value`` in ``source`` expressed in ``target`` (exact)."""
    if source.dimension == SCALE and target.dimension != SCALE:
        # 15万 against 万元: 150000 of the base unit, then into the target's unit.
        return value * source.factor / target.factor
    if source.dimension != target.dimension:
        raise Incomparable(
            f"计量单位不一致：指标值以“{target.text}”计（{target.dimension_word}），"
            f"实际完成值以“{source.text}”计（{source.dimension_word}），不能比较"
        )
    return value * source.factor / target.factor


# --- reading an actual -------------------------------------------------------------------------

_TOTAL = re.compile(
    r"(?:合计|共计|总计|累计|总共|共|计)[为达是:：\s]*(?:完成|实现)?\s*"
    r"(?P<number>[-+]?\d[\d,，]*(?:\.\d+)?)\s*(?P<unit>[^\d\s,，;；。、()（）]{0,6})"
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def read_quantity(text: str) -> Quantity | None:
    """The amount an actual states (``230条``, ``14.2万元``, ``98.21%``, ``230``), else None.

    Raises :class:`Incomparable` (ambiguous) when the text holds several numbers and marks none
    of them as the total.
    """
    if not text.strip():
        return None
    parsed = parse_target(text)
    if parsed.kind == QUANTITATIVE and parsed.value is not None:
        return Quantity(Fraction(Decimal(parsed.value)), unit_of(parsed.unit))
    numbers = _NUMBER.findall(text.replace(",", "").replace("，", ""))
    if len(numbers) < 2:
        return None
    totals = list(_TOTAL.finditer(text))
    if len(totals) == 1:
        found = totals[0]
        number = found["number"].replace(",", "").replace("，", "")
        unit = found["unit"].rstrip("的")
        return Quantity(Fraction(Decimal(number)), unit_of(unit or None))
    raise Incomparable(
        f"实际完成值“{text.strip()}”中有多个数字，请只填写一个数，或写明合计数（如“合计212条”）",
        ambiguous=True,
    )


def actual_in_target_unit(
    target: ParsedTarget, actual: Decimal | str, *, fractions: bool = False
) -> Fraction | None:
    """The actual as a number in the target's unit, ready to compare with the target's value.

    ``actual`` is a number already in the target's unit (from the metrics engine) or a text as
    entered. None when the text states no number (a word, or nothing). Raises
    :class:`Incomparable` when the two cannot be compared. ``fractions``: a bare number between
    0 and 1 against a percentage target is a fraction of 1 (0.95 = 95%).
    """
    if isinstance(actual, Decimal):
        return Fraction(actual)
    quantity = read_quantity(actual)
    if quantity is None:
        return None
    wanted = unit_of(target.unit)
    if wanted is None:
        if quantity.unit is not None and quantity.unit.dimension == SCALE:
            return quantity.value * quantity.unit.factor
        return quantity.value
    if quantity.unit is None:
        if wanted.dimension == PERCENT and 0 < quantity.value <= 1:
            if fractions:
                return quantity.value * 100 / wanted.factor
            # Written out exactly (the number came from decimal text, so it terminates).
            as_fraction = f"{_exact(quantity.value * 100)}%"
            as_points = f"{_exact(quantity.value)}%"
            raise Incomparable(
                f"实际完成值“{actual.strip()}”是比例还是百分数不明确：若为 "
                f"{as_fraction}，请填写“{as_fraction}”；若为 {as_points}，请填写“{as_points}”",
                ambiguous=True,
                readings=(as_fraction, as_points),
            )
        return quantity.value
    return quantity.to(wanted)


def restate(value: Fraction, source: str | None, target: str | None) -> Fraction:
    """``value`` written in unit text ``source`` restated in unit text ``target``."""
    a, b = unit_of(source), unit_of(target)
    if a is None or b is None:
        return value
    return convert(value, a, b)


def _exact(value: Fraction) -> str:
    """A terminating fraction as plain decimal text without padding zeros (95, 0.95)."""
    text = format(Decimal(value.numerator) / Decimal(value.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value: Fraction) -> str:
    """A fraction as a short decimal for a message (at most 4 places)."""
    text = f"{Decimal(value.numerator) / Decimal(value.denominator):.4f}".rstrip("0").rstrip(".")
    return text or "0"
