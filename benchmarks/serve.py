"""Benchmark: ``jixiao serve`` under logged-in clients, each main page beside the login page.

    python -m benchmarks.serve [--seconds 60] [--clients 20] [--workers 2] [--db sqlite|postgres]
        [--keep DIR] [--profile PAGE]

Builds a throwaway data directory with the demo (``jixiao migrate``, ``jixiao demo``), starts
``jixiao serve`` on 127.0.0.1 with DEBUG off, and logs in ``--clients`` clients, each with its
own session, alternately as the demo officer (``demo``) and the bureau reviewer (``shenhe``).
Each client is a thread with its own HTTP connection (``http.client``, reconnecting when the
server closes it, as gunicorn's sync workers do after each response). Then, in one run:

1. *Each page alone*: for every page in turn — the seven main pages, then the login page —
   all clients request that page, and only it, for ``--seconds``: its throughput (responses
   per second) and latency under that load. The ratio column is the page's throughput over the
   login page's: how many times slower than the trivial page each page is served.
2. *All pages in turn*: for ``--seconds``, each client requests the main pages and the login
   page one after the other (clients start at different pages), as people browse.

Every response must be 200 (the main pages: with their page title; the login page: its form);
anything else is counted as an error and the run exits with status 1. The server's access log
gives each request's time inside the server, which the table sets beside the latency the
client saw (the rest is waiting for a free worker). ``--profile PAGE`` then profiles that
page in this process (cProfile, after a warm-up) and prints where the time goes.
Figures and how to read them: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "jixiao-demo-2021"
USERS = ("demo", "shenhe")  # the unit officer, the bureau reviewer
LOGIN = "登录页"


@dataclass(frozen=True)
class Page:
    """A page the clients request, and the text its answer must hold."""

    name: str
    path: str
    expect: str


MAIN_PAGES = (
    Page("目标表 /", "/", "绩效目标"),
    Page("台账记录 /ledgers/opinion/", "/ledgers/opinion/", "舆情"),
    Page("实际完成值 /actuals/", "/actuals/", "实际完成值"),
    Page("运行监控 /rounds/monitoring/", "/rounds/monitoring/", "运行监控"),
    Page("绩效自评 /rounds/evaluation/", "/rounds/evaluation/", "绩效自评"),
    Page("填报轮次 /rounds/", "/rounds/", "填报轮次"),
    Page("填报表 /rounds/reports/N/", "/rounds/reports/{report}/", "填报"),
)
LOGIN_PAGE = Page(LOGIN + " /login/", "/login/", 'name="password"')


# -- the server -------------------------------------------------------------------------------


def jixiao_env(data_dir: Path, database_url: str | None) -> dict[str, str]:
    """The server's environment: defaults (DEBUG off), this data directory and database."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIXIAO_")}
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["JIXIAO_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def jixiao(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-m", "jixiao.cli", *args],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_cpu(master: int) -> float:
    """CPU seconds the server has used: its master, live workers and workers already gone."""
    tick = os.sysconf("SC_CLK_TCK")

    def fields(pid: int) -> list[str]:
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat[stat.rindex(")") + 2 :].split()

    own = fields(master)
    total = sum(int(x) for x in own[11:15])  # utime, stime, cutime, cstime (exited workers)
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for child in children:
        with contextlib.suppress(OSError):
            total += sum(int(x) for x in fields(int(child))[11:13])
    return total / tick


@contextlib.contextmanager
def server(env: dict[str, str], workers: int, log: Path) -> Iterator[tuple[int, int]]:
    """``jixiao serve`` on a free port until the block ends; yields its port and pid."""
    port = free_port()
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
                str(workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 180
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"jixiao serve stopped:\n{log.read_text()}")
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    connection.request("GET", "/login/")
                    if connection.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("jixiao serve did not start")
                time.sleep(0.3)
            yield port, process.pid
        finally:
            process.terminate()
            process.wait(timeout=60)


# -- the clients ------------------------------------------------------------------------------


class Client:
    """One person's browser: a session cookie and one HTTP connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(
        self, method: str, path: str, body: str | None = None
    ) -> tuple[int, str, dict[str, str]]:
        headers = {"Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A connection the server had already closed: open a new one, once.
                self.connection.close()
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, text, dict(response.headers)

    def log_in(self, username: str) -> None:
        status, page, _ = self.request("GET", "/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"login page answered {status}")
        form = {
            "csrfmiddlewaretoken": token.group(1),
            "username": username,
            "password": PASSWORD,
            "next": "/",
        }
        status, _, _ = self.request("POST", "/login/", urlencode(form))
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"{username} could not log in ({status})")


@dataclass
class Sample:
    """One request: which page, how long the client waited, whether it failed."""

    page: str
    seconds: float
    error: str | None = None


@dataclass
class Phase:
    """One timed load: what every client requested, and what it got."""

    name: str
    seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)

    def of(self, page: str) -> list[Sample]:
        return [s for s in self.samples if s.page == page]


def run_phase(name: str, clients: list[Client], plans: list[list[Page]], seconds: float) -> Phase:
    """Every client requests its plan's pages in a loop for ``seconds``."""
    phase = Phase(name)
    lock = threading.Lock()
    start = threading.Barrier(len(clients) + 1)
    stop_at: list[float] = []

    def work(client: Client, plan: list[Page]) -> None:
        mine: list[Sample] = []
        start.wait()
        i = 0
        while time.monotonic() < stop_at[0]:
            page = plan[i % len(plan)]
            i += 1
            began = time.perf_counter()
            try:
                status, text, _ = client.request("GET", page.path)
                error = None if status == 200 and page.expect in text else f"HTTP {status}"
            except (OSError, http.client.HTTPException) as exc:
                error = type(exc).__name__
            mine.append(Sample(page.name, time.perf_counter() - began, error))
        with lock:
            phase.samples.extend(mine)

    threads = [
        threading.Thread(target=work, args=(c, p), daemon=True)
        for c, p in zip(clients, plans, strict=True)
    ]
    for thread in threads:
        thread.start()
    stop_at.append(time.monotonic() + seconds)
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.monotonic() - began
    return phase


# -- figures ----------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass
class Row:
    """A page's figures in one phase."""

    page: str
    requests: int
    errors: int
    p50_ms: float
    p95_ms: float
    per_second: float
    server_ms: float | None = None
    cpu_ms: float | None = None  # the server's CPU time per request


def row(
    page: str,
    samples: list[Sample],
    seconds: float,
    server_ms: float | None,
    cpu_seconds: float | None = None,
) -> Row:
    times = [s.seconds * 1000 for s in samples]
    return Row(
        page,
        len(samples),
        sum(1 for s in samples if s.error),
        percentile(times, 50) if times else 0.0,
        percentile(times, 95) if times else 0.0,
        len(samples) / seconds,
        server_ms,
        None if cpu_seconds is None or not samples else cpu_seconds * 1000 / len(samples),
    )


ACCESS = re.compile(r'"GET (\S+) HTTP/1\.1" (\d{3}) \S+ (\d+)ms')


def server_times(log: Path, since: int) -> dict[str, list[int]]:
    """Milliseconds inside the server per path, from the access log after byte ``since``."""
    times: dict[str, list[int]] = {}
    with open(log, encoding="utf-8", errors="replace") as handle:
        handle.seek(since)
        for line in handle:
            found = ACCESS.search(line)
            if found:
                times.setdefault(found.group(1), []).append(int(found.group(3)))
    return times


def print_table(title: str, rows: list[Row], login: Row | None) -> None:
    """Page names are padded by display width (a Chinese character takes two columns)."""
    print(f"\n{title}")
    header = pad("page", 36) + f"{'requests':>9}{'errors':>7}{'p50 ms':>8}{'p95 ms':>8}"
    header += f"{'req/s':>8}{'server ms':>10}{'CPU ms':>8}"
    if login:
        header += f"{'× login':>9}{'× login CPU':>12}"
    print(header)
    for r in rows:
        line = pad(r.page, 36) + f"{r.requests:>9}{r.errors:>7}{r.p50_ms:>8.0f}{r.p95_ms:>8.0f}"
        server = "" if r.server_ms is None else f"{r.server_ms:.0f}"
        cpu = "" if r.cpu_ms is None else f"{r.cpu_ms:.1f}"
        line += f"{r.per_second:>8.1f}{server:>10}{cpu:>8}"
        if login:
            line += f"{r.per_second / login.per_second:>9.2f}"
            if r.cpu_ms and login.cpu_ms:
                line += f"{login.cpu_ms / r.cpu_ms:>12.2f}"
        print(line)


def pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns."""
    used = sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
    return text + " " * max(1, width - used)


# -- profiling one page -----------------------------------------------------------------------


def profile(data_dir: Path, database_url: str | None, page: Page, runs: int = 20) -> None:
    """Where one page's time goes: cProfile over ``runs`` requests in this process."""
    import cProfile
    import pstats

    os.environ.update(jixiao_env(data_dir, database_url))
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection, reset_queries
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(SERVER_NAME="localhost")
    client.force_login(get_user_model().objects.get(username=USERS[0]))
    for _ in range(3):
        assert client.get(page.path).status_code == 200
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        client.get(page.path)
    queries = len(captured.captured_queries)  # now: the next request empties the log
    began = time.perf_counter()
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        client.get(page.path)
    profiler.disable()
    each = (time.perf_counter() - began) / runs * 1000
    stats = pstats.Stats(profiler)
    total = stats.total_tt / runs * 1000  # type: ignore[attr-defined]
    print(
        f"\n{page.name}: {each:.1f} ms a request under the profiler "
        f"({total:.1f} ms profiled), {queries} SQL queries"
    )
    raw = stats.stats  # type: ignore[attr-defined]

    def cumulative(file_part: str, function: str) -> float:
        return (
            sum(
                ct
                for (file, _line, name), (_cc, _nc, _tt, ct, _callers) in raw.items()
                if file_part in file and name == function
            )
            / runs
            * 1000
        )

    template = cumulative("django/template/backends/django.py", "render")
    queries_ms = cumulative("django/db/backends/utils.py", "_execute")
    print(f"  rendering templates: {template:.1f} ms ({template / total:.0%})")
    print(f"  SQL (executing queries): {queries_ms:.1f} ms ({queries_ms / total:.0%})")
    print("  Jixiao's functions by cumulative time (ms a request):")
    ours = sorted(
        (
            (ct / runs * 1000, f"{Path(file).relative_to(ROOT)}:{line}({name})")
            for (file, line, name), (_cc, _nc, _tt, ct, _callers) in raw.items()
            if file.startswith(str(ROOT / "jixiao"))
            and "/tests/" not in file
            and "middleware" not in file
        ),
        reverse=True,
    )
    for ms, where in ours[:15]:
        print(f"    {ms:7.1f}  {where}")


# -- main -------------------------------------------------------------------------------------


def bump_data_version(data_dir: Path, database_url: str | None) -> None:
    """Stand in for a change of the data: every cached page part gets a new key.

    Only a benchmark does this behind the application's back; a real change advances the
    version in the transaction of its change-log row (jixiao/lib/fragments.py).
    """
    sql = "UPDATE audit_dataversion SET seq = seq + 1"
    if database_url:
        import psycopg

        with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
            conn.execute(sql)
    else:
        with sqlite3.connect(data_dir / "jixiao.sqlite3") as conn:
            conn.execute(sql)


def after_change(
    client: Client, pages: list[Page], data_dir: Path, database_url: str | None, runs: int = 20
) -> list[tuple[str, float, float]]:
    """One client, one request at a time: each page's latency right after a change of the
    data (its cached parts computed anew) and when nothing changed; medians in ms."""
    results = []
    for page in pages:
        cold, warm = [], []
        for _ in range(runs):
            bump_data_version(data_dir, database_url)
            began = time.perf_counter()
            client.request("GET", page.path)
            cold.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            client.request("GET", page.path)
            warm.append((time.perf_counter() - began) * 1000)
        results.append((page.name, statistics.median(cold), statistics.median(warm)))
    return results


def machine() -> str:
    cpus = os.cpu_count()
    memory = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return f"{cpus} cores{memory}, {platform.platform()}, Python {platform.python_version()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of each phase")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="jixiao serve --workers")
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        help="JIXIAO_DB_CONN_MAX_AGE for the server (default: the setting's own)",
    )
    parser.add_argument("--keep", type=Path, help="keep (and reuse) the data directory here")
    parser.add_argument(
        "--profile",
        metavar="PATH",
        help="profile this page in this process after the run (with --seconds 0: instead)",
    )
    parser.add_argument("--pages", help="only these main pages (comma-separated paths)")
    args = parser.parse_args(argv)

    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="jixiao-bench-serve-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    pg = contextlib.nullcontext(None)
    if args.db == "postgres":
        from benchmarks import pgcluster

        pg = pgcluster.cluster(args.keep)  # type: ignore[assignment]
    try:
        with pg as database_url:
            return measure(args, data_dir, database_url)
    finally:
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, data_dir: Path, database_url: str | None) -> int:
    env = jixiao_env(data_dir, database_url)
    if args.conn_max_age is not None:
        env["JIXIAO_DB_CONN_MAX_AGE"] = str(args.conn_max_age)
    print(f"machine: {machine()}")
    print(f"data: {data_dir} ({args.db}); loading the demo …", flush=True)
    began = time.monotonic()
    jixiao("migrate", "--verbosity", "0", env=env)
    jixiao("demo", env=env)
    print(f"demo loaded in {time.monotonic() - began:.0f} s", flush=True)
    log = data_dir / "serve.log"
    with server(env, args.workers, log) as (port, pid):
        clients = [Client(port) for _ in range(args.clients)]
        for i, client in enumerate(clients):
            client.log_in(USERS[i % len(USERS)])
        _, rounds, _ = clients[0].request("GET", "/rounds/")
        report = re.search(r"/rounds/reports/(\d+)/", rounds)
        if report is None:
            raise SystemExit("no report on the rounds page")
        pages = [Page(p.name, p.path.format(report=report.group(1)), p.expect) for p in MAIN_PAGES]
        if args.pages:
            wanted = args.pages.split(",")
            pages = [p for p in pages if p.path in wanted]
        print(
            f"{args.clients} clients logged in ({', '.join(USERS)}); "
            f"jixiao serve --workers {args.workers}; {args.seconds:.0f} s per phase; "
            f"the report page is /rounds/reports/{report.group(1)}/",
            flush=True,
        )
        if args.seconds <= 0:
            if args.profile:
                page = next((p for p in [*pages, LOGIN_PAGE] if p.path == args.profile), None)
                page = page or Page(args.profile, args.profile, "")
                profile(data_dir, database_url, page)
            return 0
        # Warm up: every worker imports and caches what each page needs.
        run_phase("warm-up", clients, [[*pages, LOGIN_PAGE]] * len(clients), 5)

        alone: list[Row] = []
        for page in [*pages, LOGIN_PAGE]:
            since, cpu = log.stat().st_size, server_cpu(pid)
            phase = run_phase(page.name, clients, [[page]] * len(clients), args.seconds)
            cpu = server_cpu(pid) - cpu
            inside = [t for ts in server_times(log, since).values() for t in ts]
            median = statistics.median(inside) if inside else None
            alone.append(row(page.name, phase.samples, phase.seconds, median, cpu))
            load = os.getloadavg()[0]
            print(f"  {page.name}: {len(phase.samples)} requests, load {load:.1f}", flush=True)

        changed = after_change(clients[0], pages, data_dir, database_url)

        since = log.stat().st_size
        rotation = [*pages, LOGIN_PAGE]
        plans = [
            rotation[i % len(rotation) :] + rotation[: i % len(rotation)]
            for i in range(len(clients))
        ]
        mixed = run_phase("all pages in turn", clients, plans, args.seconds)
        inside_by_path = server_times(log, since)
        mixed_rows = []
        for page in rotation:
            inside = inside_by_path.get(page.path, [])
            mixed_rows.append(
                row(
                    page.name,
                    mixed.of(page.name),
                    mixed.seconds,
                    statistics.median(inside) if inside else None,
                )
            )

    login = alone[-1]
    print_table(
        f"Each page alone: {args.clients} clients for {args.seconds:.0f} s each", alone, login
    )
    print_table(
        f"All pages in turn: {args.clients} clients for {mixed.seconds:.0f} s "
        f"({len(mixed.samples) / mixed.seconds:.1f} requests/s in all)",
        mixed_rows,
        None,
    )
    print("\nRight after a change of the data (one client, one request at a time, medians of 20):")
    print(f"{pad('page', 36)} {'after a change ms':>18} {'unchanged ms':>13}")
    for name, cold, warm in changed:
        print(f"{pad(name, 36)} {cold:18.1f} {warm:13.1f}")
    errors = sum(r.errors for r in alone + mixed_rows)
    slow = [r.page for r in alone[:-1] if r.per_second / login.per_second < 0.35 or r.p95_ms >= 500]
    print(f"\nerrors: {errors}")
    print(
        "goal (≥ 0.35 of the login page's throughput, p95 < 500 ms): "
        + ("met by every page" if not slow else "not met by " + "、".join(slow))
    )
    if args.profile:
        page = next((p for p in [*pages, LOGIN_PAGE] if p.path == args.profile), None)
        page = page or Page(args.profile, args.profile, "")
        profile(data_dir, database_url, page)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
