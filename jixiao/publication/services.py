"""Publishing and withdrawing, and the files and pages drawn from a published snapshot.

Only a reviewer of the unit's bureau publishes (``publish``). What is published is frozen at
that moment: the targets as the register holds them, the self-evaluation as the submission
the bureau approved. Publishing the same unit, kind and year again replaces (withdraws) the
earlier publication, so the public sees one version.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao import exporters
from jixiao.access.perms import require
from jixiao.audit.choices import Action
from jixiao.audit.log import record
from jixiao.core.document import TargetDocument
from jixiao.core.reports import SelfEvaluationReport
from jixiao.exporters.selfeval_layout import build_selfeval_layout
from jixiao.exporters.targets_layout import Layout, Paragraph, build_layout, document_title
from jixiao.lib.actor import Actor
from jixiao.publication.choices import PublicationKind
from jixiao.publication.models import Publication
from jixiao.rounds.choices import TARGET_KINDS, Decision, ReportStatus, RoundKind
from jixiao.rounds.models import Report
from jixiao.rounds.targets import frozen_targets_document
from jixiao.targets.services import document_for
from jixiao.units.models import Unit

AUDITED = ("kind", "unit", "year", "title", "token")


def _bureau(unit: Unit) -> Any:
    bureau = unit.bureau
    if bureau is None:
        raise ValidationError(_("该单位不属于任何财政局，无法发布。"))
    return bureau


def _replace_earlier(unit: Unit, kind: str, year: int, *, actor: Actor) -> None:
    """Withdraw the live publication this one replaces (one version in public at a time)."""
    earlier = Publication.objects.select_for_update().filter(
        unit=unit, kind=kind, year=year, withdrawn_at=None
    )
    for old in earlier:
        _withdraw(old, actor=actor, reason=_("已发布新版本"))


def _publish(
    unit: Unit,
    kind: str,
    year: int,
    title: str,
    snapshot: dict[str, Any],
    *,
    actor: Actor,
    report: Report | None = None,
) -> Publication:
    _replace_earlier(unit, kind, year, actor=actor)
    publication = Publication.objects.create(
        kind=kind,
        unit=unit,
        bureau=_bureau(unit),
        year=year,
        title=title[:300],
        report=report,
        snapshot=snapshot,
        published_by=actor.user,
    )
    record(
        actor,
        Action.CREATE,
        publication,
        after={name: getattr(publication, name) for name in AUDITED},
        unit=unit,
        bureau=publication.bureau_id,
        comment=_("发布信息公开"),
    )
    return publication


# The key of a targets snapshot saying which review approved the tables (None: the register's
# table in force, no target round approved it).
BASIS_KEY = "approved_in"


def approved_target_report(unit: Unit, year: int) -> Report | None:
    """The unit's report in the latest declaration or adjustment round of the year that the
    bureau approved, if any."""
    return (
        Report.objects.filter(
            unit=unit,
            round__kind__in=TARGET_KINDS,
            round__year=year,
            status=ReportStatus.APPROVED,
        )
        .select_related("round", "unit")
        .order_by("-round__opened_at", "-round_id")
        .first()
    )


def targets_to_publish(unit: Unit, year: int) -> tuple[TargetDocument, Report | None]:
    """What publishing the unit's targets takes: the tables of the latest approved declaration
    or adjustment round of the year (its approved submission), else the tables in force; and
    that round's report, if any."""
    report = approved_target_report(unit, year)
    approved = (
        None
        if report is None
        else report.submissions.filter(decision=Decision.APPROVED).order_by("-number").first()
    )
    if report is None or approved is None:
        return document_for(unit, year), None
    frozen = frozen_targets_document(report, approved)
    document = frozen.target_document()
    if document.unit_goal is None:
        document.unit_goal = document_for(unit, year).unit_goal
    return document, report


def basis_text(snapshot: dict[str, Any]) -> str:
    """What a targets publication's tables are, for its page and PDF: ``经财政审核通过（目标
    调整）`` with the date, or the tables in force."""
    basis = snapshot.get(BASIS_KEY)
    if not basis:
        return _("依据单位现行绩效目标表发布（未经目标申报或目标调整审核）")
    return str(_("经财政审核通过（%(kind)s，%(round)s，%(date)s）") % basis)


@transaction.atomic
def publish_targets(unit: Unit, year: int, *, actor: Actor) -> Publication:
    """Publish the unit's target tables of a year (frozen): the tables the bureau approved in
    the year's latest declaration or adjustment round where there is one, else the tables in
    force. The snapshot says which (``approved_in``)."""
    require(actor, "publish", unit)
    document, report = targets_to_publish(unit, year)
    if document.unit_goal is None and not document.projects:
        raise ValidationError(_("该单位没有 %(year)s 年的绩效目标。") % {"year": year})
    title = f"{document_title(document)}"
    snapshot = document.to_dict()
    snapshot[BASIS_KEY] = None
    if report is not None:
        decided = report.submissions.filter(decision=Decision.APPROVED).order_by("-number")[0]
        snapshot[BASIS_KEY] = {
            "kind": str(RoundKind(report.round.kind).label),
            "round": str(report.round),
            "date": f"{timezone.localtime(decided.decided_at):%Y-%m-%d}"
            if decided.decided_at
            else "",
            "submission": decided.number,
        }
    return _publish(
        unit, PublicationKind.TARGETS, year, title, snapshot, actor=actor, report=report
    )


@transaction.atomic
def publish_self_evaluation(report: Report, *, actor: Actor) -> Publication:
    """Publish a self-evaluation the bureau approved: the approved submission's snapshot."""
    require(actor, "publish", report.unit)
    if report.round.kind != RoundKind.SELF_EVALUATION:
        raise ValidationError(_("只能公开绩效自评。"))
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("自评尚未经财政审核通过，不能公开。"))
    approved = report.submissions.filter(decision=Decision.APPROVED).order_by("-number").first()
    if approved is None:
        raise ValidationError(_("找不到审核通过的提交。"))
    title = f"{report.unit.name} {report.round}"
    return _publish(
        report.unit,
        PublicationKind.SELF_EVALUATION,
        report.round.year,
        title,
        approved.snapshot,
        actor=actor,
        report=report,
    )


def _withdraw(publication: Publication, *, actor: Actor, reason: str) -> None:
    publication.withdrawn_at = timezone.now()
    publication.withdrawn_by = actor.user
    publication.withdraw_reason = reason
    publication.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
    record(
        actor,
        Action.REMOVE,
        publication,
        before={"live": True},
        after={"live": False, "reason": reason},
        unit=publication.unit_id,
        bureau=publication.bureau_id,
        comment=_("撤回信息公开"),
    )


@transaction.atomic
def withdraw_publication(publication: Publication, *, actor: Actor, reason: str = "") -> None:
    """Take a publication off the public pages (it stays on record, audited)."""
    require(actor, "publish", publication.unit)
    publication = Publication.objects.select_for_update().get(pk=publication.pk)
    if publication.withdrawn_at is not None:
        raise ValidationError(_("该公开信息已经撤回。"))
    _withdraw(publication, actor=actor, reason=reason.strip()[:500])


def layout_of(publication: Publication) -> Layout:
    """The published document's layout, from the snapshot alone: the same the unit downloads."""
    if publication.kind == PublicationKind.TARGETS:
        layout = build_layout(TargetDocument.from_dict(publication.snapshot))
        # Under the title: which tables these are (approved in a target round, or in force).
        at = next((n for n, b in enumerate(layout.blocks) if isinstance(b, Paragraph)), 0)
        title = layout.blocks[at]
        section = title.section if isinstance(title, Paragraph) else None
        note = Paragraph(basis_text(publication.snapshot), "note", 0, section, "center")
        layout.blocks.insert(at + 1, note)
        return layout
    return build_selfeval_layout(SelfEvaluationReport.from_json(publication.snapshot))


def pdf_of(publication: Publication) -> bytes:
    """The publication's PDF, drawn from its snapshot once and kept."""
    if publication.pdf is not None:
        return bytes(publication.pdf)
    data = exporters.RENDERERS["pdf"](layout_of(publication))
    # A file derived from the frozen snapshot, not a change of data: no change-log row.
    Publication.objects.filter(pk=publication.pk, pdf__isnull=True).update(pdf=data)
    return data
