"""The import pages: upload -> column mapping -> check (nothing written) -> confirm; export."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jixiao.ledgers.models import ImportMapping, LedgerEntry, LedgerType
from jixiao.lib.actor import Actor
from jixiao.system.demo.services import seed_document
from jixiao.targets.services import import_document
from jixiao.units.models import Unit

FIXTURES = Path(__file__).parent / "fixtures"
CASES = (
    "标题,来源平台,链接,首次发现时间,级别,应处置,备注\n"
    "甲,微博,https://a.cn/1,2021-03-01,一般,是,x\n"
    "乙,微博,https://a.cn/2,2021-03-02,特大,是,y\n"
)


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    settings.UPLOAD_DIR = tmp_path / "uploads"


@pytest.fixture
def unit(org: object) -> Unit:
    return import_document(seed_document(), actor=Actor.system(), source="seed").unit


@pytest.fixture
def client(officer) -> Client:
    client = Client()
    client.force_login(officer)
    return client


def upload(client: Client, unit: Unit, name: str, data: bytes, code: str, mapping: str = "") -> Any:
    ledger_type = LedgerType.objects.get(code=code, unit=None)
    return client.post(
        reverse("ledgers:import"),
        {
            "file": SimpleUploadedFile(name, data),
            "unit": unit.pk,
            "ledger_type": ledger_type.pk,
            "mapping": mapping,
        },
    )


def token_of(response: Any) -> str:
    found = re.search(r"/ledgers/import/([0-9a-f]{32})/", response["Location"])
    assert found, response["Location"]
    return found.group(1)


def test_import_pages_need_a_login(db):
    response = Client().get(reverse("ledgers:import"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_upload_page_offers_units_ledgers_and_saved_mappings(client, unit):
    response = client.get(reverse("ledgers:import") + "?type=expenditure")

    assert response.context["here"] == "ledgers"
    choices = [label for _value, label in response.context["form"].fields["mapping"].choices]
    assert choices == [
        "按表头自动对应",
        "舆情 · 舆情监测服务导出",
        "网宣发布 · 网宣平台发布记录",
        "支出 · 财务软件明细账",
    ]
    expenditure = LedgerType.objects.get(code="expenditure", unit=None)
    assert response.context["form"].initial == {"unit": unit.pk, "ledger_type": expenditure.pk}


def test_mapping_step_shows_each_header_with_its_field_prefilled(client, unit):
    response = upload(client, unit, "cases.csv", CASES.encode(), "opinion")
    token = token_of(response)
    assert response["Location"] == reverse("ledgers:import_mapping", args=[token])

    page = client.get(response["Location"])

    form = page.context["form"]
    assert [(c.header, c.target) for c, _field in form.column_fields()] == [
        ("标题", "title"),
        ("来源平台", "platform"),
        ("链接", "link"),
        ("首次发现时间", "first_seen"),
        ("级别", "grade"),
        ("应处置", "must_handle"),
        ("备注", ""),
    ]
    assert page.context["rows"][0][2] == ["甲", "乙"]
    assert "保存为映射" in page.content.decode()


def test_check_step_lists_problems_by_row_and_column_and_writes_nothing(client, unit):
    token = token_of(upload(client, unit, "cases.csv", CASES.encode(), "opinion"))
    columns = {f"col_{i}": t for i, t in enumerate(
        ["title", "platform", "link", "first_seen", "grade", "must_handle", ""]
    )}  # fmt: skip
    response = client.post(reverse("ledgers:import_mapping", args=[token]), columns)
    assert response["Location"] == reverse("ledgers:import_check", args=[token])

    page = client.get(response["Location"])

    report = page.context["report"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "级别")]
    html = page.content.decode()
    assert '<th scope="col">行</th><th scope="col">列</th><th scope="col">问题</th>' in html
    assert "“级别”的值“特大”不在选项中" in html
    assert "disabled" in html
    assert LedgerEntry.objects.count() == 0
    refused = client.post(reverse("ledgers:import_confirm", args=[token]))
    assert refused["Location"] == reverse("ledgers:import_check", args=[token])
    assert LedgerEntry.objects.count() == 0


def test_a_vendor_file_goes_through_with_its_saved_mapping(client, unit):
    mapping = ImportMapping.objects.get(name="舆情监测服务导出")
    data = (FIXTURES / "opinion-vendor-export-2021Q2.xlsx").read_bytes()
    token = token_of(upload(client, unit, "舆情.xlsx", data, "opinion", str(mapping.pk)))
    mapping_page = client.get(reverse("ledgers:import_mapping", args=[token]))
    initial = {name: field.initial for name, field in mapping_page.context["form"].fields.items()}
    assert initial["col_11"] == "grade"  # 预警级别
    client.post(reverse("ledgers:import_mapping", args=[token]), initial | {"save_as": ""})

    check = client.get(reverse("ledgers:import_check", args=[token]))
    assert check.context["report"].summary() == (
        "检查通过：共 400 行，将新建 400 条，更新 0 条，0 条无变化；尚未写入。"
    )
    assert LedgerEntry.objects.count() == 0
    done = client.post(reverse("ledgers:import_confirm", args=[token]), follow=True)

    assert LedgerEntry.objects.filter(unit=unit).count() == 400
    assert [str(m) for m in done.context["messages"]] == [
        "已导入“舆情.xlsx”到“舆情”台账：新建 400 条，更新 0 条，0 条无变化。"
    ]
    # The upload is gone once imported.
    assert client.get(reverse("ledgers:import_check", args=[token]))["Location"] == reverse(
        "ledgers:import"
    )


def test_mapping_can_be_saved_under_a_name_and_chosen_next_time(client, unit):
    data = "题目,平台,网址,日期,等级,处置\n甲,微博,https://a.cn/1,2021-03-01,一般,是\n"
    token = token_of(upload(client, unit, "other.csv", data.encode(), "opinion"))
    chosen = ["title", "platform", "link", "first_seen", "grade", "must_handle"]
    columns = {f"col_{i}": t for i, t in enumerate(chosen)}

    client.post(reverse("ledgers:import_mapping", args=[token]), columns | {"save_as": "某系统"})

    saved = ImportMapping.objects.get(name="某系统")
    assert (saved.columns, saved.header_row, saved.preset) == (
        dict(zip(["题目", "平台", "网址", "日期", "等级", "处置"], chosen, strict=True)),
        1,
        False,
    )


def test_mapping_step_refuses_missing_required_fields(client, unit):
    token = token_of(upload(client, unit, "cases.csv", CASES.encode(), "opinion"))

    page = client.post(reverse("ledgers:import_mapping", args=[token]), {"col_0": "title"})

    assert page.status_code == 200
    assert "找不到“舆情”台账的必填字段：来源平台、链接、首次发现时间、级别、应处置" in (
        page.content.decode()
    )


def test_an_unreadable_upload_is_refused_on_the_first_page(client, unit, settings):
    response = upload(client, unit, "x.xlsx", b"not a workbook", "opinion")

    assert response.status_code == 200
    assert "无法读取 Excel 文件 x.xlsx" in response.content.decode()
    assert list(Path(settings.UPLOAD_DIR).iterdir()) == []


def test_a_mapping_of_another_ledger_is_refused(client, unit):
    mapping = ImportMapping.objects.get(name="财务软件明细账")

    response = upload(client, unit, "cases.csv", CASES.encode(), "opinion", str(mapping.pk))

    assert "所选映射不是“舆情”台账的映射。" in response.content.decode()


def test_a_forged_token_is_an_expired_upload(client, unit):
    response = client.get(reverse("ledgers:import_check", args=["0" * 32]), follow=True)

    assert [str(m) for m in response.context["messages"]] == ["上传的文件已过期，请重新上传。"]


def test_export_downloads_xlsx_with_a_chinese_file_name(client, unit):
    response = client.get(
        reverse("ledgers:export", args=["opinion", "xlsx"]) + "?unit=224001&year=2021"
    )

    assert response.status_code == 200
    assert "224001-2021-" in response["Content-Disposition"]
    assert "filename*=utf-8''" in response["Content-Disposition"]
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("标题", "来源平台")


def test_export_form_redirects_to_the_download(client, unit):
    response = client.get(
        reverse("ledgers:export_pick") + "?type=post&unit=224001&year=&format=csv"
    )

    assert response["Location"] == reverse("ledgers:export", args=["post", "csv"]) + "?unit=224001"


def test_export_of_an_unknown_ledger_or_unit_is_not_found(client, unit):
    assert client.get(reverse("ledgers:export", args=["nothing", "csv"])).status_code == 404
    url = reverse("ledgers:export", args=["opinion", "csv"])
    assert client.get(url + "?unit=999").status_code == 404
