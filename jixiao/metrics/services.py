"""Writes to metrics: bind or unbind a metric (口径), enter an actual by hand with evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from jixiao.core import metrics as m
from jixiao.core.targets import QUANTITATIVE, parse_target
from jixiao.metrics.evaluate import catalog_for
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.targets.choices import TargetKind
from jixiao.targets.models import Indicator

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None

__all__ = [
    "add_evidence",
    "bind_metric",
    "check_definition",
    "enter_manual_actual",
    "manual_entry_errors",
    "unbind_metric",
]

VALUE_MAX = 100


def check_definition(indicator: Indicator, definition: Any) -> m.Definition:
    """The definition parsed and checked against the ledgers of the indicator's unit.

    Raises ``ValidationError`` with the Chinese message of the core's ``MetricError``.
    """
    try:
        return m.parse(definition, catalog_for(indicator.project.unit_id))
    except m.MetricError as exc:
        raise ValidationError(str(exc), code="metric") from None


def _user(actor: Actor) -> Any:
    # Anonymous users (and None) are recorded as nobody.
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


@transaction.atomic
def bind_metric(indicator: Indicator, definition: Any, *, actor: Actor, note: str = "") -> Metric:
    """Bind a metric to an indicator, replacing any it had; the definition is checked first."""
    check_definition(indicator, definition)
    metric, _created = Metric.objects.update_or_create(
        indicator=indicator,
        defaults={
            "definition": definition,
            "note": note,
            "updated_at": timezone.now(),
            "updated_by": _user(actor),
        },
    )
    return metric


@transaction.atomic
def unbind_metric(indicator: Indicator, *, actor: Actor) -> bool:
    """Remove an indicator's metric; True if it had one. Its actual is then entered by hand."""
    deleted, _ = Metric.objects.filter(indicator=indicator).delete()
    return deleted > 0


def _number(indicator: Indicator, value: str) -> Decimal | None:
    """The number in a hand-entered value of a quantitative indicator (``1年`` -> 1)."""
    if indicator.target_kind != TargetKind.QUANTITATIVE:
        return None
    parsed = parse_target(value, year=indicator.project.year)
    if parsed.kind != QUANTITATIVE or parsed.value is None:
        return None
    return Decimal(parsed.value)


def manual_entry_errors(indicator: Indicator, value: str, evidence: str) -> dict[str, str]:
    """What is wrong with a hand entry, by field (empty when it may be saved)."""
    errors: dict[str, str] = {}
    if not value.strip():
        errors["value"] = "请填写实际完成值。"
    elif len(value.strip()) > VALUE_MAX:
        errors["value"] = f"实际完成值不能超过 {VALUE_MAX} 个字。"
    if not evidence.strip():
        errors["evidence"] = "请填写佐证说明（数据来源、依据的材料）。"
    metric = Metric.objects.filter(indicator=indicator).first()
    if metric is not None and not metric.is_manual:
        errors["value"] = "该指标按口径自动计算，不能手工填报；如需手工填报，请先解除口径。"
    return errors


@transaction.atomic
def enter_manual_actual(
    indicator: Indicator,
    *,
    as_of: dt.date,
    value: str,
    evidence: str,
    files: Iterable[File[Any]] = (),
    actor: Actor,
) -> ManualActual:
    """Record an actual entered by hand as of a date, with its evidence text and files."""
    value = (value or "").strip()
    evidence = (evidence or "").strip()
    errors = manual_entry_errors(indicator, value, evidence)
    if errors:
        raise ValidationError(errors)
    actual = ManualActual.objects.create(
        indicator=indicator,
        as_of=as_of,
        value=value,
        number=_number(indicator, value),
        evidence=evidence,
        entered_by=_user(actor),
    )
    for upload in files:
        add_evidence(actual, upload, actor=actor)
    return actual


@transaction.atomic
def add_evidence(actual: ManualActual, upload: File[Any], *, actor: Actor) -> Evidence:
    """Attach a file (佐证材料) to a hand-entered actual."""
    name = PurePath(upload.name or "佐证材料").name
    evidence = Evidence(actual=actual, name=name[:200])
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence
