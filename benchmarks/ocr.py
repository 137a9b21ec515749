"""Benchmark: seconds per page of a scan read by OCR, beside the same pages' text layer.

    python -m benchmarks.ocr [--runs 3] [--threads 1] [--keep DIR]

Builds the seed's scan (``tests/importers/scans.py``: the seed's Word file printed to PDF by
LibreOffice, 200 dpi, turned 0.8°, JPEG quality 60, bound into an image-only PDF), then times,
after one warm-up, the import of (a) the printed PDF through its text layer (the baseline: what
the same pages cost without OCR), (b) the scan as a PDF and (c) one page of it as a JPEG picture.
A further run of (b) splits its time into detection, recognition and the rest (rendering,
straightening, rulings, the interpreter). Figures and how to read them: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.measure import time_runs

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _stage_clock(totals: Counter[str]) -> Iterator[None]:
    """Add the seconds spent in OCR detection and recognition to ``totals`` while inside."""
    from jixiao.importers import ocr

    names = {"detection": "_detect", "recognition": "_recognise"}
    originals = {stage: getattr(ocr, name) for stage, name in names.items()}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                totals[name] += time.perf_counter() - began

        return run

    for stage, name in names.items():
        setattr(ocr, name, timed(stage, originals[stage]))
    try:
        yield
    finally:
        for stage, name in names.items():
            setattr(ocr, name, originals[stage])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="onnxruntime threads per import")
    parser.add_argument("--keep", type=Path, help="build the scan here and keep it")
    args = parser.parse_args(argv)

    os.environ["JIXIAO_OCR_THREADS"] = str(args.threads)
    os.environ["DJANGO_SETTINGS_MODULE"] = "jixiao.settings"
    sys.path.insert(0, str(ROOT / "tests" / "importers"))
    import django

    django.setup()
    import pypdfium2 as pdfium
    from django.test import override_settings
    from scans import build_scan  # type: ignore[import-not-found]

    from jixiao.importers import load_document

    directory = args.keep or Path(tempfile.mkdtemp(prefix="jixiao-ocr-"))
    scan = build_scan(directory)
    printed = directory / "printed" / (scan.docx.stem + ".pdf")
    pages = len(pdfium.PdfDocument(str(scan.pdf)))
    named = {
        "a. printed PDF, text layer": lambda: load_document(printed),
        "b. scan, image-only PDF": lambda: load_document(scan.pdf),
        "c. scan, one page as JPEG": lambda: load_document(scan.pages[3]),
    }
    per = {"a. printed PDF, text layer": pages, "b. scan, image-only PDF": pages}
    # The web's 25 s budget would stop a slow run half-way; here every page must be read.
    with override_settings(IMPORT_TIME_LIMIT_SECONDS=3600):
        document = load_document(scan.pdf)
        rows = sum(len(p.indicators) for p in document.projects)
        print(
            f"scan: {pages} pages, {rows} indicator rows, {len(document.to_confirm)} values "
            f"to confirm; onnxruntime threads: {args.threads}"
        )
        timings = time_runs(named, runs=args.runs, warmup=1)
        stages: Counter[str] = Counter()
        with _stage_clock(stages):
            began = time.perf_counter()
            load_document(scan.pdf)
            whole = time.perf_counter() - began
    baseline = timings["a. printed PDF, text layer"].median / pages
    print(f"\n| import | s a page (median of {args.runs}) | CPU s a page | × text layer |")
    print("|---|---|---|---|")
    for name, timing in timings.items():
        n = per.get(name, 1)
        print(
            f"| {name} | {timing.median / n:.2f} | {timing.cpu_median / n:.2f} "
            f"| {timing.median / n / baseline:.0f} |"
        )
    rest = whole - stages["detection"] - stages["recognition"]
    print(
        f"\nscan PDF, one more run: {whole:.1f} s = detection {stages['detection']:.1f} s + "
        f"recognition {stages['recognition']:.1f} s + the rest {rest:.1f} s"
    )
    if not args.keep:
        import shutil

        shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
