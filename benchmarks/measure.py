"""Timing and memory of one callable, measured the same way for the floor and the evaluator."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


@dataclass
class Timing:
    """Seconds of the measured runs (after the warm-up): wall clock, and this process's CPU."""

    runs: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        """The median run: what the table reports."""
        return statistics.median(self.runs)

    @property
    def cpu_median(self) -> float:
        """The median CPU time: steadier than the wall clock on a busy machine."""
        return statistics.median(self.cpu)


@dataclass
class Memory:
    """Peak memory of one run: Python allocations, and the process's resident set growth."""

    traced_peak: int  # bytes, tracemalloc: Python objects only
    rss_growth: int | None  # bytes, peak RSS minus RSS before the run; None if not resettable


def _release() -> None:
    """Free what earlier runs left, and hand free heap back to the OS, so runs start equal."""
    gc.collect()
    libc_name = ctypes.util.find_library("c")
    if libc_name:
        with_trim = ctypes.CDLL(libc_name)
        if hasattr(with_trim, "malloc_trim"):
            with_trim.malloc_trim(0)


def _rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak_rss() -> bool:
    """Reset the kernel's high-water mark of this process (Linux ≥ 4.0); False if impossible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def time_runs(
    named: dict[str, Callable[[], Any]], *, runs: int = 3, warmup: int = 1
) -> dict[str, Timing]:
    """Time each callable ``runs`` times after ``warmup`` runs, interleaved so caches are fair."""
    timings = {name: Timing() for name in named}
    for round_ in range(warmup + runs):
        for name, fn in named.items():
            _release()
            began, cpu = time.perf_counter(), time.process_time()
            result = fn()
            elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
            del result
            if round_ >= warmup:
                timings[name].runs.append(elapsed)
                timings[name].cpu.append(cpu)
    return timings


def peak_memory(fn: Callable[[], Any]) -> Memory:
    """Run ``fn`` twice: once for the RSS high-water mark, once under tracemalloc.

    Two runs because tracemalloc's own bookkeeping would inflate the RSS figure.
    """
    _release()
    before = _rss()
    resettable = _reset_peak_rss()
    result = fn()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    del result
    growth = max(peak_kib * 1024 - before, 0) if resettable else None
    _release()
    tracemalloc.start()
    try:
        result = fn()
        traced = tracemalloc.get_traced_memory()[1]
        del result
    finally:
        tracemalloc.stop()
    return Memory(traced_peak=traced, rss_growth=growth)
