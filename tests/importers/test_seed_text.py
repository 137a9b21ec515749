"""The seed text (the Changli CAC 2021 target document) imports with every field right.

The packaged copy (jixiao/system/demo) is preferred so the tests do not depend on ../shared; the
shared corpus copy is the fallback. The same text pasted into the import page (``load_text``)
must give the same document.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_expected import (
    ALL_ROWS,
    PROJECTS,
    SAFEGUARDS,
    SUB_GOALS,
    assert_document,
    expected_document,
)

from jixiao.core.document import TargetDocument
from jixiao.importers import load_document, load_text

REPO = Path(__file__).resolve().parents[2]
NAME = "seed-changli-cac-2021.txt"
PACKAGED = REPO / "jixiao" / "system" / "demo" / NAME
SHARED = REPO.parent / "shared" / "corpus" / NAME
SEED = PACKAGED if PACKAGED.is_file() else SHARED


def _no_warnings(document: TargetDocument) -> None:
    assert document.warnings == [], "\n".join(f"{w.where}: {w.message}" for w in document.warnings)


def test_seed_file_is_there() -> None:
    assert SEED.is_file(), f"seed text not found at {PACKAGED} or {SHARED}"


def test_packaged_seed_is_the_corpus_seed() -> None:
    if not (PACKAGED.is_file() and SHARED.is_file()):
        pytest.skip("only one copy of the seed is present")
    assert PACKAGED.read_bytes() == SHARED.read_bytes()


def test_expected_data_is_complete() -> None:
    """The hand-written expectation covers the whole seed: 4 sub-goals, 7 safeguards, 18 rows."""
    assert (len(SUB_GOALS), len(SAFEGUARDS), len(PROJECTS), len(ALL_ROWS)) == (4, 7, 2, 18)
    text = SEED.read_text(encoding="utf-8")
    for project in PROJECTS:
        assert project.code in text and project.fund_use in text
        for row in project.rows:
            assert row.level3 in text and row.description in text and row.target in text


def test_seed_file_reads_every_field() -> None:
    assert_document(load_document(SEED), expected_document())


def test_seed_file_gives_no_warnings() -> None:
    _no_warnings(load_document(SEED))


def test_pasted_seed_text_reads_every_field() -> None:
    document = load_text(SEED.read_text(encoding="utf-8"))
    assert_document(document, expected_document())
    _no_warnings(document)


def test_pasted_seed_text_with_windows_line_endings() -> None:
    content = SEED.read_text(encoding="utf-8").replace("\n", "\r\n")
    document = load_text(content)
    assert_document(document, expected_document())
    _no_warnings(document)


def test_seed_round_trips_through_json() -> None:
    document = load_document(SEED)
    assert TargetDocument.from_dict(document.to_dict()).to_dict() == document.to_dict()
