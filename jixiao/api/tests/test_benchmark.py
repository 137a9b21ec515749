"""The API bulk benchmark at a tiny size, so breakage shows (correct counts, no timing)."""

from __future__ import annotations

import pytest

from benchmarks import api_bulk


@pytest.mark.django_db
def test_the_bulk_benchmark_runs_and_prints_its_ratio(
    demo: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert api_bulk.measure(20, runs=1) == 0
    out = capsys.readouterr().out
    assert "20 舆情 records" in out and "ratio (a)/(b) = " in out
