"""Bad files get one clear Chinese error and leave the register exactly as it was."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from django.core.management import call_command

from jixiao.commands import BAD_INPUT
from jixiao.system.demo.services import load_demo
from jixiao.targets.models import Indicator, Project, Revision, SpendingCheckpoint, UnitGoal
from jixiao.units.models import Unit

TABLES = [Unit, UnitGoal, Project, SpendingCheckpoint, Indicator, Revision]
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
OLE = bytes.fromhex("d0cf11e0a1b11ae1")


def snapshot() -> list[list[tuple[object, ...]]]:
    return [sorted(m.objects.values_list()) for m in TABLES]


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _picture(path: Path) -> None:
    path.write_bytes(PNG)


def _corrupt_zip(path: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>" * 200)
        zf.writestr("xl/workbook.xml", "<workbook/>" * 200)
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])


def _password(path: Path) -> None:
    path.write_bytes(OLE + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512))


def _huge(path: Path) -> None:
    with path.open("wb") as f:  # sparse: costs no disk
        f.truncate(64 * 1024 * 1024)


def _no_indicator_columns(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("2021年度经费明细")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate(
        [["科目", "金额", "备注"], ["办公费", "1.00", ""], ["差旅费", "2.00", ""]]
    ):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    document.save(str(path))


CASES: list[tuple[str, Callable[[Path], None], str]] = [
    ("empty.docx", _empty, "文件为空：empty.docx"),
    ("photo.docx", _picture, "photo.docx"),
    ("broken.xlsx", _corrupt_zip, "broken.xlsx"),
    ("locked.docx", _password, "文件已加密"),
    ("huge.pdf", _huge, "文件过大：huge.pdf"),
    ("costs.docx", _no_indicator_columns, "costs.docx 中没有找到绩效指标表"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "make", "message"), CASES, ids=[c[0] for c in CASES])
def test_bad_file_is_refused_and_the_register_is_untouched(
    tmp_path: Path, name: str, make: Callable[[Path], None], message: str
) -> None:
    load_demo()
    before = snapshot()
    path = tmp_path / name
    make(path)

    with pytest.raises(BAD_INPUT) as caught:
        call_command("import", str(path))

    assert message in str(caught.value)
    assert snapshot() == before


def test_bad_file_on_the_command_line_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "photo.docx"
    _picture(path)
    env = {**os.environ, "JIXIAO_DATA_DIR": str(tmp_path / "data")}
    jixiao = Path(sys.executable).with_name("jixiao")

    result = subprocess.run(
        [str(jixiao), "import", str(path)], capture_output=True, text=True, env=env, check=False
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "photo.docx" in result.stderr and "图片" in result.stderr
