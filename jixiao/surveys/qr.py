"""QR codes of survey links (segno), as SVG or PNG."""

from __future__ import annotations

import io

import segno

CONTENT_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def qr_code(url: str, fmt: str) -> bytes:
    """The QR code of ``url`` as ``svg`` or ``png`` (medium error correction, a quiet zone)."""
    code = segno.make(url, error="m", micro=False)
    out = io.BytesIO()
    if fmt == "svg":
        code.save(out, kind="svg", scale=8, border=4, xmldecl=False, svgclass=None, lineclass=None)
    elif fmt == "png":
        code.save(out, kind="png", scale=10, border=4)
    else:
        raise ValueError(f"unknown QR format {fmt!r}")
    return out.getvalue()
