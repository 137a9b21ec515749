"""Writes to budget units."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from jixiao.units.models import Unit


@transaction.atomic
def find_or_create_unit(*, code: str | None, name: str | None) -> tuple[Unit, bool]:
    """The unit with this code (its name updated), or by name when there is no code."""
    code = (code or "").strip() or None
    name = (name or "").strip()
    if code is not None:
        unit, created = Unit.objects.select_for_update().get_or_create(
            code=code, defaults={"name": name}
        )
        if not created and name and unit.name != name:
            unit.name = name
            unit.save(update_fields=["name"])
        return unit, created
    if not name:
        raise ValidationError(_("没有找到预算单位：单位编码和名称都为空。"))
    matches = list(Unit.objects.filter(name=name)[:2])
    if len(matches) > 1:
        raise ValidationError(
            _("有多个名为「%(name)s」的预算单位，请在文件中注明单位编码。") % {"name": name}
        )
    if matches:
        return matches[0], False
    return Unit.objects.create(code=None, name=name), True
