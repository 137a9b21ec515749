"""An object's own history from the change log, for its page (``audit/_history.html``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog
from jixiao.audit.versions import change_lines


@dataclass
class HistoryRow:
    """One change as a page shows it."""

    row: ChangeLog
    action: str
    lines: list[str]


def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def describe(row: ChangeLog) -> HistoryRow:
    """A log row with its action's label and one line per changed field."""
    label = Action(row.action).label if row.action in Action.values else row.action
    model = _model(row.object_type)
    lines = change_lines(model, row.before, row.after) if model is not None else []
    return HistoryRow(row=row, action=str(label), lines=lines)


def history_of(
    *objects: models.Model, limit: int = 200, extra: Q | None = None
) -> list[HistoryRow]:
    """The change-log rows of the objects (and ``extra`` rows), newest first."""
    condition = Q()
    for obj in objects:
        condition |= Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if extra is not None:
        condition |= extra
    if not condition:
        return []
    rows = ChangeLog.objects.filter(condition).order_by("-seq")[:limit]
    return [describe(row) for row in rows]


def history_context(*objects: models.Model, **kwargs: Any) -> dict[str, Any]:
    """The context ``audit/_history.html`` needs: ``{"history": [...]}``."""
    return {"history": history_of(*objects, **kwargs)}
