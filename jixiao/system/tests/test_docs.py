"""The operator's documents name every setting and every production command."""

from __future__ import annotations

import re

from jixiao.system.tests.helpers import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
DEPLOY = (ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


def settings_read() -> set[str]:
    """Every JIXIAO_* environment variable the code reads."""
    names: set[str] = set()
    for path in (ROOT / "jixiao").rglob("*.py"):
        if "/tests/" in str(path):
            continue
        text = path.read_text(encoding="utf-8")
        names |= set(re.findall(r"""env\w*\(\s*["'](JIXIAO_[A-Z_]+)["']""", text))
        names |= set(re.findall(r"""environ(?:\.get\(|\[)\s*["'](JIXIAO_[A-Z_]+)["']""", text))
    return names


def test_every_setting_is_in_the_readme_table():
    found = settings_read()
    assert {"JIXIAO_HTTPS", "JIXIAO_REQUEST_TIMEOUT", "JIXIAO_SECRET_KEY"} <= found
    assert [name for name in sorted(found) if f"| `{name}` |" not in README] == []


def test_the_deploy_guide_covers_what_the_issue_asks():
    for needle in (
        "jixiao serve",
        "systemd",
        "nginx",
        "JIXIAO_HTTPS=true",
        "security.W008",
        "security.W021",
        "security.W004",
        "security.W012",
        "security.W016",
        "jixiao backup -o",
        "cron",
        "Restore drill",
        "JIXIAO_LOG_FILE",
        "Several application servers on one PostgreSQL",
        "JIXIAO_SECRET_KEY",
        "JIXIAO_MEDIA_ROOT",
        "Sessions and lockouts live in the database",
        "One server runs migrations",
    ):
        assert needle in DEPLOY, needle
