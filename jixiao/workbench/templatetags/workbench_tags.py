"""Small filters of the overview page."""

from __future__ import annotations

from django import template

from jixiao.workbench.overview import RoundProgress

register = template.Library()


@register.filter
def count_of(progress: RoundProgress, status: str) -> int:
    """How many units of the round are at a status."""
    return progress.count(status)
