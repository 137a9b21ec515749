"""Writes to budget units and finance bureaus; each checks its permission and is logged."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.access.perms import is_system, require, require_system
from jixiao.audit.choices import Action
from jixiao.audit.log import record, snapshot
from jixiao.audit.versions import bump, check_version
from jixiao.core.policy import Policy, PolicyError
from jixiao.lib.actor import Actor
from jixiao.units.models import FinanceBureau, Unit

UNIT_FIELDS = ["code", "name", "parent", "finance_bureau"]


@transaction.atomic
def find_or_create_unit(*, code: str | None, name: str | None, actor: Actor) -> tuple[Unit, bool]:
    """The unit with this code (its name updated), or by name when there is no code.

    Creating a unit, or renaming one, is the server operator's (an import at the command line)
    or a superuser's; anybody else may only import into a unit they keep.
    """
    code = (code or "").strip() or None
    name = (name or "").strip()
    if code is None and not name:
        raise ValidationError(_("没有找到预算单位：单位编码和名称都为空。"))
    if code is not None:
        unit = Unit.objects.select_for_update().filter(code=code).first()
    else:
        matches = list(Unit.objects.filter(name=name)[:2])
        if len(matches) > 1:
            raise ValidationError(
                _("有多个名为「%(name)s」的预算单位，请在文件中注明单位编码。") % {"name": name}
            )
        unit = matches[0] if matches else None
    if unit is None:
        require_system(
            actor,
            _("系统中没有预算单位「%(unit)s」；新建单位请联系财政管理员。")
            % {"unit": code or name},
        )
        unit = Unit(code=code, name=name)
        unit.full_clean(exclude=["parent", "finance_bureau"])
        unit.save()
        record(actor, Action.CREATE, unit, after=snapshot(unit, UNIT_FIELDS))
        return unit, True
    require(actor, "edit", unit)
    if code is not None and name and unit.name != name:
        before = snapshot(unit, UNIT_FIELDS)
        unit.name = name
        unit.save(update_fields=["name"])
        record(actor, Action.UPDATE, unit, before=before, after=snapshot(unit, UNIT_FIELDS))
    return unit, False


@transaction.atomic
def create_bureau(
    *, name: str, actor: Actor, settings: Mapping[str, Any] | None = None
) -> FinanceBureau:
    """A new finance bureau (the server operator's or a superuser's)."""
    require_system(actor, _("只有系统管理员可以新建财政局。"))
    bureau = FinanceBureau(name=(name or "").strip(), settings=dict(settings or {}))
    bureau.full_clean()
    bureau.save()
    record(
        actor, Action.CREATE, bureau, bureau=bureau, after=snapshot(bureau, ["name", "settings"])
    )
    return bureau


@transaction.atomic
def create_unit(
    *,
    code: str | None,
    name: str,
    actor: Actor,
    parent: Unit | None = None,
    bureau: FinanceBureau | None = None,
) -> Unit:
    """A new budget unit under a bureau (its administrator's) or under a parent unit."""
    owner = bureau or (parent.bureau if parent is not None else None)
    if owner is None:
        if not is_system(actor):
            raise ValidationError(_("请选择新单位所属的财政局或主管部门。"))
    else:
        require(actor, "manage_accounts", owner)
    if parent is not None:
        require(actor, "manage_accounts", parent)
    unit = Unit(code=(code or "").strip() or None, name=(name or "").strip(), parent=parent)
    unit.finance_bureau = bureau
    unit.full_clean()
    unit.save()
    # The row sits in the new unit and its bureau, so the bureau's people see it in the log.
    record(
        actor,
        Action.CREATE,
        unit,
        unit=unit,
        bureau=unit.bureau,
        after=snapshot(unit, UNIT_FIELDS),
    )
    return unit


@transaction.atomic
def update_bureau_settings(
    bureau: FinanceBureau,
    settings: Mapping[str, Any],
    *,
    actor: Actor,
    version: int | None = None,
) -> FinanceBureau:
    """Replace a bureau's rule settings (only the changes from the defaults are kept)."""
    require(actor, "edit_settings", bureau)
    locked = FinanceBureau.objects.select_for_update().get(pk=bureau.pk)
    check_version(locked, version)
    try:
        Policy.from_mapping(dict(settings))
    except PolicyError as exc:
        raise ValidationError({"settings": str(exc)}) from None
    before = {"settings": locked.settings}
    locked.settings = dict(settings)
    bump(locked)
    locked.save(update_fields=["settings", "version"])
    record(
        actor,
        Action.SETTINGS,
        locked,
        bureau=locked,
        before=before,
        after={"settings": locked.settings},
    )
    return locked


@transaction.atomic
def set_unit_bureau(unit: Unit, bureau: FinanceBureau | None, *, actor: Actor) -> Unit:
    """Put a unit under a finance bureau (or take it from one): the server operator's or a
    superuser's, since it moves the unit from one bureau's reach to another's."""
    require_system(actor, _("只有系统管理员可以调整单位所属的财政局。"))
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    before = snapshot(locked, UNIT_FIELDS)
    locked.finance_bureau = bureau
    locked.save(update_fields=["finance_bureau"])
    record(actor, Action.UPDATE, locked, before=before, after=snapshot(locked, UNIT_FIELDS))
    return locked
