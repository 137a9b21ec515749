"""Target texts (指标值) parsed into a :class:`ParsedTarget`: kind, operator, value and unit.

Real tables write the same target in many ways (rules.md §2). :func:`parse_target` reads them
all into one shape; it never raises on a non-empty text, because a target it cannot read is
still a target (kind ``qualitative``).

How a text is read, in order:

1. **Normalisation.** Full-width ASCII (``１００％``, ``＞＝``, ``，``) becomes half-width, a few
   Traditional characters of operator words and units are simplified (``於 內 過 達 個 萬`` …),
   all whitespace goes, ``百分比`` becomes ``%``, thousands separators between digits go
   (``1,000`` and ``1，000`` → ``1000``), and punctuation and quotes at either end are dropped.
2. **Kind words.** ``不适用``, ``不涉及``, ``无``, ``N/A``, dash- or slash-only cells (``/``,
   ``—``, ``-``) and punctuation-only cells (``。``) are ``not_applicable``; ``定性`` is
   ``qualitative``; ``定量（其他）`` is ``quantitative`` with no operator, value or unit (the
   national standard's "quantitative, not yet fixed").
3. A trailing note in brackets is dropped (``100%（历史标准）`` → ``100%``).
4. **Deadlines.** Unless the text starts with an operator, a date, a month, a period or a
   year-end word with at most four characters before it and a short verb after it
   (``2021年12月底前``, ``12月底到位``, ``2023年12月31日前``, ``年底前完成``, ``2023.07-2024.01``)
   is a ``deadline``. Its value is the ISO date of the deadline: the month end for a month
   (``上旬`` the 10th, ``中旬`` the 20th), the end of the last part for a period; the year comes
   from the text, else from ``year=``, else the value is ``None``.
5. **Numbers.** A text with exactly one number (a range ``90%-100%`` counts as one) is
   ``quantitative`` when at most six characters of text that is not an operator stand before
   the number and the unit after it has at most six characters. The operator comes from a
   symbol (``≥ ≧ >= => ＞＝ > = ═ == < <= ≤ ≦``) or a word before the number (``不低于``,
   ``大于等于``, ``至少``, ``不超过``, ``小于`` …) or a word after it (``以上`` ``及以上`` → ``>=``;
   ``以下`` ``以内`` ``之内`` ``内`` → ``<=``); with none the operator is ``=``. ``达到`` and
   ``控制在`` before a number are weak: ``>=`` and ``<=`` unless a word after the number says
   otherwise. Other text before the number is dropped (``每生1500元/学期`` → ``= 1500 元/学期``).
   Special cases:

   - ``±3%`` (absolute deviation within 3%) is ``<= 3 %``;
   - a range ``90%-100%`` / ``90~100%`` is ``>=`` its lower bound;
   - a stray ``%`` before the operator is ignored (``%=99百分比`` → ``= 99 %``);
   - the OCR error ``二`` for ``=`` directly before a digit is read as ``=`` (``二100百分比``);
     :func:`looks_corrupted` returns a warning for it, as for ``290%`` (a ``≥`` read as ``2``),
     which is left as written.

6. A single Chinese numeral with a common unit (``一年``, ``两次以上``) is quantitative.
7. An operator alone (``≥``) is quantitative with that operator and no value.
8. Everything else is ``qualitative``: words (``是``, ``达到``, ``优良``, ``效果明显``), and
   prose with numbers in it (``先后举办有社会影响力的活动5场``). Short prose with one number
   is read as quantitative (``先后举办活动5场`` → ``= 5 场``).

**Values** are canonical decimal strings *as written*: digits and decimal point as they stand
(``100.00`` stays ``100.00``, ``0.25`` stays ``0.25``), thousands separators removed, a leading
``+`` dropped, a leading ``-`` kept, ``.5`` written ``0.5``; never an exponent, so
``Decimal(value)`` is exactly the written number. **Units** are as written after normalisation
(so ``ｋｍ`` is ``km``), with ``百分比`` and ``％`` as ``%``; ``None`` when absent.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from jixiao.core.document import ParsedTarget

QUANTITATIVE = "quantitative"
QUALITATIVE = "qualitative"
DEADLINE = "deadline"
NOT_APPLICABLE = "not_applicable"
KINDS = (QUANTITATIVE, QUALITATIVE, DEADLINE, NOT_APPLICABLE)

OPS = (">=", ">", "=", "<", "<=")
POSITIVE = "positive"
REVERSE = "reverse"

# The symbols the standard tables print in the 计算符号 column, by canonical operator.
OP_SYMBOLS = {">=": "≥", ">": ">", "=": "=", "<": "<", "<=": "≤"}
# The non-operator entries of the 计算符号 column of the national data standard.
QUALITATIVE_WORD = "定性"
QUANTITATIVE_OTHER_WORD = "定量（其他）"
NOT_APPLICABLE_WORD = "不适用"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Units whose value builds up over the year (counts and amounts), after a leading 万/亿/千/百.
CUMULATIVE_UNITS = _words(
    """
    条 次 个 人 篇 元 万 万元 亿元 千元 项 场 户 辆 家 所 座 台 套 件 份 本 册 期 批 种 类 处
    间 张 幅 部 名 位 例 起 宗 则 株 棵 头 只 吨 公斤 千克 斤 公里 千米 km 米 m 亩 公顷 平方米
    m2 m² 立方米 m3 m³ 人次 户次 车次 架次 场次 课时 学时 节 课 篇次 条次 册次
    """
)
# Durations and states: compared with the target directly, not with the elapsed year.
DURATION_UNITS = _words("年 个月 月 周 天 日 工作日 个工作日 小时 分钟 秒 季度 学期")
LEVEL_UNITS = DURATION_UNITS | _words("% ‰ 倍 分 级 星 星级 等 等级 岁 度 ℃")

# Cells that read as a target even without a number (used by is_target_like).
QUALITATIVE_WORDS = _words(
    """
    是 否 有 达到 达标 达成 基本达成 部分达成 未达成 完成 全部完成 按时完成 按期完成 到位
    优 良 中 差 优秀 优良 良好 合格 较好 好 很好 高 较高 低 较低 明显 显著 效果明显 效果显著
    明显提升 明显提高 明显改善 有效 有效提升 有效提高 有效改善 长期 长远 长期有效 提升 提高
    改善 增加 增长 减少 降低 下降 及时 准时 按时 按期 持续 稳定 稳步提升 逐步提高 逐年提高
    规范 完善 健全 符合 符合要求 符合标准 符合规定 符合相关规定 满意 基本满意 全覆盖 全面
    正常 正常运转 安全 无事故 零事故 定性
    """
)

_SYMBOLS: dict[str, str] = {
    ">=": ">=",
    "=>": ">=",
    "≥=": ">=",
    "≥": ">=",
    "≧": ">=",
    "⩾": ">=",
    "≮": ">=",
    ">": ">",
    "==": "=",
    "═": "=",
    "≡": "=",
    "=": "=",
    "<=": "<=",
    "=<": "<=",
    "≤=": "<=",
    "≤": "<=",
    "≦": "<=",
    "⩽": "<=",
    "≯": "<=",
    "<": "<",
}
# Operator words standing before the number.
_PREFIX_WORDS: dict[str, str] = {
    "大于等于": ">=",
    "大于或等于": ">=",
    "大于及等于": ">=",
    "高于或等于": ">=",
    "高于等于": ">=",
    "达到或超过": ">=",
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "不短于": ">=",
    "不得低于": ">=",
    "不得少于": ">=",
    "不应低于": ">=",
    "至少": ">=",
    "最少": ">=",
    "最低": ">=",
    "大于": ">",
    "高于": ">",
    "超过": ">",
    "超出": ">",
    "多于": ">",
    "等于": "=",
    "小于等于": "<=",
    "小于或等于": "<=",
    "低于或等于": "<=",
    "低于等于": "<=",
    "不超过": "<=",
    "不超出": "<=",
    "不高于": "<=",
    "不多于": "<=",
    "不大于": "<=",
    "不长于": "<=",
    "不得超过": "<=",
    "不得高于": "<=",
    "不应超过": "<=",
    "不超": "<=",
    "最多": "<=",
    "最高": "<=",
    "至多": "<=",
    "小于": "<",
    "低于": "<",
    "少于": "<",
    "不足": "<",
    "不到": "<",
}
# Weak words: they give way to an operator word after the number (达到90%以上, 控制在5%以内).
_WEAK_PREFIX_WORDS: dict[str, str] = {"达到": ">=", "达": ">=", "控制在": "<=", "控制": "<="}
# Operator words standing after the number, longest first where one ends another.
_SUFFIX_WORDS: dict[str, str] = {
    "及以上": ">=",
    "或以上": ">=",
    "以上": ">=",
    "及以下": "<=",
    "或以下": "<=",
    "以下": "<=",
    "以内": "<=",
    "之内": "<=",
    "内": "<=",
}
# Words after the number that say nothing about the operator.
_SUFFIX_NOISE = ("左右", "完成", "到位")

_PREFIX_ALL: list[tuple[str, str, bool]] = sorted(
    [(w, o, True) for w, o in (_SYMBOLS | _PREFIX_WORDS).items()]
    + [(w, o, False) for w, o in _WEAK_PREFIX_WORDS.items()],
    key=lambda t: -len(t[0]),
)
_SUFFIX_ALL: list[tuple[str, str | None]] = sorted(
    [*_SUFFIX_WORDS.items(), *((w, None) for w in _SUFFIX_NOISE)], key=lambda t: -len(t[0])
)

_FULL_WIDTH = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_TRADITIONAL = str.maketrans("於內過達個萬條項場戶輛臺為與", "于内过达个万条项场户辆台为与")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))", re.ASCII)
_EDGE_PUNCT = ",;:!?、。\"'“”‘’「」『』"
_TRAILING_PUNCT = _EDGE_PUNCT + "."
_DASHES = set("-—–‐‒―─━一/\\_~·.…")
_NA_WORDS = frozenset({"不适用", "不涉及", "无", "暂无", "N/A", "NA", "N.A", "N.A."})
_QUANTITATIVE_OTHER = frozenset({"定量(其他)", "定量其他", "定量"})
_QUALITATIVE_KIND = frozenset({"定性", "定性指标"})

# A number: digits not glued to a letter (m2, PM2.5 are parts of words, not numbers).
_NUMBER = re.compile(r"(?<![A-Za-z\d.])(?:\d+(?:\.\d+)?|\.\d+)", re.ASCII)
_RANGE = re.compile(r"(?P<u1>[^\d]{0,4}?)(?:-|~|〜|至|到|—|–)(?P<n2>\d+(?:\.\d+)?|\.\d+)", re.ASCII)
_ANNOTATION = re.compile(r"\(([^()]*)\)$")
_OPERATOR_CHARS = frozenset("".join(_SYMBOLS))
_MAX_NOISE = 6
_MAX_UNIT = 6

_CN_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
_CN_UNITS = _words(
    "年 个月 月 周 天 日 个工作日 工作日 小时 次 个 项 种 场 人 家 所 座 条 篇 期 批 轮 季度 类"
)

_CJK = re.compile(r"[\u4e00-\u9fff]")
_QUARTER_END = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
_DATE_PARTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]", re.ASCII), "ymd"),
    (re.compile(r"(\d{4})[.\-/](\d{1,2})[.\-/](\d{1,2})(?![\d.])", re.ASCII), "ymd"),
    (re.compile(r"(\d{4})年(\d{1,2})月(底|末|份|上旬|中旬|下旬)?", re.ASCII), "ym"),
    (re.compile(r"(\d{4})[.\-/](\d{1,2})(?![\d.])", re.ASCII), "ym"),
    (re.compile(r"(\d{4})年(上半年|下半年|第?[一二三四1-4]季度末?)", re.ASCII), "yw"),
    (re.compile(r"(\d{4})年度?(底|末|年底|年末|内)?", re.ASCII), "y"),
    (re.compile(r"(\d{1,2})月(\d{1,2})[日号]", re.ASCII), "md"),
    (re.compile(r"(\d{1,2})月(底|末|份|上旬|中旬|下旬)?", re.ASCII), "m"),
    (
        re.compile(
            r"(年底|年末|年终|年度内|年内|当年|本年度|本年|上半年|下半年|第?[一二三四1-4]季度末?)"
        ),
        "w",
    ),
]
_DATE_SEPARATOR = re.compile(r"-|~|〜|至|到|—|–")
# A date written only in digits and separators (2021.6, 2021-06-30): also how a decimal looks.
_NUMERIC_DATE = re.compile(r"\d{4}[.\-/]\d{1,2}(?:[.\-/]\d{1,2})?(?![\d年月日号])", re.ASCII)
_DATE_TAIL = re.compile(r"(?:之前|以前|前|以内|之内|内|为止|止)?[\u4e00-\u9fff]{0,6}$")


@dataclass(frozen=True)
class _Reading:
    """A parse with what the public result drops: was the operator written, how much noise."""

    kind: str
    op: str | None = None
    value: str | None = None
    unit: str | None = None
    explicit_op: bool = False
    noise: int = 0

    def result(self) -> ParsedTarget:
        return ParsedTarget(self.kind, self.op, self.value, self.unit)


@dataclass(frozen=True)
class _DatePart:
    year: int | None
    month: int
    day: int | None  # None: the month end


def parse_target(
    text: str, *, op: str | None = None, unit: str | None = None, year: int | None = None
) -> ParsedTarget:
    """Parse a target text (指标值); ``op``/``unit`` are separate operator and unit columns.

    With ``op`` and ``unit`` from a three-column table (``≥ | 95 | %``) the result is the same as
    for ``≥95%``. An operator written in ``text`` wins over ``op``; a unit in ``text`` wins over
    ``unit``. ``op`` may also be one of the standard's words: ``不适用`` makes the target not
    applicable, ``定性`` qualitative (or a deadline when ``text`` is one), ``定量（其他）``
    quantitative without an operator (the value and unit of ``text`` are kept). ``year`` is the
    fiscal year, used for deadlines that do not name one. Raises ``ValueError`` on blank text.
    """
    if not text.strip():
        raise ValueError("empty target")
    s = _normalize(text)
    kind_word = _kind_word(op) if op is not None else None
    if kind_word == NOT_APPLICABLE:
        return ParsedTarget(NOT_APPLICABLE)
    op_symbol = normalize_op(op) if op is not None else None
    reading = _read(s, year, op_given=op_symbol is not None)
    if kind_word == QUALITATIVE:
        return reading.result() if reading.kind == DEADLINE else ParsedTarget(QUALITATIVE)
    if reading.kind != QUANTITATIVE or reading.value is None:
        return ParsedTarget(QUANTITATIVE) if kind_word == QUANTITATIVE else reading.result()
    final_op = reading.op
    if kind_word == QUANTITATIVE:
        final_op = None
    elif op_symbol is not None and not reading.explicit_op:
        final_op = op_symbol
    final_unit = reading.unit
    if final_unit is None and unit is not None:
        final_unit = _normalize_unit(unit)
    return ParsedTarget(QUANTITATIVE, final_op, reading.value, final_unit)


def split_target(text: str) -> tuple[str | None, str | None, str | None]:
    """Split a target text into the three columns of the standard table: 计算符号, 指标值, 计量单位.

    ``≥95%`` → ``("≥", "95", "%")``. Qualitative texts and deadlines give
    ``("定性", text, None)``, ``定量（其他）`` gives ``("定量（其他）", value, unit)``,
    not-applicable texts ``("不适用", None, None)``. Feeding the parts back to
    :func:`parse_target` (text, ``op=``, ``unit=``) gives the same result as the whole text.
    """
    parsed = parse_target(text)
    if parsed.kind == NOT_APPLICABLE:
        return NOT_APPLICABLE_WORD, None, None
    if parsed.kind == QUANTITATIVE:
        if parsed.op is None:
            return QUANTITATIVE_OTHER_WORD, parsed.value, parsed.unit
        return OP_SYMBOLS[parsed.op], parsed.value, parsed.unit
    return QUALITATIVE_WORD, _normalize(text), None


def normalize_op(text: str) -> str | None:
    """The canonical operator (``>=`` ``>`` ``=`` ``<`` ``<=``) a symbol or word means, or None.

    Accepts symbols in any width (``≥ ≧ >= ＞＝ ═``) and operator words (``大于等于``, ``不低于``,
    ``不超过``, ``以上``, ``以内`` …). ``达到`` and ``控制在`` are not operators on their own.
    """
    s = _normalize(text).lstrip("%")
    return _SYMBOLS.get(s) or _PREFIX_WORDS.get(s) or _SUFFIX_WORDS.get(s)


def is_target_like(text: str) -> bool:
    """Whether a cell looks like a target value rather than a name, a basis or a note.

    True for numbers with at most two characters of text before them (``≥200条``, ``每生1500元``),
    deadlines, not-applicable marks, operators alone, known qualitative words (``是``, ``优良``)
    and short phrases built on them; false for indicator names (ending in 率 性 度 数 …), bases
    (``计划标准``, ``冀干考发[2020]2号``) and other prose.
    """
    if not text.strip():
        return False
    s = _normalize(text)
    if not s:
        return False
    if _is_not_applicable(s) or _kind_word(s) is not None:
        return True
    s = _strip_annotation(s)
    if s in _BASIS_WORDS or _BASIS.search(s):
        return False
    reading = _read(s, None, op_given=False)
    if reading.kind == DEADLINE:
        return True
    if reading.kind == QUANTITATIVE:
        return reading.noise <= 2
    if reading.kind == NOT_APPLICABLE or s in QUALITATIVE_WORDS:
        return True
    if _NO_EFFECT.match(s):
        return True
    if s.endswith(_NAME_SUFFIXES):
        return False
    if len(s) <= 6 and any(hint in s for hint in _QUALITATIVE_HINTS):
        return True
    return _QUALITATIVE_PHRASE.match(s) is not None


def direction(target: ParsedTarget) -> str | None:
    """``positive`` (more is better) or ``reverse`` (less is better) for a quantitative target.

    ``>=`` and ``>`` are positive, ``<=`` and ``<`` reverse; ``=`` is positive unless its value is
    0, which is reverse (``0起``: at most zero incidents, scored as ``a <= 0``). None for the other
    kinds and for a quantitative target without an operator.
    """
    if target.kind != QUANTITATIVE or target.op is None:
        return None
    if target.op in (">=", ">"):
        return POSITIVE
    if target.op in ("<=", "<"):
        return REVERSE
    value = _decimal(target.value)
    return REVERSE if value is not None and value == 0 else POSITIVE


def is_cumulative(target: ParsedTarget) -> bool:
    """Whether a quantitative target builds up over the year (a count or amount) or is a level.

    Cumulative: units in :data:`CUMULATIVE_UNITS`, with a leading 万/亿/千/百 (``万人次``), and
    per-year rates of them (``次/年``). Level: rates (``%``), durations (``年`` ``个工作日``),
    grades, other per-unit standards (``元/亩``), unknown units and no unit.
    """
    if target.kind != QUANTITATIVE or not target.unit:
        return False
    unit = target.unit
    if "/" in unit:
        numerator, _, denominator = unit.partition("/")
        return denominator in ("年", "年度") and _is_cumulative_unit(numerator)
    return _is_cumulative_unit(unit)


def looks_corrupted(text: str) -> str | None:
    """A Chinese warning when a target text looks damaged by text recognition, else None.

    Two cases: a percentage above 100 that starts with ``2`` while the rest is a plausible
    percentage (``290%`` is likely ``≥90%``: the ``≥`` read as ``2``), which is left as written;
    and ``二`` before a digit (``二100``), which :func:`parse_target` reads as ``=``.
    """
    if not text.strip():
        return None
    shown = text.strip()
    s = _normalize(text)
    match = re.fullmatch(r"2(\d+(?:\.\d+)?)%", s, re.ASCII)
    if match:
        rest = match.group(1)
        plausible = rest == "0" or not rest.startswith("0") or rest.startswith("0.")
        if plausible and Decimal(rest) <= 100 and Decimal("2" + rest) > 100:
            return f"指标值“{shown}”可能是“≥{rest}%”被识别错误，请核对"
    if re.match(r"%*二\d", s, re.ASCII):
        return f"指标值“{shown}”中的“二”已按“=”识别，请核对"
    return None


# -- internals ---------------------------------------------------------------------------------

_BASIS_WORDS = frozenset({"计划标准", "行业标准", "历史标准", "其他标准", "其他", "预算标准"})
_BASIS = re.compile(r"[〔\[【《]|\d号|文件|依据", re.ASCII)
_NAME_SUFFIXES = (
    "率",
    "性",
    "度",
    "数",
    "量",
    "额",
    "值",
    "比例",
    "比重",
    "情况",
    "指标",
    "程度",
    "效益",
    "影响",
    "成本",
)
_QUALITATIVE_HINTS = (
    "明显",
    "显著",
    "提升",
    "提高",
    "改善",
    "有效",
    "良好",
    "及时",
    "持续",
    "稳定",
    "满意",
    "达标",
    "合格",
    "增加",
    "减少",
    "降低",
    "完成",
    "到位",
    "优",
)
_QUALITATIVE_PHRASE = re.compile(
    r"(符合|严格|按照?|依照|达到|满足|确保|保障|保证|在).{0,14}"
    r"(规定|要求|标准|制度|完成|执行|实施|落实|运行|水平)$"
)
# 无负面影响, 长期无不良影响, 不产生明显负面影响: a cost or ecology indicator's target (the
# name suffix 影响 would otherwise make it an indicator's name).
_NO_EFFECT = re.compile(r"^(长期)?(无|没有|不产生|未产生)(明显|重大|较大)?(不良|负面)?影响$")


def _normalize(text: str) -> str:
    s = text.translate(_FULL_WIDTH).translate(_TRADITIONAL).translate(_INVISIBLE)
    s = "".join(s.split()).replace("百分比", "%")
    s = _THOUSANDS.sub("", s)
    while True:
        stripped = s.lstrip(_EDGE_PUNCT).rstrip(_TRAILING_PUNCT)
        if stripped == s:
            return s
        s = stripped


def _normalize_unit(unit: str) -> str | None:
    """A unit column as written: width, whitespace and 百分比 normalised, nothing stripped."""
    s = unit.translate(_FULL_WIDTH).translate(_TRADITIONAL).translate(_INVISIBLE)
    return "".join(s.split()).replace("百分比", "%") or None


def _kind_word(text: str) -> str | None:
    s = _normalize(text)
    if not s:
        return None
    if _is_not_applicable(s):
        return NOT_APPLICABLE
    if s in _QUALITATIVE_KIND:
        return QUALITATIVE
    if s in _QUANTITATIVE_OTHER:
        return QUANTITATIVE
    return None


def _is_not_applicable(s: str) -> bool:
    return not s or s.upper() in _NA_WORDS or all(c in _DASHES for c in s)


def _has_digit(s: str) -> bool:
    return any("0" <= c <= "9" for c in s)


def _strip_annotation(s: str) -> str:
    """Drop a trailing bracketed note; unwrap it when it holds the only number (名称(≥90%))."""
    match = _ANNOTATION.search(s)
    if match is None or match.start() == 0:
        return s
    before, inner = s[: match.start()], match.group(1)
    if _has_digit(before) or not _has_digit(inner):
        return before
    return before + inner


def _read(s: str, year: int | None, *, op_given: bool) -> _Reading:
    """Read a normalised text; ``op_given`` says an operator column is present."""
    if not s:  # punctuation only, e.g. "。"
        return _Reading(NOT_APPLICABLE)
    kind = _kind_word(s)
    if kind is not None:
        return _Reading(kind)
    s = _strip_annotation(s)
    if not op_given and not _starts_with_operator(s):
        deadline = _read_deadline(s, year)
        if deadline is not None:
            return deadline
    for reader in (_read_number, _read_chinese_numeral):
        reading = reader(s)
        if reading is not None:
            return reading
    bare = s.lstrip("%")
    bare_op = _SYMBOLS.get(bare) or _PREFIX_WORDS.get(bare)
    if bare_op is not None:
        return _Reading(QUANTITATIVE, bare_op, explicit_op=True)
    return _Reading(QUALITATIVE)


def _starts_with_operator(s: str) -> bool:
    s = s.lstrip("%")
    if re.match(r"二\d", s, re.ASCII):
        return True
    return any(s.startswith(w) for w, _, strong in _PREFIX_ALL if strong)


def _operator_at_end(s: str) -> tuple[str, str, bool] | None:
    for word, op, strong in _PREFIX_ALL:
        if s.endswith(word):
            return word, op, strong
    return None


def _operator_at_start(s: str) -> tuple[str, str, bool] | None:
    for word, op, strong in _PREFIX_ALL:
        if s.startswith(word):
            return word, op, strong
    return None


def _strip_suffix(unit: str) -> tuple[str, str | None]:
    """Remove operator and filler words after the unit; return the unit and the operator."""
    op: str | None = None
    changed = True
    while changed and unit:
        changed = False
        for word, word_op in _SUFFIX_ALL:
            if unit.endswith(word):
                unit = unit[: -len(word)]
                op = op or word_op
                changed = True
                break
    return unit, op


def _canonical(number: str, sign: str) -> str:
    value = "0" + number if number.startswith(".") else number
    return "-" + value if sign == "-" else value


def _read_number(s: str) -> _Reading | None:
    numbers = list(_NUMBER.finditer(s))
    if not numbers:
        return None
    first = numbers[0]
    value = first.group()
    rest = s[first.end() :]
    used = 1
    range_unit = ""
    is_range = False
    range_match = _RANGE.match(rest)
    if range_match is not None and len(numbers) >= 2:
        second = range_match.group("n2")
        if Decimal(_canonical(second, "")) < Decimal(_canonical(value, "")):
            value = second
        range_unit = range_match.group("u1")
        rest = rest[range_match.end() :]
        used = 2
        is_range = True
    if len(numbers) != used:
        return None

    unit, suffix_op = _strip_suffix(rest)
    if is_range:
        if range_unit and unit and range_unit != unit:
            return None
        unit = unit or range_unit
    if len(unit) > _MAX_UNIT or any(c in _OPERATOR_CHARS for c in unit):
        return None

    prefix = s[: first.start()].replace("%", "")
    sign = ""
    plus_minus = False
    for mark in ("+/-", "+-", "±"):
        if prefix.endswith(mark):
            prefix = prefix[: -len(mark)]
            plus_minus = True
            break
    if not plus_minus and prefix.endswith(("-", "+")):
        before = prefix[:-1]
        if not before or _operator_at_end(before) is not None:
            sign, prefix = prefix[-1], before

    strong_op: str | None = None
    weak_op: str | None = None
    noise = prefix
    if prefix == "二":  # OCR reads '=' as '二'
        strong_op, noise = "=", ""
    else:
        found = _operator_at_end(prefix)
        if found is not None:
            noise = prefix[: -len(found[0])]
        else:
            found = _operator_at_start(prefix)
            if found is not None:
                noise = prefix[len(found[0]) :]
        if found is not None:
            if found[2]:
                strong_op = found[1]
            else:
                weak_op = found[1]
    if len(noise) > _MAX_NOISE:
        return None

    if is_range:
        op, explicit = ">=", True
    elif strong_op is not None:
        op, explicit = strong_op, True
    elif plus_minus:
        op, explicit = "<=", True
    elif suffix_op is not None:
        op, explicit = suffix_op, True
    elif weak_op is not None:
        op, explicit = weak_op, True
    else:
        op, explicit = "=", False
    return _Reading(
        QUANTITATIVE, op, _canonical(value, sign), unit or None, explicit, noise=len(noise)
    )


def _read_chinese_numeral(s: str) -> _Reading | None:
    rest = s
    found = _operator_at_start(rest)
    if found is not None:
        rest = rest[len(found[0]) :]
    rest, suffix_op = _strip_suffix(rest)
    if len(rest) < 2 or rest[0] not in _CN_DIGITS or rest[1:] not in _CN_UNITS:
        return None
    if found is not None and found[2]:
        op: str = found[1]
    else:
        op = suffix_op or (found[1] if found is not None else "=")
    explicit = found is not None or suffix_op is not None
    return _Reading(QUANTITATIVE, op, str(_CN_DIGITS[rest[0]]), rest[1:], explicit)


def _date_part(s: str, pos: int) -> tuple[_DatePart, int] | None:
    for pattern, shape in _DATE_PARTS:
        match = pattern.match(s, pos)
        if match is None:
            continue
        # Missing and optional groups read as "", so every shape can index three groups.
        groups = [g or "" for g in match.groups()] + ["", ""]
        part: _DatePart
        if shape == "ymd":
            part = _DatePart(int(groups[0]), int(groups[1]), int(groups[2]))
        elif shape == "ym":
            part = _DatePart(int(groups[0]), int(groups[1]), _ten_day(groups[2]))
        elif shape == "md":
            part = _DatePart(None, int(groups[0]), int(groups[1]))
        elif shape == "m":
            part = _DatePart(None, int(groups[0]), _ten_day(groups[1]))
        elif shape == "y":
            part = _DatePart(int(groups[0]), 12, None)
        elif shape == "yw":
            part = _DatePart(int(groups[0]), _word_month(groups[1]), None)
        else:
            part = _DatePart(None, _word_month(groups[0]), None)
        return part, match.end()
    return None


def _ten_day(word: str) -> int | None:
    return {"上旬": 10, "中旬": 20}.get(word)


def _word_month(word: str) -> int:
    if word == "上半年":
        return 6
    quarter = re.search(r"[一二三四1-4](?=季度)", word)
    return _QUARTER_END[quarter.group()] if quarter else 12


def _read_deadline(s: str, year: int | None) -> _Reading | None:
    for start in range(5):
        if start > len(s) or (start > 0 and not _CJK.match(s[start - 1])):
            return None
        found = _date_part(s, start)
        if found is None:
            continue
        first, end = found
        last = first
        separator = _DATE_SEPARATOR.match(s, end)
        if separator is not None:
            second = _date_part(s, separator.end())
            if second is not None:
                last, end = second
        if _DATE_TAIL.match(s, end) is None:
            continue
        if _NUMERIC_DATE.match(s, start) and _is_unit(s[end:]):
            return None  # 2176.6吨, 2021.5万元: a number with its unit, not a month
        return _deadline(first, last, year)
    return None


def _is_unit(tail: str) -> bool:
    """Whether the text after a number is a unit of measure (吨, 万元, 人次, 个工作日 …)."""
    return bool(tail) and (
        tail in CUMULATIVE_UNITS or tail in LEVEL_UNITS or _is_cumulative_unit(tail)
    )


def _deadline(first: _DatePart, last: _DatePart, year: int | None) -> _Reading | None:
    """The deadline reading of a (period) date, or None when the date is impossible."""
    the_year = last.year if last.year is not None else first.year
    if the_year is None and year is not None and 1 <= year <= 9999:
        the_year = year
    for part in (first, last):
        if part.year is not None and not 1949 <= part.year <= 2199:
            return None
        if not 1 <= part.month <= 12:
            return None
        check_year = part.year or 2000  # a leap year accepts 29 February
        if part.day is not None and not 1 <= part.day <= _month_end(check_year, part.month):
            return None
    if the_year is None:
        return _Reading(DEADLINE)
    day = last.day or _month_end(the_year, last.month)
    if day > _month_end(the_year, last.month):
        return None
    return _Reading(DEADLINE, value=f"{the_year:04d}-{last.month:02d}-{day:02d}")


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _is_cumulative_unit(unit: str) -> bool:
    if unit in LEVEL_UNITS:
        return False
    if unit in CUMULATIVE_UNITS:
        return True
    base = unit.lstrip("万亿千百")
    return base != unit and (base == "" or base in CUMULATIVE_UNITS)


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None
