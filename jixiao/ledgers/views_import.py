"""Ledger import and export pages: upload -> column mapping -> check (nothing written) ->
confirm (all rows written or none); and the CSV/Excel download of a ledger.

The upload waits under ``UPLOAD_DIR/<token>/`` (``jixiao.targets.uploads``) beside a small
JSON file holding the choices made so far, so every step reads the file the user sent.
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
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from jixiao.importers.grid import ImportFailure
from jixiao.ledgers.exporting import FORMATS, export_entries, export_filename
from jixiao.ledgers.forms_import import MappingForm, UploadForm
from jixiao.ledgers.importing import (
    ColumnMap,
    Plan,
    import_table,
    missing_message,
    plan_columns,
    save_mapping,
)
from jixiao.ledgers.io import Table, read_table
from jixiao.ledgers.models import ImportMapping, LedgerType
from jixiao.ledgers.values import is_blank
from jixiao.lib.picker import unit_key
from jixiao.targets import uploads
from jixiao.targets.forms import unit_for_key
from jixiao.units.models import Unit

logger = logging.getLogger(__name__)

HERE = "ledgers"  # tells the navigation which section is open
STATE_FILE = "ledger-import.json"
SAMPLES = 3  # example values shown beside each source column
_TOKEN = re.compile(r"[0-9a-f]{32}")


@dataclass
class _Upload:
    """An upload waiting between the steps, with the choices made so far."""

    token: str
    path: Path
    state: dict[str, Any]
    unit: Unit
    ledger_type: LedgerType

    def column_map(self) -> ColumnMap | None:
        """The mapping chosen so far: the columns as confirmed, a saved one, or automatic."""
        if self.state.get("columns") is not None:
            return ColumnMap(
                columns=self.state["columns"],
                values=self.state.get("values") or {},
                header_row=self.state.get("header_row"),
                name=self.state.get("mapping_name", ""),
            )
        mapping = ImportMapping.objects.filter(pk=self.state.get("mapping")).first()
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


def _load(token: str) -> _Upload:
    """The upload a token names; UploadExpired when gone, too old or no longer importable."""
    # The token comes from the URL: anything but our own hex names could point elsewhere.
    if not _TOKEN.fullmatch(token or ""):
        raise uploads.UploadExpired(token)
    folder = Path(settings.UPLOAD_DIR) / token
    try:
        state_path = folder / STATE_FILE
        if time.time() - state_path.stat().st_mtime > uploads.MAX_AGE_SECONDS:
            raise uploads.UploadExpired(token)
        state = json.loads(state_path.read_text(encoding="utf-8"))
        unit = Unit.objects.get(pk=state["unit"])
        ledger_type = LedgerType.objects.get(pk=state["ledger_type"])
        path = folder / uploads.safe_name(state["file"])
    except (OSError, ValueError, KeyError, Unit.DoesNotExist, LedgerType.DoesNotExist) as exc:
        raise uploads.UploadExpired(token) from exc
    return _Upload(token, path, state, unit, ledger_type)


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, "上传的文件已过期，请重新上传。")
    return redirect("ledgers:import")


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1: the file, the unit, the ledger and the mapping; the file is read, not imported."""
    if request.method != "POST":
        form = UploadForm(initial=_upload_initial(request))
        return render(request, "ledgers/import_upload.html", _upload_context(form))
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload_file = form.cleaned_data["file"]
        token, path = uploads.save(upload_file.name, upload_file.chunks())
        state = {
            "unit": form.cleaned_data["unit"].pk,
            "ledger_type": form.cleaned_data["ledger_type"].pk,
            "file": path.name,
            "mapping": form.mapping_id(),
            "columns": None,
        }
        _write_state(path.parent, state)
        try:
            found = _load(token)
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
    return render(request, "ledgers/import_upload.html", _upload_context(form))


def _upload_initial(request: HttpRequest) -> dict[str, Any]:
    """Preselect the unit and ledger a link names (?unit=224001&type=opinion)."""
    initial: dict[str, Any] = {}
    units = list(Unit.objects.all()[:2])
    unit = unit_for_key(request.GET.get("unit", "")) or (units[0] if len(units) == 1 else None)
    if unit is not None:
        initial["unit"] = unit.pk
    code = request.GET.get("type", "")
    if code:
        types = LedgerType.objects.filter(code=code)
        found = (types.filter(unit=unit).first() if unit else None) or types.filter(
            unit__isnull=True
        ).first()
        if found is not None:
            initial["ledger_type"] = found.pk
    return initial


def _upload_context(form: UploadForm) -> dict[str, Any]:
    return {
        "here": HERE,
        "form": form,
        "export_types": LedgerType.objects.filter(unit__isnull=True),
        "units": Unit.objects.all(),
        "formats": list(FORMATS),
    }


@login_required
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """Step 2: what each source column becomes, prefilled; optionally saved under a name."""
    try:
        found = _load(token)
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
                    found.ledger_type, form.cleaned_data["save_as"], chosen, actor=request.user
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
    try:
        found = _load(token)
        report = import_table(
            found.ledger_type,
            found.unit,
            found.table(),
            found.column_map(),
            actor=request.user,  # type: ignore[arg-type]
            dry_run=True,
        )
    except uploads.UploadExpired:
        return _expired(request)
    except ImportFailure as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import_mapping", token=token)
    context = {"here": HERE, "upload": found, "report": report}
    return render(request, "ledgers/import_check.html", context)


@login_required
@require_POST
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Step 4: write every row, or none when any is bad (the data may have changed since)."""
    try:
        found = _load(token)
        report = import_table(
            found.ledger_type,
            found.unit,
            found.table(),
            found.column_map(),
            actor=request.user,  # type: ignore[arg-type]
        )
    except uploads.UploadExpired:
        return _expired(request)
    except ImportFailure as exc:
        messages.error(request, str(exc))
        return redirect("ledgers:import_mapping", token=token)
    if not report.ok:
        messages.error(request, report.summary())
        return redirect("ledgers:import_check", token=token)
    uploads.discard(token)
    messages.success(request, report.summary())
    return redirect(_records_url(found.ledger_type, found.unit))


def _records_url(ledger_type: LedgerType, unit: Unit) -> str:
    """The ledger's record list for the unit, else the ledgers page."""
    try:
        url = reverse("ledgers:records", args=[ledger_type.code])
    except NoReverseMatch:
        return reverse("ledgers:index")
    return f"{url}?{urlencode({'unit': unit_key(unit)})}"


@login_required
def export_pick(request: HttpRequest) -> HttpResponse:
    """The export form's target: the download URL of the ledger, format, unit and year chosen."""
    code = request.GET.get("type", "")
    fmt = request.GET.get("format", "xlsx")
    if not code or fmt not in FORMATS:
        raise Http404("请选择台账和文件格式")
    query = {k: request.GET[k] for k in ("unit", "year") if request.GET.get(k, "").strip()}
    url = reverse("ledgers:export", args=[code, fmt])
    return redirect(f"{url}?{urlencode(query)}" if query else url)


@login_required
def export(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """A ledger's records as an xlsx or csv download, optionally one unit's, one year's."""
    if fmt not in FORMATS:
        raise Http404(f"不支持的格式：{fmt}")
    key = request.GET.get("unit", "")
    unit = unit_for_key(key) if key else None
    if key and unit is None:
        raise Http404(f"找不到预算单位：{key}")
    year_text = request.GET.get("year", "").strip()
    if year_text and not year_text.isdigit():
        raise Http404(f"年度应为数字：{year_text}")
    year = int(year_text) if year_text else None
    types = LedgerType.objects.filter(code=code)
    ledger_type = (types.filter(unit=unit).first() if unit else None) or types.filter(
        unit__isnull=True
    ).first()
    if ledger_type is None:
        raise Http404(f"没有代码为“{code}”的台账")
    data = export_entries(ledger_type, fmt, unit=unit, year=year)
    response = HttpResponse(data, content_type=FORMATS[fmt])
    # Chinese file names need RFC 5987's filename*=utf-8''…, which this helper writes.
    response["Content-Disposition"] = content_disposition_header(
        True, export_filename(ledger_type, fmt, unit=unit, year=year)
    )
    return response
