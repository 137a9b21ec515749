"""Writes to the target register: importing a document with its revisions, restoring a
removed indicator; reading it back. Each write checks permission and writes its change-log rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from jixiao.access.perms import can, require
from jixiao.access.scope import reach
from jixiao.audit.choices import Action
from jixiao.audit.log import Entry, jsonable, record, record_many
from jixiao.audit.versions import StaleEdit
from jixiao.core import document as doc
from jixiao.core.revisions import (
    ADDED_INDICATOR,
    REMOVED_INDICATOR,
    RESTORED_INDICATOR,
    Change,
    describe_change,
    indicator_identities,
    revision_diff,
)
from jixiao.lib.actor import Actor
from jixiao.targets.choices import ImportStatus, RevisionKind, TargetKind
from jixiao.targets.holdings import Holdings, holdings_of
from jixiao.targets.models import (
    Indicator,
    Project,
    Revision,
    Safeguard,
    SpendingCheckpoint,
    SubGoal,
    UnitGoal,
    plain,
)
from jixiao.targets.results import PlannedResults, plan_results, write_results
from jixiao.units.models import Unit
from jixiao.units.services import find_or_create_unit

__all__ = [
    "ImportRejected",
    "ImportResult",
    "ObjectResult",
    "Removal",
    "RemovalNeedsConfirmation",
    "RemovedIndicator",
    "adopt_targets",
    "adopt_unit_goal",
    "check_project_targets",
    "check_unit_goal",
    "document_for",
    "import_document",
    "may_import",
    "pending_removals",
    "removed_indicators",
    "restore_indicator",
    "save_project_targets",
    "table_version",
    "unit_of_document",
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
    "budget_carryover",
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
    # What the import did to a project's self-evaluation results (an ImportStatus); None when
    # the table carries none (a target table).
    results: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = {
            "kind": self.kind,
            "label": self.label,
            "status": self.status,
            "revision": self.revision,
            "changes": self.changes,
        }
        if self.results is not None:
            data["results"] = self.results
        return data


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
        return any(
            o.status != ImportStatus.UNCHANGED or o.results not in (None, ImportStatus.UNCHANGED)
            for o in self.objects
        )

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
            results = ""
            if obj.results is not None:
                results = _("；%(year)s 年自评结果：%(status)s") % {
                    "year": self.year,
                    "status": ImportStatus(obj.results).label,
                }
            lines.append(f"  {obj.label}：{status}{version}{results}")
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
    results: PlannedResults | None = None  # a self-evaluation table's results


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
        budget_carryover=budget.carryover,
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
    row_places: dict[int, str] = {}
    for number, source_row in enumerate(targets.indicators, start=1):
        row_place = _("%(place)s第 %(n)s 行指标「%(name)s」") % {
            "place": place,
            "n": number,
            "name": _shorten(source_row.level3),
        }
        row_places[number] = row_place
        indicator = _indicator(number, source_row)
        if indicator is None:
            errors.add(
                _("%(place)s指标值：无法识别解析结果「%(value)s」。")
                % {"place": row_place, "value": source_row.parsed.value}
            )
            continue
        errors.check(row_place, indicator, exclude=["project"])
        indicators.append(indicator)

    results = plan_results(targets, place, row_places, errors.check)
    return _ProjectPlan(project, checkpoints, indicators, results)


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


def may_import(who: Any) -> bool:
    """Whether the person keeps some unit's data (its officer or head), or is a superuser or
    the operator: who is offered the import pages."""
    found = reach(who)
    if found.everything:
        return True
    if found.unit_id is None:
        return False
    # The permission reads only the unit's id: no query (base.html asks on every page).
    return can(who, "edit", Unit(pk=found.unit_id))


def unit_of_document(document: doc.TargetDocument) -> Unit | None:
    """The registered unit a document names (by code, else by name), None when there is none."""
    ref = document.unit
    code = ((ref.code if ref else None) or "").strip()
    name = ((ref.name if ref else None) or "").strip()
    if code:
        return Unit.objects.filter(code=code).first()
    if name:
        matches = list(Unit.objects.filter(name=name)[:2])
        return matches[0] if len(matches) == 1 else None
    return None


@dataclass
class Removal:
    """An indicator a re-import would remove, and what it holds (kept with it)."""

    project: str
    indicator: str
    indicator_id: int
    path: str
    holdings: Holdings

    @property
    def text(self) -> str:
        """``舆情监测预警、研判分析数：口径 1 个、手工填报实际完成值 3 条``."""
        if not self.holdings:
            return self.indicator
        return f"{self.indicator}：{self.holdings.text}"

    @property
    def line(self) -> str:
        """The text with its project: ``「网络安全和信息化经费」舆情监测预警…：口径 1 个``."""
        return f"「{self.project}」{self.text}"


class RemovalNeedsConfirmation(ValidationError):
    """A re-import would remove indicators holding data; nothing was written.

    ``removals`` lists every indicator the import would remove; the messages name those that
    hold something, with what they hold.
    """

    def __init__(self, removals: list[Removal]) -> None:
        self.removals = removals
        lines = [r.line for r in removals if r.holdings]
        head = _(
            "导入将移除以下带有数据的绩效指标（移除后指标及其数据仍保留，可在项目的修改记录页恢复），"
            "请确认后再导入："
        )
        super().__init__([head, *lines], code="removal_needs_confirmation")


def pending_removals(document: doc.TargetDocument) -> list[Removal]:
    """The indicators importing the document would remove, each with what it holds.

    Reads only; the document must be valid (see :func:`validate_document`).
    """
    plan = _plan(document)
    unit = unit_of_document(document)
    return [] if unit is None else _removals(unit, plan)


def _removals(unit: Unit, plan: _Plan) -> list[Removal]:
    found: list[tuple[Project, Indicator]] = []
    for project_plan in plan.projects:
        project = _find_project(unit, plan.year, project_plan.project)
        if project is not None:
            found += [(project, i) for i in _match(project, project_plan.indicators).removed]
    holdings = holdings_of(i.pk for _p, i in found)
    return [
        Removal(p.label, i.level3, i.pk, _path(i), holdings.get(i.pk, Holdings())) for p, i in found
    ]


def import_document(
    document: doc.TargetDocument,
    *,
    actor: Actor,
    source: str,
    confirm_removals: bool = False,
) -> ImportResult:
    """Write a document into the register and record a revision for each object that changed.

    Only the unit's officer or head (or a superuser, or the operator at the command line) may
    import into a unit; creating a unit is the operator's or a superuser's. Indicators the
    document no longer has are removed but kept, with everything they hold, and can be
    restored; when any of them holds data, the import is refused with
    :class:`RemovalNeedsConfirmation` unless ``confirm_removals``.

    A self-evaluation table's projects also carry the year's results (实际完成值, 分值, 得分,
    偏差原因, the fund line and the total): they are recorded beside the targets as that year's
    imported evaluation (``jixiao.targets.results``), in the same transaction.
    """
    plan = _plan(document)  # every row is checked before the first write
    # One transaction: a document lands whole or not at all, with its revisions and log rows.
    with transaction.atomic():
        unit, unit_created = find_or_create_unit(
            code=plan.unit_code, name=plan.unit_name, actor=actor
        )
        require(actor, "edit", unit)
        # Lock the unit-year's projects first, so what is counted below is what is removed.
        list(Project.objects.select_for_update().filter(unit=unit, year=plan.year))
        if not confirm_removals:
            removals = _removals(unit, plan)
            if any(r.holdings for r in removals):
                raise RemovalNeedsConfirmation(removals)
        recorder = _Recorder(unit=unit, year=plan.year, actor=actor, source=source)
        objects = []
        if plan.unit_goal is not None:
            objects.append(_import_unit_goal(unit, plan, recorder))
        for project_plan in plan.projects:
            objects.append(_import_project(unit, project_plan, recorder))
        record_many(actor, recorder.entries)
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


def _values(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values as the change log keeps them; decimals without their padding zeros."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, getattr(obj._meta.get_field(name), "attname", name))
        values[name] = jsonable(plain(value) if isinstance(value, Decimal) else value)
    return values


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


# What the change log keeps of a department-wide goal: its text and, as texts, its parts.
SUB_GOALS_KEY = "分项绩效目标"
SAFEGUARDS_KEY = "工作保障措施"
PLAN_KEY = "资金支出计划"


def _goal_values(goal: UnitGoal) -> dict[str, Any]:
    subs = [
        "".join(
            [
                s.title,
                f"：{s.goal}" if s.goal else "",
                f"（绩效指标：{s.indicators}）" if s.indicators else "",
            ]
        )
        for s in goal.sub_goals.all()
    ]
    return {
        "overall": goal.overall,
        SUB_GOALS_KEY: "\n".join(subs),
        SAFEGUARDS_KEY: "\n".join(s.text for s in goal.safeguards.all()),
    }


def _project_values(project: Project) -> dict[str, Any]:
    plan = "、".join(f"{c.month}月底{plain(c.percent)}%" for c in project.checkpoints.all())
    return {**_values(project, ["code", *PROJECT_FIELDS]), PLAN_KEY: plan}


def _import_unit_goal(unit: Unit, plan: _Plan, recorder: _Recorder) -> ObjectResult:
    assert plan.unit_goal is not None
    goal, created = UnitGoal.objects.select_for_update().get_or_create(
        unit=unit, year=plan.year, defaults={"overall": plan.unit_goal.overall}
    )
    before = None if created else _goal_values(goal)
    if _assign(goal, plan.unit_goal, ["overall"]):
        goal.save(update_fields=["overall"])
    _replace_rows(goal.sub_goals, plan.sub_goals, ["title", "goal", "indicators"])
    _replace_rows(goal.safeguards, plan.safeguards, ["text"])
    result, revision = recorder.record(
        kind=RevisionKind.UNIT_GOAL,
        project=None,
        label=str(RevisionKind.UNIT_GOAL.label),
        snapshot=goal.as_part().to_dict(),
        created=created,
    )
    if revision is not None:
        recorder.log(
            Action.CREATE if created else Action.UPDATE,
            goal,
            before=before,
            after=_goal_values(goal),
            comment=recorder.revision_note(revision),
        )
    return result


def _find_project(unit: Unit, year: int, planned: Project) -> Project | None:
    projects = Project.objects.filter(unit=unit, year=year)
    if planned.code:
        return projects.filter(code=planned.code).first()
    return projects.filter(code__isnull=True, name=planned.name).first()


def _import_project(
    unit: Unit,
    plan: _ProjectPlan,
    recorder: _Recorder,
    *,
    found: Project | None = None,
    row_ids: Sequence[int | None] | None = None,
) -> ObjectResult:
    """Write one planned project. An import finds the project by code or name and matches its
    rows by identity; an edit passes the project (``found``) and each row's indicator id."""
    planned = plan.project
    project = found if found is not None else _find_project(unit, recorder.year, planned)
    created = project is None
    before = None
    if project is None:
        planned.unit = unit
        planned.save()
        project = planned
    else:
        before = _project_values(project)
        if changed := _assign(project, planned, PROJECT_FIELDS):
            project.save(update_fields=changed)

    _replace_rows(project.checkpoints, plan.checkpoints, ["month", "percent"])
    match = None if row_ids is None else _match_ids(project, plan.indicators, row_ids)
    synced = _sync_indicators(project, plan.indicators, actor=recorder.actor, match=match)
    result, revision = recorder.record(
        kind=RevisionKind.PROJECT,
        project=project,
        label=project.label,
        snapshot=project.as_targets().to_dict(),
        created=created,
        removed=[(_path(i), held.text) for i, held in synced.removed],
        restored=[_path(i) for i, _before in synced.revived],
    )
    if revision is not None and synced.removed:
        ids = [i.pk for i, _held in synced.removed]
        Indicator.all_objects.filter(pk__in=ids).update(removed_in_revision=revision)
        for indicator, _held in synced.removed:
            indicator.removed_in_revision = revision
    after = _project_values(project)
    if revision is not None or (before is not None and before != after):
        recorder.log(
            Action.CREATE if created else Action.UPDATE,
            project,
            before=before,
            after=after,
            comment=recorder.revision_note(revision),
        )
    recorder.log_indicators(project, synced)
    if plan.results is not None:
        # A self-evaluation table: the year's results, beside the targets just written.
        result.results, entries = write_results(
            unit, project, plan.results, actor=recorder.actor, source=recorder.source
        )
        recorder.entries.extend(entries)
    return result


def _path(indicator: Indicator) -> str:
    return " / ".join(level for level in indicator.triple if level)


@dataclass
class _Match:
    """Planned indicator rows paired with the registered row of the same identity (live or
    removed, None for a new one), and the live rows the table no longer has."""

    pairs: list[tuple[Indicator, Indicator | None]]
    removed: list[Indicator]


def _match(project: Project, planned: Sequence[Indicator]) -> _Match:
    """Match by ``indicator_identities``: the rows in force come first, then removed rows,
    so a removed indicator comes back only when the table holds one more of its kind."""
    rows = list(Indicator.all_objects.filter(project=project).order_by("position", "id"))
    ordered = [i for i in rows if not i.removed] + [i for i in rows if i.removed]
    current = dict(zip(indicator_identities(i.triple for i in ordered), ordered, strict=True))
    pairs = [
        (indicator, current.pop(key, None))
        for key, indicator in zip(
            indicator_identities(i.triple for i in planned), planned, strict=True
        )
    ]
    return _Match(pairs, [i for i in current.values() if not i.removed])


@dataclass
class _Synced:
    """What syncing a project's indicators did, with the values before each change."""

    created: list[Indicator] = field(default_factory=list)
    updated: list[tuple[Indicator, dict[str, Any]]] = field(default_factory=list)
    revived: list[tuple[Indicator, dict[str, Any]]] = field(default_factory=list)
    removed: list[tuple[Indicator, Holdings]] = field(default_factory=list)


REMOVAL_FIELDS = ["removed_at", "removed_by", "removed_in_revision"]
LOGGED_INDICATOR_FIELDS = [*INDICATOR_FIELDS, "removed_at"]


def _match_ids(
    project: Project, planned: Sequence[Indicator], row_ids: Sequence[int | None]
) -> _Match:
    """Match edited rows to the project's live indicators by the id each row carries (None for
    a new row): a row keeps its indicator even when its names change, and live indicators no
    row names are removed."""
    live = {i.pk: i for i in Indicator.objects.filter(project=project)}
    pairs = []
    for indicator, pk in zip(planned, row_ids, strict=True):
        existing = None if pk is None else live.pop(pk, None)
        if pk is not None and existing is None:
            raise ImportRejected(
                _("第 %(n)s 行指标「%(name)s」已不在表中（可能已被他人移除），请刷新后重新编辑。")
                % {"n": indicator.position, "name": _shorten(indicator.level3)}
            )
        pairs.append((indicator, existing))
    return _Match(pairs, list(live.values()))


def _sync_indicators(
    project: Project, planned: list[Indicator], *, actor: Actor, match: _Match | None = None
) -> _Synced:
    """Update indicators in place by identity (or by the ids of ``match``), create new ones,
    bring back removed ones of the same identity, and mark those gone as removed."""
    # Updating in place keeps ids stable, so whatever refers to an indicator survives a
    # re-import; removing softly keeps it (with its metric, actuals and evidence) restorable.
    if match is None:
        match = _match(project, planned)
    synced = _Synced()
    to_update, to_create = [], []
    for indicator, existing in match.pairs:
        if existing is None:
            indicator.project = project
            to_create.append(indicator)
            continue
        before = _values(existing, LOGGED_INDICATOR_FIELDS)
        changed = _assign(existing, indicator, INDICATOR_FIELDS)
        if existing.removed:
            existing.removed_at = existing.removed_by = existing.removed_in_revision = None
            synced.revived.append((existing, before))
            to_update.append(existing)
        elif changed:
            synced.updated.append((existing, before))
            to_update.append(existing)
    if match.removed:
        holdings = holdings_of(i.pk for i in match.removed)
        now = timezone.now()
        for indicator in match.removed:
            indicator.removed_at, indicator.removed_by = now, actor.user
            synced.removed.append((indicator, holdings.get(indicator.pk, Holdings())))
            to_update.append(indicator)
    if to_update:
        Indicator.all_objects.bulk_update(to_update, [*INDICATOR_FIELDS, *REMOVAL_FIELDS])
    if to_create:
        synced.created = Indicator.objects.bulk_create(to_create)
    return synced


@dataclass
class _Recorder:
    """Writes a revision for an object whose snapshot differs from its latest revision, and
    gathers the change-log rows the import appends at its end."""

    unit: Unit
    year: int
    actor: Actor
    source: str
    entries: list[Entry] = field(default_factory=list)
    # How change-log rows name the write: an import names its file, an edit its origin.
    note_format: str = "导入「%(source)s」"

    def note(self) -> str:
        """The write as the change log names it: ``导入「file.docx」``, ``网页编辑``."""
        return self.note_format % {"source": self.source}

    def record(
        self,
        *,
        kind: RevisionKind,
        project: Project | None,
        label: str,
        snapshot: dict[str, Any],
        created: bool,
        removed: Sequence[tuple[str, str]] = (),
        restored: Sequence[str] = (),
    ) -> tuple[ObjectResult, Revision | None]:
        """``removed``: (path, what it held) of indicators removed; ``restored``: paths of
        indicators brought back — their changes say so."""
        if project is not None:
            history = Revision.objects.filter(kind=kind, project=project)
        else:
            history = Revision.objects.filter(kind=kind, unit=self.unit, year=self.year)
        latest = history.order_by("-number").first()
        if not created and latest is not None and latest.snapshot == snapshot:
            return ObjectResult(kind, label, ImportStatus.UNCHANGED), None
        changes = [] if latest is None else revision_diff(latest.snapshot, snapshot)
        _annotate(changes, removed, restored)
        revision = Revision.objects.create(
            unit=self.unit,
            year=self.year,
            kind=kind,
            project=project,
            number=1 if latest is None else latest.number + 1,
            created_by=self.actor.user,
            source=self.source[:255],
            snapshot=snapshot,
            changes=changes,
        )
        status = ImportStatus.CREATED if created else ImportStatus.UPDATED
        return ObjectResult(kind, label, status, revision.number, changes), revision

    def revision_note(self, revision: Revision | None) -> str:
        """The comment of a change-log row: the source and the revision it wrote."""
        note = self.note()
        if revision is not None:
            note += _("，第 %(number)s 版") % {"number": revision.number}
        return note

    def log(self, action: str, obj: models.Model, **kwargs: Any) -> None:
        self.entries.append(Entry.of(action, obj, unit=self.unit, **kwargs))

    def log_indicators(self, project: Project, synced: _Synced) -> None:
        """One change-log row per indicator created, changed or brought back (in table order),
        then one per indicator removed."""
        note = self.note()
        revived = _("%(note)s：表中再次出现，恢复") % {"note": note}
        rows: list[tuple[int, str, Indicator, dict[str, Any] | None, str]] = [
            (i.position, Action.CREATE, i, None, note) for i in synced.created
        ]
        rows += [(i.position, Action.UPDATE, i, before, note) for i, before in synced.updated]
        rows += [(i.position, Action.RESTORE, i, before, revived) for i, before in synced.revived]
        rows.sort(key=lambda row: row[0])
        for _position, action, indicator, before, comment in rows:
            fields = INDICATOR_FIELDS if before is None else LOGGED_INDICATOR_FIELDS
            self.log(
                action,
                indicator,
                before=before,
                after=_values(indicator, fields),
                comment=comment,
                object_repr=_where(project, indicator),
            )
        for indicator, held in synced.removed:
            revision = indicator.removed_in_revision
            comment = _("%(note)s：表中没有该指标，移除（保留，可恢复）") % {"note": note}
            if revision is not None:
                comment += _("，第 %(number)s 版") % {"number": revision.number}
            if held:
                comment += _("；带有%(held)s") % {"held": held.text}
            self.log(
                Action.REMOVE,
                indicator,
                before=dict.fromkeys(REMOVAL_FIELDS),
                after=_values(indicator, REMOVAL_FIELDS),
                comment=comment,
                object_repr=_where(project, indicator),
            )


def _where(project: Project, indicator: Indicator) -> str:
    """How the change log names an indicator: its project and its name."""
    return f"{project.label} / {indicator.level3}"[:300]


def _annotate(
    changes: list[Change], removed: Sequence[tuple[str, str]], restored: Sequence[str]
) -> None:
    """Say in a revision's changes what removed indicators held, and which additions are
    indicators coming back."""
    held = defaultdict(list)
    for path, text in removed:
        held[path].append(text)
    back = Counter(restored)
    for change in changes:
        path = change.get("path") or ""
        if change["field"] == REMOVED_INDICATOR and held.get(path):
            text = held[path].pop(0)
            if text:
                change["held"] = text
        elif change["field"] == ADDED_INDICATOR and back[path] > 0:
            back[path] -= 1
            change["field"] = RESTORED_INDICATOR


@transaction.atomic
def restore_indicator(indicator: Indicator, *, actor: Actor) -> Indicator:
    """Bring back a removed indicator with everything it held; records a revision of its
    project and a change-log row."""
    require(actor, "edit", indicator)
    locked: Indicator = Indicator.all_objects.select_for_update().get(pk=indicator.pk)
    if not locked.removed:
        raise ValidationError(_("指标「%(name)s」没有被移除，无需恢复。") % {"name": locked.level3})
    project = Project.objects.select_for_update().select_related("unit").get(pk=locked.project_id)
    before = _values(locked, REMOVAL_FIELDS)
    locked.removed_at = locked.removed_by = locked.removed_in_revision = None
    locked.save(update_fields=REMOVAL_FIELDS)
    source = _("恢复指标「%(name)s」") % {"name": locked.level3}
    recorder = _Recorder(unit=project.unit, year=project.year, actor=actor, source=source)
    _result, revision = recorder.record(
        kind=RevisionKind.PROJECT,
        project=project,
        label=project.label,
        snapshot=project.as_targets().to_dict(),
        created=False,
        restored=[_path(locked)],
    )
    comment = _("恢复被移除的指标")
    if revision is not None:
        comment += _("，第 %(number)s 版") % {"number": revision.number}
    record(
        actor,
        Action.RESTORE,
        locked,
        unit=project.unit,
        before=before,
        after=_values(locked, REMOVAL_FIELDS),
        comment=comment,
        object_repr=_where(project, locked),
    )
    return locked


@dataclass
class RemovedIndicator:
    """A removed indicator as the history page lists it: when, by whom, what it holds."""

    indicator: Indicator
    holdings: Holdings


def removed_indicators(project: Project) -> list[RemovedIndicator]:
    """A project's removed indicators, latest removal first, with what each holds."""
    rows = list(
        Indicator.all_objects.filter(project=project, removed_at__isnull=False)
        .select_related("removed_by", "removed_in_revision")
        .order_by("-removed_at", "position", "id")
    )
    holdings = holdings_of(i.pk for i in rows)
    return [RemovedIndicator(i, holdings.get(i.pk, Holdings())) for i in rows]


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


def table_version(project: Project) -> int:
    """The version of a project's table an editor reads: its latest revision's number (0 when
    it has none). Every write that changes the table records a revision, so it moves on."""
    number = (
        Revision.objects.filter(kind=RevisionKind.PROJECT, project=project)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return number or 0


def _check_table_version(project: Project, expected: int | None) -> None:
    """Refuse an edit read at an older version, listing what the revisions since changed."""
    if expected is None or table_version(project) == expected:
        return
    lines = [
        _(
            "「%(name)s」的绩效目标表在你打开之后已被他人修改，你的修改没有保存。请核对下面的变化后重新编辑："
        )
        % {"name": project.label}
    ]
    lines += describe_revisions(project_revisions_since(project, expected))
    raise StaleEdit(lines, current_version=table_version(project))


def project_revisions_since(project: Project, version: int) -> QuerySet[Revision]:
    """The revisions of a project's table after ``version``, oldest first."""
    return Revision.objects.filter(
        kind=RevisionKind.PROJECT, project=project, number__gt=version
    ).order_by("number")


def unit_goal_revisions_since(goal: UnitGoal, version: int) -> QuerySet[Revision]:
    """The revisions of a unit-wide goal after ``version``, oldest first."""
    return Revision.objects.filter(
        kind=RevisionKind.UNIT_GOAL, unit_id=goal.unit_id, year=goal.year, number__gt=version
    ).order_by("number")


def describe_revisions(revisions: QuerySet[Revision], name: str = "") -> list[str]:
    """Each revision as one Chinese line — ``{name}第 N 版（来源，谁，何时）：变化`` — for a
    message saying what was written since a version someone read."""
    lines = []
    for revision in revisions.select_related("created_by"):
        who = revision.created_by.get_username() if revision.created_by else revision.source
        when = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
        changes = "；".join(describe_change(c) for c in revision.changes) or _("（无内容变化）")
        lines.append(
            _("%(name)s第 %(number)s 版（%(source)s，%(who)s，%(when)s）：%(changes)s")
            % {
                "name": name,
                "number": revision.number,
                "source": revision.source,
                "who": who,
                "when": when,
                "changes": changes,
            }
        )
    return lines


def save_project_targets(
    project: Project,
    targets: doc.ProjectTargets,
    *,
    actor: Actor,
    row_ids: Sequence[int | None],
    version: int | None,
    source: str = "网页编辑",
) -> ObjectResult:
    """Write an edited table of an existing project through the import's machinery.

    ``targets`` is the table as edited (``project.as_targets()`` changed); ``row_ids`` gives
    each indicator row's id (None for a new row), so a row keeps its indicator, with its metric,
    actuals and evidence, even when its names change; live indicators no row names are removed
    (kept and restorable, as an import does). ``version`` is :func:`table_version` as the editor
    read it; a table changed since is refused with ``StaleEdit`` (None: no check). Records a
    revision named by ``source`` and the change-log rows. The project's code and name stay.
    """
    require(actor, "edit", project)
    return _write_project_targets(
        project, targets, actor=actor, row_ids=row_ids, version=version, source=source
    )


def _project_plan(project: Project, targets: doc.ProjectTargets) -> _ProjectPlan:
    """The edited table checked as an import checks a table; ImportRejected lists problems.
    The project keeps its code and name."""
    errors = _Errors()
    targets = doc.ProjectTargets(
        code=project.code,
        name=project.name or None,
        budget=targets.budget,
        fund_use=targets.fund_use,
        spending_plan=targets.spending_plan,
        goal=targets.goal,
        indicators=targets.indicators,
    )
    plan = _plan_project(project.year, project.position, targets, errors)
    errors.raise_if_any()
    return plan


def check_project_targets(project: Project, targets: doc.ProjectTargets) -> None:
    """Check an edited table against the register's rules without writing (a round's draft
    is checked so when saved); ``ImportRejected`` lists every problem."""
    _project_plan(project, targets)


def adopt_targets(
    project: Project,
    targets: doc.ProjectTargets,
    *,
    actor: Actor,
    row_ids: Sequence[int | None],
    source: str,
) -> ObjectResult:
    """Put a table approved in a target round in force, through the same write path.

    For the approval service of a declaration or adjustment round, which has checked that the
    actor may approve (the bureau's reviewer, who may not edit the unit's data); writes the
    revision (named by ``source``) and change-log rows like :func:`save_project_targets`.
    """
    return _write_project_targets(
        project, targets, actor=actor, row_ids=row_ids, version=None, source=source
    )


def _write_project_targets(
    project: Project,
    targets: doc.ProjectTargets,
    *,
    actor: Actor,
    row_ids: Sequence[int | None],
    version: int | None,
    source: str,
) -> ObjectResult:
    if len(row_ids) != len(targets.indicators):
        raise ValueError("row_ids must give one id per indicator row")
    plan = _project_plan(project, targets)
    # One transaction: the table, its revision and its change-log rows land together.
    with transaction.atomic():
        locked = Project.objects.select_for_update().select_related("unit").get(pk=project.pk)
        _check_table_version(locked, version)
        recorder = _Recorder(
            unit=locked.unit,
            year=locked.year,
            actor=actor,
            source=source,
            note_format="%(source)s",
        )
        result = _import_project(locked.unit, plan, recorder, found=locked, row_ids=row_ids)
        record_many(actor, recorder.entries)
    return result


def unit_goal_version(goal: UnitGoal) -> int:
    """The version of the unit-wide goal an editor reads: its latest revision's number."""
    number = (
        Revision.objects.filter(kind=RevisionKind.UNIT_GOAL, unit_id=goal.unit_id, year=goal.year)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return number or 0


def check_unit_goal(goal: UnitGoal, part: doc.UnitGoalPart) -> None:
    """Check an edited unit-wide goal as an import checks one (``ImportRejected`` lists the
    problems); nothing is written. For a target round's goal draft."""
    unit = goal.unit
    errors = _Errors()
    plan = _Plan(unit_code=unit.code, unit_name=unit.name, year=goal.year)
    _plan_unit_goal(plan, part, errors)
    errors.raise_if_any()


def save_unit_goal(
    goal: UnitGoal,
    part: doc.UnitGoalPart,
    *,
    actor: Actor,
    version: int | None,
    source: str = "网页编辑",
) -> ObjectResult:
    """Write the edited unit-wide goal (单位整体目标) through the import's machinery: the same
    checks, a revision named by ``source`` and the change-log rows. ``version`` is
    :func:`unit_goal_version` as the editor read it; a goal changed since is refused with
    ``StaleEdit`` listing what changed (None: no check)."""
    require(actor, "edit", goal.unit)
    return _write_unit_goal(goal, part, actor=actor, version=version, source=source)


def adopt_unit_goal(
    goal: UnitGoal, part: doc.UnitGoalPart, *, actor: Actor, version: int, source: str
) -> ObjectResult:
    """Put a unit-wide goal approved in a target round in force, through the same write path
    as :func:`save_unit_goal` (checks, revision named by ``source``, change-log rows).

    For the approval service of a declaration or adjustment round, which has checked that the
    actor may approve (the bureau's reviewer, who may not edit the unit's data). ``version``
    is the goal's version the draft was started from; a goal changed since is refused.
    """
    return _write_unit_goal(goal, part, actor=actor, version=version, source=source)


def _write_unit_goal(
    goal: UnitGoal,
    part: doc.UnitGoalPart,
    *,
    actor: Actor,
    version: int | None,
    source: str,
) -> ObjectResult:
    unit = goal.unit
    errors = _Errors()
    plan = _Plan(unit_code=unit.code, unit_name=unit.name, year=goal.year)
    _plan_unit_goal(plan, part, errors)
    errors.raise_if_any()
    with transaction.atomic():
        locked = UnitGoal.objects.select_for_update().get(pk=goal.pk)
        current = unit_goal_version(locked)
        if version is not None and current != version:
            lines = [_("单位整体绩效目标在你打开之后已被他人修改，你的修改没有保存：")]
            lines += describe_revisions(unit_goal_revisions_since(goal, version))
            raise StaleEdit(lines, current_version=current)
        recorder = _Recorder(
            unit=unit, year=goal.year, actor=actor, source=source, note_format="%(source)s"
        )
        result = _import_unit_goal(unit, plan, recorder)
        record_many(actor, recorder.entries)
    return result
