"""The words of an actual (实际完成值) that say how far a target was met: one table, as data.

Qualitative targets (是, 达到, 优良, 效果明显 …) are graded by what the actual says: 达成 (met),
部分达成 (partly met) or 未达成 (not met). Units write the same grade in many ways; this module
holds the national vocabulary once, and a finance bureau extends it in its rule settings
(``words_met``, ``words_partial``, ``words_unmet``, ``words_zero``: see docs/settings.md).

How an actual is read (:func:`grade_of`), after dropping spaces and final punctuation:

1. A word of the table, as a whole (达成, 已达到, 全部达成, 达标, 优秀, 效果明显 …).
2. The same with a leading 已 / 已经 / 均 / 均已 / 全部 / 全面 / 都 / 顺利 / 如期 / 按期 / 圆满
   and a final 了 taken off (``均已全部完成`` → 完成).
3. The target's own words (``低`` for 对社会的负面影响 ``低``; ``高``) are 达成; and a target
   of none (``无重大安全事故``, ``不产生负面影响``, ``零事故``, ``杜绝…``) is 达成 by an actual
   saying that none happened (``未发生``, ``无``).
4. A negation — 未 / 没有 / 没 / 不 / 尚未 / 无法 / 不能 / 暂未 — before a word of 达成 or 部分达成
   is 未达成 (``未达到``, ``不达标``, ``尚未实现``, ``不明显``).

Words whose sense depends on the target (高, 低, 降低, 下降) are in no list: they grade only by
rule 3.

Zero events (:func:`says_zero`): 未发生, 无, 没有, 零, 0起 … state the number 0 for a target of
zero (``0起``, ``=0``, ``≤0次``) — 未发生 against ``0起`` is met.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MET = "达成"
PARTIAL = "部分达成"
UNMET = "未达成"


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The national vocabulary. Each word is matched whole, after normalising (see the module doc).
MET_WORDS = _words(
    """
    达成 是 达到 完成 实现 达标 到位 合格 有 符合 满足 优 优秀 优良 良好 好 很好 满意 非常满意
    很满意 全部达成 全部完成 全部实现 全部达标 全面完成 圆满完成 顺利完成 按期完成 按时完成
    如期完成 超额完成 完成目标 达到目标 达到预期 达到预期目标 实现目标 实现预期目标 完成任务
    效果明显 效果显著 成效明显 成效显著 明显 显著 明显提升 明显提高 明显改善 显著提升 显著提高
    显著改善 有效 有效提升 有效提高 有效改善 提升 提高 改善 增强 增加 及时 按时 按期 准时 正常
    正常运转 正常运行 稳定 持续 长期 规范 完善 健全 符合要求 符合标准 符合规定 满足要求 全覆盖
    安全 无事故 零事故 通过 已通过 验收合格 通过验收
    """
)
PARTIAL_WORDS = _words(
    """
    部分达成 基本达成 基本完成 部分完成 基本实现 部分实现 基本达到 部分达到 基本达标 部分达标
    基本到位 部分到位 基本符合 基本满足 基本满意 较满意 比较满意 良 较好 一般 中 中等 尚可
    有所提升 有所提高 有所改善 有所增强 有所增加 逐步提升 逐步提高 逐步改善 稳步提升 效果一般
    成效一般 基本正常 基本稳定 基本及时 基本规范
    """
)
UNMET_WORDS = _words(
    """
    未达成 否 未完成 未达到 无 差 较差 很差 不合格 不达标 未达标 未实现 没有完成 没有达到 没有实现
    尚未完成 尚未达到 尚未实现 未到位 不到位 不符合 不满足 不满意 不及时 滞后 延期 严重滞后
    效果不明显 成效不明显 不明显 无效 未通过 不通过
    """
)
# What an actual says for "none happened" (a target of zero events).
ZERO_WORDS = _words(
    """
    未发生 无 没有 没有发生 未出现 没有出现 无发生 零 零起 零发生 0 0起 0次 0件 0例 0个 未发现
    无一例 一起也没有 杜绝
    """
)

_NEGATIONS = ("尚未", "暂未", "没有", "无法", "不能", "未", "没", "不")
_LEADING = ("均已", "已经", "全部", "全面", "顺利", "如期", "按期", "圆满", "已", "均", "都")
_STRIP = re.compile(r"[\s\u3000]+")
# A target of none: 无重大事故, 不产生负面影响, 零事故, 杜绝…, 避免…, 未发生…
_NONE_TARGET = re.compile(r"^(?:无|不|零|杜绝|避免|未|没有|0)")
_TRAILING = "。.!！;；,，、"


@dataclass(frozen=True)
class Vocabulary:
    """The grade words in force: the national table plus a finance bureau's own words."""

    met: frozenset[str] = MET_WORDS
    partial: frozenset[str] = PARTIAL_WORDS
    unmet: frozenset[str] = UNMET_WORDS
    zero: frozenset[str] = ZERO_WORDS

    def extended(
        self,
        met: tuple[str, ...] = (),
        partial: tuple[str, ...] = (),
        unmet: tuple[str, ...] = (),
        zero: tuple[str, ...] = (),
    ) -> Vocabulary:
        """This table with more words; a bureau's word moves out of the grade it was in."""
        met_set, partial_set, unmet_set = frozenset(met), frozenset(partial), frozenset(unmet)
        return Vocabulary(
            met=(self.met - partial_set - unmet_set) | met_set,
            partial=(self.partial - met_set - unmet_set) | partial_set,
            unmet=(self.unmet - met_set - partial_set) | unmet_set,
            zero=self.zero | frozenset(zero),
        )

    def grade(self, text: str, target: str | None = None) -> str | None:
        """The grade an actual's words say against the ``target`` as written (see the module
        doc), None if they say none."""
        word = normalise(text)
        if not word:
            return None
        wanted = normalise(target) if target else ""
        if wanted and (word == wanted or _bare(word) == wanted):
            return MET
        if wanted and _NONE_TARGET.match(wanted) and self.says_zero(word):
            return MET
        found = self._whole(word)
        if found is not None:
            return found
        for negation in _NEGATIONS:
            if word.startswith(negation) and len(word) > len(negation):
                rest = _bare(word[len(negation) :])
                if rest in self.met or rest in self.partial:
                    return UNMET
                break
        return None

    def _whole(self, word: str) -> str | None:
        for candidate in (word, _bare(word)):
            if candidate in self.unmet:
                return UNMET
            if candidate in self.partial:
                return PARTIAL
            if candidate in self.met:
                return MET
        return None

    def says_zero(self, text: str) -> bool:
        """Whether an actual says that none happened (未发生, 无, 0起 …)."""
        word = normalise(text)
        return bool(word) and (word in self.zero or _bare(word) in self.zero)


def normalise(text: str) -> str:
    """The text without spaces and final punctuation."""
    return _STRIP.sub("", text).rstrip(_TRAILING)


def _bare(word: str) -> str:
    """The word without a leading 已 / 均 / 全部 … and a final 了."""
    changed = True
    while changed:
        changed = False
        for lead in _LEADING:
            if word.startswith(lead) and len(word) > len(lead):
                word = word[len(lead) :]
                changed = True
                break
    if word.endswith("了") and len(word) > 1:
        word = word[:-1]
    return word


NATIONAL = Vocabulary()
