"""A target round's report as a document: the draft tables in the official layout with the
changes against the table in force marked (live and as submitted), its downloads, and the
approval refused when the table in force was edited after the draft was started."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document as read_docx
from openpyxl import load_workbook

from conftest import Org
from jixiao.exporters.targets_layout import Table
from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds import targets as target_rounds
from jixiao.rounds.choices import Action, ReportStatus, RoundKind
from jixiao.rounds.models import Report, ReportEvent, ReviewComment, TargetDraft
from jixiao.rounds.target_document import (
    ADDED_FILL,
    CHANGED_FILL,
    TargetRoundDocument,
    build_round_layout,
)
from jixiao.system.demo.services import load_demo
from jixiao.targets.editing import edit_of, targets_of
from jixiao.targets.models import Indicator, Project
from jixiao.targets.services import save_project_targets, table_version
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

NAME = "舆情监测预警、研判分析数"
NEW = "网络安全宣传活动场次"


@pytest.fixture
def unit(org: Org) -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def adjustment(unit: Unit, bureau_admin: User) -> Report:
    round_ = services.open_round(
        kind=RoundKind.ADJUSTMENT,
        year=2021,
        due_on=dt.date(2021, 7, 15),
        bureau=unit.finance_bureau,
        actor=Actor(bureau_admin),
    )
    return Report.objects.get(round=round_, unit=unit)


def project_of(unit: Unit) -> Project:
    return Indicator.objects.get(project__unit=unit, project__year=2021, level3=NAME).project


def draft_changes(report: Report, project: Project, officer: User) -> tuple[str, str]:
    """Change NAME's target to ≥260条, add a row NEW after it, remove the table's last row.
    Returns the removed row's level3 and target."""
    table = target_rounds.draft_table(report, project)
    state = edit_of(table.targets, table.row_ids, table.version)
    at = next(n for n, r in enumerate(state.rows) if r.level3 == NAME)
    state.rows[at].target = "≥260条"
    state.rows.insert(at + 1, replace(state.rows[at], id=None, level3=NEW, target="≥4场"))
    gone = state.rows.pop()
    targets, ids = targets_of(state, year=2021)
    assert not state.has_errors
    target_rounds.save_target_draft(
        report, project, targets, row_ids=ids, version=0, actor=Actor(officer)
    )
    return gone.level3, gone.target


def test_the_live_document_marks_changed_added_and_removed_rows(
    unit: Unit, officer: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    removed, removed_target = draft_changes(report, project, officer)

    document = services.document(report)
    assert isinstance(document, TargetRoundDocument)
    assert document.submission is None and document.kind_label == "目标调整"
    drafted = next(p for p in document.projects if p.project_id == project.pk)
    others = [p for p in document.projects if p.project_id != project.pk]
    assert others and not any(p.changed for p in others)
    kinds = {c.kind: c for c in drafted.changes()}
    assert kinds["changed"].fields == ("指标值",)
    assert kinds["changed"].path.endswith("/" + NAME)
    assert kinds["added"].target == "≥4场"
    assert kinds["removed"].path.endswith("/" + removed) and kinds["removed"].target == (
        removed_target
    )
    summary = drafted.summary()
    assert "修改 1 行" in summary and "新增 1 行" in summary and "删除 1 行" in summary
    assert f"{NEW}（≥4场）" in summary
    # A changed target shows what it was: the reviewer sees the change, not only the new value.
    assert f"{NAME}（指标值 ≥200条→≥260条）" in summary

    layout = build_round_layout(document, project.pk)
    assert layout.title == f"{unit.name}2021年度预算绩效目标（目标调整·填报中的草稿）"
    table = next(b for b in layout.blocks if isinstance(b, Table))
    cells = [c for row in table.rows for c in row]
    changed = next(c for c in cells if c.text == NAME + "【修改】")
    added = next(c for c in cells if c.text == NEW + "【新增】")
    assert (changed.fill, added.fill) == (CHANGED_FILL, ADDED_FILL)
    assert next(c for c in cells if c.text == "≥260条").fill == CHANGED_FILL
    # Unchanged rows are left as they are, and the removed row is not in the table.
    assert all(c.fill is None for c in cells if "【" not in c.text and c.text == "≥200条")
    assert not any(c.text.startswith(removed) for c in cells)
    assert any(getattr(b, "text", "") == summary for b in layout.blocks)


def test_downloads_of_a_target_report_are_the_marked_target_tables(
    unit: Unit, officer: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    client.force_login(officer)
    url = reverse("rounds:report_download", args=[report.pk, "xlsx"])
    response = client.get(url, {"project": project.pk})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    found = {
        cell.value: cell.fill.fgColor.rgb
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and "【" in cell.value
    }
    assert found[NAME + "【修改】"].endswith(CHANGED_FILL.upper())
    assert found[NEW + "【新增】"].endswith(ADDED_FILL.upper())
    assert "绩效运行监控" not in str(response["Content-Disposition"])

    docx = client.get(reverse("rounds:report_download", args=[report.pk, "docx"]))
    text = "\n".join(
        cell.text
        for table in read_docx(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    )
    assert NEW + "【新增】" in text and "项目编码" in text


def test_a_submission_keeps_its_changes_against_the_table_then_in_force(
    unit: Unit, officer: User, head: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    services.submit_report(report, actor=Actor(officer))
    report.refresh_from_db()
    frozen = services.document(report)
    assert isinstance(frozen, TargetRoundDocument) and frozen.submission == 1
    assert frozen.title().endswith("（目标调整·第 1 次提交）")
    assert [c.kind for p in frozen.projects for c in p.changes()] == [
        "changed",
        "added",
        "removed",
    ]
    client.force_login(officer)
    page = client.get(reverse("rounds:submission", args=[report.pk, 1])).content.decode()
    assert NAME + "【修改】" in page and f"fill-{ADDED_FILL}" in page
    # The fills are classes the style sheet colours (an inline style is blocked by the CSP).
    css = (settings.BASE_DIR / "jixiao/static/css/jixiao.css").read_text()
    for fill in (CHANGED_FILL, ADDED_FILL):
        assert f".layout-doc td.fill-{fill} {{ background: #{fill}; }}" in css
    assert "第 1 次提交快照" in page
    report_page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "row-changed" in report_page and "row-added" in report_page
    assert "删除 1 行" in report_page


def test_approval_is_refused_when_the_table_in_force_changed_after_the_draft(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    # Meanwhile the table in force is edited directly in the grid.
    version = table_version(project)
    state = edit_of(project.as_targets(), [i.pk for i in project.indicators.all()], version)
    state.rows[0].basis = "直接修改的依据"
    targets, ids = targets_of(state, year=2021)
    save_project_targets(project, targets, actor=Actor(officer), row_ids=ids, version=version)
    direct = Indicator.objects.get(pk=ids[0])
    held = Indicator.objects.get(project=project, level3=NAME)

    with pytest.raises(ValidationError) as refused:
        services.approve_report(report, actor=Actor(reviewer))
    lines = refused.value.messages
    assert lines[0].startswith("现行目标表在草稿起草之后被直接修改过")
    assert f"「{project.label}」第 {version + 1} 版（网页编辑" in lines[1]
    assert "直接修改的依据" in lines[1]
    assert "退回修改" in lines[-1]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert Indicator.objects.get(pk=direct.pk).basis == "直接修改的依据"
    assert Indicator.objects.get(pk=held.pk).target == "≥200条"
    assert not ReportEvent.objects.filter(report=report, action=Action.TARGETS_ADOPTED).exists()

    client.force_login(reviewer)
    response = client.post(reverse("rounds:decide", args=[report.pk, "approve"]), {"comment": ""})
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("被直接修改过" in m for m in said)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_new_row_takes_its_own_review_comment(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    table = target_rounds.draft_table(report, project)
    index = table.row_ids.index(None)
    name = target_rounds.new_row_comment_name(project.pk, index)

    client.force_login(reviewer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert f'name="{name}"' in page
    client.post(
        reverse("rounds:decide", args=[report.pk, "return"]),
        {"comment": "", name: "新增指标请说明测算依据"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    said = ReviewComment.objects.get(submission__report=report)
    assert said.indicator is None and said.project == project
    assert said.new_row.endswith("/" + NEW) and said.text == "新增指标请说明测算依据"
    assert str(said) == f"{said.new_row}：新增指标请说明测算依据"

    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    row = page[page.index(f'id="row-new-{project.pk}-{index}"') :]
    assert "新增指标请说明测算依据" in row[: row.index("</tr>")]


def test_a_comment_on_a_row_the_submission_does_not_add_is_refused(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    with pytest.raises(ValidationError, match="新增行不属于本次提交"):
        services.return_report(
            report,
            actor=Actor(reviewer),
            comment="",
            new_row_comments={(project.pk, "产出指标/数量指标/编造的行"): "意见"},
        )
    assert not ReviewComment.objects.exists()


def test_the_unit_brings_its_draft_up_to_the_changed_table_in_force(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    draft_changes(report, project, officer)
    # The table in force is edited directly: another row's basis, and NAME's description.
    version = table_version(project)
    state = edit_of(project.as_targets(), [i.pk for i in project.indicators.all()], version)
    state.rows[0].basis = "直接修改的依据"
    targets, ids = targets_of(state, year=2021)
    save_project_targets(project, targets, actor=Actor(officer), row_ids=ids, version=version)
    first = ids[0]

    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "现行目标表被直接修改过" in page and "更新草稿到现行目标表" in page
    response = client.post(reverse("rounds:rebase", args=[report.pk, project.pk]))
    assert response.status_code == 302
    draft = TargetDraft.objects.get(report=report, project=project)
    assert draft.base_version == version + 1
    rows = dict(zip(draft.row_ids, draft.targets["indicators"], strict=True))
    # Both sides' edits are in the draft: the direct edit, the unit's target, its new row.
    assert rows[first]["basis"] == "直接修改的依据"
    held = Indicator.objects.get(project=project, level3=NAME)
    assert rows[held.pk]["target"] == "≥260条"
    assert rows[None]["level3"] == NEW
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "现行目标表被直接修改过" not in page

    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))
    assert Indicator.objects.get(pk=first).basis == "直接修改的依据"
    assert Indicator.objects.get(pk=held.pk).target == "≥260条"
    assert Indicator.objects.filter(project=project, level3=NEW).exists()


def test_merge_keeps_the_units_version_of_a_row_both_changed_and_says_so() -> None:
    def table(*rows: tuple[str, str]) -> dict[str, object]:
        return {
            "code": "1",
            "name": "p",
            "budget": {},
            "fund_use": None,
            "spending_plan": [],
            "goal": "g",
            "indicators": [
                {"level1": "产出指标", "level2": "数量指标", "level3": n, "target": t}
                for n, t in rows
            ],
        }

    base = table(("a", "≥1"), ("b", "≥2"), ("c", "≥3"))
    ours = table(("a", "≥10"), ("b", "≥2"), ("new", "≥5"))  # a changed, c removed, new added
    theirs = table(("a", "≥11"), ("b", "≥20"), ("c", "≥3"), ("d", "≥4"))  # a, b changed; d
    merged, ids, conflicts = target_rounds.merge_tables(
        base, [1, 2, 3], ours, [1, 2, None], theirs, [1, 2, 3, 4]
    )
    assert [(r["level3"], r["target"]) for r in merged["indicators"]] == [
        ("a", "≥10"),
        ("b", "≥20"),
        ("new", "≥5"),
        ("d", "≥4"),
    ]
    assert ids == [1, 2, None, 4]
    assert conflicts == ["“产出指标/数量指标/a”双方都修改了，保留草稿中的内容"]


def test_the_background_export_of_a_target_report_is_the_marked_table(
    unit: Unit, officer: User, bureau_admin: User
) -> None:
    from jixiao.jobs.kinds import _run_report

    report = adjustment(unit, bureau_admin)
    draft_changes(report, project_of(unit), officer)
    steps: list[str] = []
    out = _run_report({"report": report.pk, "fmt": "xlsx"}, lambda n, of, text: steps.append(text))
    assert out.filename == f"{unit.name}2021年度预算绩效目标（目标调整·填报中的草稿）.xlsx"
    book = load_workbook(io.BytesIO(out.data))
    texts = {c.value for s in book.worksheets for row in s.iter_rows() for c in row}
    assert NAME + "【修改】" in texts and NEW + "【新增】" in texts
