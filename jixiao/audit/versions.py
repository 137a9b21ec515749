"""No lost work: an edit names the version it was read at; a stale one is refused.

A versioned model has ``version = models.PositiveIntegerField(default=1)``. Its service locks
the row, calls :func:`check_version` with the version the form carried, then bumps it with
:func:`bump` before recording the change. The refusal lists what the other person changed,
read back from the change log.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.audit.models import ChangeLog


class StaleEdit(ValidationError):
    """The object was saved by someone else after the form was read; nothing was written."""

    def __init__(self, messages: list[str], *, current_version: int) -> None:
        super().__init__(messages, code="stale")
        self.current_version = current_version


def field_label(model: type[models.Model], name: str) -> str:
    """A field's Chinese name, or the name itself when the model has no such field."""
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def _show(value: Any) -> str:
    if value in (None, ""):
        return "（空）"
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _shown_value(model: type[models.Model], name: str, value: Any) -> str:
    """A stored value as a person reads it: a choice by its label."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return _show(value)
    choices = dict(getattr(field, "flatchoices", None) or [])
    if isinstance(value, str | int) and value in choices:
        return _show(choices[value])
    return _show(value)


def change_lines(model: type[models.Model], before: Any, after: Any) -> list[str]:
    """One Chinese line per changed field: ``偏差原因：“旧” → “新”``."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    lines = []
    for name in dict.fromkeys([*before, *after]):
        if name == "version":
            continue
        old, new = before.get(name), after.get(name)
        lines.append(
            f"{field_label(model, name)}：{_shown_value(model, name, old)} → "
            f"{_shown_value(model, name, new)}"
        )
    return lines


def check_version(instance: models.Model, expected: int | None) -> None:
    """Refuse the save when the row (locked by the caller) moved past ``expected``.

    ``None`` means the caller read no version (the command line, an import): no check.
    """
    if expected is None:
        return
    current = instance.version  # type: ignore[attr-defined]
    if int(expected) == current:
        return
    rows = ChangeLog.objects.filter(
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_version__gt=int(expected),
    ).order_by("seq")
    lines = [
        _("“%(name)s”在你打开之后已被他人修改，你的修改没有保存。请核对下面的变化后重新填写：")
        % {"name": instance}
    ]
    for row in rows:
        when = timezone.localtime(row.at).strftime("%Y-%m-%d %H:%M")
        head = f"{row.username}（{when}）"
        changes = change_lines(type(instance), row.before, row.after)
        lines.append(head + ("：" + "；".join(changes) if changes else ""))
    raise StaleEdit(lines, current_version=current)


def bump(instance: models.Model) -> None:
    """Advance the version of a row about to be saved."""
    instance.version += 1  # type: ignore[attr-defined]
