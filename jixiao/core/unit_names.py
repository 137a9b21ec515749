"""How close a unit name read from a file is to the names in the register.

Files name their unit by its full name (某县卫生健康委员会), by a common short form (卫健委,
县网信办), or by the full name without its place (卫生健康委员会). An import never decides from
such a fragment which unit is meant: these scores only order the units offered to a person,
closest first. Plain Python, no Django: anything with ``code`` and ``name`` attributes ranks.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol, TypeVar

__all__ = ["ABBREVIATIONS", "is_short_form", "rank_units", "similarity"]

# Common short forms of government bodies' names, and what they stand for. A short form not
# in this table still matches through its characters appearing in order (城管局 → 城市管理局).
ABBREVIATIONS: dict[str, str] = {
    "卫健委": "卫生健康委员会",
    "卫健局": "卫生健康局",
    "卫计委": "卫生和计划生育委员会",
    "发改委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "人社局": "人力资源和社会保障局",
    "住建局": "住房和城乡建设局",
    "住建委": "住房和城乡建设委员会",
    "市场监管局": "市场监督管理局",
    "文旅局": "文化和旅游局",
    "文广旅局": "文化广电和旅游局",
    "教体局": "教育和体育局",
    "交通局": "交通运输局",
    "应急局": "应急管理局",
    "医保局": "医疗保障局",
    "退役军人局": "退役军人事务局",
    "网信办": "网络安全和信息化委员会办公室",
    "编办": "机构编制委员会办公室",
    "政法委": "政法委员会",
    "纪委": "纪律检查委员会",
    "工信局": "工业和信息化局",
    "科技局": "科学技术局",
    "国资委": "国有资产监督管理委员会",
    "民宗局": "民族宗教事务局",
    "机关事务局": "机关事务管理局",
    "林草局": "林业和草原局",
    "自然资源局": "自然资源和规划局",
    "人防办": "人民防空办公室",
    "残联": "残疾人联合会",
    "妇联": "妇女联合会",
    "科协": "科学技术协会",
    "工商联": "工商业联合会",
    "文联": "文学艺术界联合会",
    "侨联": "归国华侨联合会",
    "供销社": "供销合作社",
}

# Short forms that are also the official names of some units: not refused as a full name.
_ALSO_OFFICIAL = {
    "科技局",
    "交通局",
    "自然资源局",
    "机关事务局",
    "应急局",
    "供销社",
    "政法委",
    "纪委",
}

# Characters nearly every unit name has: sharing them says nothing about being the same unit.
_GENERIC = set("中共省市县区镇乡局委会办公室部门厅处科中心站所队院本级和与及的人民政府")
_NOISE = re.compile(r"[\s\u3000()（）\[\]【】·•、，,.。:：;；\"'“”‘’《》<>\-—_/]+")
# Below this a unit is not offered as a match (but is still listed among the others).
THRESHOLD = 0.5


class NamedUnit(Protocol):
    @property
    def code(self) -> str | None: ...

    @property
    def name(self) -> str: ...


U = TypeVar("U", bound=NamedUnit)


def _clean(text: str) -> str:
    return _NOISE.sub("", unicodedata.normalize("NFKC", text or ""))


def _expand(text: str) -> str:
    """The name with its short forms written out, longest short form first."""
    for short in sorted(ABBREVIATIONS, key=len, reverse=True):
        if short in text and ABBREVIATIONS[short] not in text:
            text = text.replace(short, ABBREVIATIONS[short])
    return text


def _in_order(short: str, long: str) -> bool:
    """Whether every character of ``short`` appears in ``long``, in the same order."""
    rest = iter(long)
    return all(char in rest for char in short)


def _overlap(a: str, b: str) -> float:
    """Dice coefficient over the distinctive characters of two names."""
    first, second = set(a) - _GENERIC, set(b) - _GENERIC
    if not first or not second:
        return 0.0
    return 2 * len(first & second) / (len(first) + len(second))


def similarity(fragment: str, name: str) -> float:
    """How likely ``name`` (a registered unit's) is the unit ``fragment`` (from a file) means,
    from 0 (nothing alike) to 1 (the same name, up to spacing, punctuation and short forms)."""
    short, full = _clean(fragment), _clean(name)
    if not short or not full:
        return 0.0
    if short == full:
        return 1.0
    short_x, full_x = _expand(short), _expand(full)
    if short_x == full_x:
        return 0.95
    if len(short) >= 2 and (short_x in full_x or full_x in short_x):
        return 0.9
    if len(short) >= 2 and (_in_order(short, full) or _in_order(short_x, full_x)):
        # A short form made of the words' first characters (城管局 for 城市管理局).
        return 0.8
    return 0.7 * _overlap(short_x, full_x)


def is_short_form(name: str) -> bool:
    """Whether a name is, or ends in, a known short form (卫健委, 某县卫健委): not a full name."""
    cleaned = _clean(name)
    return any(cleaned.endswith(short) for short in ABBREVIATIONS if short not in _ALSO_OFFICIAL)


def rank_units(name: str | None, code: str | None, units: Iterable[U]) -> list[tuple[U, float]]:
    """The units alike to what a file names (an equal code counts as the same unit), closest
    first, with their scores; units scoring below THRESHOLD are left out."""
    code = _clean(code or "")
    scored = []
    for unit in units:
        score = (
            1.0 if code and _clean(unit.code or "") == code else similarity(name or "", unit.name)
        )
        if score >= THRESHOLD:
            scored.append((unit, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].code or "", pair[0].name))
    return scored
