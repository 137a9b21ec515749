"""The layout generator (issue 9, point 6): deterministic, valid truths, and the accuracy bar.

(a) A seed always gives the same documents, rendered the same; every truth is a valid
``jixiao.targets/1`` document; every family is drawn. (b) A seeded sample of 30 documents is
rendered in every format (docx, xlsx, PDF printed from both by LibreOffice, flattened text),
imported and compared with its truth: at least 99% of indicator rows exact overall, and every
format within one point of Word's accuracy — the issue's bar, not lowered.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from pathlib import Path

import office
import pytest
from generator import FAMILIES, FORMATS, compare, generate, rate, run, table
from generator.render import render_text, write

from jixiao.core.document import validate_dict
from jixiao.importers import load_document, read_source


def test_a_seed_gives_the_same_documents_and_valid_truths(tmp_path: Path) -> None:
    first = generate(11, 15)
    again = generate(11, 15)
    assert [d.truth.to_dict() for d in first] == [d.truth.to_dict() for d in again]
    assert [render_text(d) for d in first] == [render_text(d) for d in again]
    assert [d.traits for d in first] == [d.traits for d in again]
    other = generate(12, 15)
    assert [d.truth.to_dict() for d in other] != [d.truth.to_dict() for d in first]
    assert {d.family for d in first} == set(FAMILIES)
    for doc in first:
        validate_dict(doc.truth.to_dict())
        rows = [r for p in doc.truth.projects for r in p.indicators]
        assert all(5 <= len(p.indicators) <= 25 for p in doc.truth.projects)
        assert rows and all(r.level1 and r.level2 and r.level3 and r.target for r in rows)
    # The Word and Excel files are written the same for the same seed.
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        for doc in generate(11, 3):
            write(doc, "xlsx", tmp_path / name)
            write(doc, "text", tmp_path / name)
    for path in (tmp_path / "a").iterdir():
        if path.suffix == ".txt":
            assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()


def test_the_truth_is_what_the_table_shows() -> None:
    """Spot-check the truth against the drawn cells: every row's level-3 name and target text
    are in the rendered text, and a split target is its operator, value and unit."""
    for doc in generate(5, 10):
        text = render_text(doc)
        for project in doc.truth.projects:
            assert project.name and project.name in text
            for row in project.indicators:
                assert row.level3 in text
                if doc.family in ("split", "flat"):  # operator | value | unit in three cells
                    assert row.target in text or (row.parsed.value or "") in text, row
                else:
                    assert row.target in text, row


def test_the_comparison_counts_each_wrong_row_once_and_names_it() -> None:
    truth = next(d.truth for d in generate(3, 5) if len(d.truth.projects[0].indicators) > 6)
    assert compare(copy.deepcopy(truth), truth).right
    changed = copy.deepcopy(truth)
    rows = changed.projects[0].indicators
    rows[2].target = rows[2].target + "以上"
    del rows[5]
    changed.projects[0].budget.total = (truth.projects[0].budget.total or Decimal(0)) + 1
    changed.projects[0].spending_plan = []
    outcome = compare(changed, truth)
    total = sum(len(p.indicators) for p in truth.projects)
    assert (outcome.rows, outcome.exact) == (total, total - 2)
    assert any("指标值 got" in d and "以上" in d for d in outcome.row_diffs)
    assert any(
        "MISSING" in d and truth.projects[0].indicators[5].level3 in d for d in outcome.row_diffs
    )
    assert any("budget.total" in d for d in outcome.field_diffs)
    assert not outcome.right and "rows exact" in outcome.report()
    # Money compares as numbers: 15 equals 15.00.
    same = copy.deepcopy(truth)
    total_money = truth.projects[0].budget.total
    assert total_money is not None
    same.projects[0].budget.total = total_money.quantize(Decimal("0.0001"))
    assert compare(same, truth).right


def test_word_and_excel_files_hold_real_merges(tmp_path: Path) -> None:
    """Level-1 cells merged down are merged regions in the file, not repeated text."""
    doc = next(
        d for d in generate(8, 40) if d.traits["level_cells"] == "merged" and d.family == "national"
    )
    for fmt in ("docx", "xlsx"):
        source = read_source(write(doc, fmt, tmp_path))
        merged_down = [
            (r, c)
            for t in source.tables
            for r, row in enumerate(t.rows)
            for c, cell in enumerate(row)
            if cell.origin[0] < r and cell.text.startswith(("产出", "效益"))
        ]
        assert merged_down, fmt
    # and the docx imports to its truth's rows
    imported = load_document(tmp_path / f"{doc.ident}-word.docx")
    outcome = compare(imported, doc.truth)
    assert outcome.exact == outcome.rows, outcome.report()


# The bar, on a sample of another seed than the documented run: at least 99% of
# indicator rows exact in every format (Word, Excel, their PDF prints, text), and every format
# within one point of docx.


@pytest.mark.skipif(not office.available(), reason="LibreOffice (soffice) is not installed")
def test_a_seeded_sample_holds_the_bar_in_every_format(tmp_path: Path) -> None:
    result = run(2027, 30, FORMATS, keep=tmp_path / "failing")
    shown = table(result, FORMATS)
    docx_exact, docx_rows, _, _ = rate(result.select(fmt="docx"))
    docx = 100 * docx_exact / docx_rows
    rates = {}
    for fmt in FORMATS:
        e, n, _, _ = rate(result.select(fmt=fmt))
        rates[fmt] = 100 * e / n
    short = {
        fmt: round(rates[fmt], 1) for fmt in FORMATS if rates[fmt] < 99 or rates[fmt] < docx - 1
    }
    assert not short, (
        f"below the bar (99%, within a point of docx {docx:.1f}%): {short}\n{shown}\n"
        f"failing files and diffs: {tmp_path / 'failing'}"
    )
