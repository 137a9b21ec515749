"""``jixiao import`` and units: a unit missing from the register is created only with
--create-unit and a full name; a short name read from a file never creates nor renames one."""

from __future__ import annotations

import dataclasses
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao import importers
from jixiao.audit.models import ChangeLog
from jixiao.core.document import TargetDocument, UnitRef
from jixiao.lib.actor import Actor
from jixiao.targets.models import Project
from jixiao.units.models import Unit
from jixiao.units.services import create_unit

pytestmark = pytest.mark.django_db

HEALTH = "某县卫生健康委员会"


@pytest.fixture
def files(monkeypatch, demo_document) -> dict[str, TargetDocument]:
    """Files that "read" as the given documents, without the interpreter."""
    documents: dict[str, TargetDocument] = {}
    monkeypatch.setattr(importers, "load_document", lambda path: documents[Path(path).name])
    return documents


@pytest.fixture
def health(org) -> Unit:
    return create_unit(code="225001", name=HEALTH, bureau=org.bureau, actor=Actor.system("测试"))


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_short_name_is_refused_with_the_units_alike_listed(files, demo_document, health):
    files["卫健委.txt"] = dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委"))
    units = Unit.objects.count()

    with pytest.raises(CommandError) as refused:
        call("卫健委.txt")

    assert str(refused.value) == (
        "卫健委.txt：系统中没有预算单位「卫健委」，导入不会自动新建单位。"
        f"名称相近的已有单位：225001 {HEALTH}。导入到其中之一请用 --unit 指定其单位编码；"
        "确认新建请加 --create-unit（单位名称须为全称，可用 --unit-name 给出）。"
    )
    assert Unit.objects.count() == units
    assert not Project.objects.exists()


def test_the_dry_run_says_the_same(files, demo_document, health):
    files["卫健委.txt"] = dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委"))

    with pytest.raises(CommandError, match="系统中没有预算单位「卫健委」"):
        call("卫健委.txt", "--dry-run")


def test_unit_code_picks_the_existing_unit_and_keeps_its_name(files, demo_document, health):
    files["卫健委.txt"] = dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委"))

    out, err = call("卫健委.txt", "--unit", "225001")

    health.refresh_from_db()
    assert health.name == HEALTH
    assert out.splitlines()[0] == f"卫健委.txt：225001 {HEALTH} 2021 年"
    assert err.splitlines() == [
        f"卫健委.txt：文件中的单位名称「卫健委」与系统中的「225001 {HEALTH}」不同，"
        "沿用系统中的名称（更名请加 --unit-name）。"
    ]
    assert Project.objects.filter(unit=health).count() == 2


def test_create_unit_with_a_short_name_is_still_refused(files, demo_document, org):
    files["卫健委.txt"] = dataclasses.replace(demo_document, unit=UnitRef("225009", "卫健委"))

    with pytest.raises(CommandError) as refused:
        call("卫健委.txt", "--create-unit")

    assert str(refused.value) == (
        "卫健委.txt：新建单位须有全称，「225009 卫健委」不是全称，请用 --unit-name 给出单位全称。"
    )
    assert not Unit.objects.filter(code="225009").exists()


def test_create_unit_with_the_full_name_creates_and_logs_it(files, demo_document, org):
    files["卫健委.txt"] = dataclasses.replace(demo_document, unit=UnitRef("225009", "卫健委"))

    out, _err = call("卫健委.txt", "--create-unit", "--unit-name", "某县卫生健康委员会本级")

    unit = Unit.objects.get(code="225009")
    assert unit.name == "某县卫生健康委员会本级"
    assert out.splitlines()[0] == "卫健委.txt：225009 某县卫生健康委员会本级 2021 年（新建单位）"
    assert ChangeLog.objects.filter(object_type="units.unit", object_id=str(unit.pk)).exists()


def test_a_file_naming_its_unit_fully_imports_without_asking(files, demo_document, org):
    files["a.txt"] = demo_document

    out, err = call("a.txt")

    assert out.splitlines()[0].startswith("a.txt：224001 中共昌黎县委")
    assert err == ""


def test_a_scans_ocr_values_are_imported_only_once_checked(files, demo_document, org):
    from decimal import Decimal

    from jixiao.core.document import Confirmation

    scan = dataclasses.replace(
        demo_document,
        to_confirm=[
            Confirmation(
                "第 1 页第 1 个表格第 5 行“指标值”列", "指标值", "≥200条", Decimal("0.62")
            ),
            Confirmation("第 1 页第 1 个表格第 6 行“指标值”列", "指标值", "100%", Decimal("0.97")),
        ],
    )
    files["扫描件.pdf"] = scan

    with pytest.raises(CommandError) as refused:
        call("扫描件.pdf")
    assert str(refused.value) == (
        "扫描件.pdf：有 2 个值由文字识别（OCR）读出，须逐项核对后才能导入："
        "用 --dry-run 列出（置信度低的在前），核对无误后加 --ocr-checked 导入。"
    )
    assert not Project.objects.exists()

    out, err = call("扫描件.pdf", "--dry-run")
    assert "待核对识别值 2 个" in out
    assert err.splitlines()[-2:] == [
        "扫描件.pdf：第 1 页第 1 个表格第 5 行“指标值”列：识别为“≥200条”，置信度 62%，请核对",
        "扫描件.pdf：第 1 页第 1 个表格第 6 行“指标值”列：识别为“100%”，置信度 97%，请核对",
    ]

    call("扫描件.pdf", "--ocr-checked")
    assert Project.objects.filter(unit__code=demo_document.unit.code).count() == len(
        demo_document.projects
    )
