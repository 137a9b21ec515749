"""Running ``jixiao`` as the operator would: a separate process with its own environment."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# The test run's own settings (conftest allows async-unsafe calls for Playwright), not a server's.
CLEARED = ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def jixiao_env(data_dir: Path, **overrides: str) -> dict[str, str]:
    """This environment without any Jixiao setting or DATABASE_URL, plus ``overrides``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("JIXIAO_") and key not in CLEARED
    }
    env["JIXIAO_DATA_DIR"] = str(data_dir)
    env["PYTHONPATH"] = str(ROOT)
    env.update(overrides)
    return env


def run_jixiao(
    *args: str, data_dir: Path, timeout: float = 120, **overrides: str
) -> subprocess.CompletedProcess[str]:
    """``jixiao ARGS`` in a fresh process; its output and exit status."""
    return subprocess.run(
        [sys.executable, "-m", "jixiao.cli", *args],
        env=jixiao_env(data_dir, **overrides),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
