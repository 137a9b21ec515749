"""The target pages: a unit's targets for a year, the downloads, the import with its preview,
and each project's revision history. Thin adapters over services and the importers."""

from __future__ import annotations

import logging
from collections import defaultdict
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jixiao import importers
from jixiao.core.document import TargetDocument
from jixiao.exporters import CONTENT_TYPES, LABELS, SUFFIXES, export_targets
from jixiao.exporters.targets_layout import document_title
from jixiao.lib.actor import Actor
from jixiao.lib.picker import UnitYearForm, choose_unit_year, unit_key
from jixiao.targets import uploads
from jixiao.targets.choices import ImportStatus
from jixiao.targets.forms import ConfirmForm, UploadForm, unit_for_key
from jixiao.targets.models import Project, UnitGoal
from jixiao.targets.services import ImportResult, document_for, import_document, validate_document
from jixiao.targets.tables import change_line, project_blocks
from jixiao.units.models import Unit

logger = logging.getLogger(__name__)


def _years_by_unit() -> dict[int, list[int]]:
    """Each unit's years with projects or a department-wide goal, latest first."""
    pairs = set(Project.objects.values_list("unit_id", "year").distinct())
    pairs |= set(UnitGoal.objects.values_list("unit_id", "year"))
    years: dict[int, list[int]] = defaultdict(list)
    for unit_id, year in sorted(pairs, key=lambda pair: -pair[1]):
        years[unit_id].append(year)
    return years


def _page_url(key: str, year: int) -> str:
    """The unit-year page of a unit (named by unit_key) and year."""
    return f"{reverse('targets:index')}?{urlencode({'unit': key, 'year': year})}"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Pick a unit and year; see its department-wide goal and every project's target table."""
    choice = choose_unit_year(request.GET, _years_by_unit(), who=request.user)
    units, unit, years, asked, year = (
        choice.units,
        choice.unit,
        choice.years,
        choice.asked,
        choice.year,
    )
    context: dict[str, object] = {"unit": unit, "year": year, "has_units": bool(units)}
    if unit is not None:
        context["form"] = UnitYearForm(units, years, initial={"unit": unit_key(unit), "year": year})
    if asked is not None and year is not None and asked != year:
        context["notice"] = _("%(unit)s 没有 %(asked)s 年的绩效目标，下面是 %(year)s 年的。") % {
            "unit": unit,
            "asked": asked,
            "year": year,
        }
    if unit is not None and year is not None:
        document = document_for(unit, year)
        ids = Project.objects.filter(unit=unit, year=year).order_by("position", "id")
        # document_for lists projects in this same order, so the n-th block is the n-th id.
        history = {
            n: reverse("targets:history", args=[pk])
            for n, pk in enumerate(ids.values_list("pk", flat=True), start=1)
        }
        context.update(
            document=document,
            title=document_title(document),
            blocks=project_blocks(document, history),
            downloads=[
                (label, reverse("targets:export", args=[unit_key(unit), year, fmt]))
                for fmt, label in LABELS.items()
            ],
        )
    return render(request, "targets/index.html", context)


@login_required
def export(request: HttpRequest, unit: str, year: int, fmt: str) -> HttpResponse:
    """A unit's target tables for a year as an xlsx, docx or pdf download."""
    if fmt not in CONTENT_TYPES:
        raise Http404(_("不支持的格式：%(fmt)s") % {"fmt": fmt})
    found = unit_for_key(unit)
    if found is None:
        raise Http404(_("找不到预算单位：%(unit)s") % {"unit": unit})
    document = document_for(found, int(year))
    if document.unit_goal is None and not document.projects:
        raise Http404(_("该单位没有 %(year)s 年的绩效目标。") % {"year": year})
    try:
        data = export_targets(document, fmt)
    except (ImportError, OSError):
        if fmt != "pdf":
            raise
        # WeasyPrint loads Pango and friends when it is first imported; without them the other
        # formats still work, so say so instead of failing the whole request.
        logger.exception("PDF export unavailable")
        back = _page_url(unit, int(year))
        return render(request, "targets/pdf_unavailable.html", {"back": back}, status=503)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    # Chinese file names need RFC 5987's filename*=utf-8''…, which this helper writes.
    response["Content-Disposition"] = content_disposition_header(
        True, document_title(document) + SUFFIXES[fmt]
    )
    return response


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    """Step 1 of an import: read the upload and keep it for the preview; nothing is saved."""
    if request.method != "POST":
        return render(request, "targets/import.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        token, path = uploads.save(form.upload_name(), form.upload_chunks())
        try:
            document = importers.load_document(path)
        except importers.ImportFailure as exc:
            uploads.discard(token)
            form.add_error(None, str(exc))
        except Exception:
            # A reader tripping over a strange file must not cost the user a 500 page.
            logger.exception("reading upload %s failed", path.name)
            uploads.discard(token)
            form.add_error(
                None,
                _("无法读取文件「%(name)s」，请检查文件内容，或另存为其他格式后重试。")
                % {"name": path.name},
            )
        else:
            uploads.keep_document(token, document)
            return redirect("targets:preview", token=token)
    return render(request, "targets/import.html", {"form": form})


@login_required
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The parsed upload as it would be imported, with its warnings and problems."""
    try:
        name, document = uploads.load(token)
    except uploads.UploadExpired:
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return redirect("targets:import")
    try:
        validate_document(document)
        problems: list[str] = []
    except ValidationError as exc:
        problems = exc.messages
    context = {
        "name": name,
        "document": document,
        "title": document_title(document),
        "blocks": project_blocks(document),
        "problems": problems,
        "confirm_form": ConfirmForm(initial={"token": token}),
        "target_unit": _target_unit(document),
    }
    return render(request, "targets/preview.html", context)


def _target_unit(document: TargetDocument) -> Unit | None:
    """The registered unit a document would be imported into, None for a new one."""
    ref = document.unit
    if ref is None:
        return None
    if ref.code:
        return Unit.objects.filter(code=ref.code).first()
    return Unit.objects.filter(name=ref.name).first() if ref.name else None


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Step 2 of an import: write the previewed document, then show the unit and year."""
    token = ConfirmForm(request.POST).data.get("token", "")
    try:
        name, document = uploads.load(token)
    except uploads.UploadExpired:
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return redirect("targets:import")
    try:
        result = import_document(document, actor=Actor.from_request(request), source=name)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("targets:preview", token=token)
    uploads.discard(token)
    messages.success(request, _summary(result))
    return redirect(_page_url(unit_key(result.unit), result.year))


def _summary(result: ImportResult) -> str:
    """One Chinese sentence on what an import did to each object."""
    parts = []
    for obj in result.objects:
        text = f"{obj.label}：{ImportStatus(obj.status).label}"
        if obj.revision:
            text += _("，第 %(number)s 版") % {"number": obj.revision}
        if obj.changes:
            text += _("（%(count)s 处变化）") % {"count": len(obj.changes)}
        parts.append(text)
    head = _("已导入「%(source)s」：%(unit)s %(year)s 年") % {
        "source": result.source,
        "unit": result.unit,
        "year": result.year,
    }
    if result.unit_created:
        head += _("（新建单位）")
    return f"{head}。" + "；".join(parts) + "。"


@login_required
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's revisions, newest first, each with what changed."""
    project = get_object_or_404(Project.objects.select_related("unit"), pk=pk)
    revisions = project.revisions.select_related("created_by").order_by("-number")
    entries = [(rev, [change_line(c) for c in rev.changes]) for rev in revisions]
    back = _page_url(unit_key(project.unit), project.year)
    context = {"project": project, "entries": entries, "back": back}
    return render(request, "targets/history.html", context)
