"""Legacy Word (.doc, also RTF/HTML saved as .doc) reader: LibreOffice converts, docx reads."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from jixiao.importers import docx as office
from jixiao.importers import limits
from jixiao.importers.grid import Source

__all__ = ["convert_timeout", "read", "soffice_path"]

_LABEL = ".doc"
_WORD_STREAM = "WordDocument".encode("utf-16-le")


def soffice_path() -> str | None:
    """The LibreOffice executable, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def read(path: Path) -> Source:
    """Convert a .doc to .docx with headless LibreOffice and read that, under the .doc's name."""
    path = Path(path)
    name = path.name
    kind = office.sniff(path)
    if kind == "zip":  # a .docx saved with a .doc name
        return office.read_docx(path, name, "Word")
    if kind == "ole":
        if office.is_encrypted_ole(path):
            raise office.failure(_LABEL, name, "文件已加密（设置了密码），请去掉密码后再导入")
        if _WORD_STREAM not in path.read_bytes():
            raise office.failure(
                _LABEL, name, "这不是 Word 文档（可能是 Excel 或 PowerPoint 文件）"
            )
    elif kind not in ("rtf", "html"):
        raise office.failure(_LABEL, name, office.mismatch_reason(kind, ".doc"))
    soffice = soffice_path()
    if soffice is None:
        raise office.failure(
            _LABEL,
            name,
            "本机未安装 LibreOffice。请另存为 .docx 后再导入，或安装 libreoffice-writer-nogui",
        )
    limits.check_time("LibreOffice 转换前")
    with tempfile.TemporaryDirectory(prefix="jixiao-doc-") as tmp:
        work = Path(tmp)
        source = work / "input.doc"
        shutil.copyfile(path, source)
        converted = _convert(soffice, source, work, name)
        return office.read_docx(converted, name, _LABEL)


def convert_timeout() -> float:
    """Seconds one conversion may take: the setting, or what is left of the import's time."""
    timeout = float(limits.current().doc_convert_seconds)
    left = limits.remaining_seconds()
    return timeout if left is None else min(timeout, left)


def _convert(soffice: str, source: Path, work: Path, name: str) -> Path:
    """Run one LibreOffice conversion with its own profile; return the .docx it wrote."""
    outdir = work / "out"
    command = [
        soffice,
        # A private profile per run: parallel runs on one profile fail silently.
        f"-env:UserInstallation={(work / 'profile').as_uri()}",
        "--headless",
        "--norestore",
        "--nolockcheck",
        "--convert-to",
        "docx:MS Word 2007 XML",
        "--outdir",
        str(outdir),
        str(source),
    ]
    env = {**os.environ, "HOME": str(work)}
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # own process group, so a hung soffice.bin can be killed
        )
    except OSError as exc:
        raise office.failure(_LABEL, name, f"无法启动 LibreOffice（{exc.strerror}）") from exc
    timeout = convert_timeout()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise office.failure(
            _LABEL,
            name,
            f"LibreOffice 转换超过时间上限（{timeout:.0f} 秒）；"
            "请在 Word/WPS 中另存为 .docx 后再导入",
        ) from exc
    # The exit code can't be trusted: only a written, non-empty .docx counts.
    converted = outdir / "input.docx"
    if not converted.is_file() or converted.stat().st_size == 0:
        raise office.failure(
            _LABEL, name, "LibreOffice 无法转换此文件（可能已损坏或设置了密码），请另存为 .docx"
        )
    return converted
