"""LibreOffice for the tests: print Word and Excel files to PDF as an office would.

One ``soffice`` process converts a whole batch (start-up is most of the cost), with a private
profile per call: parallel runs on one profile fail silently, and the exit code can't be
trusted, so every expected output is checked.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

__all__ = ["available", "convert"]


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    """True when LibreOffice is installed."""
    return _soffice() is not None


def convert(
    sources: list[Path], outdir: Path, fmt: str = "pdf", timeout: float = 600
) -> list[Path]:
    """Convert each source to ``fmt`` (``pdf``, ``docx``, ``doc``…) into outdir, in one process.

    Returns the output paths in the order of ``sources``; raises RuntimeError naming the files
    LibreOffice did not write.
    """
    soffice = _soffice()
    if soffice is None:
        raise RuntimeError("LibreOffice (soffice) is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    if not sources:
        return []
    with tempfile.TemporaryDirectory(prefix="jixiao-lo-") as tmp:
        command = [
            soffice,
            f"-env:UserInstallation={(Path(tmp) / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            fmt,
            "--outdir",
            str(outdir),
            *(str(s) for s in sources),
        ]
        subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "HOME": tmp},
            timeout=timeout,
            check=False,
        )
    suffix = "." + fmt.split(":")[0]
    outputs = [outdir / (Path(s).stem + suffix) for s in sources]
    missing = [p.name for p in outputs if not p.is_file() or p.stat().st_size == 0]
    if missing:
        raise RuntimeError(f"LibreOffice did not write {', '.join(missing)}")
    return outputs
