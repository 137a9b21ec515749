"""What an indicator holds besides its row: a metric, hand-entered actuals, evidence files,
report entries, score overrides and a past year's imported self-evaluation result.

A re-import that would remove an indicator holding any of them asks for confirmation first,
and its revision says what the removed indicator held. The apps that keep these things sit
above the target register, so they are named here by model label and looked up lazily,
like the access seam's ``UNIT_LOOKUPS``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.db.models import Count, Q

# Bookkeeping columns of a report entry: an entry is "filled" when any other column is.
_ENTRY_BOOKKEEPING = {"id", "report", "indicator", "updated_at", "updated_by", "version"}


@dataclass(frozen=True)
class Held:
    """One kind of thing an indicator may hold: the model, its path to the indicator's id,
    its Chinese name and measure word."""

    model: str
    path: str
    label: str
    measure: str
    only_filled: bool = False  # count only rows with something written in them


HELD: list[Held] = [
    Held("metrics.Metric", "indicator_id", "口径", "个"),
    Held("metrics.ManualActual", "indicator_id", "手工填报实际完成值", "条"),
    Held("metrics.Evidence", "actual__indicator_id", "佐证材料", "个"),
    Held("rounds.IndicatorEntry", "indicator_id", "报表填报内容", "条", only_filled=True),
    Held("rounds.ScoreOverride", "indicator_id", "得分调整", "条"),
    Held("targets.RecordedResult", "indicator_id", "导入的自评结果", "条"),
]


@dataclass(frozen=True)
class Holdings:
    """The counts of what one indicator holds, in ``HELD`` order (kinds with none left out)."""

    counts: tuple[tuple[str, str, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.counts)

    @property
    def text(self) -> str:
        """``口径 1 个、手工填报实际完成值 3 条、佐证材料 2 个``; empty when it holds nothing."""
        return "、".join(f"{label} {count} {measure}" for label, measure, count in self.counts)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:  # the app is not installed in this deployment
        return None


def _filled(model: type[models.Model]) -> Q:
    """Rows with any non-bookkeeping column written (a text not empty, a value not null)."""
    condition = Q()
    for field in model._meta.concrete_fields:
        if field.primary_key or field.name in _ENTRY_BOOKKEEPING:
            continue
        if isinstance(field, models.CharField | models.TextField):
            condition |= ~Q(**{field.name: ""})
        else:
            condition |= Q(**{f"{field.name}__isnull": False})
    return condition


def holdings_of(indicator_ids: Iterable[int]) -> dict[int, Holdings]:
    """What each indicator holds (one grouped count per kind); indicators holding nothing
    are left out."""
    ids = sorted(set(indicator_ids))
    if not ids:
        return {}
    counts: defaultdict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for held in HELD:
        model = _model(held.model)
        if model is None:
            continue
        # The base manager: a report entry or a file is held whatever a default manager hides.
        rows = model._base_manager.filter(**{f"{held.path}__in": ids})
        if held.only_filled:
            rows = rows.filter(_filled(model))
        grouped = rows.values(held.path).annotate(n=Count("pk")).values_list(held.path, "n")
        for indicator_id, n in grouped:
            if n:
                counts[indicator_id].append((held.label, held.measure, n))
    return {pk: Holdings(tuple(found)) for pk, found in counts.items()}
