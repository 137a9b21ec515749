"""The demo year through rules.md by hand: monitoring at 30 June and the year-end scores.

Every expected number below is worked out in the comment beside it from the demo's actuals
(``jixiao actuals`` prints them; ``jixiao/system/demo/tests/test_demo_actuals.py`` checks them
against independent counts) and rules.md §3–§4 with the default settings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from jixiao.audit.models import ChangeLog
from jixiao.core.reports import GREEN
from jixiao.rounds import build, services
from jixiao.rounds.choices import Action, ReportStatus, RoundKind
from jixiao.rounds.models import Report
from jixiao.system.demo.services import load_demo
from jixiao.system.demo.year import P1, P2
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

JUNE_30 = dt.date(2021, 6, 30)


@pytest.fixture
def demo_unit() -> Unit:
    load_demo()
    return Unit.objects.get(code="224001")


def rows_by_name(table):  # a test helper, any project table
    return {row.level3: row for row in table.rows}


def test_monitoring_at_june_30_gives_the_hand_computed_lights(demo_unit: Unit) -> None:
    doc = build.build_monitoring(demo_unit, 2021, JUNE_30)
    # 序时进度: 30 June is day 181 of 365 → 181/365 = 49.589…% → 49.59
    assert doc.time_progress == D("49.59")
    p1, p2 = doc.projects
    assert (p1.code, p2.code) == (P1, P2)
    rows = rows_by_name(p1)

    opinion = rows["舆情监测预警、研判分析数"]
    # ≥200条, cumulative: expected 200 × 181/365 = 99.178 → 99.18;
    # v = 93 / 99.178 × 100 = 93.77 → green; projected 93 ÷ (181/365) = 187.54;
    # 187.54 / 200 = 93.77% ≥ 60 → 有可能
    assert (opinion.current, opinion.expected, opinion.ratio) == ("93条", "99.18条", D("93.77"))
    assert (opinion.light, opinion.projected, opinion.likelihood_suggested) == (
        GREEN,
        "187.54条",
        "有可能",
    )
    assert not opinion.reason_required

    disposal = rows["网络舆情处置率"]
    # 100%, a level: v = 92.31 / 100 × 100 = 92.31 → green; projected = current
    assert (disposal.ratio, disposal.light, disposal.projected) == (D("92.31"), GREEN, "92.31%")

    control = rows["预算控制率"]
    # ≤100%, reverse: 46.36 ≤ 100 → green, no ratio; a spending rate follows the spending plan
    # (50% by June, 100% by December): 46.36 + 50 = 96.36 ≤ 100 → 确定能
    assert (control.light, control.ratio, control.likelihood_suggested) == (GREEN, None, "确定能")
    assert control.projected == "96.36%"

    assert rows["构建清朗网络空间"].light == GREEN  # 是 → 达成 → green

    period = rows["网络安全稳定运行期限"]
    # 1年 runs with the calendar (rules.md §2): expected 181/365 = 0.4959年 → 0.50年;
    # v = 0.5 / 0.49589 × 100 = 100.83 → green, no reason; on plan, so 1年 by December: 确定能
    assert (period.current, period.expected, period.ratio) == ("0.5年", "0.50年", D("100.83"))
    assert (period.light, period.projected, period.likelihood_suggested) == (GREEN, "1年", "确定能")
    assert not period.reason_required
    # Neither project's 1年 duration is red at 30 June.
    durations = [r for p in doc.projects for r in p.rows if "期限" in r.level3]
    assert len(durations) == 2 and {r.light for r in durations} == {GREEN}

    satisfaction = rows["服务对象满意度"]
    # ≥90%: v = 96.00 / 90 × 100 = 106.67 → green (below 120)
    assert (satisfaction.ratio, satisfaction.light) == (D("106.67"), GREEN)

    budget = p1.budget
    # 15.00 万元, plan 3月25% 6月50% → 50.00% at 30 June: planned 7.50 万元;
    # executed 69,540.46 元 = 6.954046 万元; ratio 6.954046 / 7.50 = 92.72% → green;
    # execution rate 6.954046 / 15 = 46.36%
    assert budget.executed == D("6.954046")
    assert (budget.plan_percent, budget.planned) == (D("50.00"), D("7.50"))
    assert (budget.ratio, budget.light, budget.execution_rate) == (D("92.72"), GREEN, D("46.36"))

    rows2 = rows_by_name(p2)
    posts = rows2["官方网宣平台信息发布数量"]
    # ≥500条: expected 500 × 181/365 = 247.945 → 247.95; v = 215 / 247.945 = 86.71 → green;
    # projected 215 × 365/181 = 433.56
    assert (posts.expected, posts.ratio, posts.light, posts.projected) == (
        "247.95条",
        D("86.71"),
        GREEN,
        "433.56条",
    )
    adoption = rows2["市级及以上网络媒体采稿率"]
    # ≥30%: v = 26.67 / 30 × 100 = 88.90 → green
    assert (adoption.ratio, adoption.light) == (D("88.90"), GREEN)
    # 21,149.86 元 = 2.114986 万元 of a 2.50 万元 plan → 84.60% → green
    assert (p2.budget.ratio, p2.budget.light) == (D("84.60"), GREEN)

    lights = [row.light for table in doc.projects for row in table.rows]
    # Every one of the 18 rows is green at mid-year (the two 1年 durations run with the year).
    assert lights == [GREEN] * 18


def test_self_evaluation_gives_the_hand_computed_scores_and_grade(demo_unit: Unit) -> None:
    doc = build.build_self_evaluation(demo_unit, 2021)
    p1, p2 = doc.projects
    scores = {row.level3: (row.points, row.score) for row in p1.rows}
    # 产出 50 points over 4 rows = 12.50 each; 效益 30 over 4 = 7.50; 满意度 10 over 1.
    assert scores["舆情监测预警、研判分析数"] == (D("12.50"), D("12.50"))  # 212 ≥ 200
    # 98.21 against 100%: 12.5 × 98.21 / 100 = 12.27625 → 12.28
    assert scores["网络舆情处置率"] == (D("12.50"), D("12.28"))
    # 94.44 against 100%: 12.5 × 0.9444 = 11.805 → 11.81 (half up)
    assert scores["工作及时完成率"] == (D("12.50"), D("11.81"))
    assert scores["预算控制率"] == (D("12.50"), D("12.50"))  # 94.67 ≤ 100
    assert scores["避免经济损失"] == (D("7.50"), D("7.50"))  # 是: 达成, top of the 80–100% band
    assert scores["网络安全稳定运行期限"] == (D("7.50"), D("7.50"))  # 1年 ≥ 1年
    assert scores["服务对象满意度"] == (D("10.00"), D("10.00"))  # 95.88 ≥ 90
    # 142,000 / 150,000 = 94.67%; 10 × 0.9467 = 9.467 → 9.47
    assert (p1.execution.rate, p1.execution.score) == (D("94.67"), D("9.47"))
    # 12.50 + 12.28 + 11.81 + 12.50 + 4 × 7.50 + 10.00 + 9.47 = 98.56 → 优
    assert (p1.total, p1.grade) == (D("98.56"), "优")
    explain = [row.level3 for row in p1.rows if row.explanation_required]
    assert explain == ["网络舆情处置率", "工作及时完成率"]

    # Project 2: 524 ≥ 500 → 12.50; 32.35 ≥ 30 → 12.50; 97.22%: 12.5 × 0.9722 = 12.1525 →
    # 12.15; 97.20 ≤ 100 → 12.50; 效益 30.00; 94.79 ≥ 90 → 10.00;
    # execution 48,600 / 50,000 = 97.20% → 9.72; total 49.65 + 30 + 10 + 9.72 = 99.37 → 优
    assert [row.score for row in p2.rows][:4] == [D("12.50"), D("12.50"), D("12.15"), D("12.50")]
    assert (p2.execution.rate, p2.execution.score) == (D("97.20"), D("9.72"))
    assert (p2.total, p2.grade) == (D("99.37"), "优")


def test_demo_rounds_are_an_approved_monitoring_and_a_submitted_self_evaluation(
    demo_unit: Unit,
) -> None:
    monitoring = Report.objects.get(unit=demo_unit, round__kind=RoundKind.MONITORING)
    evaluation = Report.objects.get(unit=demo_unit, round__kind=RoundKind.SELF_EVALUATION)
    assert monitoring.status == ReportStatus.APPROVED
    # Endorsed by the unit's head: waiting for the bureau's reviewer.
    assert evaluation.status == ReportStatus.SUBMITTED
    doc = services.document(monitoring)
    # No row is flagged at 30 June; the office explained the five rows that may miss their
    # target (有可能) and confirmed the likelihood of every row.
    assert [r for p in doc.projects for r in p.rows if r.reason_required] == []
    explained = [r.level3 for p in doc.projects for r in p.rows if r.deviation_reason]
    assert explained == [
        "舆情监测预警、研判分析数",
        "网络舆情处置率",
        "工作及时完成率",
        "官方网宣平台信息发布数量",
        "市级及以上网络媒体采稿率",
    ]
    assert all(r.likelihood for p in doc.projects for r in p.rows)
    assert services.missing_inputs(services.document(evaluation)) == []


def test_the_finance_bureaus_settings_change_the_numbers(demo_unit: Unit) -> None:
    bureau = demo_unit.finance_bureau
    assert bureau is not None
    bureau.settings = {"points_output": "40", "points_execution": "20", "light_green": "95"}
    bureau.full_clean()
    bureau.save()
    demo_unit.refresh_from_db()
    p1 = build.build_self_evaluation(demo_unit, 2021).projects[0]
    # 产出 40 over 4 rows = 10.00 each: 10 × 0.9821 = 9.821 → 9.82; 10 × 0.9444 = 9.444 → 9.44;
    # execution 20 × 0.9467 = 18.934 → 18.93;
    # total 10 + 9.82 + 9.44 + 10 + 30 + 10 + 18.93 = 98.19
    assert [r.score for r in p1.rows][:4] == [D("10.00"), D("9.82"), D("9.44"), D("10.00")]
    assert (p1.execution.points, p1.execution.score, p1.total) == (D("20"), D("18.93"), D("98.19"))
    doc = build.build_monitoring(demo_unit, 2021, JUNE_30)
    opinion = rows_by_name(doc.projects[0])["舆情监测预警、研判分析数"]
    # v = 93.77 is now below the green band's 95 → yellow, and a reason is required
    assert (opinion.light, opinion.reason_required) == ("yellow", True)
    assert doc.settings == {"points_output": "40", "points_execution": "20", "light_green": "95"}


def test_the_demo_steps_are_dated_in_2021_and_2022(demo_unit: Unit) -> None:
    monitoring = Report.objects.get(unit=demo_unit, round__kind=RoundKind.MONITORING)
    submission = monitoring.submissions.get()
    local = timezone.localtime
    assert local(monitoring.round.opened_at).date() == dt.date(2021, 7, 1)
    assert local(submission.submitted_at).date() == dt.date(2021, 7, 15)
    assert local(submission.decided_at).date() == dt.date(2021, 7, 19)
    assert local(submission.endorsed_at).date() == dt.date(2021, 7, 16)
    evaluation = Report.objects.get(unit=demo_unit, round__kind=RoundKind.SELF_EVALUATION)
    dates = {e.action: local(e.at).date() for e in evaluation.events.all()}
    assert dates == {
        Action.OPENED: dt.date(2022, 1, 10),
        Action.SAVED: dt.date(2022, 2, 21),
        Action.SUBMITTED: dt.date(2022, 2, 25),
        Action.ENDORSED: dt.date(2022, 2, 26),
    }


def test_each_demo_step_is_taken_by_the_account_whose_role_it_is(demo_unit: Unit) -> None:
    """caizheng opens, demo fills and submits, fuzeren endorses, shenhe approves."""
    monitoring = Report.objects.get(unit=demo_unit, round__kind=RoundKind.MONITORING)
    steps = [(e.action, e.actor.username) for e in monitoring.events.order_by("id")]
    assert steps[0] == (Action.OPENED, "caizheng")
    assert {who for action, who in steps if action == Action.SAVED} == {"demo"}
    assert steps[-3:] == [
        (Action.SUBMITTED, "demo"),
        (Action.ENDORSED, "fuzeren"),
        (Action.APPROVED, "shenhe"),
    ]
    assert monitoring.round.opened_by.username == "caizheng"
    submission = monitoring.submissions.get()
    assert (submission.submitted_by.username, submission.endorsed_by.username) == (
        "demo",
        "fuzeren",
    )
    assert (submission.decided_by.username, submission.decided_stage) == ("shenhe", "bureau")
    evaluation = Report.objects.get(unit=demo_unit, round__kind=RoundKind.SELF_EVALUATION)
    last = evaluation.submissions.get()
    assert (last.endorsed_by.username, last.decision) == ("fuzeren", "")
    # The change log holds the same steps, each with its status before → after.
    rows = ChangeLog.objects.filter(
        object_type="rounds.report", object_id=str(evaluation.pk)
    ).order_by("seq")
    assert [(r.action, r.username, r.before, r.after) for r in rows] == [
        (
            "create",
            "孙管理（caizheng）",
            None,
            {"round": evaluation.round_id, "unit": demo_unit.pk, "status": "draft"},
        ),
        (
            "submit",
            "王经办（demo）",
            {"status": "draft"},
            {"status": "unit_review"},
        ),
        ("endorse", "李主任（fuzeren）", {"status": "unit_review"}, {"status": "submitted"}),
    ]
