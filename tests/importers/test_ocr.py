"""Scans: the seed's target tables printed, scanned at 200 dpi, slightly turned, JPEG-noisy.

The scan (``scans.build_scan``) is imported as an image-only PDF and as a picture of one page,
and compared cell by cell with the import of the seed's own Word file. Every value OCR read
must wait in ``to_confirm`` for a person, the least sure first.

Slow by nature (marked ``ocr``): OCR costs about 4 s a page on this project's 2-core machine,
so each scan is read once per module (about 25 s for the five pages and one picture).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings
from scans import Scan, build_scan

from jixiao.core.document import IndicatorRow, TargetDocument, validate_dict
from jixiao.importers import ImportFailure, limits, load_document

pytestmark = pytest.mark.ocr

# The cells of an indicator row compared with the Word file's.
FIELDS = ("level1", "level2", "level3", "description", "target", "basis")
# A scan's pages cost about 4 s each here, over the web's 25 s budget for five pages on a
# machine shared with other work: the tests give the import room, the limit itself is tested
# below with a clock that jumps.
ROOMY = override_settings(IMPORT_TIME_LIMIT_SECONDS=600)


@pytest.fixture(scope="module")
def scan(tmp_path_factory: pytest.TempPathFactory) -> Scan:
    return build_scan(tmp_path_factory.mktemp("scan"))


@pytest.fixture(scope="module")
def word(scan: Scan) -> TargetDocument:
    return load_document(scan.docx)


@pytest.fixture(scope="module")
def scanned_pdf(scan: Scan) -> TargetDocument:
    with ROOMY:
        return load_document(scan.pdf)


@pytest.fixture(scope="module")
def scanned_page(scan: Scan) -> TargetDocument:
    """Page 4 alone: the second project's header block and its first six indicator rows."""
    with ROOMY:
        return load_document(scan.pages[3])


def _compare(expected: list[IndicatorRow], got: list[IndicatorRow]) -> tuple[int, int, list[str]]:
    """(right, total, differences) over the FIELDS of every expected row; a missing row's
    cells are all wrong."""
    right, total, wrong = 0, 0, []
    for i, row in enumerate(expected):
        other = got[i] if i < len(got) else None
        for name in FIELDS:
            total += 1
            want, have = getattr(row, name), None if other is None else getattr(other, name)
            if want == have:
                right += 1
            else:
                wrong.append(f"row {i + 1} {name}: {want!r} != {have!r}")
    return right, total, wrong


def test_scanned_pdf_reads_95_percent_of_indicator_cells(
    word: TargetDocument, scanned_pdf: TargetDocument
) -> None:
    assert [p.name for p in scanned_pdf.projects] == [p.name for p in word.projects]
    right, total = 0, 0
    wrong: list[str] = []
    for want, got in zip(word.projects, scanned_pdf.projects, strict=True):
        assert len(got.indicators) == len(want.indicators)
        r, t, w = _compare(want.indicators, got.indicators)
        right, total, wrong = right + r, total + t, wrong + w
    assert total == 18 * len(FIELDS)  # the seed's 18 indicator rows
    assert right / total >= 0.95, f"{right}/{total} right:\n" + "\n".join(wrong)


def test_scanned_pdf_reads_the_header_blocks(
    word: TargetDocument, scanned_pdf: TargetDocument
) -> None:
    # Rows split by a page break and level cells merged across it are mended: no warnings.
    assert scanned_pdf.warnings == [], [f"{w.where}: {w.message}" for w in scanned_pdf.warnings]
    validate_dict(scanned_pdf.to_dict())  # a valid jixiao.targets/1, to_confirm included
    assert scanned_pdf.year == word.year == 2021
    assert scanned_pdf.unit == word.unit
    for want, got in zip(word.projects, scanned_pdf.projects, strict=True):
        assert (got.code, got.budget, got.spending_plan) == (
            want.code,
            want.budget,
            want.spending_plan,
        )
        assert got.budget.total in (Decimal("15.00"), Decimal("5.00"))


def test_every_ocr_value_waits_for_confirmation_least_sure_first(
    scanned_pdf: TargetDocument,
) -> None:
    marked = scanned_pdf.to_confirm
    confidences = [c.confidence for c in marked]
    assert confidences == sorted(confidences)
    assert all(Decimal("0") <= c <= Decimal("1") for c in confidences)
    texts = {c.text for c in marked}
    for project in scanned_pdf.projects:
        assert project.name in texts and project.fund_use in texts
        for row in project.indicators:
            for name in ("level2", "level3", "description", "target", "basis"):
                assert getattr(row, name) in texts, (name, getattr(row, name))
    # A cell is named by its table, row and column header, as warnings name places.
    places = {c.where: c for c in marked}
    target = places["第 2 页第 1 个表格第 9 行“指标值”列"]
    assert (target.field, target.text) == ("指标值", "≥200条")
    budget = places["第 2 页第 1 个表格第 3 行“预算数”列"]  # a header block: the label left of it
    assert (budget.field, budget.text) == ("预算数", "15.00")
    # The level-1 cell merged down across the page break is one cell, read once.
    assert sum(1 for c in marked if c.text == "产出指标") == 2  # one per project
    assert any(re.fullmatch(r"第 1 页第 \d+ 段", c.where) and c.field == "正文" for c in marked)


def test_scanned_picture_of_one_page(word: TargetDocument, scanned_page: TargetDocument) -> None:
    want = word.projects[1]
    assert scanned_page.year == 2021  # from the file name: the page has no year
    (got,) = scanned_page.projects
    assert (got.code, got.name, got.budget) == (want.code, want.name, want.budget)
    assert len(got.indicators) == 6
    # The sixth row's 指标值确定依据 goes on to page 5, so its end is not on this page.
    right, total, wrong = _compare(want.indicators[:6], got.indicators)
    assert right / total >= 0.95, f"{right}/{total} right:\n" + "\n".join(wrong)
    assert scanned_page.to_confirm and all(
        c.where.startswith("第 1 页") for c in scanned_page.to_confirm
    )


# --- rulings and merges on a drawn table (cheap: no OCR) ----------------------------------

FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
XS = [100, 300, 500, 800, 1100]
YS = [100, 150, 220, 290, 360]  # a one-line row (50 px) under 32-px text, then taller rows


def _drawn_table(sides: bool = True, turn: float = 0.0) -> Any:
    """A ruled 4 x 4 table with (1,1)-(1,2) merged across and (2,0)-(3,0) merged down; text
    touches the rulings (as in a cramped one-line row), the page turned by ``turn`` degrees."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    picture = Image.new("L", (1200, 700), 255)
    pen = ImageDraw.Draw(picture)
    font = ImageFont.truetype(FONT, 32)
    for y in YS:
        if y == 290:  # no ruling under (2,0): merged down
            pen.line((XS[1], y, XS[-1], y), fill=0, width=2)
        else:
            pen.line((XS[0] - (0 if sides else 60), y, XS[-1] + (0 if sides else 60), y), 0, 2)
    for x in XS[(0 if sides else 1) : (None if sides else -1)]:
        if x == 500:  # no ruling between (1,1) and (1,2): merged across
            pen.line((x, YS[0], x, YS[1]), fill=0, width=2)
            pen.line((x, YS[2], x, YS[-1]), fill=0, width=2)
        else:
            pen.line((x, YS[0], x, YS[-1]), fill=0, width=2)
    for (x, y), text in {
        (110, 104): "一级指标",
        (310, 104): "二级指标",
        (810, 104): "指标值",
        (310, 160): "跨两列的单元格",
        (110, 230): "产出指标",
    }.items():
        pen.text((x, y), text, fill=0, font=font)
    if turn:
        picture = picture.rotate(turn, resample=Image.Resampling.BICUBIC, fillcolor=255)
    return np.array(picture)


@pytest.mark.parametrize("sides", [True, False], ids=["boxed", "open sides"])
def test_grid_and_merges_come_from_the_rulings(sides: bool) -> None:
    from jixiao.importers import ocr

    gray = ocr._deskew(_drawn_table(sides=sides, turn=1.5))
    (grid,) = ocr._Rulings.find(gray, text_height=36).tables()
    assert len(grid.xs) == len(XS) and len(grid.ys) == len(YS)
    assert all(abs(a - b) < 8 for a, b in zip(grid.xs[1:-1], XS[1:-1], strict=True))
    origins = grid.origins
    assert origins[0] == [(0, 0), (0, 1), (0, 2), (0, 3)]  # strokes touching rulings split none
    assert origins[1][1] == origins[1][2] == (1, 1)
    assert origins[2][0] == origins[3][0] == (2, 0)
    assert origins[3][1:] == [(3, 1), (3, 2), (3, 3)]


def test_a_page_turned_four_degrees_is_levelled() -> None:
    from jixiao.importers import ocr

    gray = ocr._deskew(_drawn_table(turn=4.0))
    (grid,) = ocr._Rulings.find(gray, text_height=36).tables()
    assert (len(grid.xs), len(grid.ys)) == (len(XS), len(YS))


@pytest.mark.parametrize("quarters", [1, 2, 3], ids=["90°", "180°", "270°"])
def test_a_page_on_its_side_or_upside_down_is_turned_upright(quarters: int) -> None:
    import numpy as np

    from jixiao.importers import ocr

    page = np.ascontiguousarray(np.rot90(_drawn_table(), quarters))
    gray, _ = ocr._upright(page, ocr._detect(page))
    (grid,) = ocr._Rulings.find(gray, text_height=36).tables()
    assert grid.origins[1][1] == grid.origins[1][2] == (1, 1)
    assert grid.origins[2][0] == grid.origins[3][0] == (2, 0)


# --- a table over three pages (cheap: the pages' reading is given) -----------------------


def _page_table(place: str, xs: list[float], rows: list[list[tuple[str, tuple[int, int]]]]) -> Any:
    from jixiao.importers import ocr
    from jixiao.importers.grid import Cell, Table

    cells = [[Cell(t, o, 0.9 if t else None) for t, o in row] for row in rows]
    return ocr._PageTable(Table(place, cells), xs)


def test_a_table_over_three_pages_is_one_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from jixiao.importers import ocr
    from jixiao.importers.grid import Cell, Paragraph

    first = _page_table(
        "第 1 页第 1 个表格",
        [0, 100, 200, 300],
        [
            [("一级指标", (0, 0)), ("二级指标", (0, 1)), ("指标值", (0, 2))],
            [("产出指标", (1, 0)), ("数量指标", (1, 1)), ("≥1", (1, 2))],
            [("产出指标", (1, 0)), ("质量指", (2, 1)), ("100%", (2, 2))],
        ],
    )
    # Page 2, shifted as scans are: its first row is the rest of the row the break split (a
    # blank unmerged cell under a filled one), and the level cell goes on merged.
    second = _page_table(
        "第 2 页第 1 个表格",
        [7, 107, 207, 307],
        [
            [("", (0, 0)), ("标", (0, 1)), ("", (0, 2))],
            [("", (0, 0)), ("时效指标", (1, 1)), ("95%", (1, 2))],
        ],
    )
    third = _page_table(
        "第 3 页第 1 个表格",
        [0, 100, 200, 300],
        [[("满意度指标", (0, 0)), ("满意度", (0, 1)), ("≥90%", (0, 2))]],
    )
    pages = {
        1: ocr._Page([Paragraph("标题"), first], [(Paragraph("标题"), 0.99)]),
        2: ocr._Page([second, Paragraph("- 2 -")], [(Paragraph("- 2 -"), 0.95)]),
        3: ocr._Page([third], []),
    }
    monkeypatch.setattr(ocr, "_read_page", lambda number, image: pages[number])
    source = ocr.read_pages("三页.png", [(n, None) for n in pages])
    (table,) = source.tables
    assert table.place == "第 1 页第 1 个表格"
    assert table.texts() == [
        ["一级指标", "二级指标", "指标值"],
        ["产出指标", "数量指标", "≥1"],
        ["产出指标", "质量指标", "100%"],
        ["产出指标", "时效指标", "95%"],
        ["满意度指标", "满意度", "≥90%"],
    ]
    assert [row[0].origin for row in table.rows[1:]] == [(1, 0), (1, 0), (1, 0), (4, 0)]
    assert table.rows[3][1] == Cell("时效指标", (3, 1), 0.9)
    wheres = [c.where for c in source.confirmations]
    assert "第 1 页第 1 个表格第 3 行“二级指标”列" in wheres  # 质量指标, mended
    assert "第 1 页第 1 段" in wheres


# --- refusals (cheap: no text for the engine to read) ---------------------------------------


def _picture(path: Path, draw: str) -> Path:
    from PIL import Image, ImageDraw

    picture = Image.new("L", (1200, 1600), 255)
    pen = ImageDraw.Draw(picture)
    if draw == "box":
        pen.rectangle((200, 300, 1000, 700), fill=120)
    picture.save(path)
    return path


def test_picture_without_a_table_is_refused(tmp_path: Path) -> None:
    path = _picture(tmp_path / "blank.png", "box")
    with pytest.raises(ImportFailure, match=r"blank\.png.*没有找到带框线的表格"):
        load_document(path)


def test_not_a_picture_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "table.jpg"
    path.write_text("一级指标,二级指标\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=r"table\.jpg.*不是 PNG/JPEG 图片"):
        load_document(path)


def test_scan_stops_at_the_time_limit(scan: Scan, monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = iter(range(0, 10_000, 100))  # every look at the clock is 100 s later
    monkeypatch.setattr(limits, "clock", lambda: float(next(ticks)))
    with pytest.raises(ImportFailure, match=r"导入用时超过上限.*第 1 页"):
        load_document(scan.pdf)
