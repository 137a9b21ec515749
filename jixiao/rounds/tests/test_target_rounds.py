"""Target rounds (目标申报, 目标调整): the unit edits drafts, the loop reviews them, and the
approved table is put in force through the target register's one write path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import Org
from jixiao.lib.actor import Actor
from jixiao.metrics.models import Metric
from jixiao.notifications.models import Notification
from jixiao.rounds import services
from jixiao.rounds import targets as target_rounds
from jixiao.rounds.build import build_monitoring
from jixiao.rounds.choices import Action, ReportStatus, RoundKind
from jixiao.rounds.models import Report, ReportEvent, ReviewComment, TargetDraft
from jixiao.system.demo.services import load_demo
from jixiao.targets.editing import edit_of, targets_of
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.targets.services import table_version
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db

NAME = "舆情监测预警、研判分析数"


@pytest.fixture
def unit(org: Org) -> Unit:
    """The demo year on unit A (224001) of the personas' bureau."""
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
    assert str(round_) == "2021年绩效目标调整"
    return Report.objects.get(round=round_, unit=unit)


def project_of(unit: Unit) -> Project:
    return Indicator.objects.get(project__unit=unit, project__year=2021, level3=NAME).project


def edited(report: Report, project: Project, target: str) -> tuple[object, list[int | None]]:
    """The report's table of the project with the first indicator's target changed."""
    table = target_rounds.draft_table(report, project)
    state = edit_of(table.targets, table.row_ids, table.version)
    row = next(r for r in state.rows if r.level3 == NAME)
    row.target = target
    targets, ids = targets_of(state, year=2021)
    assert not state.has_errors
    return targets, ids


def test_adjustment_round_edit_review_and_approve_puts_the_table_in_force(
    unit: Unit, officer: User, head: User, reviewer: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    assert Notification.objects.filter(user=officer, link__contains=f"/{report.pk}/").exists()
    project = project_of(unit)
    held = Indicator.objects.get(project=project, level3=NAME)
    metric_id = Metric.objects.get(indicator=held).pk
    version_before = table_version(project)

    # The officer edits the draft: the table in force is unchanged.
    targets, ids = edited(report, project, "≥260条")
    draft = target_rounds.save_target_draft(
        report, project, targets, row_ids=ids, version=0, actor=Actor(officer)
    )
    assert draft.version == 1
    assert Indicator.objects.get(pk=held.pk).target == "≥200条"
    assert table_version(project) == version_before

    services.submit_report(report, actor=Actor(officer))
    services.endorse_report(report, actor=Actor(head))
    # The reviewer returns the row with a comment.
    services.return_report(
        report,
        actor=Actor(reviewer),
        comment="",
        indicator_comments={held.pk: "260条依据不足，请按上年实际测算"},
    )
    report.refresh_from_db()
    assert report.status == ReportStatus.RETURNED
    comment = ReviewComment.objects.get(indicator=held)
    assert comment.text == "260条依据不足，请按上年实际测算"
    assert Notification.objects.filter(user=officer, title__contains="退回").exists()

    # The officer fixes the row and resubmits; head endorses; reviewer approves.
    targets, ids = edited(report, project, "≥240条")
    target_rounds.save_target_draft(
        report, project, targets, row_ids=ids, version=1, actor=Actor(officer)
    )
    services.submit_report(report, actor=Actor(officer))
    assert Indicator.objects.get(pk=held.pk).target == "≥200条"  # still not in force
    services.endorse_report(report, actor=Actor(head))
    services.approve_report(report, actor=Actor(reviewer))

    fresh = Indicator.objects.get(pk=held.pk)  # the same indicator, its metric kept
    assert (fresh.target, fresh.target_value) == ("≥240条", Decimal(240))
    assert Metric.objects.get(indicator=fresh).pk == metric_id
    revision = Revision.objects.get(project=project, number=version_before + 1)
    assert revision.source == "目标调整（审核通过）"
    assert revision.created_by == reviewer
    assert ReportEvent.objects.filter(report=report, action=Action.TARGETS_ADOPTED).exists()
    # Monitoring uses the table in force from now on.
    monitoring = build_monitoring(unit, 2021, dt.date(2021, 6, 30))
    row = next(r for p in monitoring.projects for r in p.rows if r.indicator_id == held.pk)
    assert row.target == "≥240条"
    # Frozen submissions keep what the reviewer saw each time.
    first, second = report.submissions.order_by("number")
    targets_seen = [
        next(
            i["target"]
            for p in s.snapshot["projects"]
            for i in p["targets"]["indicators"]
            if i["level3"] == NAME
        )
        for s in (first, second)
    ]
    assert targets_seen == ["≥260条", "≥240条"]


def test_a_draft_with_a_bad_target_is_refused(
    unit: Unit, officer: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    targets, ids = edited(report, project, "≥260条")
    targets.indicators[0].parsed = targets.indicators[0].parsed.__class__("deadline", value="x")
    with pytest.raises(ValidationError):
        target_rounds.save_target_draft(
            report, project, targets, row_ids=ids, version=0, actor=Actor(officer)
        )
    assert not TargetDraft.objects.exists()


def test_only_the_unit_edits_drafts_and_not_once_submitted(
    unit: Unit, officer: User, reviewer: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    targets, ids = edited(report, project, "≥260条")
    with pytest.raises(PermissionDenied):
        target_rounds.save_target_draft(
            report, project, targets, row_ids=ids, version=0, actor=Actor(reviewer)
        )
    services.submit_report(report, actor=Actor(officer))
    with pytest.raises(ValidationError):
        target_rounds.save_target_draft(
            report, project, targets, row_ids=ids, version=0, actor=Actor(officer)
        )


def test_a_stale_draft_is_refused(
    unit: Unit, officer: User, head: User, bureau_admin: User
) -> None:
    report = adjustment(unit, bureau_admin)
    project = project_of(unit)
    targets, ids = edited(report, project, "≥260条")
    target_rounds.save_target_draft(
        report, project, targets, row_ids=ids, version=0, actor=Actor(officer)
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        target_rounds.save_target_draft(
            report, project, targets, row_ids=ids, version=0, actor=Actor(head)
        )
