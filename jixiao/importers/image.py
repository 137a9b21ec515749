"""Picture reader: a photo or scan of a target table (PNG, JPEG), read by OCR (``ocr.py``)."""

from __future__ import annotations

from pathlib import Path

from jixiao.importers import ocr
from jixiao.importers.docx import failure, sniff
from jixiao.importers.grid import ImportFailure, Source
from jixiao.importers.pages import tell

__all__ = ["MAX_PIXELS", "read"]

_LABEL = "图片"
# Larger pictures are refused before decoding: a 600-dpi A3 scan is 70 M pixels, and decoding
# costs 1 byte a pixel (grey) to 4; past this a picture is a mistake or a decompression bomb.
MAX_PIXELS = 80_000_000


def read(path: Path) -> Source:
    """Read one picture (one page) by OCR."""
    import numpy as np
    from PIL import Image, ImageOps, UnidentifiedImageError

    path = Path(path)
    name = path.name
    kind = sniff(path)
    if kind != "image":
        reason = "文件已损坏或不是 PNG/JPEG 图片"
        if kind == "pdf":
            reason = "这是 PDF 文件，不是图片；请把扩展名改为 .pdf 后再导入"
        elif kind in ("zip", "ole"):
            reason = "这是 Office 文件，不是图片；请把扩展名改为 .docx/.xlsx/.doc 后再导入"
        raise failure(_LABEL, name, reason)
    try:
        with Image.open(path, formats=["PNG", "JPEG"]) as picture:
            width, height = picture.size
            if width * height > MAX_PIXELS:
                raise failure(
                    _LABEL,
                    name,
                    f"图片过大（{width}×{height} 像素）；请以 200–300 dpi 重新扫描后再导入",
                )
            # A phone photo stores its turn in EXIF; the pixels are read the way it is shown.
            upright = ImageOps.exif_transpose(picture)
            if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
                # Transparent means paper: laid on white, not read as black.
                layer = upright.convert("RGBA")
                upright = Image.alpha_composite(Image.new("RGBA", layer.size, "white"), layer)
            pixels = np.array(upright.convert("L"))
    except ImportFailure:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise failure(_LABEL, name, "文件已损坏或不是 PNG/JPEG 图片") from exc
    tell(1, 1, ocr=True)
    return ocr.read_pages(name, [(1, pixels)], label=_LABEL)
