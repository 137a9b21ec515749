"""Writes to metrics: bind or unbind a metric (口径), enter an actual by hand with evidence.

Every write needs ``edit`` on the indicator's unit (its officer or head; the command line's
operator) and appends its change-log row in the same transaction. Hand entries are history
(a newer one corrects an older one) and evidence files are never deleted: removing one hides
it, keeps the file and can be undone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require
from jixiao.audit.choices import Action
from jixiao.audit.log import record, snapshot
from jixiao.audit.versions import StaleEdit, bump, check_version
from jixiao.core import metrics as m
from jixiao.core.quantities import Incomparable, actual_in_target_unit
from jixiao.lib.actor import Actor
from jixiao.metrics.evaluate import catalog_for
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.targets.choices import TargetKind
from jixiao.targets.models import Indicator

__all__ = [
    "add_evidence",
    "bind_metric",
    "check_definition",
    "enter_manual_actual",
    "manual_entry_errors",
    "readings_of",
    "remove_evidence",
    "restore_evidence",
    "set_fraction_actuals",
    "unbind_metric",
]

VALUE_MAX = 100
# What a metric's change-log rows hold. ``indicator`` is in the rows that hold a whole
# snapshot (binding a new one, unbinding), so an indicator's page finds every metric it had.
METRIC_FIELDS = ["definition", "note"]
METRIC_WHOLE = ["indicator", *METRIC_FIELDS]
ACTUAL_FIELDS = ["indicator", "as_of", "value", "number", "evidence"]
EVIDENCE_FIELDS = ["actual", "name", "file"]
REMOVAL_FIELDS = ["removed_at", "removed_by"]


def check_definition(indicator: Indicator, definition: Any) -> m.Definition:
    """The definition parsed and checked against the ledgers of the indicator's unit.

    Raises ``ValidationError`` with the Chinese message of the core's ``MetricError``.
    """
    try:
        return m.parse(definition, catalog_for(indicator.project.unit_id))
    except m.MetricError as exc:
        raise ValidationError(str(exc), code="metric") from None


def _unit_id(indicator: Indicator) -> int:
    return int(indicator.project.unit_id)


@transaction.atomic
def bind_metric(
    indicator: Indicator,
    definition: Any,
    *,
    actor: Actor,
    note: str = "",
    version: int | None = None,
) -> Metric:
    """Bind a metric to an indicator, replacing any it had; the definition is checked first.

    ``version`` is the version of the binding the form was read at (0: the form saw none;
    None: no check, for the command line and the demo). A binding changed or removed since is
    refused with ``StaleEdit``. Binding what is already bound changes nothing and logs nothing.
    """
    require(actor, "edit", indicator)
    check_definition(indicator, definition)
    locked = Metric.objects.select_for_update().filter(indicator=indicator).first()
    if locked is None:
        if version:
            raise StaleEdit(
                [
                    _("“%(name)s”的口径在你打开之后已被他人解除，你的修改没有保存。")
                    % {"name": indicator}
                ],
                current_version=0,
            )
        metric = Metric.objects.create(
            indicator=indicator,
            definition=definition,
            note=note,
            updated_at=timezone.now(),
            updated_by=actor.user,
        )
        # A new binding is a creation: the row holds the whole binding and no "before".
        record(
            actor,
            Action.BIND,
            metric,
            after=snapshot(metric, METRIC_WHOLE),
            unit=_unit_id(indicator),
        )
        return metric
    check_version(locked, version)
    before = snapshot(locked, METRIC_FIELDS)
    locked.definition, locked.note = definition, note
    if snapshot(locked, METRIC_FIELDS) == before:
        return locked
    locked.updated_at, locked.updated_by = timezone.now(), actor.user
    bump(locked)
    locked.save()
    record(
        actor,
        Action.BIND,
        locked,
        before=before,
        after=snapshot(locked, METRIC_FIELDS),
        unit=_unit_id(indicator),
    )
    return locked


@transaction.atomic
def unbind_metric(indicator: Indicator, *, actor: Actor, version: int | None = None) -> bool:
    """Remove an indicator's metric; True if it had one. Its actual is then entered by hand.

    The change-log row keeps the removed definition in ``before``.
    """
    require(actor, "edit", indicator)
    locked = Metric.objects.select_for_update().filter(indicator=indicator).first()
    if locked is None:
        return False
    check_version(locked, version)
    # Recorded before the delete: the row names the metric by its id, which delete() clears.
    record(
        actor,
        Action.UNBIND,
        locked,
        before=snapshot(locked, METRIC_WHOLE),
        unit=_unit_id(indicator),
    )
    locked.delete()
    return True


def _number(indicator: Indicator, value: str) -> Decimal | None:
    """The number in a hand-entered value of a quantitative indicator, in the target's unit
    (``1年`` -> 1, ``6个月`` against ``1年`` -> 0.5, ``142000元`` against ``万元`` -> 14.2); None
    when it states none, or one that cannot be compared with the target (another dimension, an
    ambiguous fraction): scoring and monitoring then read the text and say why."""
    if indicator.target_kind != TargetKind.QUANTITATIVE:
        return None
    try:
        number = actual_in_target_unit(
            indicator.parsed, value, fractions=indicator.fraction_actuals
        )
    except Incomparable:
        return None
    if number is None:
        return None
    exact = Decimal(number.numerator) / Decimal(number.denominator)
    exponent = exact.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        # The stored number keeps 4 places (the text keeps what was written).
        return exact.quantize(Decimal("0.0001"))
    return exact


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
    elif "value" not in errors and indicator.target_kind == TargetKind.QUANTITATIVE:
        # 0.95 against ≥90%: 95% or 0.95%? Unless the table writes fractions, the person says
        # which by writing it out or picking one of the readings.
        try:
            actual_in_target_unit(indicator.parsed, value, fractions=indicator.fraction_actuals)
        except Incomparable as exc:
            if exc.ambiguous:
                errors["value"] = str(exc)
    return errors


def readings_of(indicator: Indicator, value: str) -> tuple[str, ...]:
    """The written-out texts a person may pick for an ambiguous hand entry (``0.95`` against
    ≥90%: ``95%`` or ``0.95%``); empty when the entry is not ambiguous that way."""
    if indicator.target_kind != TargetKind.QUANTITATIVE or not value.strip():
        return ()
    try:
        actual_in_target_unit(indicator.parsed, value, fractions=indicator.fraction_actuals)
    except Incomparable as exc:
        return exc.readings
    return ()


@transaction.atomic
def enter_manual_actual(
    indicator: Indicator,
    *,
    as_of: dt.date,
    value: str,
    evidence: str,
    files: Iterable[File[Any]] = (),
    reading: str = "",
    actor: Actor,
) -> ManualActual:
    """Record an actual entered by hand as of a date, with its evidence text and files.

    ``reading``: the person's choice among :func:`readings_of` the value (``95%`` for
    ``0.95``); the entry is then kept as that written-out text. One change-log row records
    the entry with the names of its files.
    """
    require(actor, "edit", indicator)
    value = (value or "").strip()
    evidence = (evidence or "").strip()
    reading = (reading or "").strip()
    if reading:
        if reading not in readings_of(indicator, value):
            raise ValidationError({"reading": _("请在给出的理解中选择一项。")})
        value = reading
    errors = manual_entry_errors(indicator, value, evidence)
    if errors:
        raise ValidationError(errors)
    actual = ManualActual.objects.create(
        indicator=indicator,
        as_of=as_of,
        value=value,
        number=_number(indicator, value),
        evidence=evidence,
        entered_by=actor.user,
    )
    stored = [_store(actual, upload) for upload in files]
    record(
        actor,
        Action.CREATE,
        actual,
        after={**snapshot(actual, ACTUAL_FIELDS), "files": [e.name for e in stored]},
        unit=_unit_id(indicator),
    )
    return actual


def _store(actual: ManualActual, upload: File[Any]) -> Evidence:
    """Save an uploaded file as evidence of the entry (the caller logs it)."""
    name = PurePath(upload.name or "佐证材料").name
    evidence = Evidence(actual=actual, name=name[:200])
    evidence.file.save(name, upload, save=False)
    evidence.save()
    return evidence


def _evidence_repr(evidence: Evidence) -> str:
    return f"{evidence.actual.indicator.level3}：{evidence.name}"


@transaction.atomic
def add_evidence(actual: ManualActual, upload: File[Any], *, actor: Actor) -> Evidence:
    """Attach a file (佐证材料) to a hand-entered actual."""
    require(actor, "edit", actual)
    evidence = _store(actual, upload)
    record(
        actor,
        Action.ATTACH,
        evidence,
        after=snapshot(evidence, EVIDENCE_FIELDS),
        unit=_unit_id(actual.indicator),
        object_repr=_evidence_repr(evidence),
    )
    return evidence


def _locked_evidence(evidence: Evidence) -> Evidence:
    return (
        Evidence.objects.select_for_update()
        .select_related("actual__indicator__project")
        .get(pk=evidence.pk)
    )


@transaction.atomic
def remove_evidence(evidence: Evidence, *, actor: Actor, reason: str = "") -> Evidence:
    """Remove an evidence file from its entry: hidden from the pages, the file kept, restorable."""
    require(actor, "edit", evidence)
    locked = _locked_evidence(evidence)
    if locked.removed:
        raise ValidationError(_("佐证材料“%(name)s”已被移除。") % {"name": locked.name})
    before = snapshot(locked, REMOVAL_FIELDS)
    locked.removed_at, locked.removed_by = timezone.now(), actor.user
    locked.save(update_fields=REMOVAL_FIELDS)
    record(
        actor,
        Action.REMOVE,
        locked,
        before=before,
        after=snapshot(locked, REMOVAL_FIELDS),
        unit=_unit_id(locked.actual.indicator),
        object_repr=_evidence_repr(locked),
        comment=reason.strip(),
    )
    return locked


@transaction.atomic
def restore_evidence(evidence: Evidence, *, actor: Actor) -> Evidence:
    """Put a removed evidence file back on its entry."""
    require(actor, "edit", evidence)
    locked = _locked_evidence(evidence)
    if not locked.removed:
        raise ValidationError(_("佐证材料“%(name)s”没有被移除。") % {"name": locked.name})
    before = snapshot(locked, REMOVAL_FIELDS)
    locked.removed_at, locked.removed_by = None, None
    locked.save(update_fields=REMOVAL_FIELDS)
    record(
        actor,
        Action.RESTORE,
        locked,
        before=before,
        after=snapshot(locked, REMOVAL_FIELDS),
        unit=_unit_id(locked.actual.indicator),
        object_repr=_evidence_repr(locked),
    )
    return locked


@transaction.atomic
def set_fraction_actuals(indicator: Indicator, on: bool, *, actor: Actor) -> Indicator:
    """Say whether the indicator's table writes its percentage actuals as fractions (0.95 for
    95%). Entries already made keep the number they were read as; later ones follow."""
    require(actor, "edit", indicator)
    locked: Indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if locked.fraction_actuals == on:
        return locked
    before = snapshot(locked, ["fraction_actuals"])
    locked.fraction_actuals = on
    locked.save(update_fields=["fraction_actuals"])
    record(
        actor,
        Action.UPDATE,
        locked,
        before=before,
        after=snapshot(locked, ["fraction_actuals"]),
        unit=_unit_id(locked),
        object_repr=locked.level3,
    )
    return locked
