"""The unit-wide goal (部门整体绩效目标) in a target round: edited as a draft of the report,
frozen with the submission and marked where it differs, adopted on approval (refused when the
goal in force moved since the draft), and then what publication of the targets shows."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from docx import Document as read_docx

from conftest import Org
from jixiao.audit.models import ChangeLog
from jixiao.core import document as doc
from jixiao.exporters.targets_layout import Paragraph
from jixiao.lib.actor import Actor
from jixiao.publication import services as publication
from jixiao.rounds import services, target_goal
from jixiao.rounds.choices import Action, ReportStatus, RoundKind
from jixiao.rounds.models import GoalDraft, Report, ReportEvent, ReviewComment
from jixiao.rounds.target_document import TargetRoundDocument, build_round_layout, goal_changes
from jixiao.system.demo.services import load_demo
from jixiao.targets.choices import RevisionKind
from jixiao.targets.models import Revision, UnitGoal
from jixiao.targets.services import save_unit_goal, unit_goal_version
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

OLD = "舆情监测预警、研判分析数200条以上，网络舆情处置率达到100%。"
NEW = "舆情监测预警、研判分析数260条以上，网络舆情处置率达到100%。"
SUB = "强化网络舆情监控处置"


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


def goal_of(unit: Unit) -> UnitGoal:
    return UnitGoal.objects.get(unit=unit, year=2021)


def form_of(part: doc.UnitGoalPart, version: int) -> dict[str, Any]:
    """The goal editor's form as posted for ``part``."""
    data: dict[str, Any] = {
        "op": "save",
        "version": str(version),
        "overall": part.overall or "",
        "subs": str(len(part.sub_goals)),
        "safeguards": "\n".join(part.safeguards),
    }
    for n, sub in enumerate(part.sub_goals):
        data[f"sub-{n}-title"] = sub.title
        data[f"sub-{n}-goal"] = sub.goal or ""
        data[f"sub-{n}-indicators"] = sub.indicators or ""
    return data


def raised(part: doc.UnitGoalPart) -> doc.UnitGoalPart:
    """The goal with the 舆情 sub-goal's indicators raised to 260条."""
    subs = [doc.SubGoal(s.title, s.goal, NEW) if s.title == SUB else s for s in part.sub_goals]
    return doc.UnitGoalPart(overall=part.overall, sub_goals=subs, safeguards=part.safeguards)


def sub_indicators(part: doc.UnitGoalPart) -> str | None:
    return next(s.indicators for s in part.sub_goals if s.title == SUB)


def draft_raised(report: Report, officer: User, client: Client) -> None:
    """The officer raises the 舆情 sub-goal's indicators in the round, on the web."""
    client.force_login(officer)
    url = reverse("rounds:goal_draft", args=[report.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "草稿" in page.content.decode() and OLD in page.content.decode()
    part = target_goal.report_goal(report)
    assert part is not None and part.version == 0
    response = client.post(url, form_of(raised(part.part), 0))
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith(reverse("rounds:report", args=[report.pk]) + "#unit-goal")


def test_the_unit_edits_the_goal_as_a_draft_and_the_goal_in_force_is_unchanged(
    unit: Unit, officer: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    before = unit_goal_version(goal_of(unit))
    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "编辑部门整体目标" in page and reverse("rounds:goal_draft", args=[report.pk]) in page
    section = page[page.index('id="unit-goal"') :]
    assert "未修改" in section[: section.index("</section>")]

    draft_raised(report, officer, client)

    # The goal in force is as it was; the draft holds the raised text.
    assert sub_indicators(goal_of(unit).as_part()) == OLD
    assert unit_goal_version(goal_of(unit)) == before
    draft = GoalDraft.objects.get(report=report)
    assert draft.base_version == before and draft.version == 1
    assert sub_indicators(doc.UnitGoalPart.from_dict(draft.part)) == NEW
    assert sub_indicators(doc.UnitGoalPart.from_dict(draft.base_part)) == OLD
    assert ReportEvent.objects.filter(
        report=report, action=Action.DRAFT_SAVED, comment="部门整体绩效目标"
    ).exists()
    logged = ChangeLog.objects.filter(object_type="rounds.goaldraft", object_id=str(draft.pk))
    assert logged.get().after == {"part": draft.part}

    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    section = page[page.index('id="unit-goal"') :]
    section = section[: section.index("</section>")]
    assert "已修改（草稿）" in section and NEW in section and OLD not in section
    assert (
        f"与现行部门整体绩效目标相比：修改分项目标（二）“{SUB}”（绩效指标改为“{NEW}”）。" in section
    )

    # The live document (downloads) carries the draft and says what changed.
    document = services.document(report)
    assert isinstance(document, TargetRoundDocument) and document.goal_changed
    assert document.unit_goal is not None and sub_indicators(document.unit_goal) == NEW
    notes = [b.text for b in build_round_layout(document).blocks if isinstance(b, Paragraph)]
    assert f"【已修改】{document.goal_summary()}" in notes
    assert f"绩效指标：{NEW}" in notes


def test_a_stale_goal_form_is_refused_and_a_bad_goal_is_not_saved(
    unit: Unit, officer: User, head: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    part = goal_of(unit).as_part()
    target_goal.save_goal_draft(report, raised(part), version=0, actor=Actor(head))
    client.force_login(officer)
    url = reverse("rounds:goal_draft", args=[report.pk])
    # A form read before the head's save (version 0) is refused, the typing kept.
    typed = form_of(part, 0)
    typed["overall"] = "另一个总体目标"
    page = client.post(url, typed).content.decode()
    assert "另一个总体目标" in page and "在你打开之后已被他人修改" in page
    draft = GoalDraft.objects.get(report=report)
    assert draft.version == 1 and sub_indicators(doc.UnitGoalPart.from_dict(draft.part)) == NEW
    # A sub-goal title longer than the register takes is refused as the direct editor does.
    empty = form_of(raised(part), 1)
    empty["subs"] = str(len(part.sub_goals) + 1)
    empty[f"sub-{len(part.sub_goals)}-title"] = "x" * 400
    response = client.post(url, empty)
    body = response.content.decode()
    assert response.status_code == 200
    assert "第 5 个分项绩效目标标题：确保该变量包含不超过 200 字符" in body
    assert GoalDraft.objects.get(report=report).version == 1


def test_the_submission_freezes_the_goal_draft_and_marks_it(
    unit: Unit, officer: User, head: User, bureau_admin: User, client: Client
) -> None:
    report = adjustment(unit, bureau_admin)
    draft_raised(report, officer, client)
    submission = services.submit_report(report, actor=Actor(officer))

    frozen = submission.snapshot
    assert sub_indicators(doc.UnitGoalPart.from_dict(frozen["unit_goal"])) == NEW
    assert sub_indicators(doc.UnitGoalPart.from_dict(frozen["unit_goal_base"])) == OLD
    assert frozen["unit_goal_changed"] is True
    assert frozen["unit_goal_base_version"] == unit_goal_version(goal_of(unit))

    # A later draft cannot be saved (the report is with the head) and the snapshot stays.
    with pytest.raises(ValidationError, match="不能修改"):
        target_goal.save_goal_draft(
            report, goal_of(unit).as_part(), version=1, actor=Actor(officer)
        )

    page = client.get(reverse("rounds:submission", args=[report.pk, 1])).content.decode()
    assert "【已修改】与现行部门整体绩效目标相比" in page and NEW in page
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    section = page[page.index('id="unit-goal"') :]
    section = section[: section.index("</section>")]
    assert "已修改" in section and "编辑部门整体目标" not in section and NEW in section

    response = client.get(reverse("rounds:report_download", args=[report.pk, "docx"]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in read_docx(io.BytesIO(response.content)).paragraphs)
    assert f"绩效指标：{NEW}" in text and "【已修改】与现行部门整体绩效目标相比" in text


def test_approval_adopts_the_goal_draft_and_publication_shows_it(
    unit: Unit,
    officer: User,
    head: User,
    reviewer: User,
    bureau_admin: User,
    client: Client,
) -> None:
    report = adjustment(unit, bureau_admin)
    draft_raised(report, officer, client)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    before = unit_goal_version(goal_of(unit))

    services.approve_report(report, actor=Actor(reviewer))

    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    goal = goal_of(unit)
    assert sub_indicators(goal.as_part()) == NEW
    revision = Revision.objects.get(
        kind=RevisionKind.UNIT_GOAL, unit=unit, year=2021, number=before + 1
    )
    assert revision.source == "目标调整（审核通过）"
    assert revision.created_by == reviewer
    assert any(NEW in str(change) for change in revision.changes)
    event = ReportEvent.objects.get(report=report, action=Action.TARGETS_ADOPTED)
    assert event.detail["unit_goal_revision"] == before + 1

    # Publication of the approved targets takes the goal the bureau approved.
    document, approved = publication.targets_to_publish(unit, 2021)
    assert approved == report
    assert document.unit_goal is not None and sub_indicators(document.unit_goal) == NEW
    published = publication.publish_targets(unit, 2021, actor=Actor(reviewer))
    assert sub_indicators(doc.UnitGoalPart.from_dict(published.snapshot["unit_goal"])) == NEW


def test_approval_is_refused_when_the_goal_in_force_changed_after_the_draft(
    unit: Unit,
    officer: User,
    head: User,
    reviewer: User,
    bureau_admin: User,
    client: Client,
) -> None:
    report = adjustment(unit, bureau_admin)
    draft_raised(report, officer, client)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    # Meanwhile the goal in force is edited directly (its overall goal).
    goal = goal_of(unit)
    version = unit_goal_version(goal)
    part = goal.as_part()
    direct = doc.UnitGoalPart(
        overall="直接修改的总体目标", sub_goals=part.sub_goals, safeguards=part.safeguards
    )
    save_unit_goal(goal, direct, actor=Actor(officer), version=version)

    with pytest.raises(ValidationError) as refused:
        services.approve_report(report, actor=Actor(reviewer))
    lines = refused.value.messages
    assert lines[0].startswith("部门整体绩效目标在草稿起草之后被直接修改过")
    assert lines[1].startswith(f"部门整体绩效目标第 {version + 1} 版（网页编辑")
    assert "更新草稿到现行整体目标" in lines[-1]
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert sub_indicators(goal_of(unit).as_part()) == OLD
    assert goal_of(unit).overall == "直接修改的总体目标"

    # Returned, the unit sees the warning and brings its draft up to the goal in force: its
    # raised sub-goal is kept, the direct change to the overall goal too.
    services.return_report(report, actor=Actor(reviewer), comment="请更新整体目标草稿")
    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert "更新草稿到现行整体目标" in page
    response = client.post(reverse("rounds:goal_rebase", args=[report.pk]))
    assert response.status_code == 302
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("已更新到现行整体目标" in m for m in said)
    draft = GoalDraft.objects.get(report=report)
    merged = doc.UnitGoalPart.from_dict(draft.part)
    assert merged.overall == "直接修改的总体目标" and sub_indicators(merged) == NEW
    assert draft.base_version == version + 1

    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))
    final = goal_of(unit).as_part()
    assert final.overall == "直接修改的总体目标" and sub_indicators(final) == NEW


def test_merge_goals_keeps_each_sides_change_and_names_clashes() -> None:
    base = {"overall": "A", "sub_goals": [], "safeguards": ["s1"]}
    ours = {"overall": "A2", "sub_goals": [], "safeguards": ["s-unit"]}
    theirs = {"overall": "A", "sub_goals": [], "safeguards": ["s-direct"]}
    merged, conflicts = target_goal.merge_goals(base, ours, theirs)
    assert merged == {"overall": "A2", "sub_goals": [], "safeguards": ["s-unit"]}
    assert conflicts == ["部门整体绩效目标的“工作保障措施”双方都修改了，保留草稿中的内容"]


def test_goal_changes_name_added_removed_and_changed_parts() -> None:
    base = doc.UnitGoalPart(
        overall="总", sub_goals=[doc.SubGoal("甲", "g", "i"), doc.SubGoal("乙")], safeguards=["a"]
    )
    part = doc.UnitGoalPart(overall="总", sub_goals=[doc.SubGoal("甲", "g", "i2")], safeguards=[])
    assert goal_changes(base, part) == [
        "修改分项目标（一）“甲”（绩效指标改为“i2”）",
        "删除分项目标（二）“乙”",
        "修改了工作保障措施",
    ]
    assert goal_changes(part, base)[1] == "新增分项目标（二）“乙”"


def test_only_the_units_editors_reach_the_goal_draft(
    unit: Unit,
    officer: User,
    reviewer: User,
    officer_b: User,
    bureau_admin: User,
    client: Client,
) -> None:
    report = adjustment(unit, bureau_admin)
    url = reverse("rounds:goal_draft", args=[report.pk])
    part = goal_of(unit).as_part()
    client.force_login(reviewer)
    assert client.get(url).status_code == 403
    assert client.post(url, form_of(raised(part), 0)).status_code == 403
    assert client.post(reverse("rounds:goal_rebase", args=[report.pk])).status_code == 403
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    assert not GoalDraft.objects.exists()
    # A monitoring report has no goal draft.
    monitoring = Report.objects.get(unit=unit, round__kind=RoundKind.MONITORING)
    client.force_login(officer)
    assert client.get(reverse("rounds:goal_draft", args=[monitoring.pk])).status_code == 403


def test_the_reviewer_comments_on_the_goal_when_returning(
    unit: Unit,
    officer: User,
    head: User,
    reviewer: User,
    bureau_admin: User,
    client: Client,
) -> None:
    report = adjustment(unit, bureau_admin)
    draft_raised(report, officer, client)
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))

    client.force_login(reviewer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    assert f'name="{target_goal.GOAL_COMMENT}"' in page
    client.post(
        reverse("rounds:decide", args=[report.pk, "return"]),
        {"comment": "", target_goal.GOAL_COMMENT: "整体目标中的研判分析数请与项目目标表一致"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    said = ReviewComment.objects.get(submission__report=report)
    assert said.project is None and said.indicator is None and said.new_row == ""
    assert said.text == "整体目标中的研判分析数请与项目目标表一致"
    assert str(said) == "部门整体绩效目标：整体目标中的研判分析数请与项目目标表一致"
    logged = ChangeLog.objects.get(object_type="rounds.reviewcomment", object_id=str(said.pk))
    assert logged.after is not None and logged.after["project"] is None

    # The unit sees it beside the goal while correcting, and the submission page lists it.
    client.force_login(officer)
    page = client.get(reverse("rounds:report", args=[report.pk])).content.decode()
    section = page[page.index('id="unit-goal"') :]
    section = section[: section.index("</section>")]
    assert "审核意见（财政审核）：整体目标中的研判分析数请与项目目标表一致" in section
    page = client.get(reverse("rounds:submission", args=[report.pk, 1])).content.decode()
    assert "部门整体绩效目标（财政审核）：整体目标中的研判分析数请与项目目标表一致" in page

    # A goal comment on approving is refused, as row comments are.
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    client.force_login(reviewer)
    response = client.post(
        reverse("rounds:decide", args=[report.pk, "approve"]),
        {"comment": "", target_goal.GOAL_COMMENT: "同意"},
    )
    said_now = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("逐行意见只在退回时保存" in m for m in said_now)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_declaration_without_a_goal_draft_freezes_and_keeps_the_goal_in_force(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User
) -> None:
    round_ = services.open_round(
        kind=RoundKind.DECLARATION,
        year=2021,
        due_on=dt.date(2021, 3, 31),
        bureau=unit.finance_bureau,
        actor=Actor(bureau_admin),
    )
    report = Report.objects.get(round=round_, unit=unit)
    version = unit_goal_version(goal_of(unit))
    submission = services.submit_report(report, actor=Actor(officer))
    assert submission.snapshot["unit_goal"] == goal_of(unit).as_part().to_dict()
    assert submission.snapshot["unit_goal_changed"] is False
    assert submission.snapshot["unit_goal_base_version"] == version
    document = services.document(report)
    assert isinstance(document, TargetRoundDocument) and not document.goal_changed
    notes = [b.text for b in build_round_layout(document).blocks if isinstance(b, Paragraph)]
    assert "与现行部门整体绩效目标相同，未修改。" in notes

    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))
    assert unit_goal_version(goal_of(unit)) == version
    assert not Revision.objects.filter(source="目标申报（审核通过）", kind=RevisionKind.UNIT_GOAL)


def test_a_declaration_adopts_its_goal_draft_named_as_a_declaration(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User
) -> None:
    round_ = services.open_round(
        kind=RoundKind.DECLARATION,
        year=2021,
        due_on=dt.date(2021, 3, 31),
        bureau=unit.finance_bureau,
        actor=Actor(bureau_admin),
    )
    report = Report.objects.get(round=round_, unit=unit)
    target_goal.save_goal_draft(
        report, raised(goal_of(unit).as_part()), version=0, actor=Actor(officer)
    )
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))
    revision = Revision.objects.get(kind=RevisionKind.UNIT_GOAL, source="目标申报（审核通过）")
    assert revision.unit == unit and sub_indicators(goal_of(unit).as_part()) == NEW
