"""Ledger types and records: list, read, create, update, move along the workflow, and
bulk import (all or nothing).

Records are reached through ``scoped``/``get_entry_for_user`` and written by
``jixiao.ledgers.services`` — the same natural keys, rules, repeats and change-log rows as
the pages and the file import.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from jixiao.access.lookups import get_entry_for_user, get_unit_for_user, scoped, unit_key
from jixiao.access.perms import require
from jixiao.api.main import actor, refusal
from jixiao.api.schemas import (
    BulkIn,
    BulkOut,
    ErrorOut,
    LedgerTypeOut,
    RecordIn,
    RecordOut,
    RecordPage,
    RecordUpdate,
    TransitionIn,
    TransitionOut,
)
from jixiao.ledgers import services
from jixiao.ledgers.models import ImportBatch, LedgerEntry, LedgerType, Origin
from jixiao.ledgers.values import FieldSpec, clean_value
from jixiao.ledgers.views import types_for
from jixiao.lib.params import YEAR_MAX, YEAR_MIN
from jixiao.targets.models import Project
from jixiao.units.models import Unit

router = Router(tags=["台账"])
READ_ERRORS: dict[int | tuple[int, ...], Any] = {(401, 403, 404): ErrorOut}
WRITE_ERRORS: dict[int | tuple[int, ...], Any] = {(400, 401, 403, 404, 409): ErrorOut}
PAGE_SIZE, MAX_PAGE_SIZE = 100, 500


def bulk_limit() -> int:
    """The most records one bulk call takes (setting JIXIAO_API_BULK_MAX)."""
    return int(getattr(settings, "JIXIAO_API_BULK_MAX", 5000))


# --- ledger types -------------------------------------------------------------------------


def type_out(ledger_type: LedgerType, unit_keys: dict[int, str]) -> dict[str, Any]:
    """A ledger type as the API sends it."""
    workflow = ledger_type.workflow or {}
    return {
        "code": ledger_type.code,
        "name": ledger_type.name,
        "description": ledger_type.description,
        "unit": unit_keys.get(ledger_type.unit_id) if ledger_type.unit_id else None,
        "date_field": ledger_type.date_field,
        "amount_field": ledger_type.amount_field,
        "natural_key": list(ledger_type.natural_key or []),
        "has_project": ledger_type.has_project,
        "states": ledger_type.states,
        "initial_state": workflow.get("initial") if ledger_type.states else None,
        "transitions": [list(t) for t in workflow.get("transitions", [])],
        "final_states": list(workflow.get("final", [])),
        "fields": [
            {
                "code": f.code,
                "label": f.label,
                "kind": f.kind,
                "choices": [str(c) for c in f.choices or []],
                "required": f.required,
                "help_text": f.help_text,
            }
            for f in ledger_type.fields.all()
        ],
    }


class TypeFilter(Schema):
    """Which unit's ledger types (its own and the presets it has not replaced)."""

    unit: str | None = Field(None, description="A unit's key; without it, the presets only")


@router.get(
    "/ledger-types",
    response={200: list[LedgerTypeOut], **READ_ERRORS},
    url_name="ledger_types",
    summary="台账类型及字段",
)
def ledger_types(request: HttpRequest, query: Query[TypeFilter]) -> list[dict[str, Any]]:
    """The ledger types a unit works with, each with its fields and workflow."""
    if query.unit:
        unit = get_unit_for_user(request.user, query.unit)
        found = types_for(unit)
        keys = {unit.pk: unit_key(unit)}
    else:
        found = list(LedgerType.objects.filter(unit__isnull=True).order_by("position", "code"))
        keys = {}
    ids = [t.pk for t in found]
    with_fields = {
        t.pk: t for t in LedgerType.objects.filter(pk__in=ids).prefetch_related("fields")
    }
    return [type_out(with_fields[t.pk], keys) for t in found]


# --- records ------------------------------------------------------------------------------


def record_out(entry: LedgerEntry) -> dict[str, Any]:
    """A record as the API sends it."""
    ledger_type = entry.ledger_type
    project = entry.project
    amount = entry.data.get(ledger_type.amount_field) if ledger_type.amount_field else None
    return {
        "id": entry.pk,
        "type": ledger_type.code,
        "unit": unit_key(entry.unit),
        "project": (
            None
            if project is None
            else {"id": project.pk, "code": project.code, "name": project.name}
        ),
        "date": entry.date,
        "amount": None if amount is None else str(amount),
        "state": entry.state,
        "state_dates": dict(entry.state_dates or {}),
        "values": dict(entry.data),
        "origin": entry.origin,
        "version": entry.version,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
    }


class RecordFilter(Schema):
    """Which records: of a type, a unit, a project, a state, dates; a page of them."""

    type: str | None = Field(None, description="A ledger type's code")
    unit: str | None = Field(None, description="A unit's key")
    project: int | None = Field(None, ge=1, le=10**18, description="A project's id")
    state: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    page: int = Field(1, ge=1, le=10**6)
    page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@router.get(
    "/records",
    response={200: RecordPage, 400: ErrorOut, **READ_ERRORS},
    url_name="records",
    summary="记录列表（分页）",
)
def list_records(request: HttpRequest, query: Query[RecordFilter]) -> dict[str, Any]:
    """Records in the person's reach, newest first, a page at a time."""
    entries = scoped(LedgerEntry.objects.all(), request.user)
    if query.unit:
        entries = entries.filter(unit=get_unit_for_user(request.user, query.unit))
    if query.type:
        entries = entries.filter(ledger_type__code=query.type)
    if query.project is not None:
        entries = entries.filter(project_id=query.project)
    if query.state:
        entries = entries.filter(state=query.state)
    if query.date_from:
        entries = entries.filter(date__gte=query.date_from)
    if query.date_to:
        entries = entries.filter(date__lte=query.date_to)
    count = entries.count()
    pages = max(1, math.ceil(count / query.page_size))
    start = (query.page - 1) * query.page_size
    items = entries.select_related("ledger_type", "unit", "project").order_by("-date", "-id")[
        start : start + query.page_size
    ]
    return {
        "count": count,
        "page": query.page,
        "page_size": query.page_size,
        "pages": pages,
        "items": [record_out(e) for e in items],
    }


@router.get(
    "/records/{int:pk}",
    response={200: RecordOut, **READ_ERRORS},
    url_name="record",
    summary="一条记录",
)
def get_record(request: HttpRequest, pk: int) -> dict[str, Any]:
    """One record."""
    return record_out(get_entry_for_user(request.user, pk))


def _project_of(unit: Unit, key: int | str | None, year: int | None) -> Project | None:
    """The unit's project an input names by id, or by code (or name) in the record's year."""
    if key is None or key == "":
        return None
    projects = Project.objects.filter(unit=unit)
    if isinstance(key, int):
        found = projects.filter(pk=key).first()
    elif year is None:
        found = None
    else:
        text = str(key).strip()
        found = (
            projects.filter(year=year, code=text).first()
            or projects.filter(year=year, name=text).first()
        )
    if found is None:
        shown = key if isinstance(key, int) else f"“{str(key)[:60]}”"
        raise ValidationError({"project": _("本单位没有项目 %(p)s") % {"p": shown}})
    return found


def date_spec(ledger_type: LedgerType) -> FieldSpec | None:
    """The spec of the type's date field (looked up once per call, not once per row)."""
    return next((s for s in services.specs(ledger_type) if s.code == ledger_type.date_field), None)


def _year_of(spec: FieldSpec | None, values: dict[str, Any]) -> int | None:
    """The year of a record's date field, from raw input (None when it is not a date)."""
    if spec is None:
        return None
    try:
        day = clean_value(spec, values.get(spec.code))
    except ValueError:
        return None
    year = int(str(day)[:4]) if day else None
    return year if year is not None and YEAR_MIN <= year <= YEAR_MAX else None


def _type_and_unit(request: HttpRequest, unit: str, code: str) -> tuple[Unit, LedgerType]:
    found = get_unit_for_user(request.user, unit)
    return found, services.ledger_type_for(found, code)


@router.post(
    "/records", response={201: RecordOut, **WRITE_ERRORS}, url_name="records", summary="新增记录"
)
def create_record(request: HttpRequest, payload: RecordIn) -> Status[dict[str, Any]]:
    """A new record in the workflow's first state (the same checks as the record's form)."""
    unit, ledger_type = _type_and_unit(request, payload.unit, payload.type)
    require(actor(request), "edit", unit)
    project = _project_of(unit, payload.project, _year_of(date_spec(ledger_type), payload.values))
    entry = services.create_entry(
        ledger_type, unit, payload.values, actor=actor(request), project=project
    )
    return Status(201, record_out(entry))


@router.put(
    "/records/{int:pk}",
    response={200: RecordOut, **WRITE_ERRORS},
    url_name="record",
    summary="修改记录",
)
def update_record(request: HttpRequest, pk: int, payload: RecordUpdate) -> dict[str, Any]:
    """Replace a record's values (and its project, when given). With ``version``, a record
    changed by someone else since is refused with 409 and what they changed."""
    entry = get_entry_for_user(request.user, pk)
    require(actor(request), "edit", entry)
    project: Any = services.KEEP
    if "project" in payload.model_fields_set:
        merged = {**entry.data, **payload.values}
        project = _project_of(
            entry.unit, payload.project, _year_of(date_spec(entry.ledger_type), merged)
        )
    saved = services.update_entry(
        entry, payload.values, actor=actor(request), project=project, version=payload.version
    )
    return record_out(saved)


@router.post(
    "/records/{int:pk}/transition",
    response={200: TransitionOut, **WRITE_ERRORS},
    url_name="transition",
    summary="流程流转",
)
def transition(request: HttpRequest, pk: int, payload: TransitionIn) -> dict[str, Any]:
    """Move a record along its workflow (监测 → 预警 → 研判 …), dated, with a note."""
    entry = get_entry_for_user(request.user, pk)
    step = services.record_transition(
        entry,
        payload.to_state,
        actor=actor(request),
        on=payload.on,
        note=payload.note,
        values=payload.values,
        version=payload.version,
    )
    entry.refresh_from_db()
    return {
        "from_state": step.from_state,
        "to_state": step.to_state,
        "on": step.on,
        "record": record_out(entry),
    }


# --- bulk import --------------------------------------------------------------------------


def _bulk_inputs(
    unit: Unit, ledger_type: LedgerType, payload: BulkIn
) -> tuple[list[services.EntryInput], list[services.RowError]]:
    """The rows as the import service takes them; a project that cannot be found is the
    row's error (row numbers count the records from 1)."""
    by_id = {p.pk: p for p in Project.objects.filter(unit=unit)}
    by_code: dict[tuple[int, str], Project] = {}
    for p in by_id.values():
        if p.name:
            by_code.setdefault((p.year, p.name), p)
    for p in by_id.values():
        if p.code:
            by_code[(p.year, p.code)] = p  # a code wins over a name that reads the same
    spec = date_spec(ledger_type)
    items: list[services.EntryInput] = []
    errors: list[services.RowError] = []
    for number, row in enumerate(payload.records, start=1):
        project = None
        key = row.project
        if isinstance(key, int):
            project = by_id.get(key)
        elif key not in (None, ""):
            year = _year_of(spec, row.values)
            if year is None and row.values.get(ledger_type.date_field) not in (None, ""):
                items.append(
                    services.EntryInput(row.values, None, row.state, row.state_dates, row=number)
                )
                continue  # the date is wrong: its own error says so, not the project's
            project = by_code.get((year, str(key).strip())) if year else None
        if key not in (None, "") and project is None:
            shown = key if isinstance(key, int) else f"“{str(key)[:60]}”"
            errors.append(services.RowError(number, "项目", f"本单位没有项目 {shown}"))
        items.append(
            services.EntryInput(row.values, project, row.state, row.state_dates, row=number)
        )
    return items, errors


@router.post(
    "/records/bulk",
    response={200: BulkOut, **WRITE_ERRORS},
    url_name="bulk",
    summary="批量导入（全部或全不）",
)
def bulk_import(request: HttpRequest, payload: BulkIn) -> Status[dict[str, Any]]:
    """Write many records of one type and unit in one call: every row is checked first
    (fields, project, natural key, rules, repeats), then all are written in one transaction
    with one change-log batch — or none, and the answer names each bad row (第 n 行).

    A record whose natural key matches one already there is updated, as a file import does.
    """
    limit = bulk_limit()
    if len(payload.records) > limit:
        raise HttpError(
            400,
            _("一次最多导入 %(n)s 条记录，本次 %(m)s 条。")
            % {"n": limit, "m": len(payload.records)},
        )
    if not payload.records:
        raise HttpError(400, _("没有要导入的记录。"))
    unit, ledger_type = _type_and_unit(request, payload.unit, payload.type)
    who = actor(request)
    require(who, "edit", unit)
    items, own_errors = _bulk_inputs(unit, ledger_type, payload)
    batch = ImportBatch(
        ledger_type=ledger_type,
        unit=unit,
        origin=Origin.API,
        name=(_("接口推送（%(user)s）") % {"user": who.name})[:200],
        by=who.user,
    )
    try:
        result = services.upsert_entries(
            ledger_type,
            unit,
            items,
            actor=who,
            dry_run=payload.dry_run or bool(own_errors),
            comment=_("接口推送"),
            batch=batch,
            overlap=payload.overlap,
        )
    except ValidationError as exc:
        detail, refused = refusal(exc)
        return Status(400, {"detail": detail, "errors": refused})
    errors = sorted(own_errors + result.errors, key=lambda e: e.row)
    if errors:
        lines = [f"第 {e.row} 行，列“{e.column}”：{e.message}" for e in errors]
        shown = "；".join(lines[:20]) + ("……" if len(lines) > 20 else "")
        return Status(
            400,
            {
                "detail": _("有 %(n)s 处问题，没有导入任何记录：") % {"n": len(errors)} + shown,
                "errors": [
                    {"row": e.row, "column": e.column, "message": e.message} for e in errors
                ],
            },
        )
    notes = [o.text() for o in result.overlaps] + [f"重复：{r.text()}" for r in result.repeats]
    if result.needs_choice:
        return Status(
            409,
            {
                "detail": _(
                    "这些记录与台账中其他来源的记录覆盖同一项目和期间，或有重复，尚未导入："
                    "请以 overlap=replace（替换）或 overlap=add（追加）重新提交。"
                ),
                "errors": [{"message": n} for n in notes],
            },
        )
    written = not payload.dry_run
    counts = _("新建 %(c)s 条，更新 %(u)s 条，%(n)s 条无变化") % {
        "c": result.created,
        "u": result.updated,
        "n": result.unchanged,
    }
    return Status(
        200,
        {
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "replaced": result.replaced,
            "written": written,
            "batch": batch.pk if written else None,
            "notes": notes,
            "summary": (_("已导入：") if written else _("检查通过，尚未写入：")) + counts,
        },
    )
