"""``jixiao serve``: Jixiao under gunicorn, a production WSGI server.

Sync workers, one request at a time each: a worker busy longer than the request time limit
(``JIXIAO_REQUEST_TIMEOUT``) is aborted by gunicorn's master, and :func:`worker_abort` ends the
request it was serving with a logged error and the 500 page. Sync workers expect a buffering
proxy in front for slow clients (nginx, docs/deploy.md); on 127.0.0.1 they serve as they are.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication

from jixiao.system.middleware import current_request_line

logger = logging.getLogger("jixiao.server")

# gunicorn's access log line, with the request id the response carries (X-Request-ID), so an
# access line, an error logged by Django and the id on a 500 page can be matched.
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms [%({x-request-id}o)s]'
# A worker serves this many requests, then is replaced (a leak can't grow without bound).
MAX_REQUESTS = 2000
FINGERPRINT = ".jixiao-static-fingerprint"
_BIND = re.compile(r"^(?:unix:/.+|(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]*):\d{1,5})$")


def default_workers() -> int:
    """Gunicorn's usual count for CPU-bound work, 2 × cores + 1 (at most 12)."""
    return min(2 * (os.cpu_count() or 1) + 1, 12)


def parse_bind(text: str) -> str:
    """``HOST:PORT`` (or ``unix:/path``), with a Chinese error."""
    valid = bool(_BIND.match(text))
    if valid and not text.startswith("unix:"):
        valid = 0 < int(text.rsplit(":", 1)[1]) < 65536
    if not valid:
        raise CommandError(
            _("监听地址格式不对：%(text)s（应如 127.0.0.1:8000 或 unix:/run/jixiao.sock）")
            % {"text": text}
        )
    return text


def _static_fingerprint() -> str:
    """A hash of every static source file's name, size and time, and of the storage."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    digest.update(settings.STORAGES["staticfiles"]["BACKEND"].encode())
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(["CVS", ".*", "*~"]):
            stat = os.stat(storage.path(path))
            entries.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8") + b"\n")
    return digest.hexdigest()


def collect_static() -> bool:
    """Run collectstatic unless STATIC_ROOT already holds these very files; True if it ran.

    Collecting compresses every file (about 5 s), so an unchanged installation skips it.
    """
    root = Path(settings.STATIC_ROOT)
    stamp = root / FINGERPRINT
    fingerprint = _static_fingerprint()
    collected = (root / "staticfiles.json").is_file() and stamp.is_file()
    if collected and stamp.read_text(encoding="ascii").strip() == fingerprint:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint + "\n", encoding="ascii")
    return True


class RequestTimeout(Exception):
    """Raised inside a request that overran ``JIXIAO_REQUEST_TIMEOUT``."""


def worker_abort(worker: Any) -> None:
    """gunicorn aborts a worker that overran the time limit: end its request with a 500 page.

    gunicorn's master sends SIGABRT; this hook runs in the worker's signal handler, in the
    thread serving the request, so the request's id (RequestIdFilter adds it to every log
    line) and line are still in context. Raising here ends the view where it stands: its
    transaction rolls back, Django logs the traceback (where the time went) and answers with
    the 500 page naming the request id; then the worker exits and the master starts another.
    A request stuck inside a database call is killed outright one time limit later.
    """
    logger.error(
        "请求超过 %s 秒未完成，已中止（工作进程 %s 随后退出）：%s",
        settings.REQUEST_TIMEOUT,
        worker.pid,
        current_request_line() or "-",
    )
    raise RequestTimeout(f"request over {settings.REQUEST_TIMEOUT} s")


class JixiaoServer(BaseApplication):  # type: ignore[misc]
    """gunicorn configured from our settings, serving ``jixiao.wsgi``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from jixiao.wsgi import application

        return application


def server_options(
    bind: str, workers: int, *, timeout: int, access_log: str | None = "-"
) -> dict[str, Any]:
    """The gunicorn settings ``jixiao serve`` runs with."""
    return {
        "bind": [bind],
        "workers": workers,
        "worker_class": "sync",
        "timeout": timeout,
        # On a restart, requests under way get this long to finish.
        "graceful_timeout": 30,
        "max_requests": MAX_REQUESTS,
        "max_requests_jitter": MAX_REQUESTS // 10,
        # Load Django once in the master; workers start by forking it (faster, less memory).
        "preload_app": True,
        "worker_abort": worker_abort,
        "accesslog": access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "proc_name": "jixiao",
        # No ~/.gunicorn control socket: systemd's signals manage the server (docs/deploy.md),
        # and two servers on one machine would fight over the one path.
        "control_socket_disable": True,
    }
