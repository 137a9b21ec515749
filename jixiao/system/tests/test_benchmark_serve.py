"""The served-pages benchmark's arithmetic (the benchmark itself runs for minutes)."""

from __future__ import annotations

from benchmarks.serve import Sample, pad, percentile, row, server_times


def test_percentiles_are_nearest_rank():
    values = [float(v) for v in range(1, 101)]

    assert (percentile(values, 50), percentile(values, 95), percentile([7.0], 95)) == (
        50.0,
        95.0,
        7.0,
    )


def test_a_row_counts_errors_and_rates():
    samples = [Sample("p", 0.1), Sample("p", 0.3), Sample("p", 0.2, "HTTP 500")]

    figures = row("p", samples, seconds=2.0, server_ms=12.0, cpu_seconds=0.06)

    assert (figures.requests, figures.errors, figures.per_second) == (3, 1, 1.5)
    assert (figures.p50_ms, figures.p95_ms) == (200.0, 300.0)
    assert figures.cpu_ms == 20.0


def test_the_access_log_gives_the_time_inside_the_server(tmp_path):
    log = tmp_path / "serve.log"
    log.write_text(
        "[INFO] Booting worker\n"
        '127.0.0.1 [03/Dec/2026:04:11:48 +0800] "GET /login/ HTTP/1.1" 200 1366 2ms [abc]\n'
        '127.0.0.1 [03/Dec/2026:04:11:48 +0800] "GET /actuals/?year=2021 HTTP/1.1" 200 9 31ms [d]\n'
        '127.0.0.1 [03/Dec/2026:04:11:49 +0800] "GET /login/ HTTP/1.1" 200 1366 4ms [e]\n',
        encoding="utf-8",
    )

    assert server_times(log, 0) == {"/login/": [2, 4], "/actuals/?year=2021": [31]}
    assert server_times(log, log.stat().st_size) == {}


def test_chinese_page_names_line_up():
    assert len(pad("目标表 /", 12)) == 12 - 3  # three wide characters
    assert pad("login", 8) == "login   "
