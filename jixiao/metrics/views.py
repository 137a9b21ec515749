"""The actuals pages: a unit-year's actuals at a date, the records behind one, hand entry.

Thin adapters: the numbers come from ``evaluate``/``records_for``, writes from the services.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import get_evidence_for_user, get_indicator_for_user
from jixiao.access.perms import can, require
from jixiao.audit.history import history_context
from jixiao.audit.models import ChangeLog
from jixiao.core import metrics as m
from jixiao.core.quantities import PERCENT, unit_of
from jixiao.ledgers.models import FieldKind, LedgerEntry, LedgerType
from jixiao.lib import fragments
from jixiao.lib.actor import Actor
from jixiao.lib.params import date_or_none, int_or_none
from jixiao.lib.picker import choose_unit_year, project_years_by_unit, unit_key
from jixiao.metrics.evaluate import catalog_for, evaluate, records_for
from jixiao.metrics.forms import ActualsForm, BindingForm, ManualActualForm
from jixiao.metrics.models import Evidence, ManualActual, Metric
from jixiao.metrics.presets import PRESETS
from jixiao.metrics.services import (
    bind_metric,
    enter_manual_actual,
    readings_of,
    remove_evidence,
    restore_evidence,
    set_fraction_actuals,
    unbind_metric,
)
from jixiao.metrics.tables import SOURCE_LABELS, actual_tables
from jixiao.targets.choices import TargetKind
from jixiao.targets.models import Indicator
from jixiao.units.models import Unit

# The record lists show this many rows a page; the count above them is always the full one.
PAGE_SIZE = 100
# Long texts (summaries, reports) make a list unreadable; the record page shows them.
LIST_KINDS = {k for k in FieldKind.values if k not in (FieldKind.LONGTEXT, FieldKind.URL)}
LIST_NAMES = {"records": "记录", "numerator": "分子", "denominator": "分母"}


def _default_as_of(year: int) -> dt.date:
    """Today, kept inside the year: its last day for a past year, its first for a future one."""
    today = timezone.localdate()
    return max(dt.date(year, 1, 1), min(today, dt.date(year, 12, 31)))


def _as_of(text: str | None, year: int) -> tuple[dt.date, bool]:
    """The as-of date asked for, else the default; and whether the text was usable."""
    if text:
        day = date_or_none(text)
        return (day, True) if day is not None else (_default_as_of(year), False)
    return _default_as_of(year), True


def _page_url(unit: Unit, year: int, as_of: dt.date) -> str:
    query = urlencode({"unit": unit_key(unit), "year": year, "as_of": as_of.isoformat()})
    return f"{reverse('metrics:index')}?{query}"


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Pick a unit, year and date; see every project's indicators with their actuals."""
    choice = choose_unit_year(request.GET, project_years_by_unit(request.user), who=request.user)
    units, unit, years, asked, year = (
        choice.units,
        choice.unit,
        choice.years,
        choice.asked,
        choice.year,
    )
    context: dict[str, Any] = {"unit": unit, "year": year, "here": "actuals", "notices": []}
    if unit is None or year is None:
        return render(request, "metrics/index.html", context)
    as_of, usable = _as_of(request.GET.get("as_of"), year)
    if not usable:
        context["notices"].append(
            _("日期格式不对：%(text)s，下面是截至 %(as_of)s 的数据。")
            % {"text": (request.GET.get("as_of") or "")[:40], "as_of": as_of}
        )
    if asked is not None and asked != year:
        context["notices"].append(
            _("%(unit)s 没有 %(asked)s 年的预算项目，下面是 %(year)s 年的。")
            % {"unit": unit, "asked": asked, "year": year}
        )
    context.update(
        as_of=as_of,
        form=ActualsForm(
            units, years, initial={"unit": unit_key(unit), "year": year, "as_of": as_of}
        ),
        tables_html=fragments.with_token(
            fragments.cached(
                "actuals",
                units=[unit.pk],
                user=request.user,
                parts=(unit.pk, year, as_of),
                compute=lambda: _tables_html(request, unit, year, as_of),
            ),
            request,
        ),
    )
    return render(request, "metrics/index.html", context)


def _tables_html(request: HttpRequest, unit: Unit, year: int, as_of: dt.date) -> str:
    """Every project's indicators with their actuals as of the date, as the page shows them."""
    context = {
        "unit": unit,
        "year": year,
        "as_of": as_of,
        "window": m.window(year, as_of),
        "tables": actual_tables(unit, year, as_of),
        "can_edit": can(request.user, "edit", unit),
    }
    return fragments.render("metrics/_tables.html", context, request)


@dataclass
class Listing:
    """One page of a list of records (记录, 分子 or 分母) as the page shows it."""

    name: str
    total: int
    columns: list[str]
    rows: list[tuple[LedgerEntry, list[tuple[str, bool]], list[tuple[str, str, bool]]]]
    ledger: LedgerType | None
    page: Page[LedgerEntry]
    page_links: list[int | str]
    param: str  # the query parameter of this list's page number
    query: str  # the page's other parameters, for the page links


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _steps(entry: LedgerEntry, as_of: dt.date) -> list[tuple[str, str, bool]]:
    """The workflow states a record reached, by date: (state, day, reached after as_of)."""
    order = {state: n for n, state in enumerate(entry.ledger_type.states)}
    # By day, then in workflow order (a case often moves through several states in a day).
    reached = sorted(entry.state_dates.items(), key=lambda item: (item[1], order.get(item[0], 99)))
    return [(state, day, day > as_of.isoformat()) for state, day in reached]


def page_param(name: str) -> str:
    """The query parameter of a list's page: ``page`` for 记录, ``numerator_page`` …"""
    return "page" if name == "records" else f"{name}_page"


def _page_numbers(request: HttpRequest, names: list[str]) -> dict[str, int]:
    """Each list's page number from the query string; a malformed one is page 1, with a notice."""
    numbers = {}
    for name in names:
        text = request.GET.get(page_param(name), "")
        number = int_or_none(text, lo=1)
        if text and number is None:
            messages.warning(request, _("页码不正确，已显示第 1 页。"))
        numbers[name] = number or 1
    return numbers


def _listing(
    name: str,
    queryset: QuerySet[LedgerEntry],
    as_of: dt.date,
    number: int,
    others: dict[str, int],
) -> Listing:
    # A page past the last shows the last one (Paginator.get_page), never an error.
    page = Paginator(queryset.select_related("ledger_type", "project"), PAGE_SIZE).get_page(number)
    entries = list(page.object_list)
    ledger = entries[0].ledger_type if entries else None
    # The record's date has its own column; long texts belong on the record's page.
    fields = (
        [f for f in ledger.fields.all() if f.kind in LIST_KINDS and f.code != ledger.date_field]
        if ledger
        else []
    )
    columns = [f.label for f in fields]
    rows = []
    for entry in entries:
        cells = [(_shown(entry.data.get(f.code)), f.kind in ("date", "datetime")) for f in fields]
        rows.append((entry, cells, _steps(entry, as_of)))
    # The page links keep the date and the other lists' pages where they are.
    kept = {"as_of": as_of.isoformat()} | {
        page_param(other): n for other, n in others.items() if other != name and n > 1
    }
    return Listing(
        name=LIST_NAMES[name],
        total=page.paginator.count,
        columns=columns,
        rows=rows,
        ledger=ledger,
        page=page,
        page_links=list(
            page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        ),
        param=page_param(name),
        query=urlencode(kept),
    )


@login_required
@require_safe
def records(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """The records behind an indicator's actual at a date (for a ratio: 分子 and 分母)."""
    indicator = get_indicator_for_user(request.user, indicator_id)
    project = indicator.project
    as_of, _usable = _as_of(request.GET.get("as_of"), project.year)
    actual = evaluate([project], as_of)[indicator.pk]
    context: dict[str, Any] = {
        "indicator": indicator,
        "project": project,
        "as_of": as_of,
        "actual": actual,
        "here": "actuals",
        "back": _page_url(project.unit, project.year, as_of),
        "window": m.window(project.year, as_of),
        "source_label": SOURCE_LABELS[actual.source],
        **indicator_history(indicator),
    }
    if actual.metric is not None and actual.error is None:
        definition = m.parse(actual.metric)
        context["metric_text"] = m.describe(definition, catalog_for(project.unit_id))
        context["budget_ratio"] = isinstance(definition, m.Ratio) and isinstance(
            definition.denominator, m.Budget
        )
    if actual.source == "metric" and actual.error is None:
        lists = records_for(indicator, as_of)
        numbers = _page_numbers(request, list(lists))
        context["listings"] = [
            _listing(name, qs, as_of, numbers[name], numbers) for name, qs in lists.items()
        ]
    return render(request, "metrics/records.html", context)


@login_required
def manual(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """Enter an indicator's actual by hand with its evidence; see the earlier entries.

    Everyone who reaches the indicator reads the page; only its unit's officer or head sees
    the form, and a post from anybody else is refused (403).
    """
    indicator = get_indicator_for_user(request.user, indicator_id)
    project = indicator.project
    metric = Metric.objects.filter(indicator=indicator).first()
    computed = metric is not None and not metric.is_manual
    can_edit = can(request.user, "edit", indicator)
    as_of, _usable = _as_of(request.GET.get("as_of"), project.year)
    form = ManualActualForm(initial={"as_of": as_of})
    if request.method == "POST":
        actor = Actor.from_request(request)
        require(actor, "edit", indicator)
        if not computed:
            readings = readings_of(indicator, request.POST.get("value", ""))
            form = ManualActualForm(request.POST, request.FILES, readings=readings)
            if form.is_valid():
                done = _enter(request, actor, indicator, form)
                if done is not None:
                    return done
    history = indicator.manual_actuals.select_related("entered_by").prefetch_related(
        Prefetch("files", Evidence.objects.order_by("uploaded_at", "id"))
    )
    context = {
        "indicator": indicator,
        "project": project,
        "form": form,
        "computed": computed,
        "can_edit": can_edit,
        "entries": history,
        "here": "actuals",
        "back": _page_url(project.unit, project.year, as_of),
        "percent_target": _percent_target(indicator),
        **indicator_history(indicator),
    }
    return render(request, "metrics/manual.html", context)


def _percent_target(indicator: Indicator) -> bool:
    """True for a quantitative target in % or ‰, where 0.95 could be a fraction."""
    unit = unit_of(indicator.parsed.unit)
    return (
        indicator.target_kind == TargetKind.QUANTITATIVE
        and unit is not None
        and (unit.dimension == PERCENT)
    )


@login_required
@require_POST
def fractions(request: HttpRequest, indicator_id: int) -> HttpResponseRedirect:
    """Say whether the indicator's actuals are written as fractions (0.95 for 95%)."""
    indicator = get_indicator_for_user(request.user, indicator_id)
    on = request.POST.get("on") == "1"
    set_fraction_actuals(indicator, on, actor=Actor.from_request(request))
    messages.success(
        request,
        _("已设置：本指标的实际值按小数填写（0.95 即 95%）。")
        if on
        else _("已设置：本指标的实际值按百分数填写（95 即 95%）。"),
    )
    return redirect("metrics:manual", indicator_id=indicator.pk)


def _enter(
    request: HttpRequest, actor: Actor, indicator: Indicator, form: ManualActualForm
) -> HttpResponse | None:
    """Save a valid hand entry; the redirect on success, None with the errors on the form."""
    data = form.cleaned_data
    try:
        enter_manual_actual(
            indicator,
            as_of=data["as_of"],
            value=data["value"],
            evidence=data["evidence"],
            files=data["files"],
            reading=data.get("reading") or "",
            actor=actor,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            form.add_error(None, exc)
        for field, errors in getattr(exc, "message_dict", {}).items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
        return None
    project = indicator.project
    messages.success(
        request,
        _("已填报“%(name)s”的实际完成值：%(value)s（截至 %(as_of)s）。")
        % {
            "name": indicator.level3,
            "value": data.get("reading") or data["value"],
            "as_of": data["as_of"],
        },
    )
    return redirect(_page_url(project.unit, project.year, data["as_of"]))


def indicator_history(indicator: Indicator) -> dict[str, Any]:
    """The change-log rows of an indicator and of its metrics, hand entries and evidence."""
    unbound_or_new = ChangeLog.objects.filter(object_type="metrics.metric").filter(
        Q(after__indicator=indicator.pk) | Q(before__indicator=indicator.pk)
    )
    # A metric's rows are found by its id; an unbound metric's id only in the rows that hold
    # its whole snapshot (its binding and its unbinding), which name the indicator.
    metric_ids = set(unbound_or_new.values_list("object_id", flat=True))
    current = Metric.objects.filter(indicator=indicator).values_list("pk", flat=True)
    metric_ids |= {str(pk) for pk in current}
    actual_ids = ManualActual.objects.filter(indicator=indicator).values_list("pk", flat=True)
    evidence_ids = Evidence.objects.filter(actual__indicator=indicator).values_list("pk", flat=True)
    extra = (
        Q(object_type="metrics.metric", object_id__in=sorted(metric_ids))
        | Q(object_type="metrics.manualactual", object_id__in=[str(pk) for pk in actual_ids])
        | Q(object_type="metrics.evidence", object_id__in=[str(pk) for pk in evidence_ids])
    )
    return history_context(indicator, extra=extra)


@login_required
@require_safe
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    """Download an evidence file, within reach (files are never public media)."""
    item = get_evidence_for_user(request.user, pk)
    return FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)


def _evidence_change(request: HttpRequest, pk: int, *, restore: bool) -> HttpResponseRedirect:
    item = get_evidence_for_user(request.user, pk)
    actor = Actor.from_request(request)
    try:
        if restore:
            restore_evidence(item, actor=actor)
            messages.success(request, _("已恢复佐证材料“%(name)s”。") % {"name": item.name})
        else:
            remove_evidence(item, actor=actor)
            messages.success(
                request,
                _("已移除佐证材料“%(name)s”（文件仍保留，可恢复）。") % {"name": item.name},
            )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("metrics:manual", item.actual.indicator_id)


@login_required
@require_POST
def evidence_remove(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Remove an evidence file from its entry (kept and restorable); the unit's officer or head."""
    return _evidence_change(request, pk, restore=False)


@login_required
@require_POST
def evidence_restore(request: HttpRequest, pk: int) -> HttpResponseRedirect:
    """Put a removed evidence file back on its entry; the unit's officer or head."""
    return _evidence_change(request, pk, restore=True)


def _definition_of(form: BindingForm) -> tuple[Any, str] | None:
    """The definition and note the form asks for; None (with the form's error) when its JSON
    cannot be read."""
    data = form.cleaned_data
    note = data.get("note") or ""
    if data.get("preset"):
        preset = PRESETS[data["preset"]]
        return preset.definition, note or preset.note
    try:
        return json.loads(data["definition"]), note
    except json.JSONDecodeError as exc:
        form.add_error(
            "definition", _("口径定义不是合法的 JSON：第 %(line)s 行附近。") % {"line": exc.lineno}
        )
        return None


@login_required
def binding(request: HttpRequest, indicator_id: int) -> HttpResponse:
    """An indicator's metric (口径): see it; its unit's officer or head binds, changes or removes
    it (checked against the unit's ledgers, recorded in the change log)."""
    indicator = get_indicator_for_user(request.user, indicator_id)
    project = indicator.project
    metric = Metric.objects.filter(indicator=indicator).first()
    version = metric.version if metric is not None else 0
    initial: dict[str, Any] = {"version": version}
    if metric is not None:
        initial |= {
            "definition": json.dumps(metric.definition, ensure_ascii=False, indent=2),
            "note": metric.note,
        }
    elif indicator.level3 in PRESETS:
        initial["preset"] = indicator.level3
    form = BindingForm(initial=initial, presets=list(PRESETS))
    problems: list[str] = []
    if request.method == "POST":
        actor = Actor.from_request(request)
        require(actor, "edit", indicator)
        posted_version = form_version(request.POST.get("version"))
        try:
            if request.POST.get("action") == "unbind":
                if unbind_metric(indicator, actor=actor, version=posted_version):
                    messages.success(request, _("已解除口径，实际完成值改为手工填报。"))
                return redirect("metrics:binding", indicator_id=indicator.pk)
            form = BindingForm(request.POST, presets=list(PRESETS))
            wanted = _definition_of(form) if form.is_valid() else None
            if wanted is not None:
                bind_metric(
                    indicator, wanted[0], actor=actor, note=wanted[1], version=posted_version
                )
                messages.success(request, _("已保存口径。"))
                return redirect("metrics:binding", indicator_id=indicator.pk)
        except ValidationError as exc:
            problems = list(exc.messages)
    context = {
        "problems": problems,
        "indicator": indicator,
        "project": project,
        "metric": metric,
        "form": form,
        "can_edit": can(request.user, "edit", indicator),
        "back": _page_url(project.unit, project.year, _default_as_of(project.year)),
        "definition_text": ""
        if metric is None
        else json.dumps(metric.definition, ensure_ascii=False, indent=2),
    }
    return render(request, "metrics/binding.html", context)


def form_version(text: str | None) -> int | None:
    """The version a form carried (None when it carried none or garbage: no check)."""
    return int(text) if text and text.isdigit() else None
