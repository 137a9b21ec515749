"""Ledger import and export pages: upload -> column mapping -> check (nothing written) ->
confirm (all rows written or none); and the CSV/Excel download of a ledger.

The upload waits under ``UPLOAD_DIR/<token>/`` (``jixiao.targets.uploads``) beside a small
JSON file holding the choices made so far, so every step reads the file the user sent. An
upload belongs to the person who sent it: anybody else's token is 404. Importing takes
``edit`` on the unit (403 otherwise); exporting, reaching it.
"""

from __future__ import annotations

import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST, require_safe

from jixiao.access.lookups import NOT_FOUND, get_unit_for_user
from jixiao.access.perms import DENIED, can, require
from jixiao.access.scope import units_for
from jixiao.importers.grid import ImportFailure
from jixiao.ledgers import sources
from jixiao.ledgers.exporting import FORMATS, export_entries, export_filename
from jixiao.ledgers.forms_import import MappingForm, UploadForm, editable_units
from jixiao.ledgers.importing import (
    ColumnMap,
    Plan,
    import_table,
    mappings_for,
    missing_message,
    plan_columns,
    save_mapping,
)
from jixiao.ledgers.io import Table, read_table
from jixiao.ledgers.models import LedgerType
from jixiao.ledgers.values import is_blank
from jixiao.lib.actor import Actor
from jixiao.lib.params import year_or_none
from jixiao.lib.picker import unit_key
from jixiao.targets import uploads
from jixiao.units.models import Unit

logger = logging.getLogger(__name__)

HERE = "ledgers"  # tells the navigation which section is open
STATE_FILE = "ledger-import.json"
SAMPLES = 3  # example values shown beside each source column
_TOKEN = re.compile(r"[0-9a-f]{32}")
_CODE = re.compile(r"[-a-zA-Z0-9_]{1,40}")


@dataclass
class _Upload:
    """An upload waiting between the steps, with the choices made so far."""

    token: str
    path: Path
    state: dict[str, Any]
    unit: Unit
    ledger_type: LedgerType
    user: Any  # who uploaded it

    def column_map(self) -> ColumnMap | None:
        """The mapping chosen so far: the columns as confirmed, a saved one, or automatic."""
        if self.state.get("columns") is not None:
            return ColumnMap(
                columns=self.state["columns"],
                values=self.state.get("values") or {},
                header_row=self.state.get("header_row"),
                name=self.state.get("mapping_name", ""),
            )
        chosen = self.state.get("mapping")
        mapping = mappings_for(self.user).filter(pk=chosen).first() if chosen else None
        return ColumnMap.of(mapping) if mapping else None

    def table(self) -> Table:
        """The uploaded file's rows."""
        return read_table(self.path)

    def save(self) -> None:
        """Write the state back beside the file."""
        _write_state(self.path.parent, self.state)


def _write_state(folder: Path, state: dict[str, Any]) -> None:
    text = json.dumps(state, ensure_ascii=False)
    (folder / STATE_FILE).write_text(text, encoding="utf-8")


def _load(request: HttpRequest, token: str) -> _Upload:
    """The upload a token names, if the person sent it (else 404) and still keeps the unit
    (else 403); UploadExpired when gone, too old or no longer importable."""
    # The token comes from the URL: anything but our own hex names could point elsewhere.
    if not _TOKEN.fullmatch(token or ""):
        raise uploads.UploadExpired(token)
    folder = Path(settings.UPLOAD_DIR) / token
    try:
        state_path = folder / STATE_FILE
        if time.time() - state_path.stat().st_mtime > uploads.MAX_AGE_SECONDS:
            raise uploads.UploadExpired(token)
        state = json.loads(state_path.read_text(encoding="utf-8"))
        owner = state["user"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise uploads.UploadExpired(token) from exc
    if owner != request.user.pk:
        raise Http404(NOT_FOUND)  # somebody else's upload: as if there were none
    try:
        unit = units_for(request.user).get(pk=state["unit"])
        ledger_type = LedgerType.objects.get(
            Q(unit__isnull=True) | Q(unit=unit), pk=state["ledger_type"]
        )
        path = folder / uploads.safe_name(state["file"])
    except (OSError, ValueError, KeyError, TypeError, LedgerType.DoesNotExist) as exc:
        raise uploads.UploadExpired(token) from exc
    except Unit.DoesNotExist:
        raise Http404(NOT_FOUND) from None
    require(request.user, "edit", unit)
    return _Upload(token, path, state, unit, ledger_type, request.user)


def _require_some_unit(request: HttpRequest) -> None:
    """Importing is for people who keep a unit's records: 403 for the others."""
    if not editable_units(request.user).exists():
        raise PermissionDenied(DENIED["edit"])


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, "上传的文件已过期，请重新上传。")
    return redirect("ledgers:import")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file, the unit, the ledger and the mapping; the file is read, not imported."""
    _require_some_unit(request)
    if request.method != "POST":
        form = UploadForm(initial=_upload_initial(request), user=request.user)
        return render(request, "ledgers/import_upload.html", _upload_context(request, form))
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        token, path = uploads.save(upload_file.name, upload_file.chunks())
        state = {
            "user": request.user.pk,
            "unit": form.cleaned_data["unit"].pk,
            "ledger_type": form.cleaned_data["ledger_type"].pk,
            "file": path.name,
            "mapping": form.mapping_id(),
            "columns": None,
        }
        _write_state(path.parent, state)
        try:
            found = _load(request, token)
            plan_columns(found.ledger_type, found.table(), found.column_map())
        except ImportFailure as exc:
            uploads.discard(token)
            form.add_error(None, str(exc))
        except Exception:
            # A reader tripping over a strange file must not cost the user a 500 page.
            logger.exception("reading ledger upload %s failed", path.name)
            uploads.discard(token)
            form.add_error(None, f"无法读取文件“{path.name}”，请检查文件内容后重试。")
        else:
            return redirect("ledgers:import_mapping", token=token)
    return render(request, "ledgers/import_upload.html", _upload_context(request, form))


def _upload_initial(request: HttpRequest) -> dict[str, Any]:
    """Preselect the unit and ledger a link names (?unit=224001&type=opinion).

    A unit outside reach is 404; a ledger code that names nothing is not preselected.
    """
    initial: dict[str, Any] = {}
    key = request.GET.get("unit", "")
    editable = list(editable_units(request.user)[:2])
    unit = get_unit_for_user(request.user, key) if key else None
    if unit is not None and not can(request.user, "edit", unit):
        unit = None  # in reach, not kept by this person: nothing to preselect
    if unit is None and len(editable) == 1:
        unit = editable[0]
    if unit is not None:
        initial["unit"] = unit.pk
    code = request.GET.get("type", "")
    if code and _CODE.fullmatch(code):
        types = LedgerType.objects.filter(code=code)
        found = (types.filter(unit=unit).first() if unit else None) or types.filter(
            unit__isnull=True
        ).first()
        if found is not None:
            initial["ledger_type"] = found.pk
    return initial


def _upload_context(request: HttpRequest, form: UploadForm) -> dict[str, Any]:
    return {
        "here": HERE,
        "form": form,
        "export_types": LedgerType.objects.filter(unit__isnull=True),
        "units": units_for(request.user),
        "formats": list(FORMATS),
    }


@login_required
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: what each source column becomes, prefilled; optionally saved under a name."""
    _require_some_unit(request)  # before the token: the same 403 as the upload's
    try:
        found = _load(request, token)
        table = found.table()
        base = found.column_map()
        plan = plan_columns(found.ledger_type, table, base)
    except uploads.UploadExpired:
        return _expired(request)
    except ImportFailure as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import")
    form = MappingForm(found.ledger_type, plan, request.POST or None)
    if request.method == "POST" and form.is_valid():
        chosen = ColumnMap(
            columns=form.columns(),
            values=base.values if base else {},
            header_row=plan.header_row,
            name=form.cleaned_data["save_as"].strip() or (base.name if base else ""),
        )
        try:
            checked = plan_columns(found.ledger_type, table, chosen)
            if checked.missing:
                raise ImportFailure(missing_message(found.ledger_type, checked))
            if form.cleaned_data["save_as"].strip():
                save_mapping(
                    found.ledger_type,
                    form.cleaned_data["save_as"],
                    chosen,
                    actor=Actor.from_request(request),
                    unit=found.unit,
                )
                messages.success(request, f"已保存映射“{chosen.name}”。")
        except ImportFailure as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error("save_as", exc.messages[0])
        else:
            found.state.update(
                columns=chosen.columns,
                values=chosen.values,
                header_row=chosen.header_row,
                mapping_name=chosen.name,
            )
            found.save()
            return redirect("ledgers:import_check", token=token)
    context = {
        "here": HERE,
        "upload": found,
        "plan": plan,
        "form": form,
        "rows": [
            (column, field, _samples(table, plan, column.index))
            for column, field in form.column_fields()
        ],
        "mapping_name": base.name if base else "",
    }
    return render(request, "ledgers/import_mapping.html", context)


def _samples(table: Table, plan: Plan, index: int) -> list[str]:
    """The first few values under a header, as text."""
    found: list[str] = []
    for number, cells in table.rows:
        if number > plan.header_row and index < len(cells) and not is_blank(cells[index]):
            found.append(str(cells[index])[:40])
            if len(found) == SAMPLES:
                break
    return found


@login_required
def check(request: HttpRequest, token: str) -> HttpResponse:
    """Step 3: every row validated and counted, with its problems; nothing is written."""
    _require_some_unit(request)  # before the token: the same 403 as the upload's
    try:
        found = _load(request, token)
        table = found.table()
        report = import_table(
            found.ledger_type,
            found.unit,
            table,
            found.column_map(),
            actor=Actor.from_request(request),
            dry_run=True,
        )
        # A file this large is imported by the worker once confirmed (the button says so).
        background = _rows(found, table) > settings.LEDGER_IMPORT_JOB_ROWS
    except uploads.UploadExpired:
        return _expired(request)
    except ImportFailure as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import_mapping", token=token)
    context = {"here": HERE, "upload": found, "report": report}
    context.update(background=background, threshold=settings.LEDGER_IMPORT_JOB_ROWS)
    return render(request, "ledgers/import_check.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4: write every row, or none when any is bad (the data may have changed since).

    Where the file overlaps records of another source, the button pressed says whether
    they are replaced or added to; without that choice nothing is written.
    """
    _require_some_unit(request)  # before the token: the same 403 as the upload's
    chosen = request.POST.get("overlap", "")
    try:
        found = _load(request, token)
        table = found.table()
        if _rows(found, table) > settings.LEDGER_IMPORT_JOB_ROWS:
            return _in_background(request, found, table, chosen)
        report = import_table(
            found.ledger_type,
            found.unit,
            table,
            found.column_map(),
            actor=Actor.from_request(request),
            overlap=chosen if chosen in (sources.REPLACE, sources.ADD) else sources.ASK,
        )
    except uploads.UploadExpired:
        return _expired(request)
    except ImportFailure as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import_mapping", token=token)
    if not report.ok or report.needs_choice:
        messages.error(request, report.summary())
        return redirect("ledgers:import_check", token=token)
    uploads.discard(token)
    messages.success(request, report.summary())
    for line in report.warnings:
        messages.warning(request, line)
    return redirect(records_url(found.ledger_type, found.unit))


def _rows(found: _Upload, table: Table) -> int:
    """How many rows of the file lie below its header (the records an import would write)."""
    header = plan_columns(found.ledger_type, table, found.column_map()).header_row
    return sum(1 for number, _cells in table.rows if number > header)


def _in_background(request: HttpRequest, found: _Upload, table: Table, chosen: str) -> HttpResponse:
    """A large file is imported by the worker (``jixiao.jobs.ledger_import``): the upload is
    kept in the jobs' files dir until the job ends, and the person goes to the job's page."""
    from jixiao.jobs.ledger_import import KIND, keep_upload
    from jixiao.jobs.services import enqueue_job, job_url

    column_map = found.column_map()
    params = {
        "file": keep_upload(found.path),
        "name": table.name,
        "unit": found.unit.pk,
        "ledger_type": found.ledger_type.pk,
        "by": request.user.pk,
        "rows": _rows(found, table),
        "columns": column_map.columns if column_map else None,
        "values": column_map.values if column_map else {},
        "header_row": column_map.header_row if column_map else None,
        "mapping_name": column_map.name if column_map else "",
        "overlap": chosen if chosen in (sources.REPLACE, sources.ADD) else sources.ASK,
        "back": records_url(found.ledger_type, found.unit),
    }
    job = enqueue_job(KIND, params, actor=Actor.from_request(request))
    uploads.discard(found.token)
    messages.info(request, f"文件共 {params['rows']} 行，正在后台导入；完成后“消息”中会通知您。")
    return redirect(job_url(job))


def records_url(ledger_type: LedgerType, unit: Unit) -> str:
    """The ledger's record list for the unit, else the ledgers page."""
    try:
        url = reverse("ledgers:records", args=[ledger_type.code])
    except NoReverseMatch:
        return reverse("ledgers:index")
    return f"{url}?{urlencode({'unit': unit_key(unit)})}"


@login_required
@require_safe
def export_pick(request: HttpRequest) -> HttpResponse:
    """The export form's target: the download URL of the ledger, format, unit and year chosen."""
    code = request.GET.get("type", "")
    fmt = request.GET.get("format", "xlsx")
    if not _CODE.fullmatch(code) or fmt not in FORMATS:
        raise Http404("请选择台账和文件格式")
    query = {k: request.GET[k].strip() for k in ("unit", "year") if request.GET.get(k, "").strip()}
    if "year" in query and year_or_none(query["year"]) is None:
        raise Http404(f"年度不正确：{query['year'][:20]}")
    url = reverse("ledgers:export", args=[code, fmt])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
@require_safe
def export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A ledger's records as an xlsx or csv download, optionally one unit's, one year's.

    Without a unit, the records of every unit the person reaches.
    """
    if fmt not in FORMATS:
        raise Http404(f"不支持的格式：{fmt}")
    key = request.GET.get("unit", "")
    unit = get_unit_for_user(request.user, key) if key else None
    year_text = request.GET.get("year", "").strip()
    year = year_or_none(year_text)
    if year_text and year is None:
        raise Http404(f"年度不正确：{year_text[:20]}")
    types = LedgerType.objects.filter(code=code)
    ledger_type = (types.filter(unit=unit).first() if unit else None) or types.filter(
        unit__isnull=True
    ).first()
    if ledger_type is None:
        raise Http404(f"没有代码为“{code}”的台账")
    within = None if unit is not None else units_for(request.user)
    data = export_entries(ledger_type, fmt, unit=unit, year=year, units=within)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    # Chinese file names need RFC 5987's filename*=utf-8''…, which this helper writes.
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(ledger_type, fmt, unit=unit, year=year)
    )
    return response
