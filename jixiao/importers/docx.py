"""Word (.docx) reader: body paragraphs and tables in document order, merges stated per cell.

Also holds the container checks shared by the Office readers (zip sniffing, zip-bomb guard,
OLE/encrypted detection), so every reader refuses bad input with the same Chinese messages.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path
from typing import Any

from jixiao.importers import limits, places
from jixiao.importers.grid import Block, Cell, ImportFailure, Paragraph, Source, Table

__all__ = [
    "check_zip",
    "failure",
    "is_encrypted_ole",
    "read",
    "read_docx",
    "sniff",
]

# A real Office file has a few dozen parts; thousands are a crafted container.
MAX_ZIP_MEMBERS = 10_000

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Password-protected .docx/.xlsx are OLE containers holding an "EncryptedPackage" stream.
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

_IMAGE_MAGICS = (
    b"\x89PNG\r\n\x1a\n",
    b"\xff\xd8\xff",
    b"GIF87a",
    b"GIF89a",
    b"BM",
    b"II*\x00",
    b"MM\x00*",
)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Elements whose children are read as if they were in the parent (content controls, tracked
# insertions, hyperlinks, simple fields, …); deletions (w:del, w:moveFrom) are skipped.
_TRANSPARENT = {
    _W + name
    for name in (
        "hyperlink",
        "ins",
        "moveTo",
        "smartTag",
        "customXml",
        "fldSimple",
        "sdt",
        "sdtContent",
        "dir",
        "bdo",
    )
}


def failure(label: str, name: str, reason: str) -> ImportFailure:
    """The one-line Chinese failure every reader raises: which file, and why."""
    return ImportFailure(f"无法读取 {label} 文件 {name}：{reason}")


def sniff(path: Path) -> str:
    """Classify a file by its first bytes: zip, ole, pdf, image, rtf, html or unknown."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return "unknown"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(_IMAGE_MAGICS) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if stripped.startswith((b"<html", b"<!doctype html", b"mime-version", b"<?xml")):
        return "html"
    return "unknown"


def is_encrypted_ole(path: Path) -> bool:
    """True for an OLE container that wraps a password-protected Office Open XML file."""
    try:
        return _ENCRYPTED_PACKAGE in path.read_bytes()
    except OSError:
        return False


def mismatch_reason(kind: str, expected: str) -> str:
    """Why a file whose content is ``kind`` cannot be read as ``expected`` (e.g. ".docx")."""
    if kind == "image":
        return f"这是图片文件，不是 {expected} 格式；请上传原始文件（扫描件需先进行文字识别）"
    if kind == "pdf":
        return "这是 PDF 文件，请把扩展名改为 .pdf 后再导入"
    return f"文件已损坏或不是 {expected} 格式"


def check_zip(path: Path, label: str, expected: str, main_part: str) -> None:
    """Refuse a zip that is corrupt, encrypted, of the other Office kind, a zip bomb, or holds
    more rows (a workbook) or paragraphs (a Word document) than an import may load.

    Everything here reads the zip's directory and streams its XML; nothing is parsed yet.
    """
    name = path.name
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                raise failure(
                    label,
                    name,
                    f"文件包含 {len(infos)} 个部件，超过上限 {MAX_ZIP_MEMBERS} 个"
                    "（可能已损坏或是恶意构造的）；请用 Excel/WPS/Word 重新另存后再导入",
                )
            if reason := limits.check_zip_size(infos):
                raise failure(label, name, reason)
            if any(i.flag_bits & 0x1 for i in infos):
                raise failure(label, name, "文件已加密（设置了密码），请去掉密码后再导入")
            names = {i.filename for i in infos}
            if main_part in names:
                counted = (
                    limits.check_sheet_rows(zf)
                    if main_part == "xl/workbook.xml"
                    else limits.check_word_lines(zf)
                )
                if counted:
                    raise failure(label, name, counted)
                return
    except ImportFailure:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        NotImplementedError,  # a compression method zipfile cannot inflate
        OSError,
        ValueError,
        EOFError,
    ) as exc:
        raise failure(label, name, f"文件已损坏或不是 {expected} 格式") from exc
    _wrong_kind(label, name, expected, names)


def _wrong_kind(label: str, name: str, expected: str, names: set[str]) -> None:
    """Refuse a zip whose main part is missing: the other Office kind, or no Office file."""
    if "word/document.xml" in names:
        raise failure(label, name, "这是 Word 文件，请把扩展名改为 .docx 后再导入")
    if "xl/workbook.xml" in names:
        raise failure(label, name, "这是 Excel 文件，请把扩展名改为 .xlsx 后再导入")
    raise failure(label, name, f"文件已损坏或不是 {expected} 格式")


def read(path: Path) -> Source:
    """Read a .docx file; an old OLE .doc or RTF saved as .docx goes through LibreOffice."""
    path = Path(path)
    kind = sniff(path)
    if kind == "ole":
        if is_encrypted_ole(path):
            raise failure("Word", path.name, "文件已加密（设置了密码），请去掉密码后再导入")
        from jixiao.importers import doc

        return doc.read(path)
    if kind == "rtf":
        from jixiao.importers import doc

        return doc.read(path)
    if kind != "zip":
        raise failure("Word", path.name, mismatch_reason(kind, ".docx"))
    return read_docx(path, path.name, "Word")


def read_docx(path: Path, name: str, label: str) -> Source:
    """Read a checked .docx container, reporting failures under ``name`` and ``label``."""
    check_zip(path, label, ".docx", "word/document.xml")
    try:
        from docx.oxml.parser import parse_xml
        from docx.package import Package

        # The main part by relationship, not docx.Document(): that refuses templates and
        # macro-enabled documents (.dotx/.docm saved as .docx), whose body is the same.
        part = Package.open(str(path)).main_document_part
        element = getattr(part, "element", None)
        if element is None:
            element = parse_xml(part.blob)
        body = element.find(_W + "body")
        if body is None:
            raise ValueError("document part has no body")
        reader = _BodyReader()
        reader.read_blocks(body)
    except ImportFailure:
        raise
    except Exception as exc:  # any library error means the file cannot be read
        raise failure(label, name, "文件已损坏或不是 .docx 格式") from exc
    return Source(name, reader.blocks)


class _BodyReader:
    """Walks a Word body and collects paragraphs and tables in document order."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.table_count = 0

    def read_blocks(self, container: Any) -> None:
        """Append the paragraphs and tables among ``container``'s children."""
        for child in container.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                text = _paragraph_text(child).strip()
                if text:
                    self.blocks.append(Paragraph(text))
            elif tag == _W + "tbl":
                self.read_table(child)
            elif tag in _TRANSPARENT:
                self.read_blocks(child)

    def read_table(self, tbl: Any) -> None:
        """Append one table (its grid with merges), then the tables nested in its cells."""
        self.table_count += 1
        limits.check_time(places.table(self.table_count))
        table = Table(places.table(self.table_count))
        self.blocks.append(table)
        nested: list[Any] = []
        grid: list[list[Cell | None]] = []
        for r, tr in enumerate(_children(tbl, "tr")):
            row: list[Cell | None] = [None] * _grid_count(tr, "gridBefore")
            for tc in _children(tr, "tc"):
                col = len(row)
                span = max(1, _int_val(_prop(tc, "gridSpan"), 1))
                origin, text = _continued(grid, row, r, col, tc)
                if origin is None:
                    text = _cell_text(tc, nested)
                    origin = (r, col)
                row.extend(Cell(text, origin) for _ in range(span))
            grid.append(row)
        width = max((len(row) for row in grid), default=0)
        table.rows = [
            [
                (row[c] if c < len(row) else None) or Cell("", (r, c))  # gaps are blanks
                for c in range(width)
            ]
            for r, row in enumerate(grid)
        ]
        for inner in nested:
            self.read_table(inner)


def _continued(
    grid: list[list[Cell | None]], row: list[Cell | None], r: int, col: int, tc: Any
) -> tuple[tuple[int, int] | None, str]:
    """The merged region a continuing cell belongs to (vMerge above, legacy hMerge left)."""
    v_merge = _prop(tc, "vMerge")
    if v_merge is not None and v_merge.get(_W + "val") in (None, "continue") and r > 0:
        above = grid[r - 1][col] if col < len(grid[r - 1]) else None
        if above is not None:
            return above.origin, above.text
    h_merge = _prop(tc, "hMerge")
    if h_merge is not None and h_merge.get(_W + "val") in (None, "continue") and row:
        left = row[-1]
        if left is not None:
            return left.origin, left.text
    return None, ""


def _children(element: Any, local: str) -> list[Any]:
    """Direct ``w:<local>`` children, looking through content controls and custom XML."""
    found: list[Any] = []
    for child in element.iterchildren():
        if child.tag == _W + local:
            found.append(child)
        elif child.tag in _TRANSPARENT:
            found.extend(_children(child, local))
    return found


def _prop(tc: Any, local: str) -> Any:
    """The ``w:tcPr/w:<local>`` element of a cell, or None."""
    tc_pr = tc.find(_W + "tcPr")
    return None if tc_pr is None else tc_pr.find(_W + local)


def _grid_count(tr: Any, local: str) -> int:
    """A row's ``w:trPr/w:gridBefore`` (or gridAfter) count, 0 when absent."""
    tr_pr = tr.find(_W + "trPr")
    return 0 if tr_pr is None else max(0, _int_val(tr_pr.find(_W + local), 0))


def _int_val(element: Any, default: int) -> int:
    """The integer ``w:val`` of an element, or ``default``."""
    if element is None:
        return default
    try:
        return int(element.get(_W + "val", default))
    except (TypeError, ValueError):
        return default


def _cell_text(tc: Any, nested: list[Any]) -> str:
    """A cell's paragraphs joined by newlines; nested tables are collected, not inlined."""
    lines: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            if child.tag == _W + "p":
                lines.append(_paragraph_text(child))
            elif child.tag == _W + "tbl":
                nested.append(child)
            elif child.tag in _TRANSPARENT:
                walk(child)

    walk(tc)
    return "\n".join(lines).strip()


def _paragraph_text(p: Any) -> str:
    """The visible text of a paragraph: runs, tabs and breaks, no field codes or deletions."""
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if tag == _W + "r":
                for item in child.iterchildren():
                    item_tag = item.tag
                    if item_tag == _W + "t":
                        parts.append(item.text or "")
                    elif item_tag == _W + "tab":
                        parts.append("\t")
                    elif item_tag in (_W + "br", _W + "cr"):
                        parts.append("\n")
                    elif item_tag == _W + "noBreakHyphen":
                        parts.append("-")
            elif tag in _TRANSPARENT:
                walk(child)

    walk(p)
    return "".join(parts)
