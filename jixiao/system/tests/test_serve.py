"""``jixiao serve``: gunicorn with DEBUG off, static files, headers and the request time limit.

These start real servers in separate processes, on SQLite in a throwaway data directory.
"""

from __future__ import annotations

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jixiao.system.server import parse_bind, server_options
from jixiao.system.tests.helpers import ROOT, jixiao_env, run_jixiao

REQUEST_ID = "c0ffee0012345678"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(port: int, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


def wait_until_listening(port: int, server: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"server exited: {server.stdout.read() if server.stdout else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("server did not start")


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database and nothing else."""
    data_dir = tmp_path_factory.mktemp("served")
    result = run_jixiao("migrate", "--verbosity", "0", data_dir=data_dir, timeout=300)
    assert result.returncode == 0, result.stderr
    return data_dir


@pytest.fixture(scope="module")
def server(migrated: Path) -> Iterator[tuple[int, subprocess.Popen[str], Path]]:
    """``jixiao serve`` with one worker, a 2-second limit and the test views mounted."""
    port = free_port()
    log = migrated / "server.log"
    with open(log, "w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "jixiao.cli",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            env=jixiao_env(
                migrated,
                DJANGO_SETTINGS_MODULE="jixiao.system.tests.slow_settings",
                JIXIAO_REQUEST_TIMEOUT="2",
            ),
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            wait_until_listening(port, process)
            yield port, process, log
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)


def test_serve_refuses_a_database_that_was_never_migrated(tmp_path):
    result = run_jixiao("serve", "--bind", f"127.0.0.1:{free_port()}", data_dir=tmp_path)

    assert result.returncode == 2
    assert result.stderr.strip() == "数据库尚未初始化或需要升级，请先运行 jixiao migrate。"


def test_serve_refuses_a_malformed_address(tmp_path):
    result = run_jixiao("serve", "--bind", "localhost", data_dir=tmp_path)

    assert result.returncode == 2
    assert "监听地址格式不对：localhost" in result.stderr


def test_addresses_it_accepts():
    assert [parse_bind(b) for b in ("127.0.0.1:8000", "0.0.0.0:80", "[::1]:8000")] == [
        "127.0.0.1:8000",
        "0.0.0.0:80",
        "[::1]:8000",
    ]
    assert parse_bind("unix:/run/jixiao/jixiao.sock") == "unix:/run/jixiao/jixiao.sock"


def test_gunicorn_runs_sync_workers_stopped_at_the_time_limit():
    options = server_options("127.0.0.1:8000", 3, timeout=45)

    assert (options["worker_class"], options["workers"], options["timeout"]) == ("sync", 3, 45)
    assert options["bind"] == ["127.0.0.1:8000"]
    assert options["preload_app"] is True
    assert options["worker_abort"].__name__ == "worker_abort"


def test_the_served_login_page_has_debug_off_and_the_headers(server):
    port, _process, _log = server

    response = get(port, "/login/", **{"X-Request-ID": REQUEST_ID})

    assert response.status == 200
    assert response.getheader("Server") == "gunicorn"
    assert response.getheader("X-Request-ID") == REQUEST_ID
    assert "default-src 'self'" in response.getheader("Content-Security-Policy")
    assert response.getheader("X-Frame-Options") == "DENY"
    assert "用户名" in response.body.decode()


def test_static_files_are_served_hashed_compressed_and_cached_for_a_year(server):
    port, _process, _log = server
    page = get(port, "/login/").body.decode()
    (css,) = re.findall(r'href="(/static/css/jixiao\.[0-9a-f]{12}\.css)"', page)

    response = get(port, css, **{"Accept-Encoding": "gzip"})

    assert response.status == 200
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("Content-Encoding") == "gzip"
    assert "max-age=315360000" in response.getheader("Cache-Control")
    assert "immutable" in response.getheader("Cache-Control")
    vendor = re.findall(r'src="(/static/vendor/htmx\.min\.[0-9a-f]{12}\.js)"', page)
    assert get(port, vendor[0]).status == 200


def test_the_served_404_is_the_chinese_page(server):
    port, _process, _log = server

    response = get(port, "/no-such-page/")

    assert response.status == 404
    assert "页面不存在（404）" in response.body.decode()


def test_a_request_over_the_time_limit_ends_with_the_500_page_and_is_logged(server):
    port, _process, log = server
    started = time.monotonic()

    response = get(port, "/test/slow/?seconds=30", **{"X-Request-ID": REQUEST_ID})

    assert time.monotonic() - started < 15
    assert response.status == 500
    page = response.body.decode()
    assert "请求处理超时（500）" in page and "超过了 2 秒" in page
    assert f'<code class="request-id">{REQUEST_ID}</code>' in page
    # The aborted worker exits after answering; a new one takes over.
    deadline = time.monotonic() + 30
    while True:
        try:
            assert get(port, "/login/").status == 200
            break
        except (ConnectionError, http.client.HTTPException):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    text = log.read_text(encoding="utf-8")
    assert re.search(
        rf"ERROR \[{REQUEST_ID}\] jixiao.server: 请求超过 2 秒未完成，"
        r"已中止（工作进程 \d+ 随后退出）：GET /test/slow/\?seconds=30",
        text,
    ), text
    assert f"ERROR [{REQUEST_ID}] django.request: Internal Server Error: /test/slow/" in text
    assert "time.sleep(" in text and "RequestTimeout" in text  # where the time went


def test_static_files_are_collected_again_only_when_they_changed(settings, tmp_path, monkeypatch):
    from jixiao.system import server

    settings.STATIC_ROOT = tmp_path
    runs = []

    def fake_collectstatic(*args, **kwargs):
        runs.append(args)
        (tmp_path / "staticfiles.json").write_text("{}")

    monkeypatch.setattr(server, "call_command", fake_collectstatic)

    assert server.collect_static() is True  # nothing collected yet
    assert server.collect_static() is False  # the same files: skipped
    (tmp_path / server.FINGERPRINT).write_text("0" * 64)  # a file changed since
    assert server.collect_static() is True
    (tmp_path / "staticfiles.json").unlink()  # the manifest is gone
    assert server.collect_static() is True
    assert runs == [("collectstatic",)] * 3


def test_workers_keep_their_sqlite_connection(tmp_path):
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_MAX_AGE'])"
    result = run_jixiao("shell", "-v", "0", "-c", code, data_dir=tmp_path)

    assert result.stdout.strip() == "600", result.stderr
