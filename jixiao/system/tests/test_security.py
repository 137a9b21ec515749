"""Security settings: DEBUG, the secret key, headers, the content security policy, HTTPS."""

from __future__ import annotations

import re
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings

from jixiao.exporters.targets_layout import WIDTHS_6, WIDTHS_7
from jixiao.settings import _generated_secret_key
from jixiao.system.tests.helpers import ROOT, run_jixiao

PACKAGE = ROOT / "jixiao"
CSS = (PACKAGE / "static" / "css" / "jixiao.css").read_text(encoding="utf-8")


def test_the_secret_key_is_made_once_readable_only_by_its_owner(tmp_path):
    key = _generated_secret_key(tmp_path)

    path = tmp_path / "secret_key"
    assert len(key) >= 50 and not key.startswith("django-insecure-")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _generated_secret_key(tmp_path) == key
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no temporary file left


def test_processes_starting_together_share_one_secret_key(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: _generated_secret_key(tmp_path), range(32)))

    assert len(keys) == 1


def test_debug_is_off_and_the_key_generated_when_nothing_is_set(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    result = run_jixiao("shell", "-v", "0", "-c", code, data_dir=tmp_path)

    assert result.returncode == 0, result.stderr
    debug, key = result.stdout.split()
    assert debug == "False"
    assert key == (tmp_path / "secret_key").read_text().strip()


def test_a_given_secret_key_is_used_and_no_file_is_made(tmp_path):
    code = "from django.conf import settings; print(settings.DEBUG, settings.SECRET_KEY)"
    result = run_jixiao(
        "shell",
        "-v",
        "0",
        "-c",
        code,
        data_dir=tmp_path,
        JIXIAO_SECRET_KEY="k" * 60,
        JIXIAO_DEBUG="true",
    )

    assert result.stdout.split() == ["True", "k" * 60]
    assert not (tmp_path / "secret_key").exists()


def deploy_warnings(tmp_path: Path, **env: str) -> list[str]:
    result = run_jixiao("check", "--deploy", data_dir=tmp_path, **env)
    return sorted(set(re.findall(r"\(([a-z]+\.[A-Z]\d{3})\)", result.stdout + result.stderr)))


def test_check_deploy_leaves_only_the_https_items_without_https(tmp_path):
    assert deploy_warnings(tmp_path) == [
        "security.W004",  # HSTS
        "security.W008",  # SSL redirect
        "security.W012",  # session cookie over HTTPS only
        "security.W016",  # CSRF cookie over HTTPS only
    ]


def test_check_deploy_with_https_behind_a_proxy(tmp_path):
    # nginx redirects http:// (W008); preloading HSTS is for public domains (W021).
    assert deploy_warnings(tmp_path, JIXIAO_HTTPS="true") == ["security.W008", "security.W021"]
    assert (
        deploy_warnings(
            tmp_path, JIXIAO_HTTPS="true", JIXIAO_SSL_REDIRECT="true", JIXIAO_HSTS_PRELOAD="true"
        )
        == []
    )


def test_https_settings_trust_the_proxy_and_secure_the_cookies(tmp_path):
    code = (
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER, "
        "s.SECURE_SSL_REDIRECT)"
    )
    result = run_jixiao("shell", "-v", "0", "-c", code, data_dir=tmp_path, JIXIAO_HTTPS="true")

    assert result.stdout.strip() == (
        "True True 31536000 ('HTTP_X_FORWARDED_PROTO', 'https') False"
    ), result.stderr


@pytest.mark.django_db
def test_pages_carry_the_security_headers_and_the_policy(client, officer):
    client.force_login(officer)

    response = client.get("/")

    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    parts = [part.split(" ", 1) for part in response["Content-Security-Policy"].split("; ")]
    policy = {name: value for name, value in parts}
    assert policy == {
        "default-src": "'self'",
        "img-src": "'self' data:",
        "object-src": "'none'",
        "frame-ancestors": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
    }
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_the_error_pages_carry_the_policy_too(client):
    response = client.get("/no-such-page/")

    assert "default-src 'self'" in response["Content-Security-Policy"]


def templates() -> list[Path]:
    return sorted(PACKAGE.rglob("templates/**/*.html"))


@pytest.mark.parametrize("path", templates(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_template_has_what_the_policy_blocks(path):
    """No inline script, event handler, javascript: link, style attribute or <style> element."""
    text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"))  # comments may name them
    blocked = [
        *re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text),
        *re.findall(r"\son[a-z]+\s*=", text),
        *re.findall(r"\shx-on[:-]", text),  # htmx evaluates these: allowEval is off
        *re.findall(r"""hx-vals=["']js:""", text),
        *re.findall(r"javascript:", text),
        *re.findall(r"\sstyle\s*=", text),
        *re.findall(r"<style", text),
    ]
    assert blocked == []


def test_htmx_injects_no_style_element_and_evaluates_nothing():
    base = (PACKAGE / "templates" / "base.html").read_text(encoding="utf-8")

    assert (
        '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false, '
        '"allowEval": false}\'>' in base
    )
    assert ".htmx-request .htmx-indicator" in CSS  # its indicator style lives in our CSS


def css_widths(selector: str, count: int) -> tuple[float, ...]:
    found = dict(
        re.findall(re.escape(selector) + r" col:nth-child\((\d)\) \{ width: ([\d.]+)%; \}", CSS)
    )
    return tuple(float(found[str(n)]) for n in range(1, count + 1))


def test_the_target_tables_columns_keep_the_exports_proportions():
    assert css_widths(".target-table.cols-6", 6) == WIDTHS_6
    assert css_widths(".target-table.cols-7", 7) == WIDTHS_7
    assert sum(css_widths(".actuals-table", 7)) == 100


@pytest.mark.django_db
def test_the_target_table_names_its_column_count(client, officer, demo_document):
    from jixiao.lib.actor import Actor
    from jixiao.targets.services import import_document

    import_document(demo_document, actor=Actor(officer), source="seed.txt")
    client.force_login(officer)

    page = client.get("/targets/?unit=224001&year=2021").content.decode()

    assert page.count('<table class="target-table cols-6">') == 2
    assert page.count("<colgroup><col><col><col><col><col><col></colgroup>") == 2


def test_the_request_time_limit_defaults_to_a_minute():
    assert settings.REQUEST_TIMEOUT == 60
