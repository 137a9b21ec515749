"""The permissions, as ``rules`` predicates over (user, object); services check them.

A permission's object is the thing acted on: a unit-bearing object (a unit, a project, an
indicator, a ledger record, a report …), whose unit decides; or a finance bureau. The table
of who may do what is docs/permissions.md.

Separation of duties is part of the predicates, so it holds for superusers too: nobody
approves or overrides their own unit's submission, and the person who submitted a report
cannot approve it at any step.
"""

from __future__ import annotations

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from jixiao.access.scope import Reach, reach, user_of
from jixiao.accounts.choices import Role
from jixiao.lib.actor import Actor

# How to reach an object's unit id, by model label: attribute paths tried in order.
UNIT_PATHS: dict[str, str] = {
    "units.unit": "pk",
    "targets.indicator": "project.unit_id",
    "targets.subgoal": "unit_goal.unit_id",
    "targets.safeguard": "unit_goal.unit_id",
    "targets.spendingcheckpoint": "project.unit_id",
    "targets.recordedevaluation": "project.unit_id",
    "targets.recordedresult": "indicator.project.unit_id",
    "ledgers.attachment": "entry.unit_id",
    "ledgers.ledgertransition": "entry.unit_id",
    "metrics.metric": "indicator.project.unit_id",
    "metrics.manualactual": "indicator.project.unit_id",
    "metrics.evidence": "actual.indicator.project.unit_id",
    "rounds.indicatorentry": "report.unit_id",
    "rounds.projectentry": "report.unit_id",
    "rounds.submission": "report.unit_id",
    "rounds.scoreoverride": "report.unit_id",
    "rounds.reportevent": "report.unit_id",
}


def unit_id_of(obj: Any) -> int | None:
    """The id of the unit an object belongs to (None for bureau-level or shared objects)."""
    path = UNIT_PATHS.get(obj._meta.label_lower, "unit_id")
    value: Any = obj
    for part in path.split("."):
        value = getattr(value, part, None)
        if value is None:
            return None
    return int(value)


def _own_unit(found: Reach, obj: Any) -> bool:
    return found.unit_id is not None and unit_id_of(obj) == found.unit_id


def _submitter_id(report: Any) -> int | None:
    submission = report.latest_submission()
    return None if submission is None else submission.submitted_by_id


@rules.predicate
def can_view(user: Any, obj: Any) -> bool:
    """Reads the object: its unit is in the person's reach."""
    return reach(user).reaches(unit_id_of(obj))


@rules.predicate
def can_edit(user: Any, obj: Any) -> bool:
    """Keeps the unit's data: an officer or head of that very unit (or a superuser)."""
    found = reach(user)
    if found.superuser:
        return True
    return found.role in (Role.OFFICER, Role.HEAD) and _own_unit(found, obj)


@rules.predicate
def can_endorse(user: Any, report: Any) -> bool:
    """The unit's own review step: the unit's head, who did not submit it."""
    found = reach(user)
    if _submitter_id(report) == getattr(user, "pk", None):
        return False
    if found.superuser:
        return True
    return found.role == Role.HEAD and _own_unit(found, report)


def _bureau_id_of_unit(unit_id: int | None) -> int | None:
    from jixiao.units.models import Unit

    if unit_id is None:
        return None
    unit = Unit.objects.select_related("finance_bureau").filter(pk=unit_id).first()
    bureau = unit.bureau if unit is not None else None
    return bureau.pk if bureau is not None else None


@rules.predicate
def can_review(user: Any, report: Any) -> bool:
    """Return, approve or override: a reviewer of the unit's bureau, not of the unit itself,
    who did not submit it."""
    found = reach(user)
    if _submitter_id(report) == getattr(user, "pk", None):
        return False
    if found.unit_id is not None and found.reaches(report.unit_id):
        return False  # nobody reviews their own unit (or one under it)
    if found.superuser:
        return True
    return (
        found.role == Role.REVIEWER
        and found.bureau_id is not None
        and found.reaches(report.unit_id)
        and _bureau_id_of_unit(report.unit_id) == found.bureau_id
    )


@rules.predicate
def can_publish(user: Any, obj: Any) -> bool:
    """Publishes a unit's approved targets and self-evaluation (信息公开), or withdraws them:
    a reviewer of the unit's bureau, not of the unit itself."""
    found = reach(user)
    unit_id = unit_id_of(obj)
    if found.unit_id is not None and found.reaches(unit_id):
        return False
    if found.superuser:
        return True
    return (
        found.role == Role.REVIEWER
        and found.bureau_id is not None
        and found.reaches(unit_id)
        and _bureau_id_of_unit(unit_id) == found.bureau_id
    )


@rules.predicate
def is_bureau_admin(user: Any, bureau: Any) -> bool:
    """Opens the bureau's rounds, keeps its settings and accounts: its administrator."""
    found = reach(user)
    if found.superuser:
        return True
    return found.role == Role.ADMIN and bureau is not None and found.bureau_id == bureau.pk


@rules.predicate
def in_bureau(user: Any, bureau: Any) -> bool:
    """Reads the bureau's rounds and settings: any of its people."""
    found = reach(user)
    if found.superuser:
        return True
    return bureau is not None and found.bureau_id == bureau.pk


@rules.predicate
def can_manage_accounts(user: Any, obj: Any) -> bool:
    """Creates and disables accounts of a bureau, or of a unit under it: the bureau's admin."""
    found = reach(user)
    if found.superuser:
        return True
    if found.role != Role.ADMIN or found.bureau_id is None:
        return False
    if obj._meta.label_lower == "units.financebureau":
        return bool(obj.pk == found.bureau_id)
    return found.reaches(unit_id_of(obj))


@rules.predicate
def can_read_log(user: Any, obj: Any) -> bool:
    """Reads the change log of a unit (or a bureau): its head, or the bureau's people or an
    auditor in scope."""
    found = reach(user)
    if found.superuser:
        return True
    if obj._meta.label_lower == "units.financebureau":
        return found.bureau_id == obj.pk and found.role in (Role.REVIEWER, Role.ADMIN, Role.AUDITOR)
    if found.role not in (Role.HEAD, Role.REVIEWER, Role.ADMIN, Role.AUDITOR):
        return False
    return found.reaches(unit_id_of(obj))


PERMISSIONS = {
    "view": can_view,
    "edit": can_edit,
    "endorse_report": can_endorse,
    "review_report": can_review,
    "publish": can_publish,
    "open_round": is_bureau_admin,
    "edit_settings": is_bureau_admin,
    "view_bureau": in_bureau,
    "manage_accounts": can_manage_accounts,
    "view_log": can_read_log,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(f"jixiao.{_name}", _predicate)

DENIED = {
    "view": _("您无权查看该单位的数据。"),
    "edit": _("只有本单位的填报员或单位负责人可以修改本单位的数据。"),
    "endorse_report": _(
        "只有本单位的单位负责人可以审核本单位的填报，且提交人不能审核自己提交的填报。"
    ),
    "review_report": _(
        "只有该单位所属财政局的财政审核员可以审核；不能审核本单位或自己提交的填报。"
    ),
    "publish": _("只有该单位所属财政局的财政审核员可以发布或撤回信息公开。"),
    "open_round": _("只有财政管理员可以开启填报轮次。"),
    "edit_settings": _("只有财政管理员可以修改绩效规则设置。"),
    "view_bureau": _("您不属于该财政局。"),
    "manage_accounts": _("只有财政管理员可以管理本局及所辖单位的账号。"),
    "view_log": _("您无权查看该范围的审计日志。"),
}


def can(who: Any, name: str, obj: Any) -> bool:
    """Whether ``who`` (an Actor or a user) holds the permission on the object.

    The server operator at the command line holds every permission.
    """
    if isinstance(who, Actor) and who.operator:
        return True
    return bool(rules.has_perm(f"jixiao.{name}", user_of(who), obj))


def require(who: Any, name: str, obj: Any) -> None:
    """Raise ``PermissionDenied`` (a Chinese message) unless ``who`` holds the permission."""
    if not can(who, name, obj):
        raise PermissionDenied(DENIED[name])


def is_system(who: Any) -> bool:
    """The server operator at the command line, or a superuser: may do what no role may
    (create bureaus, move units between bureaus, manage accounts outside any organisation)."""
    if isinstance(who, Actor) and who.operator:
        return True
    user = user_of(who)
    return bool(user is not None and user.is_active and user.is_superuser)


def require_system(who: Any, message: str) -> None:
    """Raise ``PermissionDenied`` with the message unless ``who`` is the operator or a superuser."""
    if not is_system(who):
        raise PermissionDenied(message)
