"""Pages of target rounds (目标申报, 目标调整): the report as the unit's draft tables, with the
review's comments per row; each table edited in the target grid, saved as the report's draft.

Submitting, endorsing, returning and approving post to the loop's own URLs (``rounds:submit``,
``rounds:decide``), which call the same services as every round.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from jixiao import exporters
from jixiao.access.lookups import get_project_for_user, get_report_for_user
from jixiao.access.perms import can
from jixiao.lib.actor import Actor
from jixiao.publication.rendering import html_blocks
from jixiao.rounds.choices import EDITABLE, ReportStatus
from jixiao.rounds.forms import ReviewForm, comment_name
from jixiao.rounds.models import Report, ReviewComment, Submission
from jixiao.rounds.target_document import ProjectDraft, build_round_layout
from jixiao.rounds.target_goal import (
    GOAL_COMMENT,
    goal_moved_since_draft,
    rebase_goal_draft,
    report_goal,
    save_goal_draft,
)
from jixiao.rounds.targets import (
    draft_table,
    draft_tables,
    frozen_targets_document,
    is_target_round,
    live_targets_document,
    moved_since_draft,
    new_row_comment_name,
    rebase_target_draft,
    row_path,
    save_target_draft,
)
from jixiao.targets.choices import MoneyUnit
from jixiao.targets.editing import (
    TableEdit,
    apply_op,
    edit_from_post,
    edit_of,
    targets_of,
    with_readings,
)
from jixiao.targets.models import Project
from jixiao.targets.tables import merge_levels
from jixiao.targets.views import goal_form_context, goal_part_from_post


def targets_report(request: HttpRequest, report: Report) -> HttpResponse:
    """The report of a target round: each project's table as the report holds it, the row
    comments of the return being corrected, and the loop's buttons."""
    who = request.user
    editing = report.status in EDITABLE and can(who, "edit", report)
    endorsing = report.status == ReportStatus.UNIT_REVIEW and can(who, "endorse_report", report)
    reviewing = report.status == ReportStatus.SUBMITTED and can(who, "review_report", report)
    submissions = list(report.submissions.order_by("-number"))
    on_rows: dict[int, list[ReviewComment]] = {}
    on_new: dict[tuple[int, str], list[ReviewComment]] = {}
    on_project: dict[int, list[ReviewComment]] = {}
    on_goal: list[ReviewComment] = []
    if report.status == ReportStatus.RETURNED and submissions:
        for row in submissions[0].row_comments.all():
            if row.project_id is None:
                on_goal.append(row)
            elif row.indicator_id is not None:
                on_rows.setdefault(row.indicator_id, []).append(row)
            elif row.new_row:
                on_new.setdefault((row.project_id, row.new_row), []).append(row)
            else:
                on_project.setdefault(row.project_id, []).append(row)
    deciding = endorsing or reviewing
    compared = _compared(report)
    tables = []
    for table in draft_tables(report):
        rows = []
        project_id = table.project.pk
        against = compared.get(project_id)
        marks = against.row_marks() if against is not None else []
        if len(marks) != len(table.row_ids):
            marks = [None] * len(table.row_ids)
        grids = merge_levels(table.targets.indicators)
        shown: set[tuple[int, str]] = set()
        for index, (grid, pk, mark) in enumerate(zip(grids, table.row_ids, marks, strict=True)):
            if pk is None:
                key = (project_id, row_path(grid.indicator))
                said = on_new.get(key, [])
                shown.add(key)
                name = new_row_comment_name(project_id, index) if deciding else ""
            else:
                said = on_rows.get(pk, [])
                name = comment_name(pk) if deciding else ""
            rows.append(
                {
                    "grid": grid,
                    "id": pk,
                    "mark": mark,
                    "comments": said,
                    "comment_name": name,
                }
            )
        # Comments on new rows renamed or removed since, and on the project as a whole.
        elsewhere = on_project.get(project_id, []) + [
            c
            for key, said in on_new.items()
            if key[0] == project_id and key not in shown
            for c in said
        ]
        moved = moved_since_draft(table.draft) if table.draft is not None else []
        tables.append(
            {
                "table": table,
                "rows": rows,
                "summary": against.summary() if against is not None else "",
                "elsewhere": elsewhere,
                "moved": moved,
                "rebase_url": reverse("rounds:rebase", args=[report.pk, project_id])
                if editing and moved
                else "",
                "edit_url": reverse("rounds:draft", args=[report.pk, table.project.pk])
                if editing
                else "",
            }
        )
    context: dict[str, Any] = {
        "report": report,
        "round": report.round,
        "here": "rounds",
        "goal": _goal_item(report, editing, on_goal, GOAL_COMMENT if deciding else ""),
        "tables": tables,
        "editing": editing,
        "endorsing": endorsing,
        "reviewing": reviewing,
        "review_form": ReviewForm(),
        "submissions": submissions,
        "downloads": [
            (label, reverse("rounds:report_download", args=[report.pk, fmt]))
            for fmt, label in exporters.LABELS.items()
        ],
        "events": report.events.select_related("actor").order_by("-at", "-id"),
    }
    return render(request, "rounds/targets_report.html", context)


def _goal_item(
    report: Report, editing: bool, comments: list[ReviewComment], comment_name: str
) -> dict[str, Any] | None:
    """The unit-wide goal as the report shows it: the draft (live while the unit fills it,
    else as frozen in the latest submission), whether and how it differs from the goal in
    force, for the unit its edit and rebase links and the last return's comments on it, for
    the head or the reviewer the name of its comment box."""
    submission = report.latest_submission()
    if report.status in EDITABLE or submission is None:
        found = report_goal(report)
        if found is None:
            return None
        part, summary, changed = found.part, found.summary(), found.changed
        moved = goal_moved_since_draft(found.draft) if found.draft is not None else []
    else:
        frozen = frozen_targets_document(report, submission)
        if frozen.unit_goal is None:
            return None
        part, summary, changed = frozen.unit_goal, frozen.goal_summary(), frozen.goal_changed
        moved = []
    return {
        "part": part,
        "changed": changed,
        "summary": summary,
        "moved": moved,
        "comments": comments,
        "comment_name": comment_name,
        "edit_url": reverse("rounds:goal_draft", args=[report.pk]) if editing else "",
        "rebase_url": reverse("rounds:goal_rebase", args=[report.pk]) if editing and moved else "",
    }


def _compared(report: Report) -> dict[int, ProjectDraft]:
    """Each project's table as the report shows it, beside the table it is compared with:
    the table in force now while the unit fills it, else the one frozen with the submission."""
    submission = report.latest_submission()
    if report.status in EDITABLE or submission is None:
        document = live_targets_document(report)
    else:
        document = frozen_targets_document(report, submission)
    return {p.project_id: p for p in document.projects}


def targets_submission(request: HttpRequest, report: Report, found: Submission) -> HttpResponse:
    """A target round's submission: the tables as frozen, as the official table with the
    changes against the table in force marked, and the comments made on returning it."""
    document = frozen_targets_document(report, found)
    comments = list(found.row_comments.select_related("created_by", "indicator", "project"))
    context = {
        "report": report,
        "round": report.round,
        "submission": found,
        "blocks": html_blocks(build_round_layout(document)),
        "comments": comments,
        "here": "rounds",
    }
    return render(request, "rounds/targets_submission.html", context)


def _editable_draft(request: HttpRequest, pk: int, project_id: int) -> tuple[Report, Project]:
    """A target round's report and one of its unit's projects, when the person may edit it."""
    report = _editable_report(request, pk)
    found = get_project_for_user(request.user, project_id)
    if found.unit_id != report.unit_id:
        raise PermissionDenied(_("该项目不属于本填报。"))
    return report, found


@login_required
@require_POST
def rebase(request: HttpRequest, pk: int, project_id: int) -> HttpResponse:
    """更新草稿到现行目标表: apply the unit's edits to the table in force as it is now."""
    report, found = _editable_draft(request, pk, project_id)
    try:
        rebased = rebase_target_draft(report, found, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("「%(name)s」的草稿已更新到现行目标表（第 %(v)s 版），请核对后提交。")
            % {"name": found.label, "v": rebased.draft.base_version},
        )
        for line in rebased.conflicts:
            messages.warning(request, line)
    return redirect(reverse("rounds:report", args=[report.pk]) + f"#project-{found.pk}")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def draft(request: HttpRequest, pk: int, project_id: int) -> HttpResponse:
    """Edit a project's table in a target round: the target grid, saved as the report's draft
    (the table in force is unchanged until the bureau approves the report)."""
    report, found = _editable_draft(request, pk, project_id)
    table = draft_table(report, found)
    if request.method != "POST":
        return _page(request, report, found, edit_of(table.targets, table.row_ids, table.version))
    state = edit_from_post(request.POST)
    op = request.POST.get("op", "")
    if op != "save":
        return _page(request, report, found, apply_op(state, op))
    targets, ids = targets_of(state, year=found.year)
    if state.has_errors:
        return _page(request, report, found, state, [_("表中有错误，请按提示修改后再保存。")])
    try:
        save_target_draft(
            report,
            found,
            targets,
            row_ids=ids,
            version=state.version,
            actor=Actor.from_request(request),
        )
    except ValidationError as exc:
        return _page(request, report, found, state, list(exc.messages))
    messages.success(
        request, _("已保存「%(name)s」的目标表草稿（审核通过后生效）。") % {"name": found.label}
    )
    url = reverse("rounds:report", args=[report.pk])
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _page(
    request: HttpRequest,
    report: Report,
    project: Any,
    edit: TableEdit,
    problems: list[str] | None = None,
) -> HttpResponse:
    back = reverse("rounds:report", args=[report.pk])
    context = {
        "project": project,
        "edit": with_readings(edit.span(), year=project.year),
        "problems": problems or [],
        "money_units": MoneyUnit.choices,
        "back": back,
        "back_label": str(report),
        "action_url": reverse("rounds:draft", args=[report.pk, project.pk]),
        "parse_url": reverse("targets:parse"),
        "hint": _("这是%(round)s中的草稿：保存后不改变正在执行的目标表，财政审核通过后才生效。")
        % {"round": report.round},
        "here": "rounds",
    }
    return render(request, "targets/edit.html", context)


def _editable_report(request: HttpRequest, pk: int) -> Report:
    """A target round's report, when the person may edit it."""
    report: Report = get_report_for_user(request.user, pk)
    if not is_target_round(report):
        raise PermissionDenied(_("该填报不是目标申报或目标调整。"))
    if not can(request.user, "edit", report):
        raise PermissionDenied(_("只有本单位的填报员或单位负责人可以修改本单位的绩效目标。"))
    return report


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def goal_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the unit-wide goal in a target round (编辑部门整体目标): the goal editor's form,
    saved as the report's goal draft (the goal in force is unchanged until approval)."""
    report = _editable_report(request, pk)
    found = report_goal(report)
    if found is None:
        raise Http404(_("本单位本年度没有部门整体绩效目标。"))
    back = reverse("rounds:report", args=[report.pk]) + "#unit-goal"
    problems: list[str] = []
    version: int | None
    if request.method != "POST":
        part, version, boxes = found.part, found.version, len(found.part.sub_goals)
    else:
        part, version, boxes = goal_part_from_post(request.POST)
        if request.POST.get("op") == "add":
            boxes = len(part.sub_goals) + 1
        else:
            try:
                save_goal_draft(report, part, version=version, actor=Actor.from_request(request))
            except ValidationError as exc:
                problems = list(exc.messages)
            else:
                messages.success(request, _("已保存部门整体绩效目标草稿（审核通过后生效）。"))
                return redirect(back)
    context = {
        **goal_form_context(part, version, boxes, problems),
        "goal": found.goal,
        "back": back,
        "back_label": str(report),
        "hint": _(
            "这是%(round)s中的草稿：保存后不改变正在执行的部门整体绩效目标，财政审核通过后才生效。"
        )
        % {"round": report.round},
        "here": "rounds",
    }
    return render(request, "targets/goal_edit.html", context)


@login_required
@require_POST
def goal_rebase(request: HttpRequest, pk: int) -> HttpResponse:
    """更新草稿到现行整体目标: apply the unit's goal edits to the goal in force as it is now."""
    report = _editable_report(request, pk)
    try:
        draft, conflicts = rebase_goal_draft(report, actor=Actor.from_request(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("部门整体绩效目标草稿已更新到现行整体目标（第 %(v)s 版），请核对后提交。")
            % {"v": draft.base_version},
        )
        for line in conflicts:
            messages.warning(request, line)
    return redirect(reverse("rounds:report", args=[report.pk]) + "#unit-goal")
