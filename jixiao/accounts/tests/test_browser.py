"""Accounts in a real browser: the bureau administrator creates an account, its owner logs in
and must change the password first; five wrong passwords show the lockout page.

Set ``JIXIAO_WEB_CHECK_DIR`` to keep screenshots of the pages for a look by eye.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import PERSONA_PASSWORD
from jixiao.audit.choices import Action
from jixiao.audit.models import ChangeLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = os.environ.get("JIXIAO_WEB_CHECK_DIR")
TEMP = "Temp-Pass-2026"
MINE = "Mine-Own-2026!"


def screenshot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"accounts-{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(password)
    page.get_by_role("button", name="登录").click()


def test_an_account_from_creation_to_its_first_page(page: Page, live_server, bureau_admin, org):
    base = live_server.url
    log_in(page, base, "bureau_admin", PERSONA_PASSWORD)
    page.get_by_role("link", name="账号管理").click()
    screenshot(page, "list")
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("wangwu")
    page.get_by_label("姓名").fill("王五")
    page.get_by_label("所属单位").select_option(label=str(org.unit))
    page.get_by_label("角色").select_option(label="填报员")
    page.get_by_label("临时密码", exact=True).fill(TEMP)
    page.get_by_label("再次输入临时密码").fill(TEMP)
    screenshot(page, "new")
    page.get_by_role("button", name="建立账号").click()
    expect(page.locator(".message.success")).to_contain_text("已建立账号“wangwu”")
    screenshot(page, "detail")
    page.get_by_role("button", name="退出登录").click()

    log_in(page, base, "wangwu", TEMP)
    expect(page).to_have_url(re.compile(r"/accounts/password/"))
    expect(page.locator(".notice")).to_contain_text("请先修改密码")
    screenshot(page, "password")
    page.get_by_label("原密码").fill(TEMP)
    page.get_by_label("新密码", exact=True).fill(MINE)
    page.get_by_label("再次输入新密码").fill(MINE)
    page.get_by_role("button", name="修改密码").click()
    expect(page.locator(".message.success")).to_contain_text("密码已修改")
    expect(page.locator(".account .org")).to_contain_text("224001")
    expect(page.locator(".account .org")).to_contain_text("填报员")
    expect(page.get_by_role("link", name="账号管理")).to_have_count(0)

    rows = ChangeLog.objects.order_by("seq").values_list("action", "object_repr")
    assert list(rows)[-5:] == [
        (Action.LOGIN, "bureau_admin"),
        (Action.CREATE, "wangwu"),
        (Action.LOGOUT, "bureau_admin"),
        (Action.LOGIN, "wangwu"),
        (Action.PASSWORD_CHANGE, "wangwu"),
    ]


def test_five_wrong_passwords_show_the_lockout_page(page: Page, live_server, officer):
    base = live_server.url
    for n in range(4):
        log_in(page, base, "officer", f"Wrong-{n}-password")
        expect(page.locator(".errorlist")).to_be_visible()

    log_in(page, base, "officer", "Wrong-4-password")

    expect(page.get_by_role("heading", name="登录已锁定")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("30 分钟后再试")
    screenshot(page, "locked")
    assert ChangeLog.objects.filter(action=Action.LOCKED_OUT).count() == 1
