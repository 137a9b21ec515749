"""The import preview asks instead of guessing: the unit and the year a file lacks, the units
alike to a short name offered first, no unit created from a fragment of a name, OCR'd values
to tick off; and nothing is saved before the person confirms."""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from jixiao.audit.models import ChangeLog
from jixiao.core.document import Confirmation, TargetDocument, UnitRef
from jixiao.lib.actor import Actor
from jixiao.targets import uploads
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.units.models import Unit
from jixiao.units.services import create_unit

pytestmark = pytest.mark.django_db

HEALTH = "某县卫生健康委员会"


@pytest.fixture(autouse=True)
def upload_dir(settings, tmp_path: Path) -> Path:
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return settings.UPLOAD_DIR


@pytest.fixture
def health(org) -> Unit:
    """A unit a file may call 卫健委."""
    return create_unit(code="225001", name=HEALTH, bureau=org.bureau, actor=Actor.system("测试"))


@pytest.fixture
def superuser(org, health) -> User:
    return User.objects.create_superuser("root", "root@example.org", "x")


def staged(document: TargetDocument, owner: User, name: str = "目标表.txt") -> str:
    """An upload waiting for its preview, as step 1 leaves it."""
    token, _path = uploads.save(name, [b"x"], owner=owner.pk)
    uploads.keep_document(token, document)
    return token


def preview(client, token: str) -> str:
    response = client.get(reverse("targets:preview", args=[token]))
    assert response.status_code == 200
    return response.text


def confirm(client, token: str, **answers: object):
    return client.post(reverse("targets:confirm"), {"token": token, **answers})


def written() -> list[int]:
    """How much of the register and its log exists."""
    return [
        Unit.objects.count(),
        Project.objects.count(),
        Indicator.all_objects.count(),
        Revision.objects.count(),
        ChangeLog.objects.exclude(action="login").count(),
    ]


def options(html: str) -> list[str]:
    """The unit select's options, in order, as their labels (optgroups as ``[label]``)."""
    select = re.search(r'<select name="unit".*?</select>', html, re.S)
    assert select, "no unit question"
    return [
        f"[{m.group(1)}]" if m.group(1) else m.group(2)
        for m in re.finditer(r'<optgroup label="([^"]*)"|<option [^>]*>([^<]*)</option>', select[0])
    ]


def without_unit(document: TargetDocument, **changes: object) -> TargetDocument:
    return dataclasses.replace(document, unit=None, **changes)


# The unit


def test_a_file_without_a_unit_is_asked_for_one_and_nothing_is_saved(
    client, officer, demo_document
):
    token = staged(without_unit(demo_document), officer)
    client.force_login(officer)
    before = written()

    html = preview(client, token)

    assert "文件中没有找到预算单位" not in html
    assert "不能导入的问题" not in html
    assert "文件中没有预算单位，请选择要导入的单位。" in html
    # An officer may import only into their own unit, and may not create one.
    assert options(html) == [
        "请选择预算单位",
        "224001 中共昌黎县委网络安全和信息化委员会办公室本级",
    ]
    assert 'name="new_name"' not in html
    assert "请在下面选择要导入的预算单位。预览时还没有保存任何数据。" in html
    assert written() == before


def test_units_alike_to_a_short_name_are_offered_first(client, superuser, demo_document):
    document = dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委"))
    token = staged(document, superuser)
    client.force_login(superuser)

    html = preview(client, token)

    assert options(html) == [
        "请选择预算单位",
        "[与文件中的「卫健委」相近]",
        f"225001 {HEALTH}",
        "[其他单位]",
        "224001 中共昌黎县委网络安全和信息化委员会办公室本级",
        "224002 昌黎县档案馆",
        "324001 卢龙县委网信办",
        "新建预算单位（在下面填写全称和编码）",
    ]
    assert "文件中的预算单位「卫健委」不是系统中可以导入的单位" in html
    assert 'name="new_name" value="' not in html  # the fragment is not offered as a full name


def test_confirming_without_a_choice_creates_no_unit_from_a_short_name(
    client, superuser, demo_document
):
    token = staged(dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委")), superuser)
    client.force_login(superuser)
    before = written()

    refused = confirm(client, token)
    again = client.get(refused["Location"]).text

    assert refused["Location"] == reverse("targets:preview", args=[token])
    assert written() == before
    assert not Unit.objects.filter(name="卫健委").exists()
    assert "还不能导入：请按下面的提示补全后再确认。" in again
    assert "文件中没有可用的预算单位，请选择。" in again


@pytest.mark.parametrize(
    ("answers", "error"),
    [
        ({"new_name": "卫健委", "create_unit": "on"}, "「卫健委」是简称，请填写单位全称"),
        ({"new_name": "某县卫健委", "create_unit": "on"}, "「某县卫健委」是简称"),
        ({"new_name": "某县林业和草原局"}, "新建预算单位须勾选确认。"),
        (
            {"new_name": HEALTH, "create_unit": "on"},
            f"已有名为「{HEALTH}」的预算单位，请在上面选择它。",
        ),
        (
            {"new_name": "某县林业和草原局", "new_code": "225001", "create_unit": "on"},
            "已有编码为 225001 的预算单位，请在上面选择它。",
        ),
        ({"create_unit": "on"}, "请填写新单位的全称。"),
    ],
)
def test_a_new_unit_needs_its_full_name_and_the_tick(
    client, superuser, demo_document, answers, error
):
    token = staged(dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委")), superuser)
    client.force_login(superuser)
    before = written()

    confirm(client, token, unit="new", **answers)

    assert written() == before
    assert error in preview(client, token)


def test_a_superuser_creates_a_unit_with_the_full_name_and_code_typed(
    client, superuser, demo_document
):
    token = staged(dataclasses.replace(demo_document, unit=UnitRef(None, "林草局")), superuser)
    client.force_login(superuser)
    answers = {"new_name": "某县林业和草原局", "new_code": "226001", "create_unit": "on"}

    response = confirm(client, token, unit="new", **answers)

    unit = Unit.objects.get(code="226001")
    assert unit.name == "某县林业和草原局"
    assert response["Location"].endswith("?unit=226001&year=2021")
    assert Project.objects.filter(unit=unit).count() == 2
    assert ChangeLog.objects.filter(object_type="units.unit", object_id=str(unit.pk)).exists()


def test_the_chosen_unit_is_imported_into_under_its_own_name(
    client, superuser, demo_document, health
):
    token = staged(dataclasses.replace(demo_document, unit=UnitRef(None, "卫健委")), superuser)
    client.force_login(superuser)
    units = Unit.objects.count()

    response = confirm(client, token, unit=str(health.pk))

    assert response["Location"].endswith("?unit=225001&year=2021")
    assert Unit.objects.count() == units
    health.refresh_from_db()
    assert health.name == HEALTH
    assert Project.objects.filter(unit=health, year=2021).count() == 2


def test_a_unit_outside_reach_is_404_and_one_not_kept_is_refused(
    client, officer, org, demo_document
):
    below = create_unit(code="224101", name="下属单位", parent=org.unit, actor=Actor.system("测试"))
    token = staged(without_unit(demo_document), officer)
    client.force_login(officer)
    before = written()

    outside = confirm(client, token, unit=str(org.other_unit.pk))
    missing = confirm(client, token, unit="999999")
    crafted = confirm(client, token, unit="1 OR 1=1")
    creating = confirm(client, token, unit="new", new_name="某县新单位", create_unit="on")
    reached = confirm(client, token, unit=str(below.pk))

    assert [outside.status_code, missing.status_code, crafted.status_code] == [404, 404, 404]
    assert written() == before
    html = preview(client, token)
    assert creating.status_code == reached.status_code == 302
    assert "您不能向「224101 下属单位」导入绩效目标，请选择本单位。" in html


def test_a_file_naming_a_registered_unit_differently_keeps_the_registers_name(
    client, officer, org, demo_document
):
    document = dataclasses.replace(demo_document, unit=UnitRef("224001", "网信办"))
    token = staged(document, officer)
    client.force_login(officer)

    html = preview(client, token)
    confirm(client, token)

    assert 'name="unit"' not in html  # nothing to ask: the code names the unit
    assert (
        "文件中的单位名称「网信办」与系统中的"
        "「224001 中共昌黎县委网络安全和信息化委员会办公室本级」不同" in html
    )
    org.unit.refresh_from_db()
    assert org.unit.name == "中共昌黎县委网络安全和信息化委员会办公室本级"
    assert Project.objects.filter(unit=org.unit).count() == 2


# The year


def test_a_missing_year_is_asked_with_the_file_names_year_as_the_default(
    client, officer, demo_document
):
    named = staged(without_unit(demo_document, year=None), officer, "2023年预算绩效目标.txt")
    unnamed = staged(without_unit(demo_document, year=None), officer, "目标表.txt")
    client.force_login(officer)

    named_html = preview(client, named)
    assert re.search(r'<input type="number" name="year" value="2023"', named_html)
    assert "文件中没有预算年度，请确认或修改（默认取文件名中的年份）。" in named_html
    this_year = timezone.localdate().year
    assert re.search(
        rf'<input type="number" name="year" value="{this_year}"', preview(client, unnamed)
    )


def test_the_year_and_unit_given_are_what_is_saved(client, officer, org, demo_document):
    token = staged(without_unit(demo_document, year=None), officer, "2023年预算绩效目标.txt")
    client.force_login(officer)

    response = confirm(client, token, unit=str(org.unit.pk), year="2022")

    assert response["Location"].endswith("?unit=224001&year=2022")
    assert set(Project.objects.values_list("unit__code", "year")) == {("224001", 2022)}


@pytest.mark.parametrize("year", ["", "1999", "二〇二一"])
def test_a_wrong_year_is_refused_and_the_unit_chosen_is_kept(
    client, officer, org, demo_document, upload_dir, year
):
    token = staged(without_unit(demo_document, year=None), officer)
    client.force_login(officer)

    response = confirm(client, token, unit=str(org.unit.pk), year=year)
    html = preview(client, token)

    assert response["Location"] == reverse("targets:preview", args=[token])
    assert not Project.objects.exists()
    assert f'<option value="{org.unit.pk}" selected>' in html
    assert re.search(r'has-error">\s*<label for="id_year">', html)
    assert (upload_dir / token / "目标表.txt").exists()  # no new upload needed


# OCR'd values


def scanned(document: TargetDocument) -> TargetDocument:
    """The document as if read from a scan: three values to check, not in confidence order."""
    return dataclasses.replace(
        document,
        to_confirm=[
            Confirmation(
                "第 1 页第 1 个表格第 3 行“指标值”列", "指标值", "≥200条", Decimal("0.97")
            ),
            Confirmation("第 1 页第 1 个表格第 4 行“指标值”列", "指标值", "10O%", Decimal("0.42")),
            Confirmation(
                "第 1 页第 1 个表格第 5 行“三级指标”列",
                "三级指标",
                "服务对象满意度",
                Decimal("0.785"),
            ),
        ],
    )


def test_ocr_values_are_listed_least_confident_first_with_low_ones_marked(
    client, officer, demo_document
):
    token = staged(scanned(demo_document), officer)
    client.force_login(officer)

    html = preview(client, token)

    assert "待核对的识别结果（3 项）" in html
    rows = re.findall(
        r'<tr( class="low")?><td class="where">([^<]*)</td><td>([^<]*)</td>'
        r'<td class="text">([^<]*)</td><td class="num confidence">([^<]*)</td>',
        html,
    )
    assert rows == [
        (' class="low"', "第 1 页第 1 个表格第 4 行“指标值”列", "指标值", "10O%", "42%"),
        (
            ' class="low"',
            "第 1 页第 1 个表格第 5 行“三级指标”列",
            "三级指标",
            "服务对象满意度",
            "79%",
        ),
        ("", "第 1 页第 1 个表格第 3 行“指标值”列", "指标值", "≥200条", "97%"),
    ]
    assert 'name="checked"' in html and "我已逐项核对识别结果" in html


def test_ocr_values_must_be_ticked_off_before_anything_is_saved(client, officer, demo_document):
    token = staged(scanned(demo_document), officer)
    client.force_login(officer)
    before = written()

    refused = confirm(client, token)
    html = preview(client, token)

    assert refused["Location"] == reverse("targets:preview", args=[token])
    assert written() == before
    assert "请逐项核对上面的识别结果，并勾选“我已逐项核对识别结果”。" in html

    saved = confirm(client, token, checked="on")

    assert saved["Location"].endswith("?unit=224001&year=2021")
    assert Project.objects.filter(unit__code="224001").count() == 2


def test_a_file_without_ocr_values_asks_for_no_tick(client, officer, demo_document):
    token = staged(demo_document, officer)
    client.force_login(officer)

    html = preview(client, token)

    assert "待核对的识别结果" not in html and 'name="checked"' not in html
    assert 'name="unit"' not in html and 'name="year"' not in html
