"""The demo's review loop, each step taken by the account whose role it is: the county
finance bureau's administrator (caizheng) opens a mid-year monitoring round and the year-end
self-evaluation; the unit's officer (demo) fills and submits both; the unit's head (fuzeren)
endorses both; the bureau's reviewer (shenhe) approves the monitoring. The self-evaluation is
left awaiting the bureau's review, so the reviewer can try it at once.

Every write goes through the rounds services, as a user's would. The texts the unit writes
depend only on what the rules ask for (which rows need a reason), so they stay right if the
demo records change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jixiao.core.reports import MonitoringReport, ProjectEvaluation, SelfEvaluationReport
from jixiao.lib.actor import Actor
from jixiao.rounds import services
from jixiao.rounds.choices import Action, RoundKind
from jixiao.rounds.models import Report, Round
from jixiao.system.demo.year import YEAR
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import Unit

if TYPE_CHECKING:
    from jixiao.system.demo.people import DemoPeople

BUREAU = "昌黎县财政局"
MONITORING_AS_OF = dt.date(YEAR, 6, 30)
MONITORING_DUE = dt.date(YEAR, 7, 20)
EVALUATION_DUE = dt.date(YEAR + 1, 3, 31)

# What the office wrote for rows the rules flag or that may miss their target.
FALLBACK_REASON = (
    "其他",
    "上半年工作进度略慢于序时进度。",
    "下半年加快工作进度，按月调度，确保完成全年目标。",
)
EXPLANATIONS = {
    "网络舆情处置率": (
        "个别舆情涉及跨部门协调，截至年底仍在处置中，未计入已处置。"
        "改进措施：建立跨部门舆情会商机制，压缩处置时限。"
    ),
    "工作及时完成率": (
        "少数任务因上级部署调整延期完成。改进措施：细化任务台账，提前预警临期任务。"
    ),
}
FALLBACK_EXPLANATION = "个别工作未完全达到年度目标。改进措施：加强过程管理，按月调度。"


@dataclass
class RoundsResult:
    """What loading the demo rounds did."""

    created: bool


@transaction.atomic
def load_rounds(unit: Unit, *, people: DemoPeople) -> RoundsResult:
    """The demo year's two rounds, each step by its role's account; a second run changes
    nothing. The unit is already under the demo bureau (``ensure_people``)."""
    bureau = people.bureau
    if Round.objects.filter(bureau=bureau, year=YEAR).exists():
        return RoundsResult(created=False)
    monitoring = services.open_round(
        kind=RoundKind.MONITORING,
        year=YEAR,
        as_of=MONITORING_AS_OF,
        due_on=MONITORING_DUE,
        bureau=bureau,
        title=f"{YEAR}年上半年绩效运行监控",
        actor=people.admin,
    )
    report = services.report_for(monitoring, unit, actor=people.admin)
    fill_monitoring(report, actor=people.officer)
    services.submit_report(report, actor=people.officer)
    services.endorse_report(report, actor=people.head, comment="情况属实，同意报送。")
    services.approve_report(
        report, actor=people.reviewer, comment="监控情况属实，偏差原因说明清楚。"
    )
    date_history(report, MONITORING_DATES)
    evaluation = services.open_round(
        kind=RoundKind.SELF_EVALUATION,
        year=YEAR,
        due_on=EVALUATION_DUE,
        bureau=bureau,
        title=f"{YEAR}年度项目支出绩效自评",
        actor=people.admin,
    )
    report = services.report_for(evaluation, unit, actor=people.admin)
    fill_self_evaluation(report, actor=people.officer)
    services.submit_report(report, actor=people.officer)
    services.endorse_report(report, actor=people.head, comment="自评结果属实，同意报送。")
    date_history(report, EVALUATION_DATES)
    return RoundsResult(created=True)


def date_history(report: Report, dates: dict[str, dt.datetime]) -> None:
    """Date the demo's steps when an office would have taken them, not when the demo loaded.

    The services stamp every step with the current time; the demo replays 2021, so its rounds
    would otherwise say they were opened years after their due dates. Only timestamps change.
    """
    opened, filled, submitted = dates["opened"], dates["filled"], dates["submitted"]
    Round.objects.filter(pk=report.round_id).update(opened_at=opened)
    report.events.filter(action=Action.OPENED).update(at=opened)
    report.events.filter(action=Action.SAVED).update(at=filled)
    report.indicators.update(updated_at=filled)
    report.projects.update(updated_at=filled)
    report.events.filter(action=Action.SUBMITTED).update(at=submitted)
    report.submissions.update(submitted_at=submitted)
    endorsed = dates["endorsed"]
    report.events.filter(action=Action.ENDORSED).update(at=endorsed)
    report.submissions.exclude(endorsed_at=None).update(endorsed_at=endorsed)
    decided = dates.get("decided")
    if decided is not None:
        report.events.filter(action__in=[Action.APPROVED, Action.RETURNED]).update(at=decided)
        report.submissions.exclude(decision="").update(decided_at=decided)
    Report.objects.filter(pk=report.pk).update(updated_at=decided or endorsed)


def _at(year: int, month: int, day: int, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, hour))


def fill_monitoring(report: Report, *, actor: Actor) -> None:
    """Write a reason and a correction for every row and project the rules flag."""
    doc = services.live_document(report)
    assert isinstance(doc, MonitoringReport)
    for table in doc.projects:
        project = Project.objects.get(pk=_id(table.project_id))
        if table.budget.reason_required:
            category, reason, correction = FALLBACK_REASON
            services.save_project_entry(
                report,
                project,
                actor=actor,
                deviation_category=category,
                deviation_reason="支出进度略慢于资金支出计划。",
                correction="加快合同履约和资金支付进度。",
            )
        for row in table.rows:
            # The 136号 table ticks 完成目标可能性 on every row: the office confirms the
            # suggestion, and explains the rows that are flagged or may miss the target.
            explain = row.reason_required or row.likelihood_suggested not in (None, "确定能")
            likelihood = row.likelihood or row.likelihood_suggested or ""
            if not (explain or likelihood):
                continue
            category, reason, correction = FALLBACK_REASON if explain else ("", "", "")
            services.save_indicator_entry(
                report,
                Indicator.objects.get(pk=_id(row.indicator_id)),
                actor=actor,
                likelihood=likelihood,
                deviation_category=category,
                deviation_reason=reason,
                correction=correction,
            )


def fill_self_evaluation(report: Report, *, actor: Actor) -> None:
    """Write each project's achievements and an explanation for every row not fully met."""
    doc = services.live_document(report)
    assert isinstance(doc, SelfEvaluationReport)
    for table in doc.projects:
        project = Project.objects.get(pk=_id(table.project_id))
        values: dict[str, Any] = {"achievement": achievement(table)}
        if table.execution.explanation_required:
            values["explanation"] = "部分合同款项跨年支付。改进措施：提前谋划采购，加快支付进度。"
        services.save_project_entry(report, project, actor=actor, **values)
        for row in table.rows:
            if row.explanation_required:
                services.save_indicator_entry(
                    report,
                    Indicator.objects.get(pk=_id(row.indicator_id)),
                    actor=actor,
                    explanation=EXPLANATIONS.get(row.level3, FALLBACK_EXPLANATION),
                )


def achievement(table: ProjectEvaluation) -> str:
    """The year's results in a sentence, from the quantitative rows of the evaluation."""
    results = [
        f"{row.level3}{row.actual}" for row in table.rows if row.actual and row.grade is None
    ]
    return (
        "全年完成：" + "，".join(results) + f"；预算执行率{table.execution.rate}%。"
        "其余定性目标均已达成。"
    )


def clear_rounds(unit: Unit) -> None:
    """Delete the demo bureau's rounds of the demo year and the unit's reports in them."""
    Report.objects.filter(unit=unit, round__year=YEAR).delete()
    Round.objects.filter(bureau__name=BUREAU, year=YEAR).delete()


MONITORING_DATES = {
    "opened": _at(YEAR, 7, 1, 9),
    "filled": _at(YEAR, 7, 12, 15),
    "submitted": _at(YEAR, 7, 15, 10),
    "endorsed": _at(YEAR, 7, 16, 11),
    "decided": _at(YEAR, 7, 19, 16),
}
EVALUATION_DATES = {
    "opened": _at(YEAR + 1, 1, 10, 9),
    "filled": _at(YEAR + 1, 2, 21, 15),
    "submitted": _at(YEAR + 1, 2, 25, 10),
    "endorsed": _at(YEAR + 1, 2, 26, 15),
}


def _id(pk: int | None) -> int:
    """A computed table's object id: always there for a report built from the database."""
    assert pk is not None
    return pk
