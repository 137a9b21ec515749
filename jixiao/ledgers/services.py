"""Writes to ledgers: presets, records, workflow steps, attachments, ledger types. Every
write goes through here: it checks the actor's permission (``edit`` on the record's unit),
refuses a stale edit (``version``), and writes its change-log row in the same transaction.

A record's change-log rows keep its values under the fields' Chinese labels (the project as
"code name", the workflow state as ``state``), so that a row, the record's history and a
stale-edit refusal read as the person knows the record.
"""

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

from jixiao.access.perms import require, require_system
from jixiao.audit.choices import Action
from jixiao.audit.log import Entry, record, record_many, snapshot
from jixiao.audit.versions import bump, check_version
from jixiao.ledgers import consistency, sources
from jixiao.ledgers.models import (
    Attachment,
    FieldKind,
    ImportBatch,
    LedgerEntry,
    LedgerField,
    LedgerTransition,
    LedgerType,
    Origin,
)
from jixiao.ledgers.presets import PRESETS
from jixiao.ledgers.values import FieldSpec, clean_data, natural_key, to_cents
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "EntryInput",
    "RowError",
    "add_attachment",
    "audit_values",
    "broken_rules",
    "create_entry",
    "ensure_presets",
    "is_overdue",
    "ledger_type_for",
    "overdue_q",
    "record_transition",
    "remove_attachment",
    "restore_attachment",
    "save_ledger_type",
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
    # An early migration's historical model lacks the later columns (rules, repeats).
    columns = {f.name for f in type_model._meta.get_fields()}
    for position, preset in enumerate(PRESETS):
        defaults = {
            "name": preset["name"],
            "description": preset.get("description", ""),
            "date_field": preset["date_field"],
            "amount_field": preset.get("amount_field", ""),
            "natural_key": preset.get("natural_key", []),
            "workflow": preset.get("workflow", {}),
            "rules": preset.get("rules", []),
            "repeats": preset.get("repeats", []),
            "has_project": preset.get("has_project", True),
            "preset": True,
            "position": position,
        }
        ledger_type, was_created = type_model.objects.update_or_create(
            unit=None,
            code=preset["code"],
            defaults={k: v for k, v in defaults.items() if k in columns},
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


def rules_of(ledger_type: LedgerType) -> list[consistency.Rule]:
    """The type's consistency rules; a type whose rules cannot be read refuses every write."""
    try:
        return consistency.parse_rules(ledger_type.rules, consistency.schema_of(ledger_type))
    except consistency.RuleError as exc:
        raise ValidationError(f"“{ledger_type.name}”台账的{exc}，请管理员改正") from None


def broken_rules(
    ledger_type: LedgerType,
    data: Mapping[str, Any],
    *,
    state: str = "",
    state_dates: Mapping[str, str] | None = None,
    rules: Sequence[consistency.Rule] | None = None,
) -> list[consistency.Violation]:
    """The consistency rules a record with these values, state and state dates would break."""
    found = rules_of(ledger_type) if rules is None else rules
    if not found:
        return []
    schema = consistency.schema_of(ledger_type)
    return consistency.broken_rules(found, schema, data, state=state, state_dates=state_dates)


def _refuse_broken(ledger_type: LedgerType, entry: LedgerEntry) -> None:
    """Refuse a record that breaks a rule of its type, each message beside its first field."""
    found = broken_rules(ledger_type, entry.data, state=entry.state, state_dates=entry.state_dates)
    if found:
        raise ValidationError(consistency.messages(found))


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
    # A second source: records of another source in the period it covers, and repeats.
    overlaps: list[sources.Overlap] = field(default_factory=list)
    repeats: list[sources.Repeat] = field(default_factory=list)
    replaced: int = 0
    needs_choice: bool = False  # overlaps found and the caller asked to be asked: nothing written


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
    ledger_type: LedgerType, entry: LedgerEntry, by: User | None
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
                by=by,
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


# The change log's view of a record.

PROJECT_KEY = "project"
STATE_KEY = "state"
STATE_DATES_KEY = "state_dates"


def field_labels(ledger_type: LedgerType) -> dict[str, str]:
    """Field code -> the name a change-log row keeps its value under: the Chinese label,
    with the code added where two fields share a label."""
    fields = list(ledger_type.fields.all())
    counts: dict[str, int] = {}
    for f in fields:
        counts[f.label] = counts.get(f.label, 0) + 1
    return {f.code: f.label if counts[f.label] == 1 else f"{f.label}（{f.code}）" for f in fields}


def _project_text(project: Project | None) -> str | None:
    if project is None:
        return None
    return " ".join(part for part in (project.code, project.name) if part) or str(project.pk)


def audit_values(
    entry: LedgerEntry, labels: Mapping[str, str], *, dates: bool = False
) -> dict[str, Any]:
    """A record as its change-log rows keep it: each field's value under its label, the
    project as "code name", the workflow state and (``dates``) the day each was reached."""
    values: dict[str, Any] = {labels.get(code, code): value for code, value in entry.data.items()}
    if entry.ledger_type.has_project:
        values[PROJECT_KEY] = _project_text(entry.project)
    if entry.ledger_type.states:
        values[STATE_KEY] = entry.state
        if dates:
            values[STATE_DATES_KEY] = dict(entry.state_dates)
    return values


def _check_type_of_unit(ledger_type: LedgerType, unit: Unit) -> None:
    if ledger_type.unit_id is not None and ledger_type.unit_id != unit.pk:
        raise ValidationError(f"台账类型“{ledger_type.name}”属于其他单位")


def _locked(entry: LedgerEntry) -> LedgerEntry:
    """The record's row, locked until the transaction ends (a second writer waits here)."""
    return (
        LedgerEntry.objects.select_for_update(of=("self",))
        .select_related("ledger_type", "unit", "project")
        .get(pk=entry.pk)
    )


def _copy_back(saved: LedgerEntry, entry: LedgerEntry) -> None:
    """The caller's object shows what was saved (its fields, version and project)."""
    if saved is entry:
        return
    for model_field in LedgerEntry._meta.concrete_fields:
        setattr(entry, model_field.attname, getattr(saved, model_field.attname))
    entry.project = saved.project


# Records.


@transaction.atomic
def create_entry(
    ledger_type: LedgerType,
    unit: Unit,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    project: Project | None = None,
) -> LedgerEntry:
    """Validate and write one record in the workflow's initial state."""
    require(actor, "edit", unit)
    _check_type_of_unit(ledger_type, unit)
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
        created_by=actor.user,
        **columns,
    )
    _refuse_broken(ledger_type, entry)
    _check_duplicate(entry)
    entry.save()
    if state:
        LedgerTransition.objects.create(
            entry=entry,
            from_state="",
            to_state=state,
            on=columns["date"] or timezone.localdate(),
            by=actor.user,
        )
    record(actor, Action.CREATE, entry, after=audit_values(entry, field_labels(ledger_type)))
    return entry


@transaction.atomic
def update_entry(
    entry: LedgerEntry,
    values: Mapping[str, Any],
    *,
    actor: Actor,
    project: Project | _Keep | None = KEEP,
    version: int | None = None,
) -> LedgerEntry:
    """Validate and replace a record's field values (its workflow state is left alone).

    The project stays as it is unless ``project`` is given (``None`` unlinks it). ``version``
    is the version the form was read at: a record saved by someone else since is refused
    with ``StaleEdit`` (None: no check, for the command line and imports).
    """
    require(actor, "edit", entry)
    locked = _locked(entry)
    check_version(locked, version)
    chosen: Project | None = locked.project if isinstance(project, _Keep) else project
    ledger_type = locked.ledger_type
    labels = field_labels(ledger_type)
    before = audit_values(locked, labels)
    data, errors = _prepare(
        ledger_type, locked.unit, EntryInput(values, chosen, locked.state), specs(ledger_type)
    )
    if errors:
        raise ValidationError(errors)
    if data == locked.data and chosen == locked.project:
        _copy_back(locked, entry)
        return locked  # saved unchanged: no new version, no log row, nobody's form goes stale
    old_day = locked.date
    locked.data = data
    locked.project = chosen
    for name, value in _columns(ledger_type, data).items():
        setattr(locked, name, value)
    if locked.date != old_day:
        _move_initial_date(locked, old_day)
    locked.updated_at = timezone.now()
    _refuse_broken(ledger_type, locked)
    _check_duplicate(locked)
    bump(locked)
    locked.save()
    record(actor, Action.UPDATE, locked, before=before, after=audit_values(locked, labels))
    _copy_back(locked, entry)
    return locked


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
        ledger_type=entry.ledger_type, unit=entry.unit_id, natural_key=entry.natural_key
    ).exclude(pk=entry.pk)
    if clash.exists():
        labels = {f.code: f.label for f in entry.ledger_type.fields.all()}
        names = "、".join(labels.get(c, c) for c in entry.ledger_type.natural_key)
        raise ValidationError(f"已有相同{names}的记录")


STEP_DATE = "流转日期"


@transaction.atomic
def record_transition(
    entry: LedgerEntry,
    to_state: str,
    *,
    actor: Actor,
    on: dt.date | None = None,
    note: str = "",
    values: Mapping[str, Any] | None = None,
    version: int | None = None,
) -> LedgerTransition:
    """Move a record along its workflow; the step and its date are kept, who and why too.

    ``values`` may fill the fields that belong to the step (the 研判报告 with 研判).
    ``version`` as for :func:`update_entry`: a record moved or edited since is refused.
    """
    require(actor, "edit", entry)
    locked = _locked(entry)
    check_version(locked, version)
    ledger_type = locked.ledger_type
    workflow = ledger_type.workflow
    allowed = {(a, b) for a, b in workflow.get("transitions", [])}
    if (locked.state, to_state) not in allowed:
        raise ValidationError(f"“{ledger_type.name}”不能从“{locked.state or '—'}”转到“{to_state}”")
    day = on or timezone.localdate()
    if locked.date and day < locked.date:
        raise ValidationError(f"流转日期 {day} 早于记录日期 {locked.date}")
    # A step dated before the last one would give state_dates an order the record never had.
    latest = max(locked.state_dates.values(), default=None)
    if latest and day.isoformat() < latest:
        raise ValidationError(f"流转日期 {day} 早于上一步的日期 {latest}")
    labels = field_labels(ledger_type)
    before = audit_values(locked, labels)
    if values:
        merged = {**locked.data, **values}
        data, errors = clean_data(specs(ledger_type), merged)
        if errors:
            raise ValidationError(errors)
        locked.data = data
        # The step may have filled the date, amount or key fields: keep the mirrored columns true.
        for name, value in _columns(ledger_type, data).items():
            setattr(locked, name, value)
        _check_duplicate(locked)
    found = broken_rules(
        ledger_type,
        locked.data,
        state=to_state,
        state_dates={**locked.state_dates, to_state: day.isoformat()},
    )
    if found:
        raise ValidationError(consistency.messages(found))
    step = LedgerTransition.objects.create(
        entry=locked,
        from_state=locked.state,
        to_state=to_state,
        on=day,
        by=actor.user,
        note=note,
    )
    locked.state = to_state
    locked.state_dates = {**locked.state_dates}
    locked.state_dates.setdefault(to_state, day.isoformat())
    locked.updated_at = timezone.now()
    bump(locked)
    locked.save(
        update_fields=[
            "state",
            "state_dates",
            "data",
            "date",
            "amount_cents",
            "natural_key",
            "updated_at",
            "version",
        ]
    )
    after = {**audit_values(locked, labels), STEP_DATE: day.isoformat()}
    record(actor, Action.TRANSITION, locked, before=before, after=after, comment=note)
    _copy_back(locked, entry)
    return step


@transaction.atomic
def upsert_entries(
    ledger_type: LedgerType,
    unit: Unit,
    items: Iterable[EntryInput],
    *,
    actor: Actor,
    first_row: int = 1,
    batch_size: int = 2000,
    dry_run: bool = False,
    comment: str = "",
    batch: ImportBatch | None = None,
    overlap: str = sources.ADD,
) -> UpsertResult:
    """Validate every row, then write all of them or none (imports, the demo year).

    A row whose natural key matches an existing record updates it (unchanged rows are
    counted, not written); a key repeated inside the input is an error on the later row;
    a row breaking a consistency rule of the type is an error naming the rule's fields.
    Each record created or changed gets one change-log row (before → after), all appended
    in one go; ``dry_run`` validates and counts without writing anything.

    ``batch`` is the imported file the rows come from (none: typed). Records of another
    source in the period the rows cover are listed in ``overlaps`` and, by ``overlap``,
    make the call stop unwritten (``ask``), are removed (``replace``) or stay (``add``);
    rows repeating one another or a record are listed in ``repeats``.
    """
    if overlap not in sources.CHOICES:
        raise ValueError(overlap)
    require(actor, "edit", unit)
    _check_type_of_unit(ledger_type, unit)
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
            ).select_related("ledger_type", "project")
        }
        if ledger_type.natural_key
        else {}
    )
    initial = ledger_type.workflow.get("initial", "") if ledger_type.states else ""
    rules = rules_of(ledger_type)
    incoming: list[sources.Incoming] = []
    for row, item, data, columns in prepared:
        current = existing.get(columns["natural_key"]) if columns["natural_key"] else None
        state = item.state or initial
        dates = _state_dates(ledger_type, state, item.state_dates, columns["date"])
        if current is not None and item.state is None:
            state, dates = current.state, current.state_dates  # an update keeps its state
        elif current is not None:
            dates = {**current.state_dates, **dates}
        for violation in broken_rules(
            ledger_type, data, state=state, state_dates=dates, rules=rules
        ):
            result.errors.append(RowError(row, violation.column, violation.message))
        project_id = item.project.pk if item.project else None
        matched = current.pk if current is not None else None
        incoming.append(sources.Incoming(row, data, project_id, columns["date"], matched))
    if result.errors:
        return result
    if batch is not None:
        # Only a second source is compared: typed records and the demo have no period.
        result.overlaps = sources.overlaps(ledger_type, unit, incoming)
    replaced = (
        [pk for o in result.overlaps for pk in o.entry_ids] if overlap == sources.REPLACE else []
    )
    result.repeats = sources.repeats(ledger_type, unit, incoming, exclude=replaced)

    audit_labels = field_labels(ledger_type)
    to_create: list[LedgerEntry] = []
    to_update: list[tuple[LedgerEntry, dict[str, Any]]] = []
    now = timezone.now()
    origin = batch.origin if batch is not None else Origin.TYPED
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
                    created_by=actor.user,
                    origin=origin,
                    batch=batch,
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
        before = audit_values(current, audit_labels, dates=True)
        current.data = data
        current.project = item.project
        if item.state is not None:
            current.state = state
            current.state_dates = {**current.state_dates, **dates}
        for name, value in columns.items():
            setattr(current, name, value)
        if batch is not None:  # the file now speaks for the record
            current.origin, current.batch = batch.origin, batch
        current.updated_at = now
        bump(current)  # a form read before the import is now stale
        to_update.append((current, before))
    result.created = len(to_create)
    result.updated = len(to_update)
    result.replaced = len(replaced)
    if overlap == sources.ASK and (result.overlaps or result.repeats):
        result.needs_choice = True  # shown before anything is added
        return result
    if dry_run:
        return result
    if replaced:
        _remove_replaced(ledger_type, replaced, actor=actor, comment=comment)
    if batch is not None and batch.pk is None:
        batch.rows = len(prepared)
        batch.save()
    LedgerEntry.objects.bulk_create(to_create, batch_size=batch_size)
    if ledger_type.states:
        # The history a record would have had, had it been moved step by step in the pages.
        LedgerTransition.objects.bulk_create(
            [step for entry in to_create for step in _history(ledger_type, entry, actor.user)],
            batch_size=batch_size,
        )
    LedgerEntry.objects.bulk_update(
        [entry for entry, _before in to_update],
        [
            "data",
            "project",
            "state",
            "state_dates",
            "date",
            "amount_cents",
            "natural_key",
            "updated_at",
            "version",
            "origin",
            "batch",
        ],
        batch_size=batch_size,
    )
    rows = [
        Entry.of(
            Action.IMPORT,
            entry,
            after=audit_values(entry, audit_labels, dates=True),
            comment=_joined("新建", comment),
        )
        for entry in to_create
    ]
    rows += [
        Entry.of(
            Action.IMPORT,
            entry,
            before=before,
            after=audit_values(entry, audit_labels, dates=True),
            comment=_joined("更新", comment),
        )
        for entry, before in to_update
    ]
    record_many(actor, rows)
    return result


def _remove_replaced(
    ledger_type: LedgerType, ids: Sequence[int], *, actor: Actor, comment: str
) -> None:
    """Remove the records a second source replaces, each kept in the change log.

    A record with attachments is not removed: its evidence would go with it.
    """
    entries = list(
        LedgerEntry.objects.select_for_update(of=("self",))
        .filter(pk__in=ids)
        .select_related("ledger_type", "project", "batch")
        .order_by("date", "id")
    )
    # One query for all of them, not one per record.
    with_files = set(
        Attachment.objects.filter(entry_id__in=[e.pk for e in entries]).values_list(
            "entry_id", flat=True
        )
    )
    attached = [e for e in entries if e.pk in with_files]
    if attached:
        listed = "、".join(f"{e.date or ''} {e}".strip() for e in attached[:5])
        raise ValidationError(
            f"有 {len(attached)} 条要被替换的记录带有附件（{listed}），不能替换；"
            "请先把附件移到保留的记录上，或选择“追加”"
        )
    labels = field_labels(ledger_type)
    rows = [
        Entry.of(
            Action.DELETE,
            entry,
            before={**audit_values(entry, labels, dates=True), "来源": entry.source_text},
            comment=_joined("被替换", comment),
        )
        for entry in entries
    ]
    record_many(actor, rows)
    LedgerEntry.objects.filter(pk__in=[e.pk for e in entries]).delete()


def _joined(*parts: str) -> str:
    return "：".join(p for p in parts if p)


# Attachments.


def attachment_limit() -> int:
    """The largest attachment accepted, in bytes (setting ATTACHMENT_MAX_BYTES)."""
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


ATTACHMENT_FIELDS = ["name", "file", "entry", "removed_at", "removed_by"]


@transaction.atomic
def add_attachment(entry: LedgerEntry, upload: File[Any], *, actor: Actor) -> Attachment:
    """Attach a file to a record (a report, a screenshot, a voucher scan) under its own name."""
    require(actor, "edit", entry)
    size = upload.size or 0
    if size == 0:
        raise ValidationError("附件是空文件")
    limit = attachment_limit()
    if size > limit:
        raise ValidationError(f"附件过大（{_megabytes(size)} MB），上限为 {_megabytes(limit)} MB")
    name = Path(upload.name or "附件").name[:200]
    attachment = Attachment(entry=entry, name=name, uploaded_by=actor.user)
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        record(
            actor,
            Action.ATTACH,
            attachment,
            after=snapshot(attachment, ATTACHMENT_FIELDS[:3]),
            unit=entry.unit_id,
            comment=f"记录：{entry}",
        )
    except Exception:
        # The file reached the disk first; a row that could not be written must not leave it.
        if attachment.file.name:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return attachment


def _locked_attachment(attachment: Attachment) -> Attachment:
    return (
        Attachment.objects.select_for_update(of=("self",))
        .select_related("entry")
        .get(pk=attachment.pk)
    )


@transaction.atomic
def remove_attachment(attachment: Attachment, *, actor: Actor) -> Attachment:
    """Remove an attachment from its record's list, keeping its row and its file: evidence
    is never lost silently, and :func:`restore_attachment` brings it back."""
    require(actor, "edit", attachment)
    locked = _locked_attachment(attachment)
    if locked.removed_at is not None:
        raise ValidationError(f"附件“{locked.name}”已被删除")
    before = snapshot(locked, ATTACHMENT_FIELDS)
    locked.removed_at = timezone.now()
    locked.removed_by = actor.user
    locked.save(update_fields=["removed_at", "removed_by"])
    record(
        actor,
        Action.REMOVE,
        locked,
        before=before,
        after=snapshot(locked, ATTACHMENT_FIELDS),
        unit=locked.entry.unit_id,
        comment=f"记录：{locked.entry}",
    )
    attachment.removed_at, attachment.removed_by_id = locked.removed_at, locked.removed_by_id
    return locked


@transaction.atomic
def restore_attachment(attachment: Attachment, *, actor: Actor) -> Attachment:
    """Bring a removed attachment back to its record's list."""
    require(actor, "edit", attachment)
    locked = _locked_attachment(attachment)
    if locked.removed_at is None:
        raise ValidationError(f"附件“{locked.name}”没有被删除，无需恢复")
    before = snapshot(locked, ATTACHMENT_FIELDS)
    locked.removed_at = None
    locked.removed_by = None
    locked.save(update_fields=["removed_at", "removed_by"])
    record(
        actor,
        Action.RESTORE,
        locked,
        before=before,
        after=snapshot(locked, ATTACHMENT_FIELDS),
        unit=locked.entry.unit_id,
        comment=f"记录：{locked.entry}",
    )
    attachment.removed_at, attachment.removed_by_id = None, None
    return locked


# Ledger types (defined in the admin by the server's superuser, or for a unit by its people).

TYPE_FIELDS = [
    "unit",
    "code",
    "name",
    "description",
    "date_field",
    "amount_field",
    "natural_key",
    "workflow",
    "rules",
    "repeats",
    "has_project",
    "position",
]


def _type_values(ledger_type: LedgerType, fields: Iterable[LedgerField]) -> dict[str, Any]:
    """A ledger type as its change-log rows keep it: its settings, and one line per field."""
    values = snapshot(ledger_type, TYPE_FIELDS)
    for f in fields:
        kind = FieldKind(f.kind).label if f.kind in FieldKind.values else f.kind
        parts = [str(kind)]
        if f.required:
            parts.append("必填")
        if f.choices:
            parts.append("选项：" + "、".join(str(c) for c in f.choices))
        if f.help_text:
            parts.append(f"说明：{f.help_text}")
        values[f"字段 {f.code}"] = f"{f.position}. {f.label}（{'，'.join(parts)}）"
    return values


def _require_type(actor: Actor, unit_id: int | None) -> None:
    if unit_id is None:
        require_system(actor, "预置台账类型只能由系统管理员修改。")
    else:
        require(actor, "edit", Unit.objects.get(pk=unit_id))


@transaction.atomic
def save_ledger_type(
    ledger_type: LedgerType,
    *,
    actor: Actor,
    save_fields: Sequence[LedgerField] = (),
    delete_fields: Sequence[LedgerField] = (),
) -> LedgerType:
    """Write a ledger type with its added or changed fields and its removed ones.

    A unit's own type is kept by the unit's people; a preset (no unit) by the operator or a
    superuser. Records already written keep their values of a removed field.
    """
    _require_type(actor, ledger_type.unit_id)
    before: dict[str, Any] | None = None
    if ledger_type.pk is not None:
        stored = LedgerType.objects.select_for_update().get(pk=ledger_type.pk)
        if stored.unit_id != ledger_type.unit_id:
            _require_type(actor, stored.unit_id)  # moving it takes it from its unit too
        before = _type_values(stored, stored.fields.all())
    ledger_type.save()
    for f in delete_fields:
        if f.pk is not None and f.ledger_type_id == ledger_type.pk:
            f.delete()
    for f in save_fields:
        f.ledger_type = ledger_type
        f.save()
    # The rules and repeat groups name fields and states: checked against what was just
    # saved, so a broken rule never reaches the records (the transaction undoes the save).
    problems = consistency.type_problems(
        ledger_type.rules, ledger_type.repeats, consistency.schema_of(ledger_type)
    )
    if problems:
        raise ValidationError(problems)
    after = _type_values(ledger_type, ledger_type.fields.all())
    record(
        actor,
        Action.CREATE if before is None else Action.UPDATE,
        ledger_type,
        before=before,
        after=after,
    )
    return ledger_type


# Overdue records.


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
