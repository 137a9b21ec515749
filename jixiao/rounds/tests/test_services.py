"""The review loop: open, fill, submit (frozen), return, approve, override with a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError

from jixiao.core.reports import SelfEvaluationReport
from jixiao.ledgers.models import LedgerEntry
from jixiao.rounds import services
from jixiao.rounds.choices import Action, Decision, ReportStatus, RoundKind
from jixiao.rounds.models import Report, ReportEvent, ScoreOverride
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import FinanceBureau, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


@pytest.fixture
def reviewer() -> User:
    return User.objects.create_user("reviewer", first_name="财政审核员")


def monitoring_report(unit: Unit, as_of: dt.date, actor: User) -> Report:
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=as_of,
        due_on=as_of + dt.timedelta(days=20),
        bureau=unit.finance_bureau,
        actor=actor,
    )
    return Report.objects.get(round=round_, unit=unit)


def evaluation_report(unit: Unit) -> Report:
    return Report.objects.get(unit=unit, round__kind=RoundKind.SELF_EVALUATION)


def test_opening_a_round_gives_each_unit_of_the_bureau_a_draft(unit: Unit, reviewer: User) -> None:
    other_bureau = FinanceBureau.objects.create(name="别的财政局")
    round_ = services.open_round(
        kind=RoundKind.MONITORING,
        year=2021,
        as_of=dt.date(2021, 7, 31),
        due_on=dt.date(2021, 8, 15),
        bureau=other_bureau,
        actor=reviewer,
    )
    assert not round_.reports.exists()  # the demo unit belongs to 昌黎县财政局
    report = monitoring_report(unit, dt.date(2021, 7, 31), reviewer)
    assert report.status == ReportStatus.DRAFT
    assert report.events.get().action == Action.OPENED


def test_a_round_must_fall_inside_its_year(unit: Unit, reviewer: User) -> None:
    with pytest.raises(ValidationError, match="预算年度内"):
        services.open_round(
            kind=RoundKind.MONITORING,
            year=2021,
            as_of=dt.date(2022, 1, 31),
            due_on=dt.date(2022, 2, 15),
            actor=reviewer,
        )
    with pytest.raises(ValidationError, match="12 月 31 日"):
        services.open_round(
            kind=RoundKind.SELF_EVALUATION,
            year=2021,
            as_of=dt.date(2021, 11, 30),
            due_on=dt.date(2022, 3, 1),
            actor=reviewer,
        )


def test_submit_is_refused_until_every_required_reason_is_written(
    unit: Unit, reviewer: User
) -> None:
    report = monitoring_report(unit, dt.date(2021, 6, 30), reviewer)
    with pytest.raises(ValidationError) as refused:
        services.submit_report(report, actor=reviewer)
    # The two one-year durations are red at mid-year (see test_demo_rounds).
    assert sum("需填写偏差原因" in m for m in refused.value.messages) == 2
    for indicator in Indicator.objects.filter(project__unit=unit, level3__contains="期限"):
        services.save_indicator_entry(
            report,
            indicator,
            actor=reviewer,
            deviation_category="其他",
            deviation_reason="全年指标，年中未到期。",
            correction="持续保障。",
        )
    submission = services.submit_report(report, actor=reviewer)
    assert submission.number == 1
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    with pytest.raises(ValidationError, match="不能修改"):
        services.save_indicator_entry(report, indicator, actor=reviewer, correction="改")


def test_a_submission_is_frozen_against_later_ledger_changes(unit: Unit, reviewer: User) -> None:
    report = monitoring_report(unit, dt.date(2021, 12, 31), reviewer)
    for row in [r for p in services.live_document(report).projects for r in p.rows]:
        if row.reason_required:
            services.save_indicator_entry(
                report,
                Indicator.objects.get(pk=row.indicator_id),
                actor=reviewer,
                deviation_reason="说明",
            )
    services.submit_report(report, actor=reviewer)
    report.refresh_from_db()
    before = services.document(report)
    # A year's worth of posts disappears from the ledger after the submission.
    LedgerEntry.objects.filter(unit=unit, ledger_type__code="post").delete()
    after = services.document(report)
    assert after == before
    posts = next(r for r in after.projects[1].rows if r.level3 == "官方网宣平台信息发布数量")
    assert posts.current == "524条"
    assert services.live_document(report).projects[1].rows[0].current == "0条"


def test_return_then_resubmit_then_approve_keeps_every_submission(
    unit: Unit, reviewer: User
) -> None:
    report = evaluation_report(unit)  # the demo submitted it
    with pytest.raises(ValidationError, match="审核意见"):
        services.return_report(report, actor=reviewer, comment="  ")
    services.return_report(report, actor=reviewer, comment="请补充处置率偏差的具体案例。")
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    disposal = Indicator.objects.get(project__code__endswith="WRQ", level3="网络舆情处置率")
    services.save_indicator_entry(
        report, disposal, actor=reviewer, explanation="1起跨省舆情由上级统一处置。"
    )
    services.submit_report(report, actor=reviewer)
    services.approve_report(report, actor=reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED
    first, second = report.submissions.order_by("number")
    assert (first.decision, first.comment) == (Decision.RETURNED, "请补充处置率偏差的具体案例。")
    assert second.decision == Decision.APPROVED
    rows = second.snapshot["projects"][0]["rows"]
    assert next(r for r in rows if r["level3"] == "网络舆情处置率")["explanation"] == (
        "1起跨省舆情由上级统一处置。"
    )
    actions = list(report.events.values_list("action", flat=True))
    assert actions[-4:] == [Action.RETURNED, Action.SAVED, Action.SUBMITTED, Action.APPROVED]


def test_a_reviewer_override_shows_both_scores_and_is_kept_with_who_and_why(
    unit: Unit, reviewer: User
) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    disposal = project.indicators.get(level3="网络舆情处置率")
    services.override_score(
        report,
        project=project,
        indicator=disposal,
        score=D("12"),
        reason="处置率未达100%，按评分细则扣0.5分。",
        actor=reviewer,
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

    # Withdrawn: back to the computed score, and both rows stay in the trail.
    services.override_score(
        report, project=project, indicator=disposal, score=None, reason="复核后撤销", actor=reviewer
    )
    doc = services.document(report)
    assert doc.projects[0].total == D("98.56")
    assert ScoreOverride.objects.filter(report=report).count() == 2


def test_override_needs_a_reason_and_a_score_within_the_points(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    with pytest.raises(ValidationError, match="理由"):
        services.override_score(report, project=project, score=D("9"), reason="", actor=reviewer)
    with pytest.raises(ValidationError, match=r"0 到 10\.00"):
        services.override_score(
            report, project=project, score=D("10.5"), reason="多给", actor=reviewer
        )
    # The execution score: 9.47 computed, 9.00 after review (98.56 − 0.47 = 98.09).
    services.override_score(
        report, project=project, score=D("9"), reason="年底集中支付", actor=reviewer
    )
    doc = services.document(report)
    assert (doc.projects[0].execution.score, doc.projects[0].total) == (D("9.00"), D("98.09"))


def test_a_qualitative_score_outside_its_band_is_refused(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=reviewer, comment="请复核定性指标")
    indicator = Indicator.objects.get(project__code__endswith="WRQ", level3="构建清朗网络空间")
    # 是 → 达成: the band is 80–100% of 7.50 points = 6.00–7.50
    with pytest.raises(ValidationError, match=r"6\.00"):
        services.save_indicator_entry(report, indicator, actor=reviewer, score=D("5"))
    services.save_indicator_entry(report, indicator, actor=reviewer, score=D("6.5"))
    doc = services.live_document(report)
    row = next(r for r in doc.projects[0].rows if r.level3 == "构建清朗网络空间")
    assert row.score == D("6.50")


def test_a_round_covers_the_units_below_a_unit_of_the_bureau(unit: Unit, reviewer: User) -> None:
    child = Unit.objects.create(code="224001001", name="下属单位", parent=unit)
    Project.objects.create(unit=child, year=2021, name="下属项目", budget_total=D("1"))
    Unit.objects.create(code="999", name="别处单位")  # no projects, no bureau: left out
    scope = services.units_in_scope(unit.finance_bureau, 2021)
    assert sorted(u.code for u in scope) == ["224001", "224001001"]
    assert services.units_in_scope(FinanceBureau.objects.create(name="另一财政局"), 2021) == []


def test_a_table_the_rules_cannot_score_is_refused_not_crashed(unit: Unit, reviewer: User) -> None:
    report = evaluation_report(unit)
    services.return_report(report, actor=reviewer, comment="预算数有误，请核对")
    Project.objects.filter(unit=unit, code__endswith="WRQ").update(budget_total=None)
    with pytest.raises(ValidationError, match="没有全年预算数"):
        services.submit_report(report, actor=reviewer)
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED


def test_a_whole_executed_amount_shows_without_an_exponent(unit: Unit, reviewer: User) -> None:
    report = monitoring_report(unit, dt.date(2021, 6, 30), reviewer)
    project = Project.objects.get(unit=unit, code__endswith="WRQ")
    services.save_project_entry(report, project, actor=reviewer, executed=D("10.000000"))
    budget = services.live_document(report).projects[0].budget
    # 10 万元 of 15: 66.67%; shown "10", not "1E+1" (Decimal.normalize's form)
    assert (str(budget.executed), budget.executed_source) == ("10", "manual")
    assert budget.execution_rate == D("66.67")
