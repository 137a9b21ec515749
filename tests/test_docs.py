"""The README names every command of ours and every export; the docs it links exist."""

from __future__ import annotations

import re
from pathlib import Path

from django.core.management import get_commands

from jixiao.exporters import RENDERERS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_jixiao_command_is_in_the_readme() -> None:
    ours = sorted(name for name, app in get_commands().items() if app.startswith("jixiao"))
    assert {"score", "monitor", "evaluate", "export", "actuals", "ledger"} <= set(ours)
    missing = [name for name in ours if f"jixiao {name}" not in README]
    assert missing == []


def test_every_export_report_and_format_is_in_the_readme() -> None:
    for report in ("targets", "monitoring", "selfeval"):
        assert f"jixiao export {report}" in README
    for fmt in RENDERERS:
        assert fmt in README


def test_the_docs_the_readme_links_exist() -> None:
    links = re.findall(r"\]\(((?:docs|benchmarks)/[^)#]+)\)", README)
    assert "docs/settings.md" in links and "docs/review.md" in links
    assert [link for link in links if not (ROOT / link).is_file()] == []
