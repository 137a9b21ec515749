"""Template filters of the monitoring, self-evaluation and review pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from jixiao.core.numbers import round2
from jixiao.core.reports import LIGHT_LABELS

register = template.Library()

CENT = Decimal("0.01")
DASH = "—"


def _two(value: Decimal) -> str:
    return str(round2(value))


@register.filter
def money(value: Decimal | None) -> str:
    """An amount with two places (15.00); a dash when there is none."""
    return DASH if value is None else _two(Decimal(value))


@register.filter
def pct(value: Decimal | None) -> str:
    """A percent with two places and its sign (46.36%); a dash when there is none."""
    return DASH if value is None else f"{_two(Decimal(value))}%"


@register.filter
def dash(value: object) -> object:
    """The value, or a dash when it is empty."""
    return DASH if value is None or value == "" else value


@register.filter
def light_label(light: str | None) -> str:
    """红灯, 黄灯, 绿灯 or 蓝灯; empty when there is no light."""
    return LIGHT_LABELS.get(light or "", "")


@register.filter
def light(code: str | None) -> SafeString:
    """A light as a coloured dot with its Chinese label; a dash when there is none."""
    if not code or code not in LIGHT_LABELS:
        return format_html('<span class="no-light">{}</span>', DASH)
    return format_html(
        '<span class="light light-{}"><span class="dot" aria-hidden="true"></span>{}</span>',
        code,
        LIGHT_LABELS[code],
    )


@register.filter
def for_project(url: str, project_id: int | None) -> str:
    """A download link narrowed to one project (``?project=<id>``)."""
    if project_id is None:
        return url
    return f"{url}{'&' if '?' in url else '?'}project={project_id}"


@register.filter
def field_label(form: Any, name: str) -> str:
    """The label of a form's field by name (empty when the form has no such field)."""
    field = form.fields.get(name)
    return str(field.label) if field is not None and field.label else ""
