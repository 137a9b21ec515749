"""A scan of the seed's target tables, as an office would make one: printed, scanned, sent.

The seed's Word file (``layouts.build_docx_a``) is printed to PDF by LibreOffice, each page is
rendered at 200 dpi (pypdfium2), turned 0.8° as a sheet lies on a scanner glass, and saved as
JPEG at quality 60; the pages are then bound into an image-only PDF. Used by ``test_ocr.py``
and ``benchmarks/ocr.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from layouts import build_docx_a
from office import convert

DPI = 200
SKEW_DEGREES = 0.8
JPEG_QUALITY = 60


@dataclass(frozen=True)
class Scan:
    """The seed's Word file and its scan: one JPEG per page, and the pages as one PDF."""

    docx: Path
    pages: list[Path]
    pdf: Path


def build_scan(directory: Path) -> Scan:
    """Write the seed's docx, its printed PDF and its scan into ``directory``."""
    import pypdfium2 as pdfium
    from PIL import Image

    directory.mkdir(parents=True, exist_ok=True)
    docx = build_docx_a(directory).path
    printed = convert([docx], directory / "printed")[0]
    pages = []
    document = pdfium.PdfDocument(str(printed))
    try:
        for index in range(len(document)):
            picture = document[index].render(scale=DPI / 72).to_pil().convert("RGB")
            picture = picture.rotate(
                SKEW_DEGREES, resample=Image.Resampling.BICUBIC, expand=True, fillcolor="white"
            )
            path = directory / f"2021年度绩效目标表-第{index + 1}页.jpg"
            picture.save(path, quality=JPEG_QUALITY)
            pages.append(path)
    finally:
        document.close()
    pictures = [Image.open(p) for p in pages]
    pdf = directory / "2021年度绩效目标表（扫描件）.pdf"
    # Pillow stores each page as the JPEG it is: an image-only PDF without a text layer.
    pictures[0].save(pdf, save_all=True, append_images=pictures[1:], resolution=DPI)
    for picture in pictures:
        picture.close()
    return Scan(docx, pages, pdf)
