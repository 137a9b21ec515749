"""Writes of the review loop: open a round, fill, submit, endorse, return, approve, override.

Every function checks the acting person's permission (``jixiao.access``), validates, writes in
one transaction, and adds both its :class:`ReportEvent` row (the report's own timeline) and its
change-log row (``jixiao.audit``: who, from where, before → after). A submitted report is read
from its frozen snapshot: later ledger changes do not alter what was submitted; a returned one
is computed live again.

The loop (rules.md §6, docs/review.md): the bureau's administrator opens a round; the unit's
officer (or head) fills and submits (待单位审核); the unit's head endorses it (待财政审核) or
returns it; the bureau's reviewer returns it or approves it, and may override scores. Who may
take each step, separation of duties included, is decided by the predicates in
``jixiao.access.perms``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import require, require_system
from jixiao.access.scope import bureaus_of
from jixiao.accounts.choices import Role
from jixiao.audit.choices import Action as Log
from jixiao.audit.log import Entry, record, record_many, snapshot
from jixiao.audit.versions import StaleEdit, bump, check_version
from jixiao.core.policy import Policy
from jixiao.core.reports import (
    EvaluationRow,
    ExecutionScore,
    MonitoringReport,
    SelfEvaluationReport,
)
from jixiao.core.scoring import ScoringError
from jixiao.lib.actor import Actor
from jixiao.notifications.choices import Kind as Notice
from jixiao.notifications.services import notify_bureau, notify_roles
from jixiao.rounds import build
from jixiao.rounds import targets as target_rounds
from jixiao.rounds.choices import TARGET_KINDS, Action, Decision, ReportStatus, RoundKind, Stage
from jixiao.rounds.models import (
    IndicatorEntry,
    ProjectEntry,
    Report,
    ReportEvent,
    ReviewComment,
    Round,
    ScoreOverride,
    Submission,
)
from jixiao.rounds.target_document import TargetRoundDocument
from jixiao.targets.models import Indicator, Project
from jixiao.units.models import FinanceBureau, Unit

Document = MonitoringReport | SelfEvaluationReport
# What a report of any kind shows: a target round's report is its tables (rounds.targets).
ReportDocument = MonitoringReport | SelfEvaluationReport | TargetRoundDocument

INDICATOR_FIELDS = (
    "likelihood",
    "deviation_category",
    "deviation_reason",
    "correction",
    "remark",
    "explanation",
    "score",
)
PROJECT_FIELDS = (
    "executed",
    "projected_spending",
    "deviation_category",
    "deviation_reason",
    "correction",
    "achievement",
    "explanation",
)


ROUND_FIELDS = ["kind", "year", "as_of", "due_on", "bureau", "title"]
COMMENT_FIELDS = ["submission", "stage", "project", "indicator", "new_row", "text"]


def _user(actor: Actor) -> Any:
    """The user a history row names (None for the operator at the command line, the system)."""
    return actor.user


def _event(
    report: Report, action: str, actor: Actor, comment: str = "", **detail: Any
) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, action=action, actor=_user(actor), comment=comment, detail=detail
    )


# --- rounds ------------------------------------------------------------------------------


class Scope:
    """Which units a round reaches: a bureau's units (and theirs) with projects in its year.

    Two queries for the whole tree, then answers in memory, so a page listing many rounds
    costs the same as one.
    """

    def __init__(self) -> None:
        self.years: dict[int, set[int]] = defaultdict(set)
        for unit_id, year in Project.objects.values_list("unit_id", "year").distinct():
            self.years[unit_id].add(year)
        rows = list(Unit.objects.values_list("pk", "parent_id", "finance_bureau_id"))
        self.bureaus = bureaus_of(rows)

    def bureau_of(self, unit_id: int) -> int | None:
        """The unit's bureau: its own, else its nearest ancestor's."""
        return self.bureaus.get(unit_id)

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
    """Open a round and a draft report for every unit in its scope.

    A bureau's round is its administrator's to open; a round for no bureau (every unit) only
    the server operator's or a superuser's.
    """
    _require_opener(actor, bureau)
    if kind == RoundKind.SELF_EVALUATION and as_of is None:
        as_of = dt.date(year, 12, 31)
    if kind in TARGET_KINDS and as_of is None:
        # A target round counts nothing at a date: its as-of date is the year's first day.
        as_of = dt.date(year, 1, 1)
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
    entries = [Entry.of(Log.OPEN, round_, after=snapshot(round_, ROUND_FIELDS))]
    for unit in units_in_scope(bureau, year):
        report = Report.objects.create(round=round_, unit=unit)
        _event(report, Action.OPENED, actor, str(round_))
        entries.append(_report_created(Log.CREATE, report, round_))
        _tell_opened(report, round_)
    record_many(actor, entries)
    return round_


# --- who hears of each step (jixiao.notifications), inside the step's transaction ---------


def _report_link(report: Report) -> str:
    from django.urls import reverse

    return reverse("rounds:report", args=[report.pk])


def _tell_opened(report: Report, round_: Round) -> None:
    notify_roles(
        report.unit,
        [Role.OFFICER, Role.HEAD],
        Notice.ROUND_OPENED,
        _("%(round)s已开启，请于 %(date)s 前提交") % {"round": round_, "date": round_.due_on},
        link=_report_link(report),
    )


def _tell_step(report: Report, actor: Actor, kind: str, title: str, comment: str = "") -> None:
    """Tell whoever acts next: the head of a submission, the bureau's reviewers of an
    endorsement, the unit's people of a return or an approval."""
    link = _report_link(report)
    title = title % {"round": report.round, "unit": report.unit}
    if kind == Notice.REPORT_SUBMITTED and report.status == ReportStatus.UNIT_REVIEW:
        notify_roles(report.unit, [Role.HEAD], kind, title, link=link, exclude=actor.user)
    elif kind == Notice.REPORT_SUBMITTED:
        bureau = report.round.bureau or report.unit.bureau
        notify_bureau(
            bureau, [Role.REVIEWER], kind, title, link=link, unit=report.unit, exclude=actor.user
        )
    else:
        notify_roles(
            report.unit,
            [Role.OFFICER, Role.HEAD],
            kind,
            title,
            link=link,
            body=comment,
            exclude=actor.user,
        )


def _require_opener(actor: Actor, bureau: FinanceBureau | None) -> None:
    if bureau is None:
        require_system(actor, _("只有系统管理员可以开启面向所有单位的填报轮次。"))
    else:
        require(actor, "open_round", bureau)


def _report_created(action: str, report: Report, round_: Round) -> Entry:
    return Entry.of(
        action,
        report,
        bureau=round_.bureau_id,
        after={"round": round_.pk, "unit": report.unit_id, "status": report.status},
    )


@transaction.atomic
def join_round(round_: Round, *, actor: Actor) -> list[Report]:
    """Draft reports for the units that came into the round's scope after it opened."""
    _require_opener(actor, round_.bureau)
    present = set(round_.reports.values_list("unit_id", flat=True))
    missing = Scope().unit_ids(round_.bureau_id, round_.year) - present
    return [
        report_for(round_, unit, actor=actor)
        for unit in Unit.objects.filter(pk__in=missing).order_by("code", "name")
    ]


@transaction.atomic
def report_for(round_: Round, unit: Unit, *, actor: Actor) -> Report:
    """The unit's report in the round, created when the unit joined after the round opened."""
    report = Report.objects.filter(round=round_, unit=unit).first()
    if report is not None:
        return report
    _require_opener(actor, round_.bureau)
    report = Report.objects.create(round=round_, unit=unit)
    _event(report, Action.OPENED, actor, str(round_))
    record_many(actor, [_report_created(Log.JOIN, report, round_)])
    _tell_opened(report, round_)
    return report


# --- reading -----------------------------------------------------------------------------


def live_document(report: Report) -> ReportDocument:
    """The report as it stands now: computed from the ledgers and the unit's inputs, or, in a
    target round, the unit's draft tables beside the tables in force."""
    if report.round.kind in TARGET_KINDS:
        return target_rounds.live_targets_document(report)
    return computed_document(report)


def computed_document(report: Report) -> Document:
    """A monitoring or self-evaluation report computed now (not for target rounds)."""
    round_ = report.round
    if round_.kind in TARGET_KINDS:
        raise ValueError("a target round's report is read with rounds.targets")
    if round_.kind == RoundKind.SELF_EVALUATION:
        return build.build_self_evaluation(report.unit, round_.year, report=report)
    return build.build_monitoring(report.unit, round_.year, round_.as_of, report=report)


def submitted_evaluation(
    snapshot: dict[str, Any], overrides: Sequence[ScoreOverride]
) -> SelfEvaluationReport:
    """A submitted self-evaluation with the reviewers' overrides in force; totals are
    recomputed with the settings the snapshot was scored with."""
    frozen = SelfEvaluationReport.from_json(snapshot)
    return build.apply_overrides(frozen, overrides, Policy.from_mapping(frozen.settings))


def document(report: Report) -> ReportDocument:
    """What the report shows: live while the unit fills it, else the frozen submission.

    Overrides made after the submission apply on top of the snapshot; the snapshot itself is
    never changed. A target round's report is its tables (``TargetRoundDocument``).
    """
    submission = report.latest_submission()
    if report.editable or submission is None:
        return live_document(report)
    if report.round.kind in TARGET_KINDS:
        return target_rounds.frozen_targets_document(report, submission)
    if report.round.kind == RoundKind.SELF_EVALUATION:
        return submitted_evaluation(submission.snapshot, build.overrides_in_force(report))
    return MonitoringReport.from_json(submission.snapshot)


def tables_document(report: Report) -> Document:
    """The document of a monitoring or self-evaluation report (``document`` narrowed: the
    pages and forms of computed reports); ValueError for a target round's report."""
    found = document(report)
    if isinstance(found, TargetRoundDocument):
        raise ValueError("a target round's report is read with rounds.targets")
    return found


def monitoring_document(
    unit: Unit, year: int, as_of: dt.date
) -> tuple[MonitoringReport, Report | None]:
    """The unit's monitoring at a date: its report in a round of that date (the snapshot once
    submitted, with the unit's reasons), else computed now; and that report, if any."""
    report = find_report(unit, RoundKind.MONITORING, year, as_of)
    if report is None:
        return build.build_monitoring(unit, year, as_of), None
    doc = tables_document(report)
    assert isinstance(doc, MonitoringReport)
    return doc, report


def evaluation_document(unit: Unit, year: int) -> tuple[SelfEvaluationReport, Report | None]:
    """The unit's self-evaluation: its report in the year's round, else computed now; and that
    report, if any. ScoringError when a table cannot be scored."""
    report = find_report(unit, RoundKind.SELF_EVALUATION, year)
    if report is None:
        return build.build_self_evaluation(unit, year), None
    doc = tables_document(report)
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
    for scored in doc.projects:
        if not scored.achievement:
            missing.append(_("%(p)s：需填写年度总体目标实际完成情况") % {"p": scored.name})
        if scored.execution.explanation_required and not scored.execution.explanation:
            missing.append(
                _("%(p)s：预算执行率 %(r)s%% 低于要求，需填写原因分析及改进措施")
                % {"p": scored.name, "r": scored.execution.rate}
            )
        for graded in scored.rows:
            if graded.explanation_required and not graded.explanation:
                missing.append(
                    _("%(p)s“%(i)s”：未完全达成，需填写偏差原因分析及改进措施")
                    % {"p": scored.name, "i": graded.level3}
                )
    return missing


# --- the unit fills in -------------------------------------------------------------------


@dataclass(frozen=True)
class EntryInput:
    """What a page sent for one row or project: the fields to change, and the version read.

    ``version`` is the entry's version when the page was read (0: the page showed no saved
    entry); ``None`` skips the check (the command line, the demo).
    """

    values: Mapping[str, Any] = field(default_factory=dict)
    version: int | None = None


@dataclass
class Saved:
    """What a save wrote: the entries that changed."""

    indicators: list[IndicatorEntry] = field(default_factory=list)
    projects: list[ProjectEntry] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many rows and projects changed."""
        return len(self.indicators) + len(self.projects)


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
    _checked(computed_document, report)


@transaction.atomic
def save_report_inputs(
    report: Report,
    indicators: Mapping[int, EntryInput] | None = None,
    projects: Mapping[int, EntryInput] | None = None,
    *,
    actor: Actor,
) -> Saved:
    """Save what the unit wrote on its report page, every row and project at once.

    ``indicators`` and ``projects`` map an indicator's (a project's) id to what the page sent
    for it. Every entry is checked first: when one of them was saved by someone else since
    the page was read, nothing is written and :class:`StaleEdit` says who changed what. Then
    every change is written, or none (a refused value anywhere undoes the whole save).
    """
    require(actor, "edit", report)
    indicators, projects = dict(indicators or {}), dict(projects or {})
    _lock(report)
    _require_editable(report)
    for inputs, allowed in ((indicators, INDICATOR_FIELDS), (projects, PROJECT_FIELDS)):
        for given in inputs.values():
            unknown = set(given.values) - set(allowed)
            if unknown:
                raise ValueError(f"unknown fields: {sorted(unknown)}")
    year = report.round.year
    found_indicators = Indicator.objects.filter(
        pk__in=list(indicators), project__unit_id=report.unit_id, project__year=year
    ).in_bulk()
    if set(indicators) - set(found_indicators):
        raise ValidationError(_("该绩效指标不属于本单位本年度。"))
    found_projects = Project.objects.filter(
        pk__in=list(projects), unit_id=report.unit_id, year=year
    ).in_bulk()
    if set(projects) - set(found_projects):
        raise ValidationError(_("该预算项目不属于本单位本年度。"))
    locked_indicators = {
        e.indicator_id: e
        for e in IndicatorEntry.objects.select_for_update().filter(
            report=report, indicator_id__in=list(indicators)
        )
    }
    locked_projects = {
        e.project_id: e
        for e in ProjectEntry.objects.select_for_update().filter(
            report=report, project_id__in=list(projects)
        )
    }
    stale: list[str] = []
    for key, given in indicators.items():
        _check_entry_version(locked_indicators.get(key), given.version, stale)
    for key, given in projects.items():
        _check_entry_version(locked_projects.get(key), given.version, stale)
    if stale:
        raise StaleEdit(
            [
                _(
                    "没有保存：下面的内容在你打开本页之后已被他人修改。"
                    "你填写的内容都还在页面上，请核对后再保存。"
                ),
                *stale,
            ],
            current_version=0,
        )

    saved = Saved()
    log: list[Entry] = []
    for key, given in indicators.items():
        indicator = found_indicators[key]
        row = locked_indicators.get(key) or IndicatorEntry(report=report, indicator=indicator)
        values = _clean_values(given.values, nullable=("score",))
        if _write(row, values, report, actor, indicator.level3, log, indicator=key):
            saved.indicators.append(row)
    for key, given in projects.items():
        project = found_projects[key]
        block = locked_projects.get(key) or ProjectEntry(report=report, project=project)
        values = _clean_values(given.values, nullable=("executed", "projected_spending"))
        if _write(block, values, report, actor, project.label, log, project=key):
            saved.projects.append(block)
    if any("score" in indicators[e.indicator_id].values for e in saved.indicators):
        _check_scores(report)
    if saved.count:
        _touch(report)
    record_many(actor, log)
    return saved


def _check_entry_version(
    entry: IndicatorEntry | ProjectEntry | None, version: int | None, stale: list[str]
) -> None:
    """Add what changed since the page was read to ``stale`` (nothing when it is current)."""
    if version is None or (entry is None and version == 0):
        return
    if entry is None:  # the page had an entry that no longer exists: refuse, say nothing more
        stale.append(_("有一项填报内容已不存在，请重新打开本页。"))
        return
    try:
        check_version(entry, version)
    except StaleEdit as exc:
        stale.extend(exc.messages)


def _clean_values(values: Mapping[str, Any], *, nullable: tuple[str, ...]) -> dict[str, Any]:
    """Texts keep "" for empty; only the number fields take None, as Decimals."""
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        if name not in nullable:
            cleaned[name] = "" if value is None else value
            continue
        if value is None or value == "":
            cleaned[name] = None
            continue
        try:
            number = Decimal(str(value))
        except (ArithmeticError, InvalidOperation):
            raise ValidationError({name: _("应为数字。")}) from None
        if not number.is_finite():
            raise ValidationError({name: _("应为数字。")})
        if name == "executed" and number < 0:
            raise ValidationError({"executed": _("实际执行数不能为负数。")})
        if name == "projected_spending" and number < 0:
            raise ValidationError({name: _("全年预计执行数不能为负数。")})
        cleaned[name] = number
    return cleaned


def _write(
    entry: IndicatorEntry | ProjectEntry,
    values: dict[str, Any],
    report: Report,
    actor: Actor,
    label: str,
    log: list[Entry],
    **detail: Any,
) -> bool:
    """Set and save the fields given when any differs; its history rows. True when saved."""
    fields = list(values)
    before = {name: _plain(getattr(entry, name)) for name in fields}
    logged_before = snapshot(entry, fields)
    for name, value in values.items():
        setattr(entry, name, value)
    after = {name: _plain(getattr(entry, name)) for name in fields}
    changed = {n: [before[n], after[n]] for n in fields if before[n] != after[n]}
    if not changed:
        return False
    created = entry.pk is None
    entry.updated_by = _user(actor)
    entry.updated_at = timezone.now()
    try:
        entry.full_clean(exclude=["report", "indicator", "project"])
    except ValidationError as exc:
        raise ValidationError([f"{label}：{m}" for m in _messages(exc)]) from None
    if not created:
        bump(entry)
    entry.save()
    _event(report, Action.SAVED, actor, label, changes=changed, **detail)
    log.append(
        Entry.of(
            Log.SAVE,
            entry,
            unit=report.unit_id,
            before=logged_before,
            after=snapshot(entry, fields),
        )
    )
    return True


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for errors in exc.message_dict.values() for m in errors]
    return list(exc.messages)


def save_indicator_entry(
    report: Report,
    indicator: Indicator,
    *,
    actor: Actor,
    version: int | None = None,
    **values: Any,
) -> IndicatorEntry | None:
    """Save what the unit wrote for one indicator (only the fields given change)."""
    save_report_inputs(report, {indicator.pk: EntryInput(values, version)}, actor=actor)
    return IndicatorEntry.objects.filter(report=report, indicator=indicator).first()


def save_project_entry(
    report: Report,
    project: Project,
    *,
    actor: Actor,
    version: int | None = None,
    **values: Any,
) -> ProjectEntry | None:
    """Save what the unit wrote for one project (only the fields given change)."""
    save_report_inputs(report, projects={project.pk: EntryInput(values, version)}, actor=actor)
    return ProjectEntry.objects.filter(report=report, project=project).first()


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _touch(report: Report) -> None:
    report.updated_at = timezone.now()
    report.save(update_fields=["updated_at"])


def _set_status(report: Report, status: str) -> str:
    """Move the report to a status; the status it had."""
    before = report.status
    report.status = status
    report.updated_at = timezone.now()
    report.save(update_fields=["status", "updated_at"])
    return before


def _log_step(action: str, report: Report, before: str, comment: str = "") -> Entry:
    """The change-log entry of a step of the loop: the status before → after, and why.

    (Which stage returned a report reads from the status before: 待单位审核 or 待财政审核.)
    """
    return Entry.of(
        action,
        report,
        bureau=report.round.bureau_id,
        before={"status": before},
        after={"status": report.status},
        comment=comment,
    )


# --- the loop ----------------------------------------------------------------------------


@transaction.atomic
def submit_report(report: Report, *, actor: Actor) -> Submission:
    """Freeze the report as computed now and hand it to the unit's head (待单位审核)."""
    require(actor, "edit", report)
    _lock(report)
    _require_editable(report)
    if report.round.kind in TARGET_KINDS:
        # A target round freezes the unit's draft tables (rounds.targets), not computed actuals.
        frozen: dict[str, Any] = target_rounds.targets_snapshot(report)
    else:
        doc = _checked(computed_document, report)
        missing = missing_inputs(doc)
        if missing:
            raise ValidationError([_("还不能提交："), *missing])
        frozen = doc.to_json()
    number = report.submissions.count() + 1
    submission = Submission.objects.create(
        report=report, number=number, snapshot=frozen, submitted_by=_user(actor)
    )
    before = _set_status(report, ReportStatus.UNIT_REVIEW)
    _event(report, Action.SUBMITTED, actor, "", submission=number)
    record_many(actor, [_log_step(Log.SUBMIT, report, before)])
    title = _("%(unit)s提交了%(round)s，请审核") + _resubmitted(number)
    _tell_step(report, actor, Notice.REPORT_SUBMITTED, title)
    return submission


def _resubmitted(number: int) -> str:
    """A notice's tail telling a resubmission (after a return) from the first submission."""
    return str(_("（第 %(n)d 次提交）") % {"n": number}).replace("%", "%%") if number > 1 else ""


def _waiting(report: Report, stage: str) -> Submission:
    """The submission waiting at a stage of review; refused when the report is elsewhere."""
    expected = ReportStatus.UNIT_REVIEW if stage == Stage.UNIT else ReportStatus.SUBMITTED
    if report.status != expected:
        raise ValidationError(
            _("本填报当前状态为“%(s)s”，不在%(stage)s环节。")
            % {"s": report.get_status_display(), "stage": Stage(stage).label}
        )
    submission = report.latest_submission()
    assert submission is not None  # a report under review has one
    return submission


@transaction.atomic
def endorse_report(report: Report, *, actor: Actor, comment: str = "") -> Submission:
    """The unit's head approves the submission; it goes to the finance bureau (待财政审核)."""
    require(actor, "endorse_report", report)
    _lock(report)
    submission = _waiting(report, Stage.UNIT)
    comment = (comment or "").strip()
    submission.endorsed_at = timezone.now()
    submission.endorsed_by = _user(actor)
    submission.endorse_comment = comment
    submission.save(update_fields=["endorsed_at", "endorsed_by", "endorse_comment"])
    before = _set_status(report, ReportStatus.SUBMITTED)
    _event(report, Action.ENDORSED, actor, comment, submission=submission.number)
    record_many(
        actor,
        [_log_step(Log.ENDORSE, report, before, comment)],
    )
    title = _("%(unit)s的%(round)s已经单位审核，待财政审核") + _resubmitted(submission.number)
    _tell_step(report, actor, Notice.REPORT_SUBMITTED, title)
    return submission


def _stage_of(report: Report) -> str:
    if report.status == ReportStatus.UNIT_REVIEW:
        return Stage.UNIT
    if report.status == ReportStatus.SUBMITTED:
        return Stage.BUREAU
    raise ValidationError(
        _("本填报当前状态为“%(s)s”，没有待审核的提交。") % {"s": report.get_status_display()}
    )


@transaction.atomic
def return_report(
    report: Report,
    *,
    actor: Actor,
    comment: str,
    indicator_comments: Mapping[int, str] | None = None,
    project_comments: Mapping[int, str] | None = None,
    new_row_comments: Mapping[tuple[int, str], str] | None = None,
    goal_comment: str = "",
) -> Submission:
    """Send the submission back to the unit's officer with comments; they correct and submit
    again. The unit's head returns it from 待单位审核, the bureau's reviewer from 待财政审核.

    ``indicator_comments`` (by indicator id) and ``project_comments`` (by project id: its
    budget block) are kept with this submission; a general comment or one of them is required.
    ``new_row_comments`` (target rounds): by (project id, the row's 一级/二级/三级 path), on
    rows the submitted draft adds, which have no indicator yet. ``goal_comment`` (target
    rounds whose submission holds a unit-wide goal): on the goal, kept without a project.
    """
    _lock(report)
    stage = _stage_of(report)
    require(actor, "endorse_report" if stage == Stage.UNIT else "review_report", report)
    submission = _waiting(report, stage)
    comment = (comment or "").strip()
    on_rows = {k: t.strip() for k, t in (indicator_comments or {}).items() if (t or "").strip()}
    on_projects = {k: t.strip() for k, t in (project_comments or {}).items() if (t or "").strip()}
    on_new = {k: t.strip() for k, t in (new_row_comments or {}).items() if (t or "").strip()}
    if on_new and set(on_new) - target_rounds.new_rows(submission):
        raise ValidationError(_("意见所在的新增行不属于本次提交。"))
    goal_comment = (goal_comment or "").strip()
    if goal_comment and not submission.snapshot.get("unit_goal"):
        raise ValidationError(_("本次提交没有部门整体绩效目标，不能对其提出意见。"))
    if not comment and not on_rows and not on_projects and not on_new and not goal_comment:
        raise ValidationError(_("退回时请填写审核意见。"))
    year = report.round.year
    indicators = Indicator.objects.filter(
        pk__in=list(on_rows), project__unit_id=report.unit_id, project__year=year
    ).in_bulk()
    projects = Project.objects.filter(
        pk__in=list(on_projects), unit_id=report.unit_id, year=year
    ).in_bulk()
    if set(on_rows) - set(indicators) or set(on_projects) - set(projects):
        raise ValidationError(_("意见所在的行不属于本填报。"))
    now = timezone.now()

    def review_comment(text: str, **where: Any) -> ReviewComment:
        return ReviewComment(
            submission=submission,
            stage=stage,
            text=text,
            created_at=now,
            created_by=_user(actor),
            **where,
        )

    comments = (
        [
            review_comment(text, project_id=indicators[key].project_id, indicator=indicators[key])
            for key, text in on_rows.items()
        ]
        + [review_comment(text, project=projects[key]) for key, text in on_projects.items()]
        + [
            review_comment(text, project_id=project_id, new_row=path[:300])
            for (project_id, path), text in on_new.items()
        ]
    )
    if goal_comment:
        comments.append(review_comment(goal_comment, project=None))
    for row in comments:
        row.full_clean(exclude=["submission", "project", "indicator"])
        row.save()
    submission.decision = Decision.RETURNED
    submission.decided_stage = stage
    submission.comment = comment
    submission.decided_at = now
    submission.decided_by = _user(actor)
    submission.save(
        update_fields=["decision", "decided_stage", "comment", "decided_at", "decided_by"]
    )
    before = _set_status(report, ReportStatus.RETURNED)
    action = Action.UNIT_RETURNED if stage == Stage.UNIT else Action.RETURNED
    _event(report, action, actor, comment, submission=submission.number, rows=len(comments))
    entries = [_log_step(Log.RETURN, report, before, comment)]
    entries += [
        Entry.of(Log.CREATE, row, unit=report.unit_id, after=snapshot(row, COMMENT_FIELDS))
        for row in comments
    ]
    record_many(actor, entries)
    _tell_step(
        report,
        actor,
        Notice.REPORT_RETURNED,
        _("%(round)s被退回修改") if stage == Stage.BUREAU else _("%(round)s被单位负责人退回修改"),
        comment,
    )
    return submission


@transaction.atomic
def approve_report(report: Report, *, actor: Actor, comment: str = "") -> Submission:
    """The bureau's reviewer approves the endorsed submission; the report is final."""
    require(actor, "review_report", report)
    _lock(report)
    submission = _waiting(report, Stage.BUREAU)
    comment = (comment or "").strip()
    submission.decision = Decision.APPROVED
    submission.decided_stage = Stage.BUREAU
    submission.comment = comment
    submission.decided_at = timezone.now()
    submission.decided_by = _user(actor)
    submission.save(
        update_fields=["decision", "decided_stage", "comment", "decided_at", "decided_by"]
    )
    before = _set_status(report, ReportStatus.APPROVED)
    _event(report, Action.APPROVED, actor, comment, submission=submission.number)
    if report.round.kind in TARGET_KINDS:
        # The approved tables become the ones in force, in this same transaction: an approval
        # whose table cannot be written (a row removed meanwhile) is refused whole.
        target_rounds.adopt_drafts(report, actor=actor)
    record_many(
        actor,
        [_log_step(Log.APPROVE, report, before, comment)],
    )
    _tell_step(report, actor, Notice.REPORT_APPROVED, _("%(round)s已审核通过"), comment)
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

    Only the bureau's reviewer, while the self-evaluation awaits the bureau (待财政审核).
    ``score=None`` withdraws the override in force. The reason is required either way; the
    row is kept forever, so the trail shows who changed which score, from what, and why.
    """
    require(actor, "review_report", report)
    _lock(report)
    if report.round.kind != RoundKind.SELF_EVALUATION:
        raise ValidationError(_("只有绩效自评可以调整得分。"))
    if report.status == ReportStatus.APPROVED:
        raise ValidationError(_("已审核通过的自评不能再调整得分。"))
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("只有待财政审核的自评可以调整得分。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("调整得分时请填写理由。"))
    if project.unit_id != report.unit_id or project.year != report.round.year:
        raise ValidationError(_("该预算项目不属于本单位本年度。"))
    if indicator is not None and indicator.project_id != project.pk:
        raise ValidationError(_("该绩效指标不属于这个预算项目。"))
    doc = _checked(tables_document, report)
    assert isinstance(doc, SelfEvaluationReport)
    table = next((p for p in doc.projects if p.project_id == project.pk), None)
    if table is None:
        raise ValidationError(_("自评表中没有这个预算项目。"))
    scored: ExecutionScore | EvaluationRow
    if indicator is None:
        scored, points, label = table.execution, table.execution.points, "预算执行率"
    else:
        row = next((r for r in table.rows if r.indicator_id == indicator.pk), None)
        if row is None:
            raise ValidationError(_("自评表中没有这个绩效指标。"))
        scored, points, label = row, row.points, row.level3
    computed, in_force = scored.computed, scored.score
    if score is not None:
        score = Decimal(score)
        if not Decimal(0) <= score <= points or score != score.quantize(Decimal("0.01")):
            raise ValidationError(
                _("“%(l)s”的得分应在 0 到 %(p)s 之间，最多两位小数。") % {"l": label, "p": points}
            )
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
    record(
        actor,
        Log.OVERRIDE if score is not None else Log.WITHDRAW_OVERRIDE,
        override,
        unit=report.unit_id,
        object_repr=f"{report.unit} · {label}",
        before={"score": in_force},
        after={"score": score if score is not None else computed, "computed": computed},
        comment=reason,
    )
    return override


def find_report(unit: Unit, kind: str, year: int, as_of: dt.date | None = None) -> Report | None:
    """The unit's report in the latest round of a kind for the year (and as-of date)."""
    reports = Report.objects.filter(unit=unit, round__kind=kind, round__year=year)
    if as_of is not None:
        reports = reports.filter(round__as_of=as_of)
    return reports.select_related("round", "unit").order_by("-round__opened_at", "-pk").first()
