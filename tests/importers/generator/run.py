"""Generate, render, import and compare: the generator's seeded accuracy run."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .compare import Outcome, compare, failed
from .layout import FAMILIES, generate
from .model import Generated
from .render import FORMATS, file_name, print_pdfs, write


@dataclass
class Result:
    doc: Generated
    fmt: str
    path: Path
    outcome: Outcome


@dataclass
class Run:
    results: list[Result] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def select(self, **keys: str) -> list[Result]:
        out = self.results
        if "fmt" in keys:
            out = [r for r in out if r.fmt == keys["fmt"]]
        if "family" in keys:
            out = [r for r in out if r.doc.family == keys["family"]]
        if "style" in keys:
            out = [r for r in out if r.doc.text_style == keys["style"]]
        return out


def rate(results: list[Result]) -> tuple[int, int, int, int]:
    """(rows exact, rows, documents right, documents)."""
    exact = sum(r.outcome.exact for r in results)
    rows = sum(r.outcome.rows for r in results)
    right = sum(1 for r in results if r.outcome.right)
    return exact, rows, right, len(results)


def percent(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


def run(
    seed: int,
    count: int,
    formats: tuple[str, ...] = FORMATS,
    keep: Path | None = None,
    workdir: Path | None = None,
) -> Run:
    """Generate ``count`` documents from ``seed``, render each in ``formats``, import, compare."""
    from jixiao.importers import ImportFailure, load_document

    result = Run()
    started = time.perf_counter()
    docs = generate(seed, count)
    result.timings["generate"] = time.perf_counter() - started
    own = workdir is None
    base = Path(tempfile.mkdtemp(prefix="jixiao-gen-")) if workdir is None else workdir
    try:
        t = time.perf_counter()
        paths: dict[tuple[str, str], Path] = {}
        need = set(formats)
        if "pdf-word" in need:
            need.add("docx")
        if "pdf-excel" in need:
            need.add("xlsx")
        for doc in docs:
            for fmt in ("docx", "xlsx", "text"):
                if fmt in need:
                    paths[(doc.ident, fmt)] = write(doc, fmt, base)
        result.timings["render"] = time.perf_counter() - t
        printed = [
            paths[(doc.ident, src)]
            for doc in docs
            for fmt, src in (("pdf-word", "docx"), ("pdf-excel", "xlsx"))
            if fmt in formats
        ]
        if printed:
            t = time.perf_counter()
            pdfs = print_pdfs(printed, base / "pdf")
            result.timings["libreoffice"] = time.perf_counter() - t
            for pdf in pdfs:
                ident, _, kind = pdf.stem.rpartition("-")
                paths[(ident, "pdf-word" if kind == "word" else "pdf-excel")] = pdf
        t = time.perf_counter()
        import_times: dict[str, float] = defaultdict(float)
        for doc in docs:
            for fmt in formats:
                path = paths.get((doc.ident, fmt))
                if path is None:  # LibreOffice could not print it: a failure of the run, shown
                    source = file_name(doc, "docx" if fmt == "pdf-word" else "xlsx")
                    outcome = failed(f"LibreOffice did not print {source}", doc.truth)
                    result.results.append(Result(doc, fmt, base / source, outcome))
                    continue
                t0 = time.perf_counter()
                try:
                    outcome = compare(load_document(path), doc.truth)
                except ImportFailure as exc:
                    outcome = failed(str(exc), doc.truth)
                except Exception as exc:  # a crash is a result to report, not the end of the run
                    outcome = failed(f"{type(exc).__name__}: {exc}", doc.truth)
                import_times[fmt] += time.perf_counter() - t0
                result.results.append(Result(doc, fmt, path, outcome))
        result.timings["import"] = time.perf_counter() - t
        for fmt, seconds in import_times.items():
            result.timings[f"import {fmt}"] = seconds
        if keep is not None:
            _keep(result, keep)
    finally:
        if own:
            shutil.rmtree(base, ignore_errors=True)
    result.timings["total"] = time.perf_counter() - started
    return result


def recheck(seed: int, count: int, paths: list[Path], keep: Path | None = None) -> Run:
    """Import already rendered files again (``docNNNN-word.pdf``, ``docNNNN.docx``, …) and compare
    each with the truth the seed draws for it: a quick loop while working on a reader."""
    from jixiao.importers import ImportFailure, load_document

    result = Run()
    started = time.perf_counter()
    docs = {doc.ident: doc for doc in generate(seed, count)}
    files = sorted(f for p in paths for f in (p.rglob("*") if p.is_dir() else [p]) if _format_of(f))
    for path in files:
        fmt = _format_of(path)
        ident = path.stem.split("-")[0]
        doc = docs.get(ident)
        if doc is None or fmt is None:
            continue
        try:
            outcome = compare(load_document(path), doc.truth)
        except ImportFailure as exc:
            outcome = failed(str(exc), doc.truth)
        except Exception as exc:
            outcome = failed(f"{type(exc).__name__}: {exc}", doc.truth)
        result.results.append(Result(doc, fmt, path, outcome))
    if keep is not None:
        _keep(result, keep)
    result.timings["total"] = time.perf_counter() - started
    return result


def _format_of(path: Path) -> str | None:
    name = path.name
    if name.endswith("-word.pdf"):
        return "pdf-word"
    if name.endswith("-excel.pdf"):
        return "pdf-excel"
    if not name.startswith("doc"):
        return None
    return {".docx": "docx", ".xlsx": "xlsx", ".txt": "text"}.get(path.suffix)


def _keep(result: Run, keep: Path) -> None:
    """Copy each failing file with its diff (and the truth as JSON) under keep/format/family/."""
    keep.mkdir(parents=True, exist_ok=True)
    for r in result.results:
        if r.outcome.right:
            continue
        folder = keep / r.fmt / r.doc.family
        folder.mkdir(parents=True, exist_ok=True)
        name = file_name(r.doc, r.fmt)
        shutil.copy2(r.path, folder / name)
        traits = ", ".join(f"{k}={v}" for k, v in sorted(r.doc.traits.items()))
        header = (
            f"{name}  family={r.doc.family}  format={r.fmt}\n"
            f"traits: {traits}\n"
            f"truth: {r.doc.ident}.truth.json\n\n"
        )
        (folder / f"{name}.diff.txt").write_text(header + r.outcome.report(), encoding="utf-8")
        truth = folder / f"{r.doc.ident}.truth.json"
        if not truth.exists():
            truth.write_text(
                json.dumps(r.doc.truth.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
            )


def table(result: Run, formats: tuple[str, ...]) -> str:
    """The accuracy tables: per format, per family × format, per text layout."""
    lines: list[str] = []

    def cell(results: list[Result]) -> str:
        exact, rows, right, docs = rate(results)
        if not docs:
            return "—"
        return f"{percent(exact, rows):.1f}% ({exact}/{rows}); {right}/{docs}"

    lines.append("| format | rows exact | documents fully right | import failed |")
    lines.append("|---|---|---|---|")
    for fmt in formats:
        rs = result.select(fmt=fmt)
        exact, rows, right, docs = rate(rs)
        errors = sum(1 for r in rs if r.outcome.error)
        lines.append(
            f"| {fmt} | {percent(exact, rows):.1f}% ({exact}/{rows}) | {right}/{docs} | {errors} |"
        )
    everything = result.results
    exact, rows, right, docs = rate(everything)
    lines.append(f"| all | {percent(exact, rows):.1f}% ({exact}/{rows}) | {right}/{docs} | |")
    lines.append("")
    lines.append("| family | " + " | ".join(formats) + " |")
    lines.append("|---|" + "---|" * len(formats))
    for family in FAMILIES:
        cells = [cell(result.select(fmt=fmt, family=family)) for fmt in formats]
        lines.append(f"| {family} | " + " | ".join(cells) + " |")
    if "text" in formats:
        lines.append("")
        lines.append("| text layout | rows exact; documents fully right |")
        lines.append("|---|---|")
        for style in ("tab", "pipe", "lines"):
            lines.append(f"| {style} | {cell(result.select(fmt='text', style=style))} |")
    return "\n".join(lines)


# Layout choices whose effect the report breaks down per format (the traits of layout.py).
BROKEN_DOWN = (
    "excel_rulings",
    "page_header",
    "level_cells",
    "level_names",
    "split_header",
    "money_place",
    "projects",
)


def by_trait(result: Run, formats: tuple[str, ...]) -> str:
    """Rows exact per value of each layout choice, per format: where a reader falls short."""
    lines = [
        "| choice | value | " + " | ".join(formats) + " |",
        "|---|---|" + "---|" * len(formats),
    ]
    for trait in BROKEN_DOWN:
        values = sorted({r.doc.traits[trait] for r in result.results if trait in r.doc.traits})
        for value in values:
            cells = []
            for fmt in formats:
                rs = [r for r in result.select(fmt=fmt) if r.doc.traits.get(trait) == value]
                exact, rows, _, _ = rate(rs)
                cells.append(f"{percent(exact, rows):.1f}%" if rows else "—")
            lines.append(f"| {trait} | {value} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def causes(result: Run, limit: int = 12) -> str:
    """The most frequent kinds of difference per format (first words of each diff line)."""
    import re

    out: list[str] = []
    for fmt in sorted({r.fmt for r in result.results}):
        counter: dict[str, int] = defaultdict(int)
        for r in result.select(fmt=fmt):
            o = r.outcome
            if o.error:
                counter["import failed: " + o.error[:60]] += 1
            for d in o.field_diffs:
                counter["field " + re.sub(r"^项目\d+\.", "", d).split(" got ")[0]] += 1
            for d in o.row_diffs:
                if "MISSING" in d:
                    counter["row missing"] += 1
                elif d.startswith("EXTRA"):
                    counter["row extra"] += 1
                else:
                    for name in re.findall(r"(\S+) got ", d.split(": ", 1)[1]):
                        counter[f"row {name}"] += 1
            if o.warnings:
                counter["has warnings"] += 1
        top = sorted(counter.items(), key=lambda kv: -kv[1])[:limit]
        if top:
            out.append(f"{fmt}: " + "; ".join(f"{k} ×{v}" for k, v in top))
    return "\n".join(out)
