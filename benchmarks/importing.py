"""Benchmark: importing the seed's Word file, its PDF print, and a 50-page PDF.

    python -m benchmarks.importing [--pages 50] [--runs 3]

Builds the seed's official layout as Word (``tests/importers/layouts.py``: ``docx_a``), a long
Word file repeating its projects until the print has ``--pages`` pages, and prints both to PDF
with LibreOffice (as an office would). Then times ``load_document`` on each, beside a floor
measured in the same run: for Word, python-docx opening the file and reading every cell; for
PDF, pdfplumber extracting every page's characters and text (what any PDF reader must do at
least). Prints the medians and the ratio over the floor. Goals: the seed's Word file and its
PDF each under 1 s, the 50-page PDF under 20 s. Figures: ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import time_runs

TESTS = Path(__file__).resolve().parents[1] / "tests" / "importers"


def _layouts() -> Any:
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    import layouts

    return layouts


def build(directory: Path, pages: int) -> dict[str, Path]:
    """The seed's Word file, a long one of ``pages`` printed pages, and both printed to PDF."""
    from docx import Document

    layouts = _layouts()
    from office import convert

    seed = layouts.build_docx_a(directory).path
    # The long file: the seed's projects again and again (five projects fill about seven
    # pages), each with its own code and name so every table is a new project.
    document = Document()
    projects = layouts.PROJECTS
    count = max(2, pages * 5 // 7)
    for i in range(count):
        project = projects[i % len(projects)]
        project = project._replace(
            code=f"{project.code[:-3]}{i:03d}", name=f"{project.name}{i + 1}"
        )
        document.add_paragraph(f"{i + 1}.{project.name}绩效目标表")
        canvas, _ = layouts.official_canvas(project)
        layouts.to_docx_table(document, canvas)
    document.add_paragraph("")
    long = directory / "long.docx"
    document.save(str(long))
    seed_pdf, long_pdf = convert([seed, long], directory / "pdf")
    return {"seed_docx": seed, "seed_pdf": seed_pdf, "long_pdf": long_pdf}


def docx_floor(path: Path) -> int:
    """python-docx reading every cell: the least a Word import does."""
    from docx import Document

    document = Document(str(path))
    return sum(len(cell.text) for t in document.tables for row in t.rows for cell in row.cells)


def pdf_floor(path: Path) -> int:
    """pdfplumber extracting every page's characters and text: the least a PDF import does."""
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return sum(len(page.extract_text() or "") for page in pdf.pages)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jixiao.settings")
    django.setup()
    import pdfplumber

    from jixiao.importers import load_document

    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        files = build(Path(tmp), args.pages)
        with pdfplumber.open(files["long_pdf"]) as pdf:
            pages = len(pdf.pages)
        documents = {name: load_document(path) for name, path in files.items()}
        for name, document in documents.items():
            rows = sum(len(p.indicators) for p in document.projects)
            warnings = len(document.warnings)
            print(
                f"{name}: {len(document.projects)} projects, {rows} indicators, {warnings} warnings"
            )
        named = {
            "seed_docx floor": lambda: docx_floor(files["seed_docx"]),
            "seed_docx": lambda: load_document(files["seed_docx"]),
            "seed_pdf floor": lambda: pdf_floor(files["seed_pdf"]),
            "seed_pdf": lambda: load_document(files["seed_pdf"]),
            "long_pdf floor": lambda: pdf_floor(files["long_pdf"]),
            "long_pdf": lambda: load_document(files["long_pdf"]),
        }
        timings = time_runs(named, runs=args.runs, warmup=1)
    goals = {"seed_docx": 1.0, "seed_pdf": 1.0, "long_pdf": 20.0}
    print(f"\n{'import':<12} {'median s':>9} {'cpu s':>7} {'floor s':>8} {'× floor':>8}  goal")
    for name, goal in goals.items():
        timing, floor = timings[name], timings[f"{name} floor"]
        ratio = timing.median / floor.median if floor.median else float("nan")
        label = f"{name} ({pages} p.)" if name == "long_pdf" else name
        print(
            f"{label:<12} {timing.median:>9.2f} {timing.cpu_median:>7.2f} "
            f"{floor.median:>8.2f} {ratio:>8.1f}  < {goal:g} s "
            f"{'met' if timing.median < goal else 'MISSED'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
