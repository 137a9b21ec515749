"""Writes to ledgers: presets, records, workflow steps. Every write goes through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.db.models.fields.json import KT
from django.db.models.lookups import LessThan
from django.utils import timezone

from jixiao.ledgers.models import (
    Attachment,
    LedgerEntry,
    LedgerField,
    LedgerTransition,
    LedgerType,
)
from jixiao.ledgers.presets import PRESETS
from jixiao.ledgers.values import FieldSpec, clean_data, natural_key, to_cents
from jixiao.targets.models import Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "EntryInput",
    "RowError",
    "add_attachment",
    "create_entry",
    "ensure_presets",
    "is_overdue",
    "ledger_type_for",
    "overdue_q",
    "record_transition",
    "remove_attachment",
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


class _Keep:
    """Marker: leave the record's project as it is."""


KEEP = _Keep()


@dataclass
class EntryInput:
    """One record to write: raw field values, and optionally its project and workflow dates."""

    values: Mapping[str, Any]
    project: Project | None = None
    state: str | None = None  # the state the record is in (imports); default the initial one
    state_dates: Mapping[str, str] | None = None  # ISO date each state was reached
    row: int | None = None  # the source's own row number, for errors (imports skip blank rows)


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


def _state_dates_problem(
    ledger_type: LedgerType, given: Mapping[str, str] | None, day: dt.date | None
) -> str | None:
    """Why given state dates cannot stand, or None: unknown states, bad or too early dates."""
    for state, text in (given or {}).items():
        if state not in ledger_type.states:
            return f"状态“{state}”不在流程中（{'、'.join(ledger_type.states)}）"
        try:
            reached = dt.date.fromisoformat(str(text))
        except ValueError:
            return f"“{state}”的日期无效：{text}"
        if day is not None and reached < day:
            return f"到达“{state}”的日期 {reached} 早于记录日期 {day}"
    return None


def _history(
    ledger_type: LedgerType, entry: LedgerEntry, actor: User | None
) -> list[LedgerTransition]:
    """Transition rows for a record written in bulk with its state dates."""
    order = {state: i for i, state in enumerate(ledger_type.states)}
    reached = sorted(entry.state_dates.items(), key=lambda kv: (kv[1], order.get(kv[0], 99)))
    steps: list[LedgerTransition] = []
    previous = ""
    for state, day in reached:
        steps.append(
            LedgerTransition(
                entry=entry,
                from_state=previous,
                to_state=state,
                on=dt.date.fromisoformat(day),
                by=actor,
                note="批量导入",
            )
        )
        previous = state
    return steps


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
    project: Project | _Keep | None = KEEP,
) -> LedgerEntry:
    """Validate and replace a record's field values (its workflow state is left alone).

    The project stays as it is unless ``project`` is given (``None`` unlinks it).
    """
    if isinstance(project, _Keep):
        project = entry.project
    ledger_type = entry.ledger_type
    data, errors = _prepare(
        ledger_type, entry.unit, EntryInput(values, project, entry.state), specs(ledger_type)
    )
    if errors:
        raise ValidationError(errors)
    old_day = entry.date
    entry.data = data
    entry.project = project
    for name, value in _columns(ledger_type, data).items():
        setattr(entry, name, value)
    if entry.date != old_day:
        _move_initial_date(entry, old_day)
    entry.updated_at = timezone.now()
    _check_duplicate(entry)
    entry.save()
    return entry


def _move_initial_date(entry: LedgerEntry, old_day: dt.date | None) -> None:
    """The initial state was reached on the record's date: a corrected date moves it too."""
    ledger_type = entry.ledger_type
    initial = ledger_type.workflow.get("initial") if ledger_type.states else None
    if not initial or entry.date is None:
        return
    later = sorted(d for s, d in entry.state_dates.items() if s != initial)
    if later and entry.date.isoformat() > later[0]:
        label = next(
            (f.label for f in ledger_type.fields.all() if f.code == ledger_type.date_field),
            ledger_type.date_field,
        )
        raise ValidationError(
            {ledger_type.date_field: f"“{label}”不能晚于流程中已记录的日期 {later[0]}"}
        )
    reached = entry.state_dates.get(initial)
    if reached is None or (old_day is not None and reached == old_day.isoformat()):
        entry.state_dates = {**entry.state_dates, initial: entry.date.isoformat()}
        entry.transitions.filter(from_state="", to_state=initial).update(on=entry.date)


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
    # A step dated before the last one would give state_dates an order the record never had.
    latest = max(entry.state_dates.values(), default=None)
    if latest and day.isoformat() < latest:
        raise ValidationError(f"流转日期 {day} 早于上一步的日期 {latest}")
    if values:
        merged = {**entry.data, **values}
        data, errors = clean_data(specs(ledger_type), merged)
        if errors:
            raise ValidationError(errors)
        entry.data = data
        # The step may have filled the date, amount or key fields: keep the mirrored columns true.
        for name, value in _columns(ledger_type, data).items():
            setattr(entry, name, value)
        _check_duplicate(entry)
    step = LedgerTransition.objects.create(
        entry=entry, from_state=entry.state, to_state=to_state, on=day, by=actor, note=note
    )
    entry.state = to_state
    entry.state_dates = {**entry.state_dates}
    entry.state_dates.setdefault(to_state, day.isoformat())
    entry.updated_at = timezone.now()
    entry.save(
        update_fields=[
            "state",
            "state_dates",
            "data",
            "date",
            "amount_cents",
            "natural_key",
            "updated_at",
        ]
    )
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
    labels = {s.code: s.label for s in field_specs}
    for offset, item in enumerate(items):
        row = item.row if item.row is not None else first_row + offset
        data, errors = _prepare(ledger_type, unit, item, field_specs)
        for code, message in errors.items():
            result.errors.append(RowError(row, labels.get(code, code), message))
        if errors:
            continue
        columns = _columns(ledger_type, data)
        if problem := _state_dates_problem(ledger_type, item.state_dates, columns["date"]):
            result.errors.append(RowError(row, "状态", problem))
            continue
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
    if ledger_type.states:
        # The history a record would have had, had it been moved step by step in the pages.
        LedgerTransition.objects.bulk_create(
            [step for entry in to_create for step in _history(ledger_type, entry, actor)],
            batch_size=batch_size,
        )
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


def attachment_limit() -> int:
    """The largest attachment accepted, in bytes (setting ATTACHMENT_MAX_BYTES)."""
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


@transaction.atomic
def add_attachment(entry: LedgerEntry, upload: File[Any], *, actor: User | None) -> Attachment:
    """Attach a file to a record (a report, a screenshot, a voucher scan) under its own name."""
    size = upload.size or 0
    if size == 0:
        raise ValidationError("附件是空文件")
    limit = attachment_limit()
    if size > limit:
        raise ValidationError(f"附件过大（{_megabytes(size)} MB），上限为 {_megabytes(limit)} MB")
    name = Path(upload.name or "附件").name[:200]
    attachment = Attachment(entry=entry, name=name, uploaded_by=actor)
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
    except Exception:
        # The file reached the disk first; a row that could not be written must not leave it.
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


@transaction.atomic
def remove_attachment(attachment: Attachment, *, actor: User | None) -> None:
    """Delete an attachment; its file goes once the deletion is committed."""
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


def overdue_q(ledger_type: LedgerType, today: dt.date) -> Q:
    """Records of this type past their deadline (the workflow's overdue field) and not final.

    A type without an overdue field has no overdue records.
    """
    workflow = ledger_type.workflow or {}
    code = workflow.get("overdue_field")
    if not code:
        return Q(pk__in=[])
    # KT reads the JSON value as text; ISO dates compare correctly as text on every database.
    passed = Q(LessThan(KT(f"data__{code}"), today.isoformat()))
    return passed & ~Q(state__in=workflow.get("final", []))


def is_overdue(entry: LedgerEntry, today: dt.date) -> bool:
    """True when the record has a deadline before today and is not in a final state."""
    workflow = entry.ledger_type.workflow or {}
    code = workflow.get("overdue_field")
    deadline = entry.data.get(code) if code else None
    if not deadline or entry.state in workflow.get("final", []):
        return False
    return str(deadline) < today.isoformat()
