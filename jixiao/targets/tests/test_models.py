from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from jixiao.targets.models import Indicator, Project, SpendingCheckpoint, plain
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit() -> Unit:
    return Unit.objects.create(code="224001", name="中共昌黎县委网络安全和信息化委员会办公室本级")


@pytest.fixture
def project(unit: Unit) -> Project:
    return Project.objects.create(
        unit=unit, year=2021, code="13032221C2GKIBLPDEWRQ", name="网络安全和信息化经费"
    )


def test_plain_drops_the_padding_of_a_fixed_scale_column():
    assert [
        str(plain(Decimal(v))) for v in ("15.000000", "10.000000", "2279.048000", "0.000000")
    ] == [
        "15",
        "10",
        "2279.048",
        "0",
    ]
    assert plain(None) is None


def test_project_code_is_unique_per_unit_and_year(unit, project):
    Project.objects.create(unit=unit, year=2022, code=project.code, name=project.name)

    with pytest.raises(IntegrityError):
        Project.objects.create(unit=unit, year=2021, code=project.code, name="另一个名称")


def test_projects_without_code_are_unique_by_name(unit):
    Project.objects.create(unit=unit, year=2021, code=None, name="网络宣传管理经费")
    Project.objects.create(unit=unit, year=2021, code="X1", name="网络宣传管理经费")

    with pytest.raises(IntegrityError):
        Project.objects.create(unit=unit, year=2021, code=None, name="网络宣传管理经费")


def test_project_needs_code_or_name(unit):
    with pytest.raises(ValidationError, match="项目编码和项目名称至少要填一项"):
        Project(unit=unit, year=2021, code="", name="").full_clean()
    with pytest.raises(IntegrityError):
        Project.objects.create(unit=unit, year=2021, code=None, name="")


@pytest.mark.parametrize(("month", "percent"), [(0, "10"), (13, "10"), (6, "100.01"), (6, "-1")])
def test_checkpoint_month_and_percent_are_checked_by_the_database(project, month, percent):
    with pytest.raises(IntegrityError):
        SpendingCheckpoint.objects.create(project=project, month=month, percent=Decimal(percent))


def test_checkpoint_month_is_unique_per_project(project):
    SpendingCheckpoint.objects.create(project=project, month=3, percent=Decimal("25"))

    with pytest.raises(IntegrityError):
        SpendingCheckpoint.objects.create(project=project, month=3, percent=Decimal("30"))


def test_qualitative_indicator_cannot_carry_a_value(project):
    indicator = Indicator(
        project=project,
        level3="构建清朗网络空间",
        target="是",
        target_kind="qualitative",
        target_value=Decimal(1),
    )

    with pytest.raises(ValidationError, match="定性和不适用的指标值没有计算符号和数值"):
        indicator.full_clean()


def test_unit_cannot_be_its_own_ancestor(unit):
    child = Unit.objects.create(code="224002", name="下级单位", parent=unit)
    unit.parent = child

    with pytest.raises(ValidationError, match="主管部门不能是本单位或其下级单位"):
        unit.full_clean()


def test_str_reads_as_users_name_things(project):
    assert str(project.unit) == "224001 中共昌黎县委网络安全和信息化委员会办公室本级"
    assert str(project) == "网络安全和信息化经费"
    assert (
        str(SpendingCheckpoint(project=project, month=3, percent=Decimal("25.0000"))) == "3月底 25%"
    )
