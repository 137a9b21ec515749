"""Importing an export gives back the same document, in every format."""

from __future__ import annotations

import dataclasses
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao.core.document import Checkpoint, TargetDocument, validate_dict
from jixiao.exporters import SUFFIXES, export_targets
from jixiao.importers import load_document
from jixiao.importers.doc import soffice_path

SEED = Path(__file__).parents[2] / "jixiao" / "system" / "demo" / "seed-changli-cac-2021.txt"


def content(doc: TargetDocument) -> dict[str, object]:
    """The document without warnings, amounts compared as numbers (15.00 == 15)."""
    data = doc.to_dict()
    data.pop("warnings")
    for project in data["projects"]:
        budget = project["budget"]
        for key in ("total", "fiscal", "other"):
            budget[key] = None if budget[key] is None else Decimal(budget[key])
        for checkpoint in project["spending_plan"]:
            checkpoint["percent"] = Decimal(checkpoint["percent"])
    return data


def roundtrip(doc: TargetDocument, fmt: str, tmp_path: Path) -> TargetDocument:
    path = tmp_path / f"export{SUFFIXES[fmt]}"
    path.write_bytes(export_targets(doc, fmt))
    return load_document(path)


@pytest.fixture(scope="module")
def seed() -> TargetDocument:
    return load_document(SEED)


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_seed_export_imports_back_unchanged(seed: TargetDocument, fmt: str, tmp_path: Path) -> None:
    back = roundtrip(seed, fmt, tmp_path)

    assert content(back) == content(seed)
    assert back.warnings == []
    validate_dict(back.to_dict())


@pytest.mark.parametrize("fmt", ["xlsx", "docx", "pdf"])
def test_weights_yuan_and_a_long_spending_plan_survive(
    seed: TargetDocument, fmt: str, tmp_path: Path
) -> None:
    project = seed.projects[1]
    weights = [Decimal(w) for w in ["20", "10", "10", "10", "10", "10", "10", "10", "10"]]
    indicators = [
        dataclasses.replace(i, weight=w) for i, w in zip(project.indicators, weights, strict=True)
    ]
    changed = dataclasses.replace(
        project,
        budget=dataclasses.replace(project.budget, unit="元", total=Decimal("50000.00")),
        spending_plan=[
            Checkpoint(m, Decimal(p))
            for m, p in zip(range(2, 13, 2), ["10", "30", "50", "60", "80", "100"], strict=True)
        ],
        indicators=indicators,
    )
    doc = dataclasses.replace(seed, unit_goal=None, projects=[changed])

    back = roundtrip(doc, fmt, tmp_path)

    assert content(back) == content(doc)


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_office_printed_pdf_of_an_export_imports_back(
    seed: TargetDocument, fmt: str, tmp_path: Path
) -> None:
    """Most real PDFs are Word or Excel files printed by an office suite, not our own PDFs."""
    source = tmp_path / f"目标表{SUFFIXES[fmt]}"
    source.write_bytes(export_targets(seed, fmt))
    soffice = soffice_path()
    assert soffice is not None, "LibreOffice is part of the test machine (./run test installs it)"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )

    back = load_document(tmp_path / "目标表.pdf")

    assert content(back) == content(seed)
    assert back.warnings == []
