"""The review loop's services: who may take each step, what each step writes (its history row
and its change-log row, before → after), separation of duties, and no lost work."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from conftest import Org, make_person
from jixiao.accounts.choices import Role
from jixiao.accounts.models import Membership
from jixiao.audit.models import ChangeLog
from jixiao.audit.versions import StaleEdit
from jixiao.core.reports import SelfEvaluationReport
from jixiao.ledgers.models import LedgerEntry
from jixiao.lib.actor import Actor
from jixiao.metrics.services import enter_manual_actual
from jixiao.rounds import services
from jixiao.rounds.choices import Action, Decision, ReportStatus, RoundKind, Stage
from jixiao.rounds.models import IndicatorEntry, Report, ReportEvent, ReviewComment, ScoreOverride
from jixiao.rounds.services import EntryInput
from jixiao.rounds.tests.behind import INFLUENCE, PERIOD, interrupted
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import FinanceBureau, Unit
from jixiao.units.services import create_bureau

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2021, 6, 30)


@pytest.fixture
def unit(org: Org) -> Unit:
    """The demo year on unit A (224001) of the personas' bureau."""
    load_demo()
    return Unit.objects.get(code="224001")


def logged(obj: object, action: str | None = None) -> list[ChangeLog]:
    """The change-log rows about an object (of one action), oldest first."""
    rows = ChangeLog.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    if action is not None:
        rows = rows.filter(action=action)
    return list(rows.order_by("seq"))


def indicator(unit: Unit, level3: str) -> Indicator:
    return Indicator.objects.get(project__unit=unit, project__year=2021, level3=level3)


def monitoring_report(unit: Unit, bureau_admin: User, as_of: dt.date = JUNE_30) -> Report:
    """A second monitoring round with both durations behind (0.3年: the two flagged rows)."""
    interrupted(unit)
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=as_of,
        due_on=as_of + dt.timedelta(days=20),
        bureau=unit.finance_bureau,
        title="复核监控",
        actor=Actor(bureau_admin),
    )
    return Report.objects.get(round=round_, unit=unit)


def write_reasons(report: Report, officer: User) -> None:
    """The two rows flagged at 30 June get their reasons (all the monitoring needs to submit)."""
    for name in (PERIOD, INFLUENCE):
        services.save_indicator_entry(
            report,
            indicator(report.unit, name),
            actor=Actor(officer),
            deviation_category="其他",
            deviation_reason="全年指标，年中未到期。",
            correction="持续保障。",
        )


def submitted(unit: Unit, bureau_admin: User, officer: User) -> Report:
    """A monitoring report the officer filled and submitted: 待单位审核."""
    report = monitoring_report(unit, bureau_admin)
    write_reasons(report, officer)
    services.submit_report(report, actor=Actor(officer))
    report.refresh_from_db()
    return report


def evaluation_report(unit: Unit) -> Report:
    """The demo's self-evaluation: submitted and endorsed, 待财政审核."""
    return Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)


# --- opening a round ----------------------------------------------------------------------


def test_opening_a_round_gives_each_unit_of_the_bureau_a_draft_and_logs_it(
    unit: Unit, bureau_admin: User, org: Org
) -> None:
    report = monitoring_report(unit, bureau_admin, dt.date(2021, 7, 31))
    assert report.status == ReportStatus.DRAFT
    assert report.events.get().action == Action.OPENED
    round_ = report.round
    (opened,) = logged(round_, "open")
    assert opened.username == "财政管理员（bureau_admin）" and opened.bureau_id == org.bureau.pk
    assert opened.before is None
    assert opened.after == {
        "kind": "monitoring",
        "year": 2021,
        "as_of": "2021-07-31",
        "due_on": "2021-08-20",
        "bureau": org.bureau.pk,
        "title": "复核监控",
    }
    (created,) = logged(report, "create")
    assert created.unit_id == unit.pk
    assert created.after == {"round": round_.pk, "unit": unit.pk, "status": "draft"}


def test_only_the_bureaus_administrator_opens_its_rounds(
    unit: Unit, org: Org, officer: User, reviewer: User, bureau_admin: User
) -> None:
    def open_(bureau: FinanceBureau | None, actor: Actor) -> object:
        return services.open_round(
            kind=RoundKind.MONITORING,
            year=2021,
            as_of=dt.date(2021, 9, 30),
            due_on=dt.date(2021, 10, 20),
            bureau=bureau,
            actor=actor,
        )

    for person in (officer, reviewer):
        with pytest.raises(PermissionDenied, match="只有财政管理员可以开启填报轮次"):
            open_(org.bureau, Actor(person))
    with pytest.raises(PermissionDenied):
        open_(org.other_bureau, Actor(bureau_admin))
    # A round for every unit (no bureau) is the operator's or a superuser's only.
    with pytest.raises(PermissionDenied, match="系统管理员"):
        open_(None, Actor(bureau_admin))
    assert open_(None, Actor.command_line()).reports.count() == 1
    assert not logged(unit, "open")


def test_a_round_must_fall_inside_its_year(unit: Unit, bureau_admin: User) -> None:
    with pytest.raises(ValidationError, match="预算年度内"):
        services.open_round(
            kind=RoundKind.MONITORING,
            year=2021,
            as_of=dt.date(2022, 1, 31),
            due_on=dt.date(2022, 2, 15),
            bureau=unit.finance_bureau,
            actor=Actor(bureau_admin),
        )
    with pytest.raises(ValidationError, match="12 月 31 日"):
        services.open_round(
            kind=RoundKind.SELF_EVALUATION,
            year=2021,
            as_of=dt.date(2021, 11, 30),
            due_on=dt.date(2022, 3, 1),
            bureau=unit.finance_bureau,
            actor=Actor(bureau_admin),
        )


def test_a_round_covers_the_units_below_a_unit_of_the_bureau(unit: Unit) -> None:
    child = Unit.objects.create(code="224001001", name="下属单位", parent=unit)
    Project.objects.create(unit=child, year=2021, name="下属项目", budget_total=D("1"))
    Unit.objects.create(code="999", name="别处单位")  # no projects, no bureau: left out
    scope = services.units_in_scope(unit.finance_bureau, 2021)
    assert sorted(u.code for u in scope) == ["224001", "224001001"]
    bureau = create_bureau(name="另一财政局", actor=Actor.system("测试"))
    assert services.units_in_scope(bureau, 2021) == []


def test_a_unit_joins_a_round_by_its_administrator_only(
    unit: Unit, bureau_admin: User, reviewer: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    child = Unit.objects.create(code="224001009", name="下属单位", parent=unit)
    Project.objects.create(unit=child, year=2021, name="新项目", budget_total=D("2"))
    with pytest.raises(PermissionDenied):
        services.join_round(report.round, actor=Actor(reviewer))
    (joined,) = services.join_round(report.round, actor=Actor(bureau_admin))
    assert joined.unit == child
    (row,) = logged(joined, "join")
    assert row.after == {"round": report.round_id, "unit": child.pk, "status": "draft"}


# --- filling in: all rows at once, no lost work -------------------------------------------


def test_only_the_units_officer_or_head_fills_its_report(
    unit: Unit, bureau_admin: User, reviewer: User, officer_b: User, head: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    period = indicator(unit, PERIOD)
    for outsider in (reviewer, officer_b, bureau_admin):
        with pytest.raises(PermissionDenied, match="本单位的填报员或单位负责人"):
            services.save_indicator_entry(
                report, period, actor=Actor(outsider), deviation_reason="改"
            )
    services.save_indicator_entry(report, period, actor=Actor(head), deviation_reason="负责人写")
    assert IndicatorEntry.objects.get(report=report).deviation_reason == "负责人写"


def test_saving_logs_each_entry_before_and_after_with_its_version(
    unit: Unit, bureau_admin: User, officer: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    period, influence = indicator(unit, PERIOD), indicator(unit, INFLUENCE)
    project = period.project
    saved = services.save_report_inputs(
        report,
        {
            period.pk: EntryInput({"deviation_reason": "半年已过。", "likelihood": "确定能"}, 0),
            influence.pk: EntryInput({"correction": "持续更新。"}, 0),
        },
        {project.pk: EntryInput({"executed": "7.5", "deviation_reason": "合同未结"}, 0)},
        actor=Actor(officer),
    )
    assert saved.count == 3
    entry = IndicatorEntry.objects.get(report=report, indicator=period)
    assert (entry.version, entry.updated_by) == (1, officer)
    (created,) = logged(entry)
    assert (created.action, created.object_version, created.unit_id) == ("save", 1, unit.pk)
    assert (created.before, created.after) == (
        {"likelihood": "", "deviation_reason": ""},
        {"likelihood": "确定能", "deviation_reason": "半年已过。"},
    )
    budget = logged(report.projects.get())[0]
    assert (budget.before, budget.after) == (
        {"executed": None, "deviation_reason": ""},
        {"executed": "7.5", "deviation_reason": "合同未结"},
    )

    # A second save at version 1 moves the entry to version 2 and logs only what changed.
    services.save_report_inputs(
        report,
        {
            period.pk: EntryInput(
                {"deviation_reason": "全年期限，半年已过。", "likelihood": "确定能"}, 1
            )
        },
        actor=Actor(officer),
    )
    entry.refresh_from_db()
    assert entry.version == 2
    second = logged(entry)[-1]
    assert (second.object_version, second.before, second.after) == (
        2,
        {"deviation_reason": "半年已过。"},
        {"deviation_reason": "全年期限，半年已过。"},
    )
    # Values equal to what is saved write nothing: no version, no history, no log row.
    services.save_report_inputs(
        report, {period.pk: EntryInput({"likelihood": "确定能"}, 2)}, actor=Actor(officer)
    )
    entry.refresh_from_db()
    assert entry.version == 2 and len(logged(entry)) == 2
    assert report.events.filter(action=Action.SAVED).count() == 4


def test_a_stale_save_is_refused_whole_and_says_what_the_other_person_changed(
    unit: Unit, bureau_admin: User, officer: User, head: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    period, influence = indicator(unit, PERIOD), indicator(unit, INFLUENCE)
    # Both read the page with no entries (version 0); the head saves a reason first.
    services.save_report_inputs(
        report, {period.pk: EntryInput({"deviation_reason": "负责人的说明"}, 0)}, actor=Actor(head)
    )
    with pytest.raises(StaleEdit) as refused:
        services.save_report_inputs(
            report,
            {
                period.pk: EntryInput({"deviation_reason": "经办人的说明"}, 0),
                influence.pk: EntryInput({"deviation_reason": "另一行也写了"}, 0),
            },
            actor=Actor(officer),
        )
    messages = refused.value.messages
    assert messages[0].startswith("没有保存：下面的内容在你打开本页之后已被他人修改。")
    assert "“网络安全稳定运行期限”在你打开之后已被他人修改" in messages[1]
    assert messages[2].startswith("单位负责人（head）（")
    assert messages[2].endswith("）：偏差原因：（空） → 负责人的说明")
    # Nothing of the officer's save was written, not even the row nobody else touched.
    assert IndicatorEntry.objects.get(report=report, indicator=period).deviation_reason == (
        "负责人的说明"
    )
    assert not IndicatorEntry.objects.filter(report=report, indicator=influence).exists()
    # Read again at version 1, the officer's save goes through.
    services.save_report_inputs(
        report,
        {period.pk: EntryInput({"deviation_reason": "经办人的说明"}, 1)},
        actor=Actor(officer),
    )
    assert IndicatorEntry.objects.get(report=report, indicator=period).version == 2


def test_one_refused_value_saves_nothing(unit: Unit, bureau_admin: User, officer: User) -> None:
    report = monitoring_report(unit, bureau_admin)
    period, influence = indicator(unit, PERIOD), indicator(unit, INFLUENCE)
    with pytest.raises(ValidationError, match=f"{INFLUENCE}："):
        services.save_report_inputs(
            report,
            {
                period.pk: EntryInput({"deviation_reason": "好的说明"}, 0),
                influence.pk: EntryInput({"likelihood": "也许"}, 0),  # not a likelihood
            },
            actor=Actor(officer),
        )
    assert not IndicatorEntry.objects.filter(report=report).exists()
    assert not report.events.filter(action=Action.SAVED).exists()
    # An indicator of another year (or unit) is not the report's: refused by id.
    elsewhere = Indicator.objects.create(
        project=Project.objects.create(unit=unit, year=2022, name="明年项目"),
        level1="产出指标",
        level2="数量指标",
        level3="明年的指标",
        target="≥1项",
    )
    with pytest.raises(ValidationError, match="不属于本单位本年度"):
        services.save_report_inputs(
            report, {elsewhere.pk: EntryInput({"correction": "x"}, 0)}, actor=Actor(officer)
        )


def test_a_qualitative_score_outside_its_band_undoes_the_whole_save(
    unit: Unit, officer: User, reviewer: User
) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=Actor(reviewer), comment="请复核定性指标")
    clear = indicator(unit, "构建清朗网络空间")
    disposal = indicator(unit, "网络舆情处置率")
    # 是 → 达成: the band is 80–100% of 7.50 points = 6.00–7.50
    with pytest.raises(ValidationError, match=r"6\.00"):
        services.save_report_inputs(
            report,
            {
                disposal.pk: EntryInput({"explanation": "补充说明"}, None),
                clear.pk: EntryInput({"score": D("5")}, None),
            },
            actor=Actor(officer),
        )
    assert (
        "补充说明" not in IndicatorEntry.objects.get(report=report, indicator=disposal).explanation
    )
    services.save_indicator_entry(report, clear, actor=Actor(officer), score=D("6.5"))
    doc = services.live_document(report)
    row = next(r for r in doc.projects[0].rows if r.level3 == "构建清朗网络空间")
    assert row.score == D("6.50")


def test_an_actual_of_another_dimension_waits_for_a_persons_score(
    unit: Unit, officer: User, reviewer: User
) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=Actor(reviewer), comment="请复核运行期限")
    period = indicator(unit, PERIOD)
    # The year-end actual typed as a percentage against 1年: not compared, not scored silently.
    enter_manual_actual(
        period,
        as_of=dt.date(2021, 12, 31),
        value="95%",
        evidence="系统可用率",
        actor=Actor(officer),
    )
    doc = services.live_document(report)
    row = next(r for r in doc.projects[0].rows if r.level3 == PERIOD)
    # 效益指标 30 points over four rows: 7.50; 0 until a person scores it, within 0–7.50.
    assert (row.points, row.score, row.band) == (D("7.50"), D("0.00"), (D("0.00"), D("7.50")))
    assert row.note is not None and row.note.startswith(
        "计量单位不一致：指标值以“年”计（时长），实际完成值以“%”计（百分比），不能比较"
    )
    services.save_indicator_entry(report, period, actor=Actor(officer), score=D("6"))
    row = next(r for r in services.live_document(report).projects[0].rows if r.level3 == PERIOD)
    assert row.score == D("6.00") and row.note is not None and row.note.startswith("人工打分：")
    with pytest.raises(ValidationError, match=r"0–7\.50"):
        services.save_indicator_entry(report, period, actor=Actor(officer), score=D("8"))


def test_a_whole_executed_amount_shows_without_an_exponent(
    unit: Unit, bureau_admin: User, officer: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    services.save_project_entry(report, project, actor=Actor(officer), executed=D("10.000000"))
    budget = services.live_document(report).projects[0].budget
    # 10 万元 of 15: 66.67%; shown "10", not "1E+1" (Decimal.normalize's form)
    assert (str(budget.executed), budget.executed_source) == ("10", "manual")
    assert budget.execution_rate == D("66.67")


# --- submit, endorse, return, approve -----------------------------------------------------


def test_submit_is_refused_until_every_required_reason_is_written(
    unit: Unit, bureau_admin: User, officer: User
) -> None:
    report = monitoring_report(unit, bureau_admin)
    with pytest.raises(ValidationError) as refused:
        services.submit_report(report, actor=Actor(officer))
    # The two one-year durations, behind at 0.3年, are yellow (jixiao/rounds/tests/behind.py).
    assert sum("需填写偏差原因" in m for m in refused.value.messages) == 2
    write_reasons(report, officer)
    submission = services.submit_report(report, actor=Actor(officer))
    assert (submission.number, submission.submitted_by) == (1, officer)
    report.refresh_from_db()
    assert report.status == ReportStatus.UNIT_REVIEW
    (row,) = logged(report, "submit")
    assert (row.before, row.after, row.unit_id) == (
        {"status": "draft"},
        {"status": "unit_review"},
        unit.pk,
    )
    with pytest.raises(ValidationError, match="不能修改"):
        services.save_indicator_entry(
            report, indicator(unit, PERIOD), actor=Actor(officer), correction="改"
        )


def test_officer_submits_head_endorses_reviewer_approves(
    unit: Unit, bureau_admin: User, officer: User, head: User, reviewer: User
) -> None:
    report = submitted(unit, bureau_admin, officer)
    submission = services.endorse_report(report, actor=Actor(head), comment="同意报送。")
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert (submission.endorsed_by, submission.endorse_comment) == (head, "同意报送。")
    assert submission.endorsed_at is not None and submission.decision == ""
    (endorsed,) = logged(report, "endorse")
    assert (endorsed.username, endorsed.before, endorsed.after, endorsed.comment) == (
        "单位负责人（head）",
        {"status": "unit_review"},
        {"status": "submitted"},
        "同意报送。",
    )
    services.approve_report(report, actor=Actor(reviewer), comment="通过。")
    report.refresh_from_db()
    submission.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    assert (submission.decision, submission.decided_stage, submission.decided_by) == (
        Decision.APPROVED,
        Stage.BUREAU,
        reviewer,
    )
    (approved,) = logged(report, "approve")
    assert (approved.before, approved.after, approved.comment) == (
        {"status": "submitted"},
        {"status": "approved"},
        "通过。",
    )
    actions = list(report.events.values_list("action", flat=True))
    assert actions[-3:] == [Action.SUBMITTED, Action.ENDORSED, Action.APPROVED]


def test_steps_out_of_turn_are_refused(
    unit: Unit, bureau_admin: User, officer: User, head: User, reviewer: User
) -> None:
    report = submitted(unit, bureau_admin, officer)
    # The bureau cannot approve what the unit's head has not endorsed.
    with pytest.raises(ValidationError, match="不在财政审核环节"):
        services.approve_report(report, actor=Actor(reviewer))
    services.endorse_report(report, actor=Actor(head))
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="不在单位审核环节"):
        services.endorse_report(report, actor=Actor(head))


def test_the_head_who_submitted_cannot_endorse_it(
    unit: Unit, bureau_admin: User, head: User, org: Org
) -> None:
    report = monitoring_report(unit, bureau_admin)
    write_reasons(report, head)
    services.submit_report(report, actor=Actor(head))
    report.refresh_from_db()
    with pytest.raises(PermissionDenied, match="提交人不能审核自己提交的填报"):
        services.endorse_report(report, actor=Actor(head))
    with pytest.raises(PermissionDenied):
        services.return_report(report, actor=Actor(head), comment="自己退回")
    # Another head of the unit may.
    second = make_person("head2", org.unit, Role.HEAD, "副主任")
    services.endorse_report(report, actor=Actor(second))
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_only_the_units_head_endorses_and_only_the_bureaus_reviewer_decides(
    unit: Unit,
    bureau_admin: User,
    officer: User,
    head: User,
    reviewer: User,
    officer_b: User,
    auditor: User,
) -> None:
    report = submitted(unit, bureau_admin, officer)
    for person in (officer, reviewer, officer_b, bureau_admin, auditor):
        with pytest.raises(PermissionDenied):
            services.endorse_report(report, actor=Actor(person))
    services.endorse_report(report, actor=Actor(head))
    report.refresh_from_db()
    # The unit's own people cannot approve or return it at the bureau's step.
    for person in (officer, head, officer_b, bureau_admin, auditor):
        with pytest.raises(PermissionDenied, match="财政审核员"):
            services.approve_report(report, actor=Actor(person))
        with pytest.raises(PermissionDenied):
            services.return_report(report, actor=Actor(person), comment="退回")
    assert report.status == ReportStatus.SUBMITTED


def test_a_reviewer_cannot_review_a_unit_he_belongs_to(unit: Unit) -> None:
    """Even a reviewer's role planted on the unit itself (the account page refuses it) does
    not let a member of the unit review its submission."""
    report = evaluation_report(unit)
    insider = User.objects.create_user("insider")
    Membership.objects.create(user=insider, unit=unit, role=Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        services.approve_report(report, actor=Actor(insider))
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    with pytest.raises(PermissionDenied):
        services.override_score(
            report, project=project, score=D("9"), reason="自己人", actor=Actor(insider)
        )


def test_another_bureaus_reviewer_cannot_review(unit: Unit, other_reviewer: User) -> None:
    report = evaluation_report(unit)
    with pytest.raises(PermissionDenied):
        services.approve_report(report, actor=Actor(other_reviewer))
    with pytest.raises(PermissionDenied):
        services.return_report(report, actor=Actor(other_reviewer), comment="不行")


def test_the_head_returns_with_comments_on_rows(
    unit: Unit, bureau_admin: User, officer: User, head: User
) -> None:
    report = submitted(unit, bureau_admin, officer)
    period = indicator(unit, PERIOD)
    project = period.project
    with pytest.raises(ValidationError, match="审核意见"):
        services.return_report(report, actor=Actor(head), comment="  ")
    elsewhere = Indicator.objects.exclude(project__unit=unit).values_list("pk", flat=True).first()
    with pytest.raises(ValidationError, match="不属于本填报"):
        services.return_report(
            report, actor=Actor(head), comment="", indicator_comments={elsewhere or 10**9: "x"}
        )
    submission = services.return_report(
        report,
        actor=Actor(head),
        comment="",
        indicator_comments={period.pk: "请写明全年口径。", indicator(unit, INFLUENCE).pk: " "},
        project_comments={project.pk: "请说明支出进度。"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    assert (submission.decision, submission.decided_stage, submission.decided_by) == (
        Decision.RETURNED,
        Stage.UNIT,
        head,
    )
    comments = {(c.indicator_id, c.stage, c.text) for c in submission.row_comments.all()}
    assert comments == {
        (period.pk, Stage.UNIT, "请写明全年口径。"),
        (None, Stage.UNIT, "请说明支出进度。"),
    }
    assert report.events.order_by("-id").first().action == Action.UNIT_RETURNED
    (returned,) = logged(report, "return")
    assert (returned.before, returned.after) == ({"status": "unit_review"}, {"status": "returned"})
    comment_rows = ChangeLog.objects.filter(object_type="rounds.reviewcomment").order_by("seq")
    assert [(r.action, r.unit_id, r.after["text"]) for r in comment_rows] == [
        ("create", unit.pk, "请写明全年口径。"),
        ("create", unit.pk, "请说明支出进度。"),
    ]


def test_return_then_resubmit_then_approve_keeps_every_submission(
    unit: Unit, officer: User, head: User, reviewer: User
) -> None:
    report = evaluation_report(unit)  # the demo submitted and endorsed it
    disposal = indicator(unit, "网络舆情处置率")
    services.return_report(
        report,
        actor=Actor(reviewer),
        comment="请补充处置率偏差的具体案例。",
        indicator_comments={disposal.pk: "写明未处置的是哪一起。"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    services.save_indicator_entry(
        report, disposal, actor=Actor(officer), explanation="1起跨省舆情由上级统一处置。"
    )
    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    first, second = report.submissions.order_by("number")
    assert (first.decision, first.decided_stage, first.comment) == (
        Decision.RETURNED,
        Stage.BUREAU,
        "请补充处置率偏差的具体案例。",
    )
    # The row's comment stays with the submission it was made on.
    assert [c.text for c in first.row_comments.all()] == ["写明未处置的是哪一起。"]
    assert not second.row_comments.exists()
    assert (second.decision, second.endorsed_by) == (Decision.APPROVED, head)
    rows = second.snapshot["projects"][0]["rows"]
    assert next(r for r in rows if r["level3"] == "网络舆情处置率")["explanation"] == (
        "1起跨省舆情由上级统一处置。"
    )
    actions = list(report.events.values_list("action", flat=True))
    assert actions[-5:] == [
        Action.RETURNED,
        Action.SAVED,
        Action.SUBMITTED,
        Action.ENDORSED,
        Action.APPROVED,
    ]


def test_a_submission_is_frozen_against_later_ledger_changes(
    unit: Unit, bureau_admin: User, officer: User
) -> None:
    report = monitoring_report(unit, bureau_admin, dt.date(2021, 12, 31))
    for row in [r for p in services.live_document(report).projects for r in p.rows]:
        if row.reason_required:
            services.save_indicator_entry(
                report,
                Indicator.objects.get(pk=row.indicator_id),
                actor=Actor(officer),
                deviation_reason="说明",
            )
    services.submit_report(report, actor=Actor(officer))
    report.refresh_from_db()
    before = services.document(report)
    # A year's worth of posts disappears from the ledger after the submission.
    LedgerEntry.objects.filter(unit=unit, ledger_type__code="post").delete()
    after = services.document(report)
    assert after == before
    posts = next(r for r in after.projects[1].rows if r.level3 == "官方网宣平台信息发布数量")
    assert posts.current == "524条"
    assert services.live_document(report).projects[1].rows[0].current == "0条"


def test_a_table_the_rules_cannot_score_is_refused_not_crashed(
    unit: Unit, officer: User, reviewer: User
) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=Actor(reviewer), comment="预算数有误，请核对")
    Project.objects.filter(unit=unit, code__endswith="WRQ").update(budget_total=None)
    with pytest.raises(ValidationError, match="没有全年预算数"):
        services.submit_report(report, actor=Actor(officer))
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


# --- overrides ----------------------------------------------------------------------------


def test_a_reviewer_override_shows_both_scores_and_is_logged_before_and_after(
    unit: Unit, reviewer: User
) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    disposal = project.indicators.get(level3="网络舆情处置率")
    override = services.override_score(
        report,
        project=project,
        indicator=disposal,
        score=D("12"),
        reason="处置率未达100%，按评分细则扣0.5分。",
        actor=Actor(reviewer),
    )
    doc = services.document(report)
    assert isinstance(doc, SelfEvaluationReport)
    row = next(r for r in doc.projects[0].rows if r.level3 == "网络舆情处置率")
    assert (row.computed, row.score) == (D("12.28"), D("12.00"))
    assert row.override_by == "财政审核员"
    # 98.56 − 12.28 + 12.00 = 98.28
    assert doc.projects[0].total == D("98.28")
    event = ReportEvent.objects.filter(report=report, action=Action.OVERRIDDEN).get()
    assert event.actor == reviewer and event.comment == "处置率未达100%，按评分细则扣0.5分。"
    assert event.detail["computed"] == "12.28" and event.detail["score"] == "12.00"
    (row_log,) = logged(override)
    assert (row_log.action, row_log.unit_id, row_log.comment) == (
        "override",
        unit.pk,
        "处置率未达100%，按评分细则扣0.5分。",
    )
    assert (row_log.before, row_log.after) == (
        {"score": "12.28", "computed": None},
        {"score": "12.00", "computed": "12.28"},
    )

    # Withdrawn: back to the computed score, and both rows stay in the trail.
    withdrawal = services.override_score(
        report,
        project=project,
        indicator=disposal,
        score=None,
        reason="复核后撤销",
        actor=Actor(reviewer),
    )
    doc = services.document(report)
    assert doc.projects[0].total == D("98.56")
    assert ScoreOverride.objects.filter(report=report).count() == 2
    (withdrawn,) = logged(withdrawal)
    assert (withdrawn.action, withdrawn.before["score"], withdrawn.after["score"]) == (
        "withdraw_override",
        "12.00",
        "12.28",
    )


def test_override_needs_a_reason_and_a_score_within_the_points(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    actor = Actor(reviewer)
    with pytest.raises(ValidationError, match="理由"):
        services.override_score(report, project=project, score=D("9"), reason="", actor=actor)
    with pytest.raises(ValidationError, match=r"0 到 10\.00"):
        services.override_score(report, project=project, score=D("10.5"), reason="多", actor=actor)
    # The execution score: 9.47 computed, 9.00 after review (98.56 − 0.47 = 98.09).
    services.override_score(report, project=project, score=D("9"), reason="集中支付", actor=actor)
    doc = services.document(report)
    assert (doc.projects[0].execution.score, doc.projects[0].total) == (D("9.00"), D("98.09"))


def test_overrides_are_the_bureau_reviewers_while_it_reviews(
    unit: Unit, officer: User, head: User, reviewer: User, other_reviewer: User
) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    for person in (officer, head, other_reviewer):
        with pytest.raises(PermissionDenied):
            services.override_score(
                report, project=project, score=D("9"), reason="调", actor=Actor(person)
            )
    services.return_report(report, actor=Actor(reviewer), comment="退回修改")
    report.refresh_from_db()
    with pytest.raises(ValidationError, match="只有待财政审核的自评可以调整得分"):
        services.override_score(
            report, project=project, score=D("9"), reason="调", actor=Actor(reviewer)
        )
    assert not ScoreOverride.objects.exists()


def test_every_comment_is_kept_with_its_submission(
    unit: Unit, officer: User, head: User, reviewer: User
) -> None:
    report = evaluation_report(unit)
    disposal = indicator(unit, "网络舆情处置率")
    services.return_report(
        report, actor=Actor(reviewer), comment="", indicator_comments={disposal.pk: "第一次"}
    )
    services.submit_report(report, actor=Actor(officer))
    services.return_report(
        report, actor=Actor(head), comment="", indicator_comments={disposal.pk: "第二次"}
    )
    by_submission = {
        (c.submission.number, c.stage, c.text)
        for c in ReviewComment.objects.select_related("submission")
    }
    assert by_submission == {(1, Stage.BUREAU, "第一次"), (2, Stage.UNIT, "第二次")}


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's test database is in memory (shared cache): a second writer fails at once "
    "instead of waiting; the sequential stale-save tests above cover SQLite",
)
@pytest.mark.django_db(transaction=True)
def test_two_people_saving_the_same_row_at_once_one_is_refused(
    org: Org, officer: User, head: User
) -> None:
    """Both read the row with nothing saved (version 0) and press 保存全部 at the same moment:
    one save is written, the other refused as stale — never both, never a database error.
    (The report's row lock orders them on PostgreSQL; SQLite's write lock on its own.)"""
    project = Project.objects.create(
        unit=org.unit, year=2021, name="并发项目", budget_total=D("10"), money_unit="万元"
    )
    row = Indicator.objects.create(
        project=project, level1="产出指标", level2="数量指标", level3="并发指标", target="≥1项"
    )
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=JUNE_30,
        due_on=dt.date(2021, 7, 20),
        bureau=org.bureau,
        actor=Actor.system("测试"),
    )
    report = round_.reports.get()
    start = threading.Barrier(2)
    outcome: dict[str, str] = {}

    def save(person: User, text: str) -> None:
        try:
            start.wait()
            services.save_report_inputs(
                Report.objects.get(pk=report.pk),
                {row.pk: EntryInput({"deviation_reason": text}, 0)},
                actor=Actor(person),
            )
            outcome[person.username] = "saved"
        except StaleEdit:
            outcome[person.username] = "stale"
        except Exception as exc:  # any other outcome fails the test below
            outcome[person.username] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=(officer, "经办人的原因")),
        threading.Thread(target=save, args=(head, "负责人的原因")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcome.values()) == ["saved", "stale"], outcome
    winner = next(name for name, result in outcome.items() if result == "saved")
    entry = IndicatorEntry.objects.get(report=report, indicator=row)
    assert entry.version == 1
    assert entry.deviation_reason == {"officer": "经办人的原因", "head": "负责人的原因"}[winner]
