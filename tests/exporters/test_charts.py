"""Chart data (shared with the web pages) and the matplotlib drawings of the official files."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest
from reports import PLAN, monitoring_report, selfeval_report

from jixiao.core.reports import BLUE, GREEN, RED, YELLOW
from jixiao.exporters.charts import (
    FONT_FILES,
    completion_chart,
    completion_series,
    elapsed_percent,
    spending_chart,
    spending_series,
)

D = Decimal
HAS_NOTO = FONT_FILES[0].is_file()


# --- spending ------------------------------------------------------------------------------


def test_project_spending_follows_its_curve_and_stops_at_the_as_of_date() -> None:
    series = spending_series(monitoring_report(), 1)
    assert series["as_of"] == "2021-06-30"
    assert series["dates"][:2] == ["2021-01-31", "2021-02-28"]
    assert len(series["dates"]) == 12
    assert series["planned"] == PLAN
    # 6.954046 / 15 = 46.36%; nothing is spent after 30 June yet.
    assert series["spent"][5] == D("46.36")
    assert series["spent"][6:] == [None] * 6
    # 序时进度: 31/365 = 8.49%, 181/365 = 49.59%, 365/365 = 100%.
    assert series["time_progress"][0] == D("8.49")
    assert series["time_progress"][5] == D("49.59")
    assert series["time_progress"][11] == D("100.00")


def test_unit_spending_weighs_projects_by_budget() -> None:
    series = spending_series(monitoring_report())
    # Budgets 15 and 5 万元: June (46.36 × 15 + 24.00 × 5) / 20 = 815.4 / 20 = 40.77;
    # January (5.33 × 15 + 2.00 × 5) / 20 = 89.95 / 20 = 4.4975 → 4.50.
    assert series["spent"][5] == D("40.77")
    assert series["spent"][0] == D("4.50")
    # Both projects share the seed plan, so the unit's plan is the same line.
    assert series["planned"] == PLAN


def test_unit_spending_converts_wanyuan_to_yuan() -> None:
    report = monitoring_report()
    second = report.projects[1]
    in_yuan = dataclasses.replace(
        second,
        budget=dataclasses.replace(
            second.budget, money_unit="元", budget_adjusted=D("50000"), budget_initial=D("50000")
        ),
    )
    mixed = dataclasses.replace(report, projects=(report.projects[0], in_yuan))
    # 15 万元 = 150000 元 against 50000 元: the same 3 : 1 weights, the same 40.77.
    assert spending_series(mixed)["spent"][5] == D("40.77")


def test_selfeval_spending_uses_the_full_year_budget() -> None:
    series = spending_series(selfeval_report())
    # December (94.67 × 15 + 78.00 × 5) / 20 = 1810.05 / 20 = 90.5025 → 90.50.
    assert series["spent"][11] == D("90.50")
    assert series["as_of"] == "2021-12-31"


def test_elapsed_percent_clamps_to_the_year() -> None:
    assert elapsed_percent(dt.date(2021, 6, 30), 2021) == D("49.59")
    assert elapsed_percent(dt.date(2020, 12, 31), 2021) == D("0.00")
    assert elapsed_percent(dt.date(2022, 1, 1), 2021) == D("100.00")
    # 2020 is a leap year: 182/366 = 49.73%.
    assert elapsed_percent(dt.date(2020, 6, 30), 2020) == D("49.73")


def test_unknown_project_is_refused() -> None:
    with pytest.raises(ValueError, match="99"):
        spending_series(monitoring_report(), 99)
    with pytest.raises(ValueError, match="99"):
        completion_series(selfeval_report(), 99)


# --- completion ----------------------------------------------------------------------------


def test_monitoring_completion_uses_ratios_and_band_floors() -> None:
    series = completion_series(monitoring_report(), 1)
    # The satisfaction row has no value yet: no light, no bar.
    assert len(series["labels"]) == 8
    assert series["labels"][0] == "舆情监测预警、研判分析数"
    # Reverse and qualitative rows have no ratio: green 100, yellow 60 (light_yellow).
    assert series["values"] == [
        D("93.77"), D("92.31"), D("75.00"), D(100), D(100), D(60), D(100), D("50.00"),
    ]  # fmt: skip
    assert series["lights"] == [GREEN, GREEN, YELLOW, GREEN, GREEN, YELLOW, GREEN, RED]


def test_unit_completion_numbers_labels_by_project() -> None:
    series = completion_series(monitoring_report())
    assert len(series["values"]) == 17  # 8 + 9
    assert series["labels"][8] == "2.官方网宣平台信息发布数量"
    assert series["labels"][9] == "2.市级及以上网络媒体采稿率"
    assert series["lights"][9] == BLUE  # 137.33


def test_selfeval_completion_is_score_over_points() -> None:
    series = completion_series(selfeval_report(), 2)
    # 12.00/12.50 = 96%, 6.00/10 = 60%, 9.00/10 = 90%; the not-applicable row is left out.
    assert series["values"] == [
        D("100.00"), D("100.00"), D("96.00"), D("100.00"), D("100.00"), D("60.00"),
        D("100.00"), D("90.00"),
    ]  # fmt: skip
    assert "达到绿色产业标准" not in series["labels"]
    assert series["lights"][5] == YELLOW
    assert set(series["lights"]) == {GREEN, YELLOW}


def test_selfeval_completion_lights_follow_the_reports_settings() -> None:
    report = dataclasses.replace(selfeval_report(), settings={"light_green": "97"})
    series = completion_series(report, 2)
    assert series["lights"][2] == YELLOW  # 96 < 97


# --- drawing -------------------------------------------------------------------------------


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_spending_chart_png_is_16_cm_wide() -> None:
    width, height = png_size(spending_chart(spending_series(monitoring_report()), "png"))
    # 16 cm at 200 dpi: 16 / 2.54 × 200 = 1259.8 pixels.
    assert abs(width - 1260) <= 1
    assert height < width


@pytest.mark.skipif(not HAS_NOTO, reason="fonts-noto-cjk not installed")
def test_svg_draws_chinese_as_noto_glyph_paths() -> None:
    svg = spending_chart(spending_series(monitoring_report()), "svg")
    assert b"<svg" in svg
    assert b"<text" not in svg  # text is paths: the PDF needs no font for it
    # Every glyph (月, 计划支出进度 …) comes from Noto CJK SC; none fell back to DejaVu.
    glyphs = set(re.findall(rb'<path id="([A-Za-z-]+)-[0-9a-f]+"', svg))
    assert glyphs == {b"NotoSansCJKsc-Regular"}


@pytest.mark.skipif(not HAS_NOTO, reason="fonts-noto-cjk not installed")
def test_completion_chart_grows_with_the_bars_and_labels_in_chinese() -> None:
    few = completion_series(monitoring_report(), 1)
    many = completion_series(monitoring_report())
    svg = completion_chart(many, "svg")
    assert b'<path id="NotoSansCJKsc-Regular-' in svg
    assert b"DejaVu" not in svg
    assert png_size(completion_chart(many, "png"))[1] > png_size(completion_chart(few, "png"))[1]


def test_same_data_gives_the_same_svg() -> None:
    series = completion_series(selfeval_report())
    assert completion_chart(series, "svg") == completion_chart(series, "svg")


def test_empty_series_still_draw() -> None:
    empty = {"dates": [], "planned": [], "spent": [], "time_progress": [], "as_of": "2021-06-30"}
    assert spending_chart(empty, "png")[:4] == b"\x89PNG"
    assert completion_chart({"labels": [], "values": [], "lights": []}, "svg").startswith(b"<?xml")


def test_unknown_chart_format_is_refused() -> None:
    with pytest.raises(ValueError, match="jpg"):
        spending_chart(spending_series(monitoring_report()), "jpg")
