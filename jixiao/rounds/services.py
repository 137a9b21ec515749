"""Writes of the review loop: open a round, fill, submit, return, approve, override a score.

Every function validates, writes in one transaction and adds its :class:`ReportEvent` row, so
a report's history is complete. A submitted report is read from its frozen snapshot: later
ledger changes do not alter what was submitted; a returned one is computed live again.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.core.policy import Policy
from jixiao.core.reports import MonitoringReport, SelfEvaluationReport
from jixiao.core.scoring import ScoringError
from jixiao.rounds import build
from jixiao.rounds.choices import Action, Decision, ReportStatus, RoundKind
from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReportEvent,
    Round,
    ScoreOverride,
    Submission,
)
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import FinanceBureau, Unit

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    Actor = AbstractBaseUser | AnonymousUser | None

Document = MonitoringReport | SelfEvaluationReport

INDICATOR_FIELDS = (
    "likelihood",
    "deviation_category",
    "deviation_reason",
    "correction",
    "explanation",
    "score",
)
PROJECT_FIELDS = (
    "executed",
    "deviation_category",
    "deviation_reason",
    "correction",
    "achievement",
    "explanation",
)


def _user(actor: Actor) -> Any:
    return actor if actor is not None and actor.is_authenticated else None


def _event(
    report: Report, action: str, actor: Actor, comment: str = "", **detail: Any
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, action=action, actor=_user(actor), comment=comment, detail=detail
    )


# --- rounds ------------------------------------------------------------------------------


class Scope:
    """Which units a round reaches: a bureau's units (and theirs) with projects in its year.

    Three queries for the whole tree, then answers in memory, so a page listing many rounds
    costs the same as one.
    """

    def __init__(self) -> None:
        self.years: dict[int, set[int]] = defaultdict(set)
        for unit_id, year in Project.objects.values_list("unit_id", "year").distinct():
            self.years[unit_id].add(year)
        self.parent = dict(Unit.objects.values_list("pk", "parent_id"))
        self.own = dict(
            Unit.objects.filter(finance_bureau__isnull=False).values_list("pk", "finance_bureau_id")
        )

    def bureau_of(self, unit_id: int) -> int | None:
        """The unit's bureau: its own, else its nearest ancestor's."""
        pk: int | None = unit_id
        seen: set[int] = set()
        while pk is not None and pk not in seen:
            if pk in self.own:
                return self.own[pk]
            seen.add(pk)
            pk = self.parent.get(pk)
        return None

    def unit_ids(self, bureau_id: int | None, year: int) -> set[int]:
        """The units with projects in the year under the bureau (all of them without one)."""
        return {
            unit_id
            for unit_id, years in self.years.items()
            if year in years and (bureau_id is None or self.bureau_of(unit_id) == bureau_id)
        }


def units_in_scope(bureau: FinanceBureau | None, year: int) -> list[Unit]:
    """The units a bureau's round covers: its units (and theirs) with projects in the year."""
    ids = Scope().unit_ids(bureau.pk if bureau is not None else None, year)
    return list(Unit.objects.filter(pk__in=ids))


@transaction.atomic
def open_round(
    *,
    kind: str,
    year: int,
    due_on: dt.date,
    as_of: dt.date | None = None,
    bureau: FinanceBureau | None = None,
    title: str = "",
    actor: Actor,
) -> Round:
    """Open a round and a draft report for every unit in its scope."""
    if kind == RoundKind.SELF_EVALUATION and as_of is None:
        as_of = dt.date(year, 12, 31)
    if as_of is None:
        raise ValidationError({"as_of": _("请填写数据截至日期。")})
    round_ = Round(
        kind=kind,
        year=year,
        as_of=as_of,
        due_on=due_on,
        bureau=bureau,
        title=title,
        opened_by=_user(actor),
    )
    round_.full_clean()
    round_.save()
    for unit in units_in_scope(bureau, year):
        report = Report.objects.create(round=round_, unit=unit)
        _event(report, Action.OPENED, actor, str(round_))
    return round_


@transaction.atomic
def join_round(round_: Round, *, actor: Actor) -> list[Report]:
    """Draft reports for the units that came into the round's scope after it opened."""
    present = set(round_.reports.values_list("unit_id", flat=True))
    missing = Scope().unit_ids(round_.bureau_id, round_.year) - present
    return [
        report_for(round_, unit, actor=actor)
        for unit in Unit.objects.filter(pk__in=missing).order_by("code", "name")
    ]


@transaction.atomic
def report_for(round_: Round, unit: Unit, *, actor: Actor) -> Report:
    """The unit's report in the round, created when the unit joined after the round opened."""
    report, created = Report.objects.get_or_create(round=round_, unit=unit)
    if created:
        _event(report, Action.OPENED, actor, str(round_))
    return report


# --- reading -----------------------------------------------------------------------------


def live_document(report: Report) -> Document:
    """The report computed now from the ledgers and the unit's inputs."""
    round_ = report.round
    if round_.kind == RoundKind.SELF_EVALUATION:
        return build.build_self_evaluation(report.unit, round_.year, report=report)
    return build.build_monitoring(report.unit, round_.year, round_.as_of, report=report)


def document(report: Report) -> Document:
    """What the report shows: live while the unit fills it, else the frozen submission.

    Overrides made after the submission apply on top of the snapshot; the snapshot itself is
    never changed.
    """
    submission = report.latest_submission()
    if report.editable or submission is None:
        return live_document(report)
    if report.round.kind == RoundKind.SELF_EVALUATION:
        frozen = SelfEvaluationReport.from_json(submission.snapshot)
        # Totals are recomputed with the settings the snapshot was scored with.
        policy = Policy.from_mapping(frozen.settings)
        return build.apply_overrides(frozen, build.overrides_in_force(report), policy)
    return MonitoringReport.from_json(submission.snapshot)


def monitoring_document(
    unit: Unit, year: int, as_of: dt.date
) -> tuple[MonitoringReport, Report | None]:
    """The unit's monitoring at a date: its report in a round of that date (the snapshot once
    submitted, with the unit's reasons), else computed now; and that report, if any."""
    report = find_report(unit, RoundKind.MONITORING, year, as_of)
    if report is None:
        return build.build_monitoring(unit, year, as_of), None
    doc = document(report)
    assert isinstance(doc, MonitoringReport)
    return doc, report


def evaluation_document(unit: Unit, year: int) -> tuple[SelfEvaluationReport, Report | None]:
    """The unit's self-evaluation: its report in the year's round, else computed now; and that
    report, if any. ScoringError when a table cannot be scored."""
    report = find_report(unit, RoundKind.SELF_EVALUATION, year)
    if report is None:
        return build.build_self_evaluation(unit, year), None
    doc = document(report)
    assert isinstance(doc, SelfEvaluationReport)
    return doc, report


def missing_inputs(doc: Document) -> list[str]:
    """What the unit still has to write before it may submit, in Chinese."""
    missing: list[str] = []
    if isinstance(doc, MonitoringReport):
        for project in doc.projects:
            budget = project.budget
            if budget.reason_required and not budget.deviation_reason:
                missing.append(_("%(p)s：预算执行需填写偏差原因") % {"p": project.name})
            for row in project.rows:
                if row.reason_required and not row.deviation_reason:
                    missing.append(
                        _("%(p)s“%(i)s”：需填写偏差原因") % {"p": project.name, "i": row.level3}
                    )
                if row.light is not None and not row.likelihood:
                    missing.append(
                        _("%(p)s“%(i)s”：需选择完成目标可能性")
                        % {"p": project.name, "i": row.level3}
                    )
        return missing
    for project in doc.projects:
        if not project.achievement:
            missing.append(_("%(p)s：需填写年度总体目标实际完成情况") % {"p": project.name})
        if project.execution.explanation_required and not project.execution.explanation:
            missing.append(
                _("%(p)s：预算执行率 %(r)s%% 低于要求，需填写原因分析及改进措施")
                % {"p": project.name, "r": project.execution.rate}
            )
        for row in project.rows:
            if row.explanation_required and not row.explanation:
                missing.append(
                    _("%(p)s“%(i)s”：未完全达成，需填写偏差原因分析及改进措施")
                    % {"p": project.name, "i": row.level3}
                )
    return missing


# --- the unit fills in -------------------------------------------------------------------


def _lock(report: Report) -> None:
    """Lock the report's row for this transaction and refresh the caller's object from it."""
    Report.objects.select_for_update().filter(pk=report.pk).exists()
    report.refresh_from_db()


def _require_editable(report: Report) -> None:
    if not report.editable:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不能修改。") % {"s": report.get_status_display()}
        )


def _checked(compute: Callable[[Report], Document], report: Report) -> Document:
    """The report computed, a table the rules cannot score refused as a validation error."""
    try:
        return compute(report)
    except ScoringError as exc:
        raise ValidationError(str(exc)) from None


def _check_scores(report: Report) -> None:
    # A qualitative score outside its grade's band is refused by the scoring rules.
    if report.round.kind != RoundKind.SELF_EVALUATION:
        return
    _checked(live_document, report)


@transaction.atomic
def save_indicator_entry(
    report: Report, indicator: Indicator, *, actor: Actor, **values: Any
) -> IndicatorEntry:
    """Save what the unit wrote for an indicator (only the fields given change)."""
    project = indicator.project
    _check_entry(report, project, values, INDICATOR_FIELDS, _("该绩效指标不属于本单位本年度。"))
    entry, _created = IndicatorEntry.objects.get_or_create(report=report, indicator=indicator)
    changed = _apply(entry, values, actor, nullable="score", exclude=["report", "indicator"])
    if "score" in values:
        _check_scores(report)
    _record(report, actor, changed, indicator.level3, indicator=indicator.pk)
    return entry


@transaction.atomic
def save_project_entry(
    report: Report, project: Project, *, actor: Actor, **values: Any
) -> ProjectEntry:
    """Save what the unit wrote for a project (only the fields given change)."""
    _check_entry(report, project, values, PROJECT_FIELDS, _("该预算项目不属于本单位本年度。"))
    if values.get("executed") is not None:
        try:
            values["executed"] = Decimal(str(values["executed"]))
        except ArithmeticError:
            raise ValidationError({"executed": _("实际执行数应为数字。")}) from None
        if not values["executed"].is_finite() or values["executed"] < 0:
            raise ValidationError({"executed": _("实际执行数不能为负数。")})
    entry, _created = ProjectEntry.objects.get_or_create(report=report, project=project)
    changed = _apply(entry, values, actor, nullable="executed", exclude=["report", "project"])
    _record(report, actor, changed, project.label, project=project.pk)
    return entry


def _check_entry(
    report: Report, project: Project, values: dict[str, Any], allowed: tuple[str, ...], foreign: str
) -> None:
    """Lock the report and refuse an entry it may not take."""
    _lock(report)
    _require_editable(report)
    if project.unit_id != report.unit_id or project.year != report.round.year:
        raise ValidationError(foreign)
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValueError(f"unknown fields: {sorted(unknown)}")


def _apply(
    entry: IndicatorEntry | ProjectEntry,
    values: dict[str, Any],
    actor: Actor,
    *,
    nullable: str,
    exclude: list[str],
) -> dict[str, list[Any]]:
    """Set and save the fields given; the changes as {field: [before, after]}."""
    before = {name: _plain(getattr(entry, name)) for name in values}
    for name, value in values.items():
        # Texts keep "" for empty; only the one number field takes None.
        setattr(entry, name, value if value is not None or name == nullable else "")
    entry.updated_by = _user(actor)
    entry.updated_at = timezone.now()
    entry.full_clean(exclude=exclude)
    entry.save()
    after = {name: _plain(getattr(entry, name)) for name in values}
    return {n: [before[n], after[n]] for n in values if before[n] != after[n]}


def _record(
    report: Report, actor: Actor, changed: dict[str, list[Any]], label: str, **detail: Any
) -> None:
    """The audit row of a save that changed something."""
    if changed:
        _touch(report)
        _event(report, Action.SAVED, actor, label, changes=changed, **detail)


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _touch(report: Report) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])


# --- the loop ----------------------------------------------------------------------------


@transaction.atomic
def submit_report(report: Report, *, actor: Actor) -> Submission:
    """Freeze the report as computed now and hand it to the reviewers."""
    _lock(report)
    _require_editable(report)
    doc = _checked(live_document, report)
    missing = missing_inputs(doc)
    if missing:
        raise ValidationError([_("还不能提交："), *missing])
    number = report.submissions.count() + 1
    submission = Submission.objects.create(
        report=report, number=number, snapshot=doc.to_json(), submitted_by=_user(actor)
    )
    report.status = ReportStatus.SUBMITTED
    _touch(report)
    report.save(update_fields=["status"])
    _event(report, Action.SUBMITTED, actor, "", submission=number)
    return submission


def _decide(report: Report, decision: str, comment: str, actor: Actor) -> Submission:
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有已提交待审核的填报可以审核。"))
    submission = report.latest_submission()
    assert submission is not None  # a submitted report has one
    submission.decision = decision
    submission.comment = comment
    submission.decided_at = timezone.now()
    submission.decided_by = _user(actor)
    submission.save(update_fields=["decision", "comment", "decided_at", "decided_by"])
    return submission


@transaction.atomic
def return_report(report: Report, *, actor: Actor, comment: str) -> Submission:
    """Send the submission back to the unit with comments; the unit edits and submits again."""
    _lock(report)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("退回时请填写审核意见。"))
    submission = _decide(report, Decision.RETURNED, comment, actor)
    report.status = ReportStatus.RETURNED
    report.save(update_fields=["status"])
    _touch(report)
    _event(report, Action.RETURNED, actor, comment, submission=submission.number)
    return submission


@transaction.atomic
def approve_report(report: Report, *, actor: Actor, comment: str = "") -> Submission:
    """Approve the submission; the report is final."""
    _lock(report)
    submission = _decide(report, Decision.APPROVED, (comment or "").strip(), actor)
    report.status = ReportStatus.APPROVED
    report.save(update_fields=["status"])
    _touch(report)
    _event(report, Action.APPROVED, actor, comment, submission=submission.number)
    return submission


@transaction.atomic
def override_score(
    report: Report,
    *,
    project: Project,
    indicator: Indicator | None = None,
    score: Decimal | None,
    reason: str,
    actor: Actor,
) -> ScoreOverride:
    """Replace a computed score (an indicator's, or budget execution's) with a reviewer's.

    ``score=None`` withdraws the override in force. The reason is required either way; the
    row is kept forever, so the trail shows who changed which score, from what, and why.
    """
    _lock(report)
    if report.round.kind != RoundKind.SELF_EVALUATION:
        raise ValidationError(_("只有绩效自评可以调整得分。"))
    if report.status == ReportStatus.APPROVED:
        raise ValidationError(_("已审核通过的自评不能再调整得分。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("调整得分时请填写理由。"))
    if project.unit_id != report.unit_id or project.year != report.round.year:
        raise ValidationError(_("该预算项目不属于本单位本年度。"))
    if indicator is not None and indicator.project_id != project.pk:
        raise ValidationError(_("该绩效指标不属于这个预算项目。"))
    doc = _checked(document, report)
    assert isinstance(doc, SelfEvaluationReport)
    table = next((p for p in doc.projects if p.project_id == project.pk), None)
    if table is None:
        raise ValidationError(_("自评表中没有这个预算项目。"))
    if indicator is None:
        computed, points, label = table.execution.computed, table.execution.points, "预算执行率"
    else:
        row = next((r for r in table.rows if r.indicator_id == indicator.pk), None)
        if row is None:
            raise ValidationError(_("自评表中没有这个绩效指标。"))
        computed, points, label = row.computed, row.points, row.level3
    if score is not None:
        score = Decimal(score)
        if not Decimal(0) <= score <= points or score != score.quantize(Decimal("0.01")):
            raise ValidationError(
                _("“%(l)s”的得分应在 0 到 %(p)s 之间，最多两位小数。") % {"l": label, "p": points}
            )
    if score is not None:
        score = score.quantize(Decimal("0.01"))
    override = ScoreOverride.objects.create(
        report=report,
        project=project,
        indicator=indicator,
        computed=computed,
        score=score,
        reason=reason,
        created_by=_user(actor),
    )
    action = Action.OVERRIDDEN if score is not None else Action.OVERRIDE_WITHDRAWN
    _event(
        report,
        action,
        actor,
        reason,
        project=project.pk,
        indicator=indicator.pk if indicator else None,
        computed=str(computed),
        score=None if score is None else str(score),
    )
    _touch(report)
    return override


def find_report(unit: Unit, kind: str, year: int, as_of: dt.date | None = None) -> Report | None:
    """The unit's report in the latest round of a kind for the year (and as-of date)."""
    reports = Report.objects.filter(unit=unit, round__kind=kind, round__year=year)
    if as_of is not None:
        reports = reports.filter(round__as_of=as_of)
    return reports.select_related("round", "unit").order_by("-round__opened_at", "-pk").first()
