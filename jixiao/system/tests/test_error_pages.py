"""Chinese error pages in the site's layout, with DEBUG off (as pytest runs Django)."""

from __future__ import annotations

import io
import logging

import pytest
from django.conf import settings
from django.test import Client, override_settings

from jixiao.system.middleware import RequestIdFilter

pytestmark = pytest.mark.django_db

TEST_URLS = override_settings(ROOT_URLCONF="jixiao.system.tests.urls")
REQUEST_ID = "feedc0de12345678"


@pytest.fixture
def error_log():
    """What django.request logs, formatted as the server's log lines are (request id too)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(logging.Formatter(settings.LOGGING["formatters"]["plain"]["format"]))
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)


def test_debug_is_off_in_tests_as_in_production():
    assert settings.DEBUG is False


def test_an_unknown_url_shows_the_chinese_404_not_the_debug_page(client):
    response = client.get("/no-such-page/?year=2021")

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在（404）" in page
    assert "<code>/no-such-page/</code>" in page
    assert '<a class="brand" href="/">绩效管理系统</a>' in page  # the site's layout
    assert "Using the URLconf" not in page and "Page not found" not in page


def test_an_unknown_url_shows_the_404_with_the_top_bar_to_a_logged_in_person(client, officer):
    # The top bar reads the matched URL's name; a URL that matched nothing has none.
    client.force_login(officer)

    response = client.get("/no/such/page/")

    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在（404）" in page and "退出登录" in page


def test_the_404_page_escapes_the_path(client):
    response = client.get("/<script>alert(1)</script>/")

    assert response.status_code == 404
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.content.decode()


@TEST_URLS
def test_a_failing_view_logs_its_traceback_with_the_request_id_and_shows_the_id(error_log):
    client = Client(raise_request_exception=False)

    response = client.get("/test/boom/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 500
    assert response["X-Request-ID"] == REQUEST_ID
    page = response.content.decode()
    assert "服务器内部错误（500）" in page
    assert f'<code class="request-id">{REQUEST_ID}</code>' in page
    assert "预算表第 3 行" not in page  # the error itself stays in the log
    logged = error_log.getvalue()
    assert f"ERROR [{REQUEST_ID}] django.request: Internal Server Error: /test/boom/" in logged
    assert "Traceback (most recent call last)" in logged
    assert "Boom: 预算表第 3 行缺少金额" in logged


@TEST_URLS
def test_each_request_gets_its_own_id_on_the_500_page():
    client = Client(raise_request_exception=False)

    first = client.get("/test/boom/")
    second = client.get("/test/boom/")

    ids = [r["X-Request-ID"] for r in (first, second)]
    assert len(set(ids)) == 2 and all(len(i) == 32 for i in ids)
    assert ids[0] in first.content.decode() and ids[1] in second.content.decode()


@TEST_URLS
def test_the_500_page_still_answers_when_the_layout_cannot_render(monkeypatch):
    from jixiao.system import views

    def broken(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(views, "_render", broken)
    client = Client(raise_request_exception=False)

    response = client.get("/test/boom/", HTTP_X_REQUEST_ID=REQUEST_ID)

    assert response.status_code == 500
    assert f"请告知请求编号：{REQUEST_ID}" in response.content.decode()


@TEST_URLS
def test_a_refused_permission_shows_the_reason_in_chinese(client, officer):
    client.force_login(officer)

    response = client.get("/test/denied/")

    assert response.status_code == 403
    page = response.content.decode()
    assert "无权进行此操作（403）" in page
    assert "只有本单位的填报员或单位负责人可以修改本单位的数据。" in page
    assert "经办人" in page  # the layout shows who is logged in


@TEST_URLS
def test_a_bad_request_shows_the_chinese_400(client):
    response = client.get("/test/suspicious/")

    assert response.status_code == 400
    assert "请求有误（400）" in response.content.decode()


def test_a_form_without_its_csrf_token_is_refused_with_a_chinese_page(officer):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "officer", "password": "x"})

    assert response.status_code == 403
    page = response.content.decode()
    assert "表单已失效，未能提交（403）" in page
    assert "没有保存任何内容" in page
    assert "CSRF verification failed" not in page


def test_a_disallowed_host_gets_the_chinese_400(client):
    response = client.get("/login/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    assert "请求有误（400）" in response.content.decode()


def test_a_nul_character_in_a_query_or_a_form_gets_the_400_page(client, officer):
    # PostgreSQL refuses NUL in any text it compares: a crafted link must not reach a query.
    client.force_login(officer)

    for response in (
        client.get("/ledgers/opinion/", {"q": "a\x00b"}),
        client.get("/", {"unit": "\x00"}),
        client.post("/accounts/password/", {"old_password": "\x00"}),
    ):
        assert response.status_code == 400
        assert "请求有误（400）" in response.content.decode()
