"""The two report charts: spending against the plan, and each indicator's completion.

The ``*_series`` functions (from :mod:`jixiao.core.series`) give the charts' data as plain dicts
(dates as ISO strings, numbers as ``Decimal``); the web pages feed the same dicts to ECharts.
The ``*_chart`` functions draw them with matplotlib for the official files: SVG for PDF (text
as paths, so the PDF needs no font for it) and PNG for docx and xlsx. matplotlib is imported
only when a chart is drawn.

The series themselves are computed in :mod:`jixiao.core.series` (every number once, in core).
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
import textwrap
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jixiao.core.reports import BLUE, GREEN, LIGHT_LABELS, RED, YELLOW
from jixiao.core.series import (
    Report,
    completion_series,
    elapsed_percent,
    select_projects,
    spending_series,
)
from jixiao.exporters.targets_layout import Block, Image, Paragraph, Table
from jixiao.exporters.text import printable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "LIGHT_COLOURS",
    "completion_chart",
    "completion_series",
    "elapsed_percent",
    "select_projects",
    "spending_chart",
    "spending_series",
]

# Light colours as six hex digits (table cells take them as they are, charts with a "#").
LIGHT_COLOURS = {RED: "d9363e", YELLOW: "f0b400", GREEN: "2e9d4f", BLUE: "2f6fd6"}
PLANNED_COLOUR = "#2f6fd6"
SPENT_COLOUR = "#e8710a"
PROGRESS_COLOUR = "#7a7a7a"

# Chinese text needs a CJK font: Noto (Debian fonts-noto-cjk) first, then WenQuanYi, then DejaVu.
FONT_FILES = (
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
)
FONT_FAMILIES = ("Noto Sans CJK SC", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei", "DejaVu Sans")

WIDTH_CM = 16.0
SPENDING_HEIGHT_CM = 6.5
PNG_DPI = 200
# A long indicator name wraps after this many characters on the completion chart.
LABEL_WRAP = 14

_CM = 1 / 2.54

# --- drawing ---------------------------------------------------------------------------------

_fonts_registered = False


def _font_families() -> list[str]:
    """The CJK families matplotlib knows, registering the system font files once."""
    global _fonts_registered
    from matplotlib import font_manager

    if not _fonts_registered:
        for path in FONT_FILES:
            if path.is_file():
                font_manager.fontManager.addfont(str(path))
        _fonts_registered = True
    known = {f.name for f in font_manager.fontManager.ttflist}
    return [family for family in FONT_FAMILIES if family in known] or ["DejaVu Sans"]


# rc_context changes matplotlib's process-wide settings: one drawing at a time, so two
# requests of a threaded server cannot see each other's settings.
_DRAWING = threading.Lock()


@contextmanager
def _style() -> Iterator[None]:
    """matplotlib settings for one drawing: CJK fonts, text as paths in SVG, fixed ids."""
    import matplotlib

    families = _font_families()
    settings: dict[Any, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": families,
        "font.size": 9,
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
        "svg.hashsalt": "jixiao",  # the same chart gives the same SVG
    }
    with _DRAWING, matplotlib.rc_context(settings), warnings.catch_warnings():
        if families == ["DejaVu Sans"]:
            # No CJK font at all: draw boxes rather than fail, and say nothing per glyph.
            warnings.simplefilter("ignore", UserWarning)
        yield


def _save(fig: Figure, fmt: str) -> bytes:
    buf = io.BytesIO()
    if fmt == "svg":
        fig.savefig(buf, format="svg", metadata={"Date": None})
    else:
        fig.savefig(buf, format="png", dpi=PNG_DPI, metadata={"Software": None})
    return buf.getvalue()


def _check_format(fmt: str) -> None:
    if fmt not in ("svg", "png"):
        raise ValueError(f"unknown chart format {fmt!r}; expected 'svg' or 'png'")


def _new_figure(height_cm: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_CM * _CM, height_cm * _CM), layout="constrained")
    FigureCanvasAgg(fig)  # the Agg backend, without pyplot's global state
    return fig


def spending_chart(series: dict[str, Any], fmt: str = "svg") -> bytes:
    """Planned, spent (up to the as-of date) and 序时进度 (dashed) lines over the months."""
    _check_format(fmt)
    from matplotlib.ticker import PercentFormatter

    as_of = dt.date.fromisoformat(series["as_of"])
    days = [dt.date.fromisoformat(d) for d in series["dates"]]
    year = days[0].year if days else as_of.year
    with _style():
        fig = _new_figure(SPENDING_HEIGHT_CM)
        ax = fig.add_subplot()
        x = [float(d.timetuple().tm_yday) for d in days]
        planned = [float(v) for v in series["planned"]]
        spent = [(xi, float(v)) for xi, v in zip(x, series["spent"], strict=True) if v is not None]
        ax.plot(x, planned, color=PLANNED_COLOUR, marker="o", markersize=3, label="计划支出进度")
        if spent:
            ax.plot(
                [p[0] for p in spent],
                [p[1] for p in spent],
                color=SPENT_COLOUR,
                linewidth=2.2,
                marker="o",
                markersize=3.5,
                label="实际支出进度",
            )
        progress = [float(v) for v in series["time_progress"]]
        ax.plot(x, progress, color=PROGRESS_COLOUR, linestyle="--", label="序时进度")
        if as_of.year == year:
            marker = float(as_of.timetuple().tm_yday)
            ax.axvline(marker, color="#333333", linewidth=0.8, linestyle=":")
            # Late in the year the label goes left of the line, or it would leave the axes.
            late = marker > 250
            ax.annotate(
                f"截至{as_of.month}月{as_of.day}日",
                (marker, 0.0),
                xycoords=("data", "axes fraction"),
                xytext=(-3 if late else 3, 3),
                textcoords="offset points",
                ha="right" if late else "left",
                va="bottom",
                fontsize=8,
            )
        month_ends = [
            float(dt.date(year, m, calendar.monthrange(year, m)[1]).timetuple().tm_yday)
            for m in range(1, 13)
        ]
        ax.set_xticks(month_ends, [f"{m}月" for m in range(1, 13)])
        ax.set_xlim(0, 366 if calendar.isleap(year) else 365)
        top = max([100.0, *planned, *(p[1] for p in spent), *progress])
        ax.set_ylim(0, top * 1.08)
        ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.set_ylabel("累计占预算比例")
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        ax.legend(loc="upper left", fontsize=8, frameon=False)
        if not days:
            ax.text(0.5, 0.5, "暂无资金支出数据", transform=ax.transAxes, ha="center")
        return _save(fig, fmt)


def completion_height_cm(bars: int) -> float:
    """The completion chart's height: room for the axis and legend plus each bar."""
    return max(5.0, 1.8 + 0.46 * bars)


def completion_chart(series: dict[str, Any], fmt: str = "svg") -> bytes:
    """One horizontal bar per indicator, coloured by its light, with a line at 100%."""
    _check_format(fmt)
    from matplotlib.patches import Patch
    from matplotlib.ticker import PercentFormatter

    labels = [
        "\n".join(textwrap.wrap(text, LABEL_WRAP)) or text
        for text in map(printable, series["labels"])
    ]
    values = [float(v) for v in series["values"]]
    lights = list(series["lights"])
    with _style():
        fig = _new_figure(completion_height_cm(len(values)))
        ax = fig.add_subplot()
        y = list(range(len(values)))
        colours = ["#" + LIGHT_COLOURS.get(light, "999999") for light in lights]
        ax.barh(y, values, color=colours, height=0.6)
        # Names are text: "$…$" in an indicator's name must not be read as mathtext (an odd one
        # would make the whole export fail).
        ax.set_yticks(y, labels, fontsize=8, parse_math=False)
        ax.invert_yaxis()  # the first indicator on top, as in the table
        right = max([120.0, *values]) * 1.15
        ax.set_xlim(0, right)
        for yi, value in zip(y, values, strict=True):
            ax.annotate(
                f"{value:.2f}%",
                (value, yi),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=7.5,
                # A white box keeps the 100% line from crossing the figure.
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5},
            )
        ax.axvline(100, color="#333333", linewidth=0.8, linestyle="--")
        ax.xaxis.set_major_formatter(PercentFormatter(decimals=0))
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_axisbelow(True)
        present = [light for light in (RED, YELLOW, GREEN, BLUE) if light in lights]
        if present:
            ax.legend(
                handles=[
                    Patch(color="#" + LIGHT_COLOURS[light], label=LIGHT_LABELS[light])
                    for light in present
                ],
                loc="lower center",
                bbox_to_anchor=(0.5, 1.0),
                ncols=len(present),
                fontsize=8,
                frameon=False,
            )
        if not values:
            ax.set_yticks([])
            ax.text(0.5, 0.5, "暂无指标完成数据", transform=ax.transAxes, ha="center")
        return _save(fig, fmt)


# --- layout blocks ---------------------------------------------------------------------------


SUMMARY_SECTION = "汇总"


def summary_page(report: Report, title: str, dates: str, table: Table) -> list[Block]:
    """The unit summary page: title, unit, dates, the projects' table and the two charts."""
    unit = report.unit
    unit_text = f"{unit.code} {unit.name}" if unit.code else unit.name
    table.section = SUMMARY_SECTION
    return [
        Paragraph(title, "title", 0, SUMMARY_SECTION, "center"),
        Paragraph(f"预算单位：{unit_text}", "note", 0, SUMMARY_SECTION),
        Paragraph(dates, "note", 0, SUMMARY_SECTION),
        table,
        *chart_blocks(report, SUMMARY_SECTION),
    ]


def chart_blocks(report: Report, section: str | None) -> list[Block]:
    """The unit's two charts with their captions, as layout blocks (drawn when rendered)."""
    spending = spending_series(report)
    completion = completion_series(report)

    def draw_spending(fmt: str) -> bytes:
        return spending_chart(spending, fmt)

    def draw_completion(fmt: str) -> bytes:
        return completion_chart(completion, fmt)

    return [
        Image(draw_spending, WIDTH_CM * 10, "资金支出进度图", section),
        Paragraph("图1　资金支出进度（计划、实际与序时进度）", "note", 0, section, "center"),
        Image(draw_completion, WIDTH_CM * 10, "指标完成情况图", section),
        Paragraph("图2　指标完成情况（按预警颜色）", "note", 0, section, "center"),
    ]
