"""The record pages: a unit's ledgers, a ledger's records, one record with its workflow and
attachments, and the record form. Thin adapters over ``jixiao.ledgers.services``.

Everything goes through the permission seam: units come from ``units_for`` (a unit outside
reach is 404), records and attachments from ``get_entry_for_user`` and
``get_attachment_for_user``; writing takes ``edit`` on the unit (403 otherwise, and the
buttons are hidden from people who may not use them). Query parameters are parsed with
``jixiao.lib.params``: a malformed one shows the default with a notice, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import (
    NOT_FOUND,
    get_attachment_for_user,
    get_entry_for_user,
    scoped,
)
from jixiao.access.perms import can, require
from jixiao.access.scope import units_for
from jixiao.audit.history import history_context
from jixiao.audit.versions import StaleEdit
from jixiao.ledgers import services
from jixiao.ledgers.forms import (
    TEXT_KINDS,
    VERSION,
    AttachmentForm,
    EntryForm,
    TransitionForm,
    carry_version,
    step_fields,
)
from jixiao.ledgers.models import (
    Attachment,
    FieldKind,
    LedgerEntry,
    LedgerField,
    LedgerType,
)
from jixiao.ledgers.quality import findings
from jixiao.lib import fragments
from jixiao.lib.actor import Actor
from jixiao.lib.forms import add_service_errors
from jixiao.lib.params import int_or_none, year_or_none
from jixiao.lib.picker import UnitYearForm, unit_key
from jixiao.targets.models import Project
from jixiao.units.models import Unit

PAGE_SIZE = 50
KEY_COLUMNS = 4  # fields shown on the list besides the date, project and state
HERE = "ledgers"  # tells the navigation which section is open
NUMBER_KINDS = {FieldKind.INTEGER, FieldKind.DECIMAL, FieldKind.MONEY}
SEARCH_MAX = 100  # characters of the search box that are searched for
STALE = 409  # a save refused because someone else saved the record meanwhile


def _pick_unit(request: HttpRequest, units: list[Unit]) -> Unit | None:
    """The unit the query names (by unit_key) among those in reach, else the first one.

    A unit named that is outside reach (or does not exist) is 404, the same answer either way.
    """
    key = request.GET.get("unit", "")
    if not key:
        return units[0] if units else None
    found = next((u for u in units if unit_key(u) == key), None)
    if found is None:
        raise Http404(NOT_FOUND)
    return found


def _notice(request: HttpRequest, text: str) -> None:
    """A malformed query parameter was ignored: say so on the page shown instead."""
    messages.warning(request, text)


def _years(unit: Unit) -> tuple[list[int], int]:
    """A unit's years with projects or records (and this year), latest first; and the default."""
    with_data = set(Project.objects.filter(unit=unit).values_list("year", flat=True))
    with_data |= {d.year for d in LedgerEntry.objects.filter(unit=unit).dates("date", "year")}
    this_year = timezone.localdate().year
    years = sorted(with_data | {this_year}, reverse=True)
    return years, max(with_data) if with_data else this_year


def _pick_year(request: HttpRequest, unit: Unit) -> tuple[list[int], int]:
    """The year the query asks for if the unit has it, else the default (with a notice)."""
    years, default = fragments.cached(
        "ledger-years", units=[unit.pk], user=None, parts=(unit.pk,), compute=lambda: _years(unit)
    )
    text = request.GET.get("year", "")
    asked = year_or_none(text)
    if asked in years:
        return years, asked
    if asked is None and text.strip():
        raise Http404("预算年度不正确。")
    if text.strip():
        _notice(request, f"没有“{text.strip()[:20]}”年度的台账，已显示 {default} 年。")
    return years, default


def _year_q(year: int) -> Q:
    # A record without a date (a type whose date field is optional) shows in every year, so
    # that it can always be found and given one.
    return Q(date__year=year) | Q(date__isnull=True)


def types_for(unit: Unit) -> list[LedgerType]:
    """The ledger types a unit works with: its own, and the presets it has not replaced."""
    found = list(
        LedgerType.objects.filter(Q(unit=unit) | Q(unit__isnull=True)).order_by("position", "code")
    )
    own = {t.code for t in found if t.unit_id is not None}
    return [t for t in found if t.unit_id is not None or t.code not in own]


def _query(**params: Any) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _list_url(ledger_type: LedgerType, unit: Unit, year: int | None, **params: Any) -> str:
    url = reverse("ledgers:records", args=[ledger_type.code])
    return f"{url}?{_query(unit=unit_key(unit), year=year, **params)}"


def _maybe_url(name: str, fallback: str, **kwargs: Any) -> str:
    """A named URL of the import pages if they exist yet, else their agreed path."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return fallback


def _entry_year(entry: LedgerEntry) -> int:
    return entry.date.year if entry.date else timezone.localdate().year


def display(field: LedgerField, value: Any) -> str:
    """A stored value as a user reads it."""
    if value is None or value == "" or value == []:
        return ""
    if field.kind == FieldKind.BOOLEAN:
        return "是" if value else "否"
    if field.kind == FieldKind.MULTICHOICE and isinstance(value, list):
        return "、".join(str(v) for v in value)
    if field.kind == FieldKind.MONEY:
        try:
            return f"{Decimal(str(value)):,.2f}"
        except InvalidOperation:
            return str(value)
    if field.kind == FieldKind.DATETIME:
        return str(value).replace("T", " ")
    return str(value)


def _cells(fields: Iterable[LedgerField], entry: LedgerEntry) -> list[dict[str, Any]]:
    return [
        {
            "field": f,
            "text": display(f, entry.data.get(f.code)),
            "is_url": f.kind == FieldKind.URL,
            "is_long": f.kind == FieldKind.LONGTEXT,
            "is_number": f.kind in NUMBER_KINDS,
        }
        for f in fields
    ]


def _key_fields(ledger_type: LedgerType, fields: list[LedgerField]) -> list[LedgerField]:
    """The fields the list shows: the first few by position, not the date, not long texts."""
    chosen = [
        f for f in fields if f.code != ledger_type.date_field and f.kind != FieldKind.LONGTEXT
    ]
    return chosen[:KEY_COLUMNS]


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """A unit's ledger types with their record counts for a year."""
    units = list(units_for(request.user))
    unit = _pick_unit(request, units)
    context: dict[str, Any] = {"here": HERE, "unit": unit}
    if unit is None:
        return render(request, "ledgers/index.html", context)
    years, year = _pick_year(request, unit)
    types = types_for(unit)
    counts = dict(
        scoped(LedgerEntry.objects.filter(unit=unit, ledger_type__in=types), request.user)
        .filter(_year_q(year))
        .values_list("ledger_type")
        .annotate(n=Count("id"))
        .values_list("ledger_type", "n")
    )
    context.update(
        year=year,
        can_edit=can(request.user, "edit", unit),
        form=UnitYearForm(units, years, initial={"unit": unit_key(unit), "year": year}),
        rows=[
            {
                "type": t,
                "count": counts.get(t.pk, 0),
                "url": _list_url(t, unit, year),
                "new_url": reverse("ledgers:new", args=[t.code])
                + "?"
                + _query(unit=unit_key(unit), year=year),
            }
            for t in types
        ],
    )
    return render(request, "ledgers/index.html", context)


@login_required
@require_safe
def quality(request: HttpRequest) -> HttpResponse:
    """数据质量: a unit's records of a year that break their ledger's consistency rules."""
    units = list(units_for(request.user))
    unit = _pick_unit(request, units)
    context: dict[str, Any] = {"here": HERE, "unit": unit}
    if unit is None:
        return render(request, "ledgers/quality.html", context)
    years, year = _pick_year(request, unit)
    entries = scoped(LedgerEntry.objects.filter(unit=unit), request.user).filter(_year_q(year))
    found = list(findings(entries))
    context.update(
        year=year,
        form=UnitYearForm(units, years, initial={"unit": unit_key(unit), "year": year}),
        findings=found,
        types=[t for t in types_for(unit) if t.rules],
    )
    return render(request, "ledgers/quality.html", context)


def _type_and_unit(request: HttpRequest, code: str) -> tuple[LedgerType, Unit, list[Unit]]:
    units = list(units_for(request.user))
    unit = _pick_unit(request, units)
    if unit is None:
        raise Http404(NOT_FOUND)
    try:
        ledger_type = services.ledger_type_for(unit, code)
    except ValidationError as exc:
        raise Http404(exc.messages[0]) from None
    return ledger_type, unit, units


def _filtered(
    entries: QuerySet[LedgerEntry],
    ledger_type: LedgerType,
    fields: list[LedgerField],
    params: dict[str, str],
    today: dt.date,
) -> QuerySet[LedgerEntry]:
    if params["q"]:
        text = Q()
        for f in fields:
            if f.kind in TEXT_KINDS:
                text |= Q(**{f"data__{f.code}__icontains": params["q"]})
        entries = entries.filter(text) if text else entries.none()
    if params["state"]:
        entries = entries.filter(state=params["state"])
    if params["project"] == "none":
        entries = entries.filter(project__isnull=True)
    elif params["project"]:
        entries = entries.filter(project_id=int(params["project"]))
    if params["overdue"]:
        entries = entries.filter(services.overdue_q(ledger_type, today))
    return entries


@login_required
@require_safe
def records(request: HttpRequest, code: str) -> HttpResponse:
    """A ledger's records for a unit and year: search, filters, state counts, pages of 50."""
    ledger_type, unit, units = _type_and_unit(request, code)
    years, year = _pick_year(request, unit)
    params = _list_params(request, ledger_type)
    page_text = request.GET.get("page", "")
    page_number = int_or_none(page_text, lo=1)
    if page_text and page_number is None:
        _notice(request, "页码不正确，已显示第 1 页。")
    body = fragments.cached(
        "ledger-records",
        units=[unit.pk],
        user=request.user,
        parts=(ledger_type.pk, unit.pk, year, sorted(params.items()), page_number),
        compute=lambda: _records_body(request, ledger_type, unit, year, params, page_number),
    )
    context: dict[str, Any] = {
        "here": HERE,
        "ledger_type": ledger_type,
        "unit": unit,
        "form": UnitYearForm(units, years, initial={"unit": unit_key(unit), "year": year}),
        "body": fragments.with_token(body, request),
    }
    return render(request, "ledgers/records.html", context)


def _records_body(
    request: HttpRequest,
    ledger_type: LedgerType,
    unit: Unit,
    year: int,
    params: dict[str, str],
    page_number: int | None,
) -> str:
    """The list below the picker: counts by state, filters, one page of records."""
    today = timezone.localdate()
    fields = list(ledger_type.fields.all())
    year_entries = scoped(
        LedgerEntry.objects.filter(ledger_type=ledger_type, unit=unit), request.user
    ).filter(_year_q(year))
    state_counts = dict(
        year_entries.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    )
    has_overdue = bool((ledger_type.workflow or {}).get("overdue_field"))
    overdue_count = (
        year_entries.filter(services.overdue_q(ledger_type, today)).count() if has_overdue else 0
    )
    entries = _filtered(year_entries, ledger_type, fields, params, today)
    # A page past the last shows the last one (Paginator.get_page), never an error.
    page = Paginator(
        entries.select_related("project", "ledger_type").order_by("-date", "-id"), PAGE_SIZE
    ).get_page(page_number or 1)
    key_fields = _key_fields(ledger_type, fields)
    date_label = next((f.label for f in fields if f.code == ledger_type.date_field), "日期")
    base = {"unit": unit_key(unit), "year": year}
    chips = [
        {
            "state": state,
            "count": state_counts.get(state, 0),
            "url": "?" + _query(**base, state=state),
            "current": params["state"] == state,
        }
        for state in ledger_type.states
    ]
    context: dict[str, Any] = {
        "ledger_type": ledger_type,
        "unit": unit,
        "unit_key": unit_key(unit),
        "can_edit": can(request.user, "edit", unit),
        "year": year,
        "params": params,
        "total": sum(state_counts.values()),
        "all_url": "?" + _query(**base),
        "chips": chips,
        "has_overdue": has_overdue,
        "overdue_count": overdue_count,
        "overdue_url": "?" + _query(**base, overdue="1"),
        "projects": Project.objects.filter(unit=unit, year=year).order_by("position", "id")
        if ledger_type.has_project
        else [],
        "key_fields": key_fields,
        "number_kinds": sorted(NUMBER_KINDS),
        "date_label": date_label,
        "page": page,
        "page_links": list(
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
        "page_query": _query(**base, **params),
        "rows": [
            {
                "entry": e,
                "cells": _cells(key_fields, e),
                "overdue": services.is_overdue(e, today),
            }
            for e in page.object_list
        ],
        "new_url": reverse("ledgers:new", args=[ledger_type.code]) + "?" + _query(**base),
        "import_url": _maybe_url("ledgers:import", "/ledgers/import/")
        + "?"
        + _query(type=ledger_type.code, **base),
        "export_url": _maybe_url(
            "ledgers:export",
            f"/ledgers/export/{ledger_type.code}.xlsx",
            code=ledger_type.code,
            fmt="xlsx",
        )
        + "?"
        + _query(**base),
    }
    return fragments.render("ledgers/_records_body.html", context, request)


def _list_params(request: HttpRequest, ledger_type: LedgerType) -> dict[str, str]:
    """The list's filters from the query string; a malformed one is dropped with a notice."""
    query = request.GET
    state = query.get("state", "")
    project = query.get("project", "")
    overdue = query.get("overdue", "")
    params = {
        "q": query.get("q", "").strip()[:SEARCH_MAX],
        "state": state if state in ledger_type.states else "",
        "project": project if project == "none" or int_or_none(project, lo=1) else "",
        "overdue": "1" if overdue in ("1", "on", "true") else "",
    }
    if (
        (state and not params["state"])
        or (project and not params["project"])
        or (overdue and not params["overdue"])
    ):
        _notice(request, "筛选条件不正确，已忽略。")
    return params


def _projects_for(unit: Unit, year: int, current: Project | None = None) -> list[Project]:
    projects = list(Project.objects.filter(unit=unit, year=year).order_by("position", "id"))
    if current is not None and current not in projects:
        projects.append(current)
    return projects


def _render_form(
    request: HttpRequest,
    form: EntryForm,
    *,
    entry: LedgerEntry | None,
    unit: Unit,
    back: str,
    status: int | None = None,
) -> HttpResponse:
    context = {
        "here": HERE,
        "form": form,
        "ledger_type": form.ledger_type,
        "required": form.required_codes(),
        "entry": entry,
        "unit": unit,
        "back": back,
    }
    if status is None:
        status = 400 if form.errors else 200
    return render(request, "ledgers/entry_form.html", context, status=status)


@login_required
def new(request: HttpRequest, code: str) -> HttpResponse:
    """A new record of a ledger type for a unit; the project list is the unit's for the year."""
    ledger_type, unit, _units = _type_and_unit(request, code)
    require(request.user, "edit", unit)
    _years_list, year = _pick_year(request, unit)
    projects = _projects_for(unit, year)
    back = _list_url(ledger_type, unit, year)
    if request.method != "POST":
        return _render_form(
            request, EntryForm(ledger_type, projects), entry=None, unit=unit, back=back
        )
    form = EntryForm(ledger_type, projects, request.POST)
    if form.is_valid():
        try:
            entry = services.create_entry(
                ledger_type,
                unit,
                form.values(),
                actor=Actor.from_request(request),
                project=form.project(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已新增{ledger_type.name}记录。")
            return redirect("ledgers:entry", pk=entry.pk)
    return _render_form(request, form, entry=None, unit=unit, back=back)


def _entry(request: HttpRequest, pk: int) -> LedgerEntry:
    """The record within the person's reach, else 404."""
    entry: LedgerEntry = get_entry_for_user(request.user, pk)
    return entry


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a record's field values and project (its workflow state is moved on its page).

    The form carries the version it was read at: a save after someone else's is refused
    with what they changed, and the typed values stay in the form.
    """
    entry = _entry(request, pk)
    require(request.user, "edit", entry)
    ledger_type = entry.ledger_type
    projects = _projects_for(entry.unit, _entry_year(entry), entry.project)
    back = reverse("ledgers:entry", args=[entry.pk])
    if request.method != "POST":
        initial = EntryForm.initial_for(ledger_type, entry.data)
        initial["project"] = str(entry.project_id or "")
        initial[VERSION] = entry.version
        form = EntryForm(ledger_type, projects, initial=initial, versioned=True)
        return _render_form(request, form, entry=entry, unit=entry.unit, back=back)
    form = EntryForm(ledger_type, projects, request.POST, versioned=True)
    status = None
    if form.is_valid():
        try:
            services.update_entry(
                entry,
                form.values(),
                actor=Actor.from_request(request),
                project=form.project(),
                version=form.version(),
            )
        except StaleEdit as exc:
            add_service_errors(form, exc)
            carry_version(form, exc.current_version)
            status = STALE
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("ledgers:entry", pk=entry.pk)
        entry = _entry(request, pk)  # the failed update may have touched the object in memory
    return _render_form(request, form, entry=entry, unit=entry.unit, back=back, status=status)


def _next_states(entry: LedgerEntry) -> list[str]:
    transitions = (entry.ledger_type.workflow or {}).get("transitions", [])
    return [b for a, b in transitions if a == entry.state]


def _transition_forms(
    entry: LedgerEntry, bound: TransitionForm | None = None
) -> list[TransitionForm]:
    fields = {f.code: f for f in entry.ledger_type.fields.all()}
    steps = step_fields(entry.ledger_type)
    forms_: list[TransitionForm] = []
    for state in _next_states(entry):
        if bound is not None and bound.state == state:
            forms_.append(bound)
            continue
        step_field = fields.get(steps.get(state, ""))
        initial: dict[str, Any] = {VERSION: entry.version}
        if step_field is not None and step_field.code in entry.data:
            initial[step_field.code] = entry.data[step_field.code]
        forms_.append(TransitionForm(state, step_field, initial=initial))
    if bound is not None and bound.state not in _next_states(entry):
        # Someone moved the record meanwhile: the refused form stays, with what was typed.
        forms_.append(bound)
    return forms_


def _steps(entry: LedgerEntry) -> list[dict[str, Any]]:
    """The workflow's states in order, each with the day it was reached, if it was."""
    states = entry.ledger_type.states
    current = states.index(entry.state) if entry.state in states else -1
    return [
        {
            "state": state,
            "date": entry.state_dates.get(state, ""),
            "current": state == entry.state,
            "reached": state in entry.state_dates or index <= current,
        }
        for index, state in enumerate(states)
    ]


def _file_size(attachment: Attachment) -> int | None:
    try:
        return int(attachment.file.size)
    except OSError:
        return None  # the row outlived its file; the page says so instead of failing


def _render_entry(
    request: HttpRequest,
    entry: LedgerEntry,
    *,
    transition: TransitionForm | None = None,
    attachment_form: AttachmentForm | None = None,
    status: int | None = None,
) -> HttpResponse:
    ledger_type = entry.ledger_type
    fields = list(ledger_type.fields.all())
    today = timezone.localdate()
    overdue_field = (ledger_type.workflow or {}).get("overdue_field")
    deadline_label = next((f.label for f in fields if f.code == overdue_field), "")
    cells = _cells(fields, entry)
    attachments = list(entry.attachments.select_related("uploaded_by", "removed_by"))
    context = {
        "here": HERE,
        "entry": entry,
        "ledger_type": ledger_type,
        "heading": next((c["text"] for c in cells if c["field"].kind == FieldKind.TEXT), ""),
        "cells": cells,
        "steps": _steps(entry),
        "transitions": entry.transitions.select_related("by").order_by("on", "id"),
        "transition_forms": _transition_forms(entry, transition),
        "open_state": transition.state if transition is not None else "",
        "attachments": [(a, _file_size(a)) for a in attachments if a.removed_at is None],
        "removed_attachments": [a for a in attachments if a.removed_at is not None],
        "attachment_form": attachment_form or AttachmentForm(),
        "can_edit": can(request.user, "edit", entry),
        "overdue": services.is_overdue(entry, today),
        "deadline": entry.data.get(overdue_field) if overdue_field else None,
        "deadline_label": deadline_label,
        "back": _list_url(ledger_type, entry.unit, _entry_year(entry)),
    }
    # The record's own change history, with its attachments' (removed ones too).
    context.update(
        history_context(
            entry,
            extra=Q(
                object_type=Attachment._meta.label_lower,
                object_id__in=[str(a.pk) for a in attachments],
            ),
        )
    )
    failed = (transition is not None and transition.errors) or (
        attachment_form is not None and attachment_form.errors
    )
    if status is None:
        status = 400 if failed else 200
    return render(request, "ledgers/entry.html", context, status=status)


@login_required
@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One record: its values, its workflow and history, the next steps, the attachments."""
    return _render_entry(request, _entry(request, pk))


@login_required
@require_POST
def transition(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a record into one of its allowed next states.

    The form carries the version the record was read at: if someone moved or edited it
    since, the step is refused with what they changed, and the typed note stays.
    """
    entry = _entry(request, pk)
    require(request.user, "edit", entry)
    to_state = request.POST.get("to_state", "")
    if to_state not in entry.ledger_type.states:
        messages.error(request, f"“{entry.state or '—'}”之后不能转到“{to_state[:20]}”。")
        return redirect("ledgers:entry", pk=entry.pk)
    fields = {f.code: f for f in entry.ledger_type.fields.all()}
    step_field = fields.get(step_fields(entry.ledger_type).get(to_state, ""))
    form = TransitionForm(to_state, step_field, request.POST)
    status = None
    if form.is_valid():
        try:
            services.record_transition(
                entry,
                to_state,
                actor=Actor.from_request(request),
                on=form.day,
                note=form.cleaned_data["note"],
                values=form.step_values(),
                version=form.version,
            )
        except StaleEdit as exc:
            add_service_errors(form, exc)
            carry_version(form, exc.current_version)
            status = STALE
        except ValidationError as exc:
            if to_state not in _next_states(entry):
                messages.error(request, f"“{entry.state or '—'}”之后不能转到“{to_state}”。")
                return redirect("ledgers:entry", pk=entry.pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已转到“{to_state}”。")
            return redirect("ledgers:entry", pk=entry.pk)
        entry = _entry(request, pk)
    elif to_state not in _next_states(entry):
        messages.error(request, f"“{entry.state or '—'}”之后不能转到“{to_state}”。")
        return redirect("ledgers:entry", pk=entry.pk)
    return _render_entry(request, entry, transition=form, status=status)


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an attachment to a record."""
    entry = _entry(request, pk)
    require(request.user, "edit", entry)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                entry, form.cleaned_data["file"], actor=Actor.from_request(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"已上传附件“{attachment.name}”。")
            return redirect(reverse("ledgers:entry", args=[entry.pk]) + "#attachments")
    return _render_entry(request, entry, attachment_form=form)


@login_required
@require_safe
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    """An attachment's file, for people who reach its record (files are never public media).

    A removed attachment can still be read (its record lists it under 已删除的附件).
    """
    attachment: Attachment = get_attachment_for_user(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("附件文件已丢失") from None
    return FileResponse(handle, as_attachment=True, filename=attachment.name)


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove an attachment from its record (kept, and restorable from the record's page)."""
    attachment: Attachment = get_attachment_for_user(request.user, pk)
    try:
        services.remove_attachment(attachment, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已删除附件“{attachment.name}”，可在下方“已删除的附件”中恢复。")
    return redirect(reverse("ledgers:entry", args=[attachment.entry_id]) + "#attachments")


@login_required
@require_POST
def attachment_restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring a removed attachment back to its record."""
    attachment: Attachment = get_attachment_for_user(request.user, pk)
    try:
        services.restore_attachment(attachment, actor=Actor.from_request(request))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, f"已恢复附件“{attachment.name}”。")
    return redirect(reverse("ledgers:entry", args=[attachment.entry_id]) + "#attachments")
