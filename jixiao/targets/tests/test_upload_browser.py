"""Uploading a target document that lacks its unit and year, in a real browser (Chromium through
Playwright) against a live server: the preview asks for both, lists the importer's warnings in
Chinese with their places, and nothing is saved until the person confirms.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep full-page screenshots of the previews for a look by eye.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Page, expect

from conftest import PERSONA_PASSWORD
from jixiao import importers
from jixiao.lib.actor import Actor
from jixiao.targets.models import Indicator, Project, Revision
from jixiao.units.models import Unit
from jixiao.units.services import create_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SEED_PATH = Path(__file__).resolve().parents[2] / "system" / "demo" / "seed-changli-cac-2021.txt"
SEED_UNIT = "224001中共昌黎县委网络安全和信息化委员会办公室本级"
SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("navigation").get_by_role("link", name="导入文档")).to_be_visible()


def upload(page: Page, base: str, path: Path) -> None:
    page.goto(base + "/import/")
    page.get_by_label("上传文件").set_input_files(path)
    page.get_by_role("button", name="预览").click()
    expect(page.get_by_role("heading", name=f"导入预览：{path.name}")).to_be_visible()


@pytest.fixture
def without_unit_or_year(tmp_path: Path) -> Path:
    """The seed's second part with the unit's line blanked, so the file names neither its unit
    nor its year; cut after the second project's header, so that project warns it has no
    indicators."""
    seed = SEED_PATH.read_text(encoding="utf-8")
    text = seed[seed.index("第二部分") :].replace(SEED_UNIT, "")
    header = text.index("指标值确定依据", text.index("2.网络宣传管理经费"))
    path = tmp_path / "项目绩效目标表.txt"
    path.write_text(text[: text.index("\n", header) + 1], encoding="utf-8")
    return path


def written() -> list[int]:
    return [Project.objects.count(), Indicator.all_objects.count(), Revision.objects.count()]


def test_a_document_without_unit_and_year_is_asked_for_both_then_saved(
    page: Page, live_server, settings, tmp_path, officer, org, without_unit_or_year
):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    document = importers.load_document(without_unit_or_year)
    assert (document.unit, document.year) == (None, None)
    assert document.warnings  # the preview must show at least one
    base = live_server.url
    log_in(page, base, "officer", PERSONA_PASSWORD)

    upload(page, base, without_unit_or_year)

    # Asked, not refused.
    expect(page.get_by_role("heading", name="请补充文件中缺少的信息")).to_be_visible()
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.get_by_text("文件中没有预算单位，请选择要导入的单位。")).to_be_visible()
    # The warnings, in Chinese, each with its place.
    table = page.locator("table.warning-table")
    expect(table.locator("thead th")).to_have_text(["位置", "说明"])
    expect(table.locator("tbody tr")).to_have_count(len(document.warnings))
    for n, warning in enumerate(document.warnings):
        row = table.locator("tbody tr").nth(n)
        expect(row.locator("td")).to_have_text([warning.where, warning.message])
        assert re.search(r"[\u4e00-\u9fff]", warning.where), warning.where

    page.get_by_label("预算单位", exact=True).select_option(
        label="224001 中共昌黎县委网络安全和信息化委员会办公室本级"
    )
    page.get_by_label("预算年度").fill("2021")
    screenshot(page, "upload-asks-unit-and-year")
    assert written() == [0, 0, 0]  # nothing before the confirmation

    page.get_by_role("button", name="确认导入").click()

    expect(page.locator(".message.success")).to_contain_text(
        "已导入「项目绩效目标表.txt」：224001 中共昌黎县委网络安全和信息化委员会办公室本级 2021 年"
    )
    expect(page).to_have_url(re.compile(r"\?unit=224001&year=2021$"))
    assert set(Project.objects.values_list("unit__code", "year", "name")) == {
        ("224001", 2021, "网络安全和信息化经费"),
        ("224001", 2021, "网络宣传管理经费"),
    }
    assert Unit.objects.count() == 3  # the personas' units; none created


def test_a_short_unit_name_offers_the_units_alike_first(
    page: Page, live_server, settings, tmp_path, org
):
    settings.UPLOAD_DIR = tmp_path / "uploads"
    create_unit(code="225001", name="某县卫生健康委员会", bureau=org.bureau, actor=Actor.system())
    User.objects.create_superuser("root", "root@example.org", PERSONA_PASSWORD)
    seed = SEED_PATH.read_text(encoding="utf-8")
    path = tmp_path / "卫健委绩效目标.txt"
    path.write_text(seed.replace(SEED_UNIT, "225009卫健委"), encoding="utf-8")
    units = Unit.objects.count()
    log_in(page, live_server.url, "root", PERSONA_PASSWORD)

    upload(page, live_server.url, path)

    select = page.get_by_label("预算单位", exact=True)
    expect(select.locator("optgroup").first).to_have_attribute(
        "label", "与文件中的「225009 卫健委」相近"
    )
    expect(select.locator("optgroup").first.locator("option")).to_have_text(
        ["225001 某县卫生健康委员会"]
    )
    expect(page.get_by_label("新单位的全称")).to_have_value("")  # never the short name
    expect(page.get_by_label("新单位的单位编码")).to_have_value("225009")
    screenshot(page, "upload-offers-units-alike")

    # Confirming "new unit" with the short name is refused; nothing is created.
    select.select_option(label="新建预算单位（在下面填写全称和编码）")
    page.get_by_label("新单位的全称").fill("卫健委")
    page.get_by_label("确认按上面填写的全称和编码新建预算单位").check()
    page.get_by_role("button", name="确认导入").click()

    expect(page.get_by_text("「卫健委」是简称，请填写单位全称")).to_be_visible()
    expect(page.get_by_label("预算单位", exact=True)).to_have_value("new")  # the choice is kept
    screenshot(page, "upload-refuses-a-short-name")
    assert Unit.objects.count() == units
    assert not Project.objects.exists()
