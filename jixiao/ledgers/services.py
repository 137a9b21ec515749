"""Writes to ledgers: presets, records, workflow steps. Every write goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.ledgers.models import LedgerEntry, LedgerField, LedgerTransition, LedgerType
from jixiao.ledgers.presets import PRESETS
from jixiao.ledgers.values import FieldSpec, clean_data, natural_key, to_cents
from jixiao.targets.models import Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "EntryInput",
    "RowError",
    "create_entry",
    "ensure_presets",
    "ledger_type_for",
    "record_transition",
    "specs",
    "update_entry",
    "upsert_entries",
]


@transaction.atomic
def ensure_presets(type_model: Any = LedgerType, field_model: Any = LedgerField) -> int:
    """Write the preset ledger types and their fields; idempotent. Returns types created.

    The models are parameters so the data migration can pass its historical ones.
    """
    created = 0
    for position, preset in enumerate(PRESETS):
        ledger_type, was_created = type_model.objects.update_or_create(
            unit=None,
            code=preset["code"],
            defaults={
                "name": preset["name"],
                "description": preset.get("description", ""),
                "date_field": preset["date_field"],
                "amount_field": preset.get("amount_field", ""),
                "natural_key": preset.get("natural_key", []),
                "workflow": preset.get("workflow", {}),
                "has_project": preset.get("has_project", True),
                "preset": True,
                "position": position,
            },
        )
        created += was_created
        for index, spec in enumerate(preset["fields"]):
            field_model.objects.update_or_create(
                ledger_type=ledger_type,
                code=spec["code"],
                defaults={
                    "label": spec["label"],
                    "kind": spec["kind"],
                    "choices": spec.get("choices", []),
                    "required": spec.get("required", False),
                    "position": index,
                },
            )
    return created


def ledger_type_for(unit: Unit, code: str) -> LedgerType:
    """The unit's own ledger type with this code, else the preset; Chinese error if none."""
    found = (
        LedgerType.objects.filter(code=code, unit=unit).first()
        or LedgerType.objects.filter(code=code, unit__isnull=True).first()
    )
    if found is None:
        raise ValidationError(f"没有代码为“{code}”的台账类型")
    return found


def specs(ledger_type: LedgerType) -> list[FieldSpec]:
    """The validation specs of a type's fields, in order."""
    return [FieldSpec.of(f) for f in ledger_type.fields.all()]


@dataclass
class EntryInput:
    """One record to write: raw field values, and optionally its project and workflow dates."""

    values: Mapping[str, Any]
    project: Project | None = None
    state: str | None = None  # the state the record is in (imports); default the initial one
    state_dates: Mapping[str, str] | None = None  # ISO date each state was reached


@dataclass
class RowError:
    """A problem with one input row; ``row`` counts from 1 as the source shows it."""

    row: int
    column: str
    message: str


@dataclass
class UpsertResult:
    """What upsert_entries wrote."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def _prepare(
    ledger_type: LedgerType,
    unit: Unit,
    item: EntryInput,
    field_specs: Sequence[FieldSpec],
) -> tuple[dict[str, Any], dict[str, str]]:
    data, errors = clean_data(field_specs, item.values)
    states = ledger_type.states
    state = item.state or (ledger_type.workflow.get("initial", "") if states else "")
    if states and state not in states:
        errors["state"] = f"状态“{state}”不在流程中（{'、'.join(states)}）"
    if item.project is not None:
        if not ledger_type.has_project:
            errors["project"] = f"“{ledger_type.name}”台账不关联预算项目"
        elif item.project.unit_id != unit.pk:
            errors["project"] = f"项目“{item.project}”不属于本单位"
    return data, errors


def _columns(ledger_type: LedgerType, data: Mapping[str, Any]) -> dict[str, Any]:
    """The typed columns mirrored from the data, which metrics aggregate on."""
    day = data.get(ledger_type.date_field)
    amount = data.get(ledger_type.amount_field) if ledger_type.amount_field else None
    return {
        "date": dt.date.fromisoformat(day) if day else None,
        "amount_cents": to_cents(amount),
        "natural_key": natural_key(ledger_type.natural_key, data),
    }


def _state_dates(
    ledger_type: LedgerType, state: str, given: Mapping[str, str] | None, day: Any
) -> dict[str, str]:
    if not ledger_type.states:
        return {}
    dates = dict(given or {})
    # A record is in its initial state from its own date unless told otherwise.
    initial = ledger_type.workflow.get("initial")
    if initial and initial not in dates and day:
        dates[initial] = day.isoformat()
    if state and state not in dates and day:
        dates[state] = day.isoformat()
    return dates


@transaction.atomic
def create_entry(
    ledger_type: LedgerType,
    unit: Unit,
    values: Mapping[str, Any],
    *,
    actor: User | None,
    project: Project | None = None,
) -> LedgerEntry:
    """Validate and write one record in the workflow's initial state."""
    field_specs = specs(ledger_type)
    item = EntryInput(values, project)
    data, errors = _prepare(ledger_type, unit, item, field_specs)
    if errors:
        raise ValidationError(errors)
    columns = _columns(ledger_type, data)
    state = ledger_type.workflow.get("initial", "") if ledger_type.states else ""
    entry = LedgerEntry(
        ledger_type=ledger_type,
        unit=unit,
        project=project,
        data=data,
        state=state,
        state_dates=_state_dates(ledger_type, state, None, columns["date"]),
        created_by=actor,
        **columns,
    )
    _check_duplicate(entry)
    entry.save()
    if state:
        LedgerTransition.objects.create(
            entry=entry,
            from_state="",
            to_state=state,
            on=columns["date"] or timezone.localdate(),
            by=actor,
        )
    return entry


@transaction.atomic
def update_entry(
    entry: LedgerEntry,
    values: Mapping[str, Any],
    *,
    actor: User | None,
    project: Project | None = None,
) -> LedgerEntry:
    """Validate and replace a record's field values (its workflow state is left alone)."""
    ledger_type = entry.ledger_type
    data, errors = _prepare(
        ledger_type, entry.unit, EntryInput(values, project, entry.state), specs(ledger_type)
    )
    if errors:
        raise ValidationError(errors)
    entry.data = data
    entry.project = project
    for name, value in _columns(ledger_type, data).items():
        setattr(entry, name, value)
    entry.updated_at = timezone.now()
    _check_duplicate(entry)
    entry.save()
    return entry


def _check_duplicate(entry: LedgerEntry) -> None:
    if not entry.natural_key:
        return
    clash = LedgerEntry.objects.filter(
        ledger_type=entry.ledger_type, unit=entry.unit, natural_key=entry.natural_key
    ).exclude(pk=entry.pk)
    if clash.exists():
        labels = {f.code: f.label for f in entry.ledger_type.fields.all()}
        names = "、".join(labels.get(c, c) for c in entry.ledger_type.natural_key)
        raise ValidationError(f"已有相同{names}的记录")


@transaction.atomic
def record_transition(
    entry: LedgerEntry,
    to_state: str,
    *,
    actor: User | None,
    on: dt.date | None = None,
    note: str = "",
    values: Mapping[str, Any] | None = None,
) -> LedgerTransition:
    """Move a record along its workflow; the step and its date are kept, who and why too.

    ``values`` may fill the fields that belong to the step (the 研判报告 with 研判).
    """
    ledger_type = entry.ledger_type
    workflow = ledger_type.workflow
    allowed = {(a, b) for a, b in workflow.get("transitions", [])}
    if (entry.state, to_state) not in allowed:
        raise ValidationError(f"“{ledger_type.name}”不能从“{entry.state or '—'}”转到“{to_state}”")
    day = on or timezone.localdate()
    if entry.date and day < entry.date:
        raise ValidationError(f"流转日期 {day} 早于记录日期 {entry.date}")
    if values:
        merged = {**entry.data, **values}
        data, errors = clean_data(specs(ledger_type), merged)
        if errors:
            raise ValidationError(errors)
        entry.data = data
    step = LedgerTransition.objects.create(
        entry=entry, from_state=entry.state, to_state=to_state, on=day, by=actor, note=note
    )
    entry.state = to_state
    entry.state_dates = {**entry.state_dates}
    entry.state_dates.setdefault(to_state, day.isoformat())
    entry.updated_at = timezone.now()
    entry.save(update_fields=["state", "state_dates", "data", "updated_at"])
    return step


@transaction.atomic
def upsert_entries(
    ledger_type: LedgerType,
    unit: Unit,
    items: Iterable[EntryInput],
    *,
    actor: User | None,
    first_row: int = 1,
    batch_size: int = 2000,
) -> UpsertResult:
    """Validate every row, then write all of them or none (imports, the demo year).

    A row whose natural key matches an existing record updates it (unchanged rows are
    counted, not written); a key repeated inside the input is an error on the later row.
    """
    field_specs = specs(ledger_type)
    result = UpsertResult()
    prepared: list[tuple[int, EntryInput, dict[str, Any], dict[str, Any]]] = []
    seen: dict[str, int] = {}
    for offset, item in enumerate(items):
        row = first_row + offset
        data, errors = _prepare(ledger_type, unit, item, field_specs)
        labels = {s.code: s.label for s in field_specs}
        for code, message in errors.items():
            result.errors.append(RowError(row, labels.get(code, code), message))
        if errors:
            continue
        columns = _columns(ledger_type, data)
        key = columns["natural_key"]
        if key and key in seen:
            names = "、".join(labels.get(c, c) for c in ledger_type.natural_key)
            result.errors.append(RowError(row, names, f"与第 {seen[key]} 行重复（{names}相同）"))
            continue
        if key:
            seen[key] = row
        prepared.append((row, item, data, columns))
    if result.errors:
        return result  # all or nothing: the caller reports, nothing is written

    existing = (
        {
            e.natural_key: e
            for e in LedgerEntry.objects.filter(
                ledger_type=ledger_type,
                unit=unit,
                natural_key__in=[c["natural_key"] for *_, c in prepared if c["natural_key"]],
            )
        }
        if ledger_type.natural_key
        else {}
    )
    to_create: list[LedgerEntry] = []
    to_update: list[LedgerEntry] = []
    initial = ledger_type.workflow.get("initial", "") if ledger_type.states else ""
    for _row, item, data, columns in prepared:
        state = item.state or initial
        dates = _state_dates(ledger_type, state, item.state_dates, columns["date"])
        current = existing.get(columns["natural_key"]) if columns["natural_key"] else None
        if current is None:
            to_create.append(
                LedgerEntry(
                    ledger_type=ledger_type,
                    unit=unit,
                    project=item.project,
                    data=data,
                    state=state,
                    state_dates=dates,
                    created_by=actor,
                    **columns,
                )
            )
            continue
        same = (
            current.data == data
            and current.project_id == (item.project.pk if item.project else None)
            and (item.state is None or current.state == state)
        )
        if same:
            result.unchanged += 1
            continue
        current.data = data
        current.project = item.project
        if item.state is not None:
            current.state = state
            current.state_dates = {**current.state_dates, **dates}
        for name, value in columns.items():
            setattr(current, name, value)
        current.updated_at = timezone.now()
        to_update.append(current)
    LedgerEntry.objects.bulk_create(to_create, batch_size=batch_size)
    LedgerEntry.objects.bulk_update(
        to_update,
        [
            "data",
            "project",
            "state",
            "state_dates",
            "date",
            "amount_cents",
            "natural_key",
            "updated_at",
        ],
        batch_size=batch_size,
    )
    result.created = len(to_create)
    result.updated = len(to_update)
    return result
