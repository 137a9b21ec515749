from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from jixiao.lib.actor import Actor
from jixiao.units.models import Unit
from jixiao.units.services import find_or_create_unit

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("测试")


def test_unit_is_created_then_found_by_code_with_name_updated():
    unit, created = find_or_create_unit(code=" 224001 ", name="网信办", actor=SYSTEM)
    again, created_again = find_or_create_unit(
        code="224001", name="中共昌黎县委网信办", actor=SYSTEM
    )

    assert (created, created_again, again.pk) == (True, False, unit.pk)
    assert Unit.objects.get().name == "中共昌黎县委网信办"


def test_unit_without_name_keeps_its_name():
    find_or_create_unit(code="224001", name="网信办", actor=SYSTEM)

    unit, _ = find_or_create_unit(code="224001", name=None, actor=SYSTEM)

    assert unit.name == "网信办"


def test_unit_without_code_is_found_by_name():
    coded, _ = find_or_create_unit(code="224001", name="网信办", actor=SYSTEM)

    unit, created = find_or_create_unit(code=None, name="网信办", actor=SYSTEM)

    assert (unit.pk, created) == (coded.pk, False)


def test_ambiguous_name_without_code_is_refused():
    Unit.objects.create(code="1", name="财政局")
    Unit.objects.create(code="2", name="财政局")

    with pytest.raises(ValidationError, match="有多个名为「财政局」的预算单位"):
        find_or_create_unit(code=None, name="财政局", actor=SYSTEM)
