"""Writes to the target register: importing a document with its revisions; reading it back."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from jixiao.core import document as doc
from jixiao.core.revisions import Change, describe_change, indicator_identities, revision_diff
from jixiao.lib.actor import Actor
from jixiao.targets.choices import ImportStatus, RevisionKind, TargetKind
from jixiao.targets.models import (
    Indicator,
    Project,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
)
from jixiao.units.models import Unit
from jixiao.units.services import find_or_create_unit

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "ImportRejected",
    "ImportResult",
    "ObjectResult",
    "document_for",
    "import_document",
    "validate_document",
]

# The columns an import owns. Columns added later (e.g. a metric bound to an indicator) are
# not in these lists, so a re-import leaves them alone.
PROJECT_FIELDS = [
    "position",
    "name",
    "money_unit",
    "budget_total",
    "budget_fiscal",
    "budget_other",
    "fund_use",
    "goal",
]
INDICATOR_FIELDS = [
    "position",
    "level1",
    "level2",
    "level3",
    "description",
    "target",
    "target_kind",
    "target_op",
    "target_value",
    "target_date",
    "target_unit",
    "basis",
    "weight",
]


class ImportRejected(ValidationError):
    """A document that cannot be imported; each message is Chinese and names its place."""


@dataclass
class ObjectResult:
    """What an import did to one department-wide goal or project."""

    kind: str  # RevisionKind
    label: str
    status: str  # ImportStatus
    revision: int | None = None  # the number of the revision written, None when unchanged
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "revision": self.revision,
            "changes": self.changes,
        }


@dataclass
class ImportResult:
    """What an import did, object by object, and what the importer warned about."""

    source: str
    unit: Unit
    unit_created: bool
    year: int
    objects: list[ObjectResult]
    warnings: list[doc.Warning]

    @property
    def changed(self) -> bool:
        """True when the import wrote at least one revision."""
        return any(o.status != ImportStatus.UNCHANGED for o in self.objects)

    def summary_lines(self) -> list[str]:
        """The result in Chinese, one line per object and one per change."""
        heading = _("%(source)s：%(unit)s %(year)s 年") % {
            "source": self.source,
            "unit": self.unit,
            "year": self.year,
        }
        lines = [heading + (_("（新建单位）") if self.unit_created else "")]
        for obj in self.objects:
            status = ImportStatus(obj.status).label
            version = _("，第 %(number)s 版") % {"number": obj.revision} if obj.revision else ""
            lines.append(f"  {obj.label}：{status}{version}")
            lines.extend(f"    {describe_change(c)}" for c in obj.changes)
        lines.append("  " + _("警告 %(count)s 条") % {"count": len(self.warnings)})
        return lines

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "unit_created": self.unit_created,
            "year": self.year,
            "objects": [o.to_dict() for o in self.objects],
            "warnings": [w.to_dict() for w in self.warnings],
        }


@dataclass
class _ProjectPlan:
    project: Project
    checkpoints: list[SpendingCheckpoint]
    indicators: list[Indicator]


@dataclass
class _Plan:
    """A validated document as unsaved rows, ready to be written."""

    unit_code: str | None
    unit_name: str
    year: int
    unit_goal: UnitGoal | None = None
    sub_goals: list[SubGoal] = field(default_factory=list)
    safeguards: list[Safeguard] = field(default_factory=list)
    projects: list[_ProjectPlan] = field(default_factory=list)


class _Errors:
    """Collects every problem of a document, so the user sees them all at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, message: str) -> None:
        self.messages.append(message)

    def check(self, place: str, instance: models.Model, exclude: list[str]) -> None:
        """Run the model's field validators and clean() without touching the database."""
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = None if name == NON_FIELD_ERRORS else instance._meta.get_field(name)
                label = getattr(field, "verbose_name", "")
                self.messages.extend(f"{place}{label}：{m}" for m in messages)

    def raise_if_any(self) -> None:
        if self.messages:
            raise ImportRejected(self.messages)


def validate_document(document: doc.TargetDocument) -> None:
    """Check a document against the register's rules; ImportRejected lists every problem."""
    _plan(document)


def _plan(document: doc.TargetDocument) -> _Plan:
    errors = _Errors()
    unit = document.unit
    code = ((unit.code if unit else None) or "").strip() or None
    name = ((unit.name if unit else None) or "").strip()
    if code is None and not name:
        errors.add(_("文件中没有找到预算单位（单位编码或名称）。"))
    if document.year is None:
        errors.add(_("文件中没有找到预算年度。"))
    if document.unit_goal is None and not document.projects:
        errors.add(_("文件中没有找到部门整体绩效目标或项目绩效目标表。"))
    errors.raise_if_any()
    assert document.year is not None

    errors.check(_("预算单位"), Unit(code=code, name=name), exclude=["parent"])
    # The year is checked once here, not again in every row that carries it.
    try:
        Project._meta.get_field("year").clean(document.year, None)
    except ValidationError as exc:
        errors.messages.extend(f"{_('预算年度')}：{m}" for m in exc.messages)
    plan = _Plan(unit_code=code, unit_name=name, year=document.year)
    if document.unit_goal is not None:
        _plan_unit_goal(plan, document.unit_goal, errors)
    seen: set[tuple[str, str | None]] = set()
    for position, targets in enumerate(document.projects, start=1):
        project_plan = _plan_project(plan.year, position, targets, errors)
        project = project_plan.project
        identity = ("code", project.code) if project.code else ("name", project.name)
        if identity in seen:
            errors.add(_("项目「%(label)s」在文件中出现了不止一次。") % {"label": project.label})
        seen.add(identity)
        plan.projects.append(project_plan)
    errors.raise_if_any()
    return plan


def _plan_unit_goal(plan: _Plan, part: doc.UnitGoalPart, errors: _Errors) -> None:
    plan.unit_goal = UnitGoal(year=plan.year, overall=part.overall or "")
    errors.check(str(RevisionKind.UNIT_GOAL.label), plan.unit_goal, exclude=["unit", "year"])
    for position, sub in enumerate(part.sub_goals, start=1):
        sub_goal = SubGoal(
            position=position,
            title=sub.title or "",
            goal=sub.goal or "",
            indicators=sub.indicators or "",
        )
        errors.check(
            _("第 %(n)s 个分项绩效目标") % {"n": position}, sub_goal, exclude=["unit_goal"]
        )
        plan.sub_goals.append(sub_goal)
    for position, text in enumerate(part.safeguards, start=1):
        safeguard = Safeguard(position=position, text=text or "")
        errors.check(
            _("第 %(n)s 条工作保障措施") % {"n": position}, safeguard, exclude=["unit_goal"]
        )
        plan.safeguards.append(safeguard)


def _plan_project(
    year: int, position: int, targets: doc.ProjectTargets, errors: _Errors
) -> _ProjectPlan:
    budget = targets.budget
    project = Project(
        year=year,
        position=position,
        code=(targets.code or "").strip() or None,
        name=targets.name or "",
        money_unit=budget.unit or "",
        budget_total=budget.total,
        budget_fiscal=budget.fiscal,
        budget_other=budget.other,
        fund_use=targets.fund_use or "",
        goal=targets.goal or "",
    )
    place = _("项目「%(label)s」") % {"label": project.label or _("第 %(n)s 个") % {"n": position}}
    errors.check(place, project, exclude=["unit", "year"])

    checkpoints = []
    months: set[int] = set()
    for checkpoint in targets.spending_plan:
        if checkpoint.month in months:
            errors.add(
                _("%(place)s资金支出计划：%(month)s 月出现了两次。")
                % {"place": place, "month": checkpoint.month}
            )
        months.add(checkpoint.month)
        row = SpendingCheckpoint(month=checkpoint.month, percent=checkpoint.percent)
        errors.check(place + _("资金支出计划"), row, exclude=["project"])
        checkpoints.append(row)

    indicators = []
    for number, source_row in enumerate(targets.indicators, start=1):
        row_place = _("%(place)s第 %(n)s 行指标「%(name)s」") % {
            "place": place,
            "n": number,
            "name": _shorten(source_row.level3),
        }
        indicator = _indicator(number, source_row)
        if indicator is None:
            errors.add(
                _("%(place)s指标值：无法识别解析结果「%(value)s」。")
                % {"place": row_place, "value": source_row.parsed.value}
            )
            continue
        errors.check(row_place, indicator, exclude=["project"])
        indicators.append(indicator)
    return _ProjectPlan(project, checkpoints, indicators)


def _shorten(text: str, width: int = 20) -> str:
    # A place names its row; a runaway cell must not swamp the message about it.
    return text if len(text) <= width else text[: width - 1] + "…"


def _indicator(position: int, row: doc.IndicatorRow) -> Indicator | None:
    """An unsaved indicator from a document row; None when the parsed value is unusable."""
    parsed = row.parsed
    value: Decimal | None = None
    deadline: date | None = None
    if parsed.value is not None:
        try:
            if parsed.kind == TargetKind.DEADLINE:
                deadline = date.fromisoformat(parsed.value)
            else:
                value = Decimal(parsed.value)
        except (ValueError, InvalidOperation):
            return None
        if value is not None and not value.is_finite():
            return None
    return Indicator(
        position=position,
        level1=row.level1 or "",
        level2=row.level2 or "",
        level3=row.level3 or "",
        description=row.description or "",
        target=row.target or "",
        target_kind=parsed.kind,
        target_op=parsed.op or "",
        target_value=value,
        target_date=deadline,
        target_unit=parsed.unit or "",
        basis=row.basis or "",
        weight=row.weight,
    )


def import_document(document: doc.TargetDocument, *, actor: Actor, source: str) -> ImportResult:
    """Write a document into the register and record a revision for each object that changed."""
    plan = _plan(document)  # every row is checked before the first write
    # One transaction: a document lands whole or not at all, its revisions with it.
    with transaction.atomic():
        unit, unit_created = find_or_create_unit(
            code=plan.unit_code, name=plan.unit_name, actor=actor
        )
        recorder = _Recorder(unit=unit, year=plan.year, actor=actor.user, source=source)
        objects = []
        if plan.unit_goal is not None:
            objects.append(_import_unit_goal(unit, plan, recorder))
        for project_plan in plan.projects:
            objects.append(_import_project(unit, project_plan, recorder))
    return ImportResult(
        source=source,
        unit=unit,
        unit_created=unit_created,
        year=plan.year,
        objects=objects,
        warnings=list(document.warnings),
    )


def _assign(target: models.Model, source: models.Model, fields: list[str]) -> list[str]:
    """Copy fields whose values differ; returns the names of those copied."""
    changed = []
    for name in fields:
        value = getattr(source, name)
        if getattr(target, name) != value:
            setattr(target, name, value)
            changed.append(name)
    return changed


def _replace_rows(related: Any, planned: Sequence[models.Model], fields: list[str]) -> None:
    """Replace a parent's rows by the planned ones, in order, unless they are the same already."""

    # Sub-goals, safeguards and checkpoints have no identity of their own, so nothing refers
    # to their ids; skipping equal rows keeps a re-import of the same document write-free.
    def values(rows: Iterable[models.Model]) -> list[tuple[Any, ...]]:
        return [tuple(getattr(row, name) for name in fields) for row in rows]

    if values(related.all()) == values(planned):
        return
    related.all().delete()
    for row in planned:
        setattr(row, related.field.name, related.instance)
    related.model.objects.bulk_create(planned)


def _import_unit_goal(unit: Unit, plan: _Plan, recorder: _Recorder) -> ObjectResult:
    assert plan.unit_goal is not None
    goal, created = UnitGoal.objects.select_for_update().get_or_create(
        unit=unit, year=plan.year, defaults={"overall": plan.unit_goal.overall}
    )
    if _assign(goal, plan.unit_goal, ["overall"]):
        goal.save(update_fields=["overall"])
    _replace_rows(goal.sub_goals, plan.sub_goals, ["title", "goal", "indicators"])
    _replace_rows(goal.safeguards, plan.safeguards, ["text"])
    return recorder.record(
        kind=RevisionKind.UNIT_GOAL,
        project=None,
        label=str(RevisionKind.UNIT_GOAL.label),
        snapshot=goal.as_part().to_dict(),
        created=created,
    )


def _import_project(unit: Unit, plan: _ProjectPlan, recorder: _Recorder) -> ObjectResult:
    planned = plan.project
    projects = Project.objects.select_for_update().filter(unit=unit, year=recorder.year)
    if planned.code:
        project = projects.filter(code=planned.code).first()
    else:
        project = projects.filter(code__isnull=True, name=planned.name).first()
    created = project is None
    if project is None:
        planned.unit = unit
        planned.save()
        project = planned
    elif changed := _assign(project, planned, PROJECT_FIELDS):
        project.save(update_fields=changed)

    _replace_rows(project.checkpoints, plan.checkpoints, ["month", "percent"])
    _sync_indicators(project, plan.indicators)
    return recorder.record(
        kind=RevisionKind.PROJECT,
        project=project,
        label=project.label,
        snapshot=project.as_targets().to_dict(),
        created=created,
    )


def _sync_indicators(project: Project, planned: list[Indicator]) -> None:
    """Update indicators in place by identity, create new ones, delete those gone."""
    # Updating in place keeps ids stable, so whatever refers to an indicator survives a re-import.
    existing = list(project.indicators.all())
    current = dict(zip(indicator_identities(i.triple for i in existing), existing, strict=True))
    to_update, to_create = [], []
    for key, indicator in zip(
        indicator_identities(i.triple for i in planned), planned, strict=True
    ):
        match = current.pop(key, None)
        if match is None:
            indicator.project = project
            to_create.append(indicator)
        elif _assign(match, indicator, INDICATOR_FIELDS):
            to_update.append(match)
    if current:
        Indicator.objects.filter(pk__in=[i.pk for i in current.values()]).delete()
    if to_update:
        Indicator.objects.bulk_update(to_update, INDICATOR_FIELDS)
    if to_create:
        Indicator.objects.bulk_create(to_create)


@dataclass
class _Recorder:
    """Writes a revision for an object whose snapshot differs from its latest revision."""

    unit: Unit
    year: int
    actor: User | None
    source: str

    def record(
        self,
        *,
        kind: RevisionKind,
        project: Project | None,
        label: str,
        snapshot: dict[str, Any],
        created: bool,
    ) -> ObjectResult:
        if project is not None:
            history = Revision.objects.filter(kind=kind, project=project)
        else:
            history = Revision.objects.filter(kind=kind, unit=self.unit, year=self.year)
        latest = history.order_by("-number").first()
        if not created and latest is not None and latest.snapshot == snapshot:
            return ObjectResult(kind, label, ImportStatus.UNCHANGED)
        changes = [] if latest is None else revision_diff(latest.snapshot, snapshot)
        revision = Revision.objects.create(
            unit=self.unit,
            year=self.year,
            kind=kind,
            project=project,
            number=1 if latest is None else latest.number + 1,
            created_by=self.actor,
            source=self.source[:255],
            snapshot=snapshot,
            changes=changes,
        )
        status = ImportStatus.CREATED if created else ImportStatus.UPDATED
        return ObjectResult(kind, label, status, revision.number, changes)


def document_for(unit: Unit, year: int) -> doc.TargetDocument:
    """A unit's targets for a year, read back from the register as a document."""
    goal = (
        UnitGoal.objects.filter(unit=unit, year=year)
        .prefetch_related("sub_goals", "safeguards")
        .first()
    )
    projects = (
        Project.objects.filter(unit=unit, year=year)
        .order_by("position", "id")
        .prefetch_related("checkpoints", "indicators")
    )
    return doc.TargetDocument(
        year=year,
        unit=doc.UnitRef(unit.code, unit.name or None),
        unit_goal=None if goal is None else goal.as_part(),
        projects=[p.as_targets() for p in projects],
    )
