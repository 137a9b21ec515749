from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao import importers
from jixiao.core.document import Warning
from jixiao.targets.models import Indicator, Project, Revision, UnitGoal
from jixiao.units.models import Unit

JIXIAO = Path(sys.executable).with_name("jixiao")
TABLES = [Unit, UnitGoal, Project, Indicator, Revision]


def run_jixiao(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed console script as a user would, on a throwaway data directory."""
    env = {**os.environ, "JIXIAO_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [str(JIXIAO), *args], capture_output=True, text=True, env=env, timeout=60, check=False
    )


def counts() -> list[int]:
    return [m.objects.count() for m in TABLES]


@pytest.fixture
def files(monkeypatch, demo_document):
    """Files named a.txt, b.txt … that "read" as the given documents, without the interpreter."""
    documents = {"a.txt": demo_document}

    def load_document(path):
        path = Path(path)
        if path.name not in documents:
            raise importers.ImportFailure(f"找不到文件：{path.name}")
        return documents[path.name]

    monkeypatch.setattr(importers, "load_document", load_document)
    return documents


def call(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_target_parse_json_prints_one_exact_line(tmp_path):
    done = run_jixiao("target", "parse", "≥200条", "--json", tmp_path=tmp_path)

    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == (
        '{"text":"≥200条","kind":"quantitative","op":">=","value":"200","unit":"条"}\n'
    )


def test_target_parse_without_json_prints_a_chinese_line():
    out, _ = call("target", "parse", "≥200条", "是")

    assert out.splitlines() == ["≥200条：定量，≥ 200 条", "是：定性"]


def test_import_of_a_missing_file_exits_2_with_one_chinese_line(tmp_path):
    done = run_jixiao("import", "/nonexistent.docx", tmp_path=tmp_path)

    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == ["找不到文件：nonexistent.docx"]


@pytest.mark.django_db
def test_import_dry_run_json_prints_the_document_and_writes_nothing(files, demo_document):
    before = counts()

    out, _ = call("import", "a.txt", "--dry-run", "--json", "--create-unit")

    assert counts() == before == [0] * len(TABLES)
    (line,) = out.splitlines()
    assert json.loads(line) == demo_document.to_dict()
    assert "中共昌黎县委" in line  # ensure_ascii=False: Chinese as itself, not \u escapes


@pytest.mark.django_db
def test_import_dry_run_reports_a_rejected_document_after_printing_it(files, demo_document):
    files["a.txt"] = dataclasses.replace(demo_document, year=None)
    out = StringIO()

    with pytest.raises(CommandError, match=r"^a\.txt：文件中没有找到预算年度。$"):
        call_command("import", "a.txt", "--dry-run", stdout=out)

    assert out.getvalue().startswith("a.txt：224001 中共昌黎县委")
    assert counts() == [0] * len(TABLES)


@pytest.mark.django_db
def test_import_writes_and_prints_a_summary_per_file(files, officer):
    out, _ = call("import", "a.txt", "--user", "officer")

    assert out.splitlines() == [
        "a.txt：224001 中共昌黎县委网络安全和信息化委员会办公室本级 2021 年",
        "  部门整体绩效目标：新建，第 1 版",
        "  网络安全和信息化经费：新建，第 1 版",
        "  网络宣传管理经费：新建，第 1 版",
        "  警告 0 条",
    ]
    assert set(Revision.objects.values_list("created_by__username", flat=True)) == {"officer"}

    again, _ = call("import", "a.txt")
    assert "  网络宣传管理经费：无变化" in again.splitlines()


@pytest.mark.django_db
def test_import_lists_warnings_with_their_place_on_stderr(files, demo_document):
    demo_document.warnings.append(Warning("表格 2，第 5 行，指标值", "指标值为空，未导入"))

    out, err = call("import", "a.txt", "--json", "--create-unit")

    assert err.splitlines() == ["a.txt：表格 2，第 5 行，指标值：指标值为空，未导入"]
    result = json.loads(out)
    assert [o["status"] for o in result["objects"]] == ["created"] * 3
    assert result["warnings"] == [
        {"where": "表格 2，第 5 行，指标值", "message": "指标值为空，未导入"}
    ]


@pytest.mark.django_db
def test_import_is_all_or_nothing_across_files(files, demo_document):
    files["b.txt"] = dataclasses.replace(demo_document, unit=None)

    with pytest.raises(CommandError, match=r"^b\.txt：文件中没有找到预算单位"):
        call("import", "a.txt", "b.txt", "--create-unit")

    assert counts() == [0] * len(TABLES)


@pytest.mark.django_db
def test_import_refuses_an_unknown_user(files):
    with pytest.raises(CommandError, match="找不到用户：nobody"):
        call("import", "a.txt", "--user", "nobody")

    assert counts() == [0] * len(TABLES)


@pytest.fixture
def imported(files):
    call("import", "a.txt", "--create-unit")


@pytest.mark.django_db
def test_export_targets_writes_the_exporter_output(imported, monkeypatch, tmp_path):
    seen = []

    def export_targets(doc, fmt):
        seen.append((doc.unit.code, doc.year, [p.name for p in doc.projects], fmt))
        return b"%PDF-fake"

    monkeypatch.setattr("jixiao.exporters.export_targets", export_targets)
    target = tmp_path / "目标表.pdf"

    out, _ = call("export", "targets", "--unit", "224001", "--year", "2021", "-o", str(target))

    assert seen == [("224001", 2021, ["网络安全和信息化经费", "网络宣传管理经费"], "pdf")]
    assert target.read_bytes() == b"%PDF-fake"
    assert out.strip() == f"已导出：{target}"
    assert [p.name for p in tmp_path.iterdir()] == ["目标表.pdf"]  # no temp file left behind


@pytest.mark.django_db
def test_export_targets_makes_a_real_xlsx(imported, tmp_path):
    target = tmp_path / "out.xlsx"

    call(
        "export",
        "targets",
        "--unit",
        "224001",
        "--year",
        "2021",
        "--format",
        "xlsx",
        "-o",
        str(target),
    )

    assert target.read_bytes()[:2] == b"PK"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("unit", "year", "message"),
    [
        ("999999", "2021", "找不到预算单位：999999"),
        (
            "224001",
            "2022",
            "预算单位 224001 中共昌黎县委网络安全和信息化委员会办公室本级 没有 2022 年的绩效目标。",
        ),
    ],
)
def test_export_targets_refuses_unknown_unit_or_year(imported, tmp_path, unit, year, message):
    target = tmp_path / "out.xlsx"

    with pytest.raises(CommandError, match=f"^{message}$"):
        call("export", "targets", "--unit", unit, "--year", year, "-o", str(target))

    assert not target.exists()


@pytest.mark.django_db
def test_import_fills_a_missing_unit_and_year_from_the_command_line(files, demo_document):
    files["b.txt"] = dataclasses.replace(demo_document, unit=None, year=None)

    call(
        "import",
        "b.txt",
        "--unit",
        "224001",
        "--unit-name",
        "某单位",
        "--year",
        "2021",
        "--create-unit",
    )

    unit = Unit.objects.get()
    assert (unit.code, unit.name) == ("224001", "某单位")
    assert set(Project.objects.values_list("year", flat=True)) == {2021}


@pytest.mark.django_db
def test_import_refuses_a_unit_that_contradicts_the_file(files, demo_document):
    with pytest.raises(CommandError, match=r"a\.txt：文件中的单位编码 224001 与 --unit 999 不一致"):
        call("import", "a.txt", "--unit", "999")

    assert counts() == [0] * len(TABLES)
