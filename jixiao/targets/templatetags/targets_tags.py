"""Template filters of the target pages."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jixiao.exporters.targets_layout import chinese_numeral, format_weight
from jixiao.targets.choices import TargetKind

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    """A parsed target kind as its Chinese label (定量, 定性, 时限, 不适用)."""
    try:
        return str(TargetKind(kind).label)
    except ValueError:
        return kind


@register.filter
def cn_numeral(n: int) -> str:
    """1 -> 一, 12 -> 十二: the numbering of sub-goals and safeguards."""
    return chinese_numeral(int(n))


@register.filter
def percent_width(width: float) -> str:
    """A relative column width as a CSS percentage with a dot, whatever the locale."""
    return f"{width:.2f}%"


@register.filter
def weight(value: Decimal | None) -> str:
    """A weight as the exports print it: 10, 12.5; empty when there is none."""
    return format_weight(value)
