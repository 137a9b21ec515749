"""A throwaway PostgreSQL cluster for the benchmark (as in the project's stack notes).

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user.
The cluster listens on 127.0.0.1 at a free port with fsync off (the data is disposable);
buffers are sized for a few GB of ledger so both the floor and the evaluator read from memory.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

SETTINGS = [
    "-c fsync=off",
    "-c synchronous_commit=off",
    "-c full_page_writes=off",
    "-c shared_buffers=2GB",
    "-c work_mem=64MB",
    "-c maintenance_work_mem=512MB",
    "-c max_wal_size=8GB",
]


def pg_bin() -> Path:
    """The newest PostgreSQL binaries installed."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]))
    if not found:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql")
    return Path(found[-1])


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(args: list[str]) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster(keep: Path | None = None) -> Iterator[str]:
    """Start a cluster (reusing ``keep/pgdata`` if present) and yield its DATABASE_URL.

    Without ``keep`` the data directory is deleted on exit.
    """
    binaries = pg_bin()
    data = (keep / "pgdata") if keep else Path(tempfile.mkdtemp(prefix="jixiao-bench-pg-"))
    fresh = not (data / "PG_VERSION").exists()
    data.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        data.chmod(0o700)
    if fresh:
        _run(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
    port = free_port()
    options = " ".join([f"-c listen_addresses=127.0.0.1 -p {port} -k {data}", *SETTINGS])
    _run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(data / "log"), "-w",
          "-o", options, "start"])  # fmt: skip
    try:
        if fresh:
            _run([str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                  "postgres", "jixiao_bench"])  # fmt: skip
        yield f"postgres://postgres@127.0.0.1:{port}/jixiao_bench"
    finally:
        _run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        if keep is None:
            shutil.rmtree(data, ignore_errors=True)
