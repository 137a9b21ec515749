"""The target pages: a unit's targets for a year, the downloads, the import with its preview,
and each project's revision history. Thin adapters over services and the importers.

Every page reaches units and projects through the access seam (404 outside reach); the import
is for the people who keep a unit's data (others get 403), and only into a unit they keep.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from jixiao import importers
from jixiao.access.lookups import (
    _pk,
    get_for_user,
    get_project_for_user,
    get_unit_for_user,
)
from jixiao.access.perms import can
from jixiao.access.scope import reach_ids, units_for
from jixiao.audit.history import history_context
from jixiao.core.document import Confirmation, TargetDocument, UnitGoalPart, UnitRef
from jixiao.core.document import SubGoal as SubGoalPart
from jixiao.exporters import CONTENT_TYPES, LABELS, SUFFIXES, export_targets
from jixiao.exporters.targets_layout import document_title
from jixiao.importers.pages import slow_to_read
from jixiao.jobs.services import enqueue_job, job_url
from jixiao.jobs.target_read import KIND as READ_TARGETS
from jixiao.jobs.target_read import unreadable
from jixiao.jobs.views import start_export, start_page
from jixiao.lib import fragments
from jixiao.lib.actor import Actor
from jixiao.lib.params import require_choice, require_id, require_year
from jixiao.lib.picker import UnitYearForm, choose_unit_year, unit_key
from jixiao.targets import uploads
from jixiao.targets.choices import ImportStatus, MoneyUnit
from jixiao.targets.editing import (
    TableEdit,
    apply_op,
    edit_from_post,
    edit_of,
    read_target,
    targets_of,
    with_readings,
)
from jixiao.targets.forms import CHOICE_FIELDS, ConfirmForm, UploadForm
from jixiao.targets.models import Indicator, Project, UnitGoal
from jixiao.targets.questions import PLACEHOLDER_UNIT, questions_for, with_answers
from jixiao.targets.services import (
    ImportResult,
    RemovalNeedsConfirmation,
    document_for,
    import_document,
    may_import,
    pending_removals,
    removed_indicators,
    restore_indicator,
    save_project_targets,
    save_unit_goal,
    table_version,
    unit_goal_version,
    validate_document,
)
from jixiao.targets.tables import change_line, project_blocks
from jixiao.units.models import Unit

logger = logging.getLogger(__name__)

# OCR'd values read with less confidence than this are highlighted for a closer look.
LOW_CONFIDENCE = Decimal("0.80")
NOT_AN_EDITOR = _("只有预算单位的填报员或单位负责人可以导入绩效目标。")


def _require_importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied(NOT_AN_EDITOR)


def _refusal(document: TargetDocument) -> str:
    ref = document.unit
    name = " ".join(p for p in ((ref.code, ref.name) if ref else ()) if p) or _("（无单位）")
    return _("您只能导入本单位的绩效目标：文件中的预算单位「%(unit)s」不是您可以修改的单位。") % {
        "unit": name
    }


def _years_by_unit(who: Any) -> dict[int, list[int]]:
    """Each reachable unit's years with projects or a department-wide goal, latest first."""
    units = units_for(who)
    pairs = set(Project.objects.filter(unit__in=units).values_list("unit_id", "year").distinct())
    pairs |= set(UnitGoal.objects.filter(unit__in=units).values_list("unit_id", "year"))
    years: dict[int, list[int]] = defaultdict(list)
    for unit_id, year in sorted(pairs, key=lambda pair: -pair[1]):
        years[unit_id].append(year)
    return years


def _page_url(key: str, year: int) -> str:
    """The unit-year page of a unit (named by unit_key) and year."""
    return f"{reverse('targets:index')}?{urlencode({'unit': key, 'year': year})}"


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """Pick a unit and year; see its department-wide goal and every project's target table."""
    years_by_unit = fragments.cached(
        "targets-years",
        units=reach_ids(request.user),
        user=request.user,
        parts=(),
        compute=lambda: _years_by_unit(request.user),
    )
    choice = choose_unit_year(request.GET, years_by_unit, who=request.user)
    units, unit, years, asked, year = (
        choice.units,
        choice.unit,
        choice.years,
        choice.asked,
        choice.year,
    )
    context: dict[str, object] = {
        "unit": unit,
        "year": year,
        "has_units": bool(units),
        "may_import": may_import(request.user),
    }
    if unit is not None:
        context["form"] = UnitYearForm(units, years, initial={"unit": unit_key(unit), "year": year})
    if asked is not None and year is not None and asked != year:
        context["notice"] = _("%(unit)s 没有 %(asked)s 年的绩效目标，下面是 %(year)s 年的。") % {
            "unit": unit,
            "asked": asked,
            "year": year,
        }
    if unit is not None and year is not None:
        shown = fragments.cached(
            "targets-document",
            units=[unit.pk],
            user=request.user,
            parts=(unit.pk, year),
            compute=lambda: _document_html(request, unit, year),
        )
        if shown is not None:
            context.update(title=shown[0], document_html=fragments.with_token(shown[1], request))
        context.update(
            downloads=[
                (
                    label,
                    # A whole unit's file is made in the background (jixiao.jobs).
                    reverse("targets:export", args=[unit_key(unit), year, fmt]) + "?background=1",
                )
                for fmt, label in LABELS.items()
            ],
        )
    return render(request, "targets/index.html", context)


def _document_html(request: HttpRequest, unit: Unit, year: int) -> tuple[str, str] | None:
    """The unit's targets of the year as the page shows them: (title, HTML), None if none."""
    document = document_for(unit, year)
    if document.unit_goal is None and not document.projects:
        return None
    ids = Project.objects.filter(unit=unit, year=year).order_by("position", "id")
    # document_for lists projects in this same order, so the n-th block is the n-th id.
    numbered = list(enumerate(ids.values_list("pk", flat=True), start=1))
    history = {n: reverse("targets:history", args=[pk]) for n, pk in numbered}
    edits = {}
    goal_url = ""
    if can(request.user, "edit", unit):
        edits = {n: reverse("targets:edit", args=[pk]) for n, pk in numbered}
        goal = UnitGoal.objects.filter(unit=unit, year=year).values_list("pk", flat=True).first()
        goal_url = "" if goal is None else reverse("targets:goal_edit", args=[goal])
    title = document_title(document)
    blocks = project_blocks(document, history, edits)
    context = {"document": document, "title": title, "blocks": blocks, "goal_url": goal_url}
    return title, fragments.render("targets/_document.html", context, request)
    return render(request, "targets/index.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def export(request: HttpRequest, unit: str, year: str, fmt: str) -> HttpResponse:
    """A unit's target tables for a year as an xlsx, docx or pdf download; made in the
    background (``jixiao.jobs``) on a POST, or from a link with ``background=1``."""
    fmt = require_choice(fmt, CONTENT_TYPES)
    number = require_year({"year": year})
    found = get_unit_for_user(request.user, unit)
    document = document_for(found, number)
    if document.unit_goal is None and not document.projects:
        raise Http404(_("该单位没有 %(year)s 年的绩效目标。") % {"year": number})
    if request.method == "POST" or request.GET.get("background") == "1":
        back = _page_url(unit_key(found), number)
        if request.method == "POST":
            params = {"unit": found.pk, "year": number, "fmt": fmt}
            return start_export(request, "export_targets", params, back=back)
        return start_page(request, document_title(document), cancel=back)
    try:
        data = export_targets(document, fmt)
    except (ImportError, OSError):
        if fmt != "pdf":
            raise
        # WeasyPrint loads Pango and friends when it is first imported; without them the other
        # formats still work, so say so instead of failing the whole request.
        logger.exception("PDF export unavailable")
        back = _page_url(unit_key(found), number)
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
    _require_importer(request)
    if request.method != "POST":
        return render(request, "targets/import.html", {"form": UploadForm()})
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        token, path = uploads.save(form.upload_name(), form.upload_chunks(), owner=request.user.pk)
        if slow_to_read(path, settings.TARGET_READ_JOB_PAGES):
            # A scan (OCR, about 4 s a page), a picture, a .doc or a long PDF is read by the
            # worker; the job's page shows the pages read, then links to the preview.
            job = enqueue_job(
                READ_TARGETS,
                {"upload": token, "by": request.user.pk},
                actor=Actor.from_request(request),
            )
            return redirect(job_url(job))
        try:
            document = importers.load_document(path)
        except importers.ImportFailure as exc:
            uploads.discard(token)
            form.add_error(None, str(exc))
        except Exception:
            # A reader tripping over a strange file must not cost the user a 500 page.
            logger.exception("reading upload %s failed", path.name)
            uploads.discard(token)
            form.add_error(None, unreadable(path.name))
        else:
            uploads.keep_document(token, document)
            return redirect("targets:preview", token=token)
    return render(request, "targets/import.html", {"form": form})


@login_required
@require_safe
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The parsed upload as it would be imported: the questions it leaves (unit, year, OCR'd
    values to check), its warnings with their places, its problems, and the indicators the
    import would remove (to be confirmed when they hold data). Nothing is saved here."""
    _require_importer(request)
    try:
        name, document = uploads.load(token, owner=request.user.pk)
    except uploads.UploadExpired:
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return redirect("targets:import")
    questions = questions_for(request.user, document, name)
    choice = uploads.load_choice(token)
    # After a refused confirmation the answers come back, with what was wrong with them.
    form = ConfirmForm(
        None if choice is None else {**choice, "token": token},
        initial={"token": token},
        questions=questions,
        who=request.user,
    )
    unit_ref: UnitRef | None = None
    year: int | None = None
    target = questions.unit
    if choice is not None and form.is_valid():
        unit_ref, year = form.answers()
        chosen = form.cleaned_data.get("unit")
        target = chosen if isinstance(chosen, Unit) else target
    if target is not None:
        unit_ref = _as_ref(target)
    elif questions.ask_unit and unit_ref is None:
        unit_ref = PLACEHOLDER_UNIT
    if questions.ask_year and year is None:
        year = questions.default_year
    planned = with_answers(document, unit_ref, year)
    problems: list[str] = []
    removals = []
    try:
        validate_document(planned)
    except ValidationError as exc:
        problems = exc.messages
    if questions.refused:
        problems.append(_refusal(document))
    elif not problems and target is not None:
        removals = pending_removals(planned)
    context = {
        "name": name,
        "document": document,
        "title": document_title(document),
        "blocks": project_blocks(document),
        "problems": problems,
        "removals": removals,
        "removals_held": any(r.holdings for r in removals),
        "confirm_form": form,
        "questions": questions,
        "confirmations": [_confirmation_row(c) for c in questions.to_confirm],
        # Which unit the document lands in is said only to someone who may import into it.
        "target_unit": target,
        # A unit to be created (a superuser's choice), named as it will be.
        "new_unit": unit_ref if target is None and unit_ref is not PLACEHOLDER_UNIT else None,
        "allowed": not questions.refused,
    }
    return render(request, "targets/preview.html", context)


def _as_ref(unit: Unit) -> UnitRef:
    # The register's name, not the file's: a short form in a file never renames a unit.
    return UnitRef(unit.code, unit.name)


def _confirmation_row(item: Confirmation) -> dict[str, object]:
    """One OCR'd value as the preview lists it, its confidence as a whole percent."""
    return {
        "where": item.where,
        "field": item.field,
        "text": item.text,
        "percent": f"{item.percent}%",
        "low": item.confidence < LOW_CONFIDENCE,
    }


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    """Step 2 of an import: with the preview's questions answered, write the previewed
    document, then show the unit and year. Anything refused goes back to the preview, which
    keeps the upload and the answers."""
    _require_importer(request)
    token = str(request.POST.get("token", ""))
    try:
        name, document = uploads.load(token, owner=request.user.pk)
    except uploads.UploadExpired:
        messages.error(request, _("上传的文件已过期，请重新上传。"))
        return redirect("targets:import")
    questions = questions_for(request.user, document, name)
    form = ConfirmForm(request.POST, questions=questions, who=request.user)
    uploads.keep_choice(
        token, {k: str(request.POST[k]) for k in CHOICE_FIELDS if k in request.POST}
    )
    if questions.refused:
        messages.error(request, _refusal(document))
        return redirect("targets:preview", token=token)
    if not form.is_valid():
        messages.error(request, _("还不能导入：请按下面的提示补全后再确认。"))
        return redirect("targets:preview", token=token)
    unit_ref, year = form.answers()
    if unit_ref is None and questions.unit is not None:
        unit_ref = _as_ref(questions.unit)
    try:
        result = import_document(
            with_answers(document, unit_ref, year),
            actor=Actor.from_request(request),
            source=name,
            confirm_removals=bool(form.cleaned_data.get("confirm_removals")),
        )
    except RemovalNeedsConfirmation as exc:
        messages.error(request, _("请勾选“确认移除”后再导入：") + "；".join(exc.messages[1:]))
        return redirect("targets:preview", token=token)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or NOT_AN_EDITOR)
        return redirect("targets:preview", token=token)
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
@require_safe
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """A project's revisions, newest first, each with what changed; its removed indicators
    (with a restore button for the unit's keepers); and its change log."""
    project = get_project_for_user(request.user, pk)
    revisions = project.revisions.select_related("created_by").order_by("-number")
    entries = [(rev, [change_line(c) for c in rev.changes]) for rev in revisions]
    back = _page_url(unit_key(project.unit), project.year)
    indicator_ids = [
        str(i) for i in Indicator.all_objects.filter(project=project).values_list("pk", flat=True)
    ]
    log = Q(object_type="targets.indicator", object_id__in=indicator_ids)
    context = {
        "project": project,
        "entries": entries,
        "back": back,
        "removed": removed_indicators(project),
        "may_edit": can(request.user, "edit", project),
        **history_context(project, extra=log),
    }
    return render(request, "targets/history.html", context)


@login_required
@require_POST
def restore(request: HttpRequest, pk: int) -> HttpResponse:
    """Bring back a removed indicator (with its metric, actuals and evidence)."""
    indicator = get_for_user(
        Indicator.all_objects.select_related("project__unit"), request.user, pk=require_id(str(pk))
    )
    try:
        restored = restore_indicator(indicator, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("已恢复指标「%(name)s」，其口径、实际完成值和佐证材料一并恢复。")
            % {"name": restored.level3},
        )
    return redirect("targets:history", pk=indicator.project_id)


def _require_editor(request: HttpRequest, project: Project) -> None:
    if not can(request.user, "edit", project):
        raise PermissionDenied(_("只有本单位的填报员或单位负责人可以修改本单位的绩效目标。"))


def _editor_page(
    request: HttpRequest, project: Project, edit: TableEdit, problems: list[str] | None = None
) -> HttpResponse:
    context = {
        "project": project,
        "edit": with_readings(edit.span(), year=project.year),
        "problems": problems or [],
        "money_units": MoneyUnit.choices,
        "back": _page_url(unit_key(project.unit), project.year),
        "action_url": reverse("targets:edit", args=[project.pk]),
        "parse_url": reverse("targets:parse"),
    }
    return render(request, "targets/edit.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit a project's table in a grid drawn like the printed one; saving records a revision.

    Add, remove and move buttons re-draw the grid from what was posted (nothing is saved);
    ``op=save`` writes the table through ``save_project_targets``. Without JavaScript each
    button posts the form; with htmx the grid is swapped in place.
    """
    project = get_project_for_user(request.user, pk)
    _require_editor(request, project)
    if request.method != "POST":
        rows = list(project.indicators.all())
        state = edit_of(project.as_targets(), [i.pk for i in rows], table_version(project))
        return _editor_page(request, project, state)
    state = edit_from_post(request.POST)
    op = request.POST.get("op", "")
    if op != "save":
        return _editor_page(request, project, apply_op(state, op))
    targets, ids = targets_of(state, year=project.year)
    if state.has_errors:
        return _editor_page(request, project, state, [_("表中有错误，请按提示修改后再保存。")])
    try:
        result = save_project_targets(
            project,
            targets,
            actor=Actor.from_request(request),
            row_ids=ids,
            version=state.version,
        )
    except ValidationError as exc:
        # A stale table keeps the person's edits on the page, beside what changed meanwhile.
        return _editor_page(request, project, state, list(exc.messages))
    if result.revision is None:
        messages.info(request, _("绩效目标表没有变化。"))
    else:
        messages.success(
            request,
            _("已保存「%(name)s」的绩效目标表，第 %(number)s 版。")
            % {"name": project.label, "number": result.revision},
        )
    url = reverse("targets:history", args=[project.pk])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


@login_required
@require_safe
def parse(request: HttpRequest) -> HttpResponse:
    """What the parser reads in a typed target (the grid asks as the person types)."""
    text = next(
        (str(v) for k, v in request.GET.items() if k == "target" or k.endswith("-target")), ""
    )
    year = None
    if request.GET.get("year", "").isdigit():
        year = int(request.GET["year"])
    reading = read_target(text, year=year) if text.strip() else None
    return render(request, "targets/_reading.html", {"reading": reading})


def goal_part_from_post(data: Any) -> tuple[UnitGoalPart, int | None, int]:
    """The unit-wide goal as posted: (part, version read, sub-goal boxes to draw). A sub-goal
    whose title is left empty is dropped; safeguards are one a line."""

    def text(name: str) -> str:
        return str(data.get(name, "")).replace("\r\n", "\n").strip()

    count = min(require_count(data.get("subs")), 200)
    subs = []
    for n in range(count):
        title = text(f"sub-{n}-title")
        if title:
            subs.append(
                SubGoalPart(
                    title=title,
                    goal=text(f"sub-{n}-goal") or None,
                    indicators=text(f"sub-{n}-indicators") or None,
                )
            )
    safeguards = [line.strip() for line in text("safeguards").split("\n") if line.strip()]
    version = data.get("version")
    part = UnitGoalPart(overall=text("overall") or None, sub_goals=subs, safeguards=safeguards)
    return part, int(version) if str(version or "").isdigit() else None, count


def require_count(value: Any) -> int:
    """A posted count of boxes (0 when missing or not a number)."""
    return int(value) if str(value or "").isdigit() else 0


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the unit-wide goal (单位整体目标: 总体目标, 分项目标, 保障措施) where the unit has
    one; saving records a revision like the grid does."""
    goal = get_for_user(UnitGoal.objects.select_related("unit"), request.user, pk=_pk(pk))
    if not can(request.user, "edit", goal.unit):
        raise PermissionDenied(_("只有本单位的填报员或单位负责人可以修改本单位的绩效目标。"))
    back = (
        reverse("targets:index") + "?" + urlencode({"unit": unit_key(goal.unit), "year": goal.year})
    )
    problems: list[str] = []
    version: int | None
    if request.method != "POST":
        part, version = goal.as_part(), unit_goal_version(goal)
        boxes = len(part.sub_goals)
    else:
        part, version, boxes = goal_part_from_post(request.POST)
        if request.POST.get("op") == "add":
            boxes = len(part.sub_goals) + 1
        else:
            try:
                result = save_unit_goal(
                    goal, part, actor=Actor.from_request(request), version=version
                )
            except ValidationError as exc:
                problems = list(exc.messages)
            else:
                if result.revision is None:
                    messages.info(request, _("单位整体绩效目标没有变化。"))
                else:
                    messages.success(
                        request,
                        _("已保存单位整体绩效目标，第 %(n)s 版。") % {"n": result.revision},
                    )
                return redirect(back)
    context = {
        **goal_form_context(part, version, boxes, problems),
        "goal": goal,
        "back": back,
        "here": "targets",
    }
    return render(request, "targets/goal_edit.html", context)


def goal_form_context(
    part: UnitGoalPart, version: int | None, boxes: int, problems: list[str]
) -> dict[str, Any]:
    """What ``targets/goal_edit.html`` draws the goal's form from (the direct editor and a
    target round's goal draft): the part, ``boxes`` sub-goal boxes, the version read."""
    subs = list(part.sub_goals) + [SubGoalPart(title="")] * max(0, boxes - len(part.sub_goals))
    return {
        "part": part,
        "subs": subs,
        "safeguards": "\n".join(part.safeguards),
        "version": version,
        "problems": problems,
    }
