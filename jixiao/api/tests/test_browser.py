"""The API in a real browser: a person makes a token on the tokens page, and the Swagger UI
page loads from this server under the site's content security policy and runs a call.

Screenshots go to ``tests/screenshots/`` (or ``JIXIAO_WEB_CHECK_DIR``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PERSONA_PASSWORD
from jixiao.api.models import ApiToken
from jixiao.api.tokens import digest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(
    os.environ.get("JIXIAO_WEB_CHECK_DIR")
    or Path(__file__).resolve().parents[3] / "tests" / "screenshots"
)


def screenshot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"api-{name}.png"), full_page=True)


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码", exact=True).fill(PERSONA_PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_token_is_made_on_its_page_and_shown_once(page: Page, live_server: Any, officer: Any):
    base = live_server.url
    log_in(page, base, "officer")
    page.get_by_role("link", name="接口令牌").click()
    expect(page.get_by_role("heading", name="接口令牌")).to_be_visible()
    page.get_by_label("令牌名称").fill("舆情系统推送")
    page.get_by_role("button", name="创建令牌").click()
    secret = page.locator("#token-secret").inner_text()
    assert re.fullmatch(r"jx_[\w-]{40}", secret)
    assert ApiToken.objects.get(name="舆情系统推送").digest == digest(secret)
    screenshot(page, "tokens")
    page.goto(base + "/api/tokens/")
    expect(page.locator("#token-secret")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "tokens-390")
    page.set_viewport_size({"width": 1280, "height": 720})
    page.get_by_role("button", name="撤销").click()
    expect(page.locator(".tokens-table")).to_contain_text("已撤销")


def test_swagger_ui_runs_from_this_server_under_the_csp(page: Page, live_server: Any, officer: Any):
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None,
    )
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(base + "/api/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("绩效管理系统接口")
    operation = page.locator(".opblock-get").filter(
        has=page.locator('.opblock-summary-path[data-path="/api/units"]')
    )
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tbody .response-col_status").first
    ).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text("224001")
    screenshot(page, "docs")
    assert outside == []
    assert [p for p in problems if "Content Security Policy" in p] == []


def test_a_token_with_a_lifetime_and_the_administrator_revoking_it(
    page: Page, live_server: Any, officer: Any, bureau_admin: Any
) -> None:
    base = live_server.url
    log_in(page, base, "officer")
    page.goto(base + "/api/tokens/")
    page.get_by_label("令牌名称").fill("会计核算系统")
    page.get_by_label("有效期").select_option(label="30 天")
    page.get_by_role("button", name="创建令牌").click()
    token = ApiToken.objects.get(name="会计核算系统")
    expiry = timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")
    row = page.locator(".tokens-table tr", has_text="会计核算系统")
    expect(row).to_contain_text(expiry)
    expect(row).to_contain_text("从未使用")
    screenshot(page, "tokens-expiry")
    admin = page.context.browser.new_context().new_page()  # type: ignore[union-attr]
    log_in(admin, base, "bureau_admin")
    admin.goto(base + "/api/tokens/")
    admin.get_by_role("link", name="所管理账号的接口令牌").click()
    listed = admin.locator(".tokens-table tr", has_text="会计核算系统")
    expect(listed).to_contain_text("officer")
    expect(listed).to_contain_text(expiry)
    screenshot(admin, "tokens-managed")
    admin.set_viewport_size({"width": 390, "height": 844})
    assert admin.evaluate("document.documentElement.scrollWidth") <= 390  # the table scrolls
    screenshot(admin, "tokens-managed-390")
    admin.set_viewport_size({"width": 1280, "height": 720})
    listed.get_by_role("button", name="撤销").click()
    expect(admin.get_by_text("已撤销 officer 的令牌“会计核算系统”。")).to_be_visible()
    token.refresh_from_db()
    assert token.revoked_by_id == bureau_admin.pk
    page.goto(base + "/api/tokens/")
    expect(page.locator(".tokens-table tr", has_text="会计核算系统")).to_contain_text("已撤销")
