"""``jixiao export monitoring|selfeval`` on the demo year, and the self-evaluation read back."""

from __future__ import annotations

import io
from decimal import Decimal as D
from pathlib import Path

import pdfplumber
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jixiao.importers.selfeval import read_selfeval_xlsx
from jixiao.rounds import build
from jixiao.system.demo.services import load_demo
from jixiao.units.models import Unit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo() -> None:
    load_demo()


def export(tmp_path: Path, *args: str) -> Path:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    path = Path(out.getvalue().strip().removeprefix("已导出："))
    assert path.is_file() and path.parent == tmp_path
    return path


def test_the_exported_self_evaluation_reads_back_with_the_same_values(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "selfeval",
        "--unit",
        "224001",
        "--year",
        "2021",
        "-o",
        str(tmp_path / "自评.xlsx"),
    )
    sheets = read_selfeval_xlsx(path.read_bytes())
    report = build.build_self_evaluation(Unit.objects.get(code="224001"), 2021)
    assert [s.name for s in sheets] == [p.name for p in report.projects]
    for sheet, project in zip(sheets, report.projects, strict=True):
        assert (sheet.total, sheet.grade) == (project.total, project.grade)
        read = [(i.level3, i.target, i.actual, i.points, i.score) for i in sheet.indicators]
        built = [(r.level3, r.target, r.actual, r.points, r.score) for r in project.rows]
        assert read == built
        assert sheet.funds[0].score == project.execution.score
    assert (sheets[0].total, sheets[1].total) == (D("98.56"), D("99.37"))


def test_the_monitoring_pdf_has_the_chinese_tables_and_the_charts(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "monitoring",
        "--unit",
        "224001",
        "--year",
        "2021",
        "--as-of",
        "2021-06-30",
        "-o",
        str(tmp_path / "监控.pdf"),
    )
    with pdfplumber.open(path) as pdf:
        summary, analysis = pdf.pages[0], pdf.pages[1]
        assert "2021年项目支出绩效运行监控汇总" in summary.extract_text()
        assert len(summary.curves) > 10  # the two charts, drawn as vector paths
        assert "偏差原因及纠偏措施" in analysis.extract_text()
        text = "\n".join(page.extract_text() for page in pdf.pages[2:])
    assert "项目支出绩效目标执行监控表（2021年度）" in text and "期限" in text
    # Both 1年 durations run with the year: 0.5年 at 30 June is on plan, 1年 by December;
    # the likelihood is ticked (✓) in the 136号 grid.
    assert text.count("1年 0.5年 1年 ✓") == 2


def test_one_project_and_a_bad_project_name(tmp_path: Path) -> None:
    path = export(
        tmp_path,
        "selfeval",
        "--unit",
        "224001",
        "--year",
        "2021",
        "--project",
        "13032221RDEVGNWRIDTHY",
        "-o",
        str(tmp_path / "p2.xlsx"),
    )
    assert [s.name for s in read_selfeval_xlsx(path.read_bytes())] == ["网络宣传管理经费"]
    with pytest.raises(CommandError, match="没有这个项目"):
        call_command(
            "export", "selfeval", "--unit", "224001", "--year", "2021", "--project", "不存在"
        )
