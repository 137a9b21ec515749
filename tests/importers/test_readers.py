"""File readers: Word, Excel, PDF and legacy .doc into the grid, and refusal of bad input."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from jixiao.importers import doc, docx, pdf, xlsx
from jixiao.importers.grid import Cell, ImportFailure, Paragraph, Source, Table

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _cells(table: Table) -> list[list[tuple[str, tuple[int, int]]]]:
    """A table as rows of (text, origin) pairs, for exact comparison."""
    return [[(c.text, c.origin) for c in row] for row in table.rows]


def _outline(source: Source) -> list[str]:
    """The block order of a source: paragraph texts and table places."""
    return [b.text if isinstance(b, Paragraph) else f"<{b.place}>" for b in source.blocks]


# --- Word -------------------------------------------------------------------------------------


def _make_docx(path: Path) -> Path:
    """A target-table document: title, unit, merged indicator table, nested table, text."""
    from docx import Document

    document = Document()
    document.add_heading("网络安全和信息化经费绩效目标表", level=1)
    document.add_paragraph("单位：万元")
    document.add_paragraph("")  # empty paragraphs are not blocks
    table = document.add_table(rows=5, cols=6)
    for col, text in enumerate(["一级指标", "二级指标", "三级指标"]):
        table.cell(0, col).text = text
    table.cell(0, 3).merge(table.cell(0, 5)).text = "指标值"
    for col, text in enumerate(["", "", "", "运算符", "数值", "单位"]):
        if text:
            table.cell(1, col).text = text
    table.cell(2, 0).merge(table.cell(4, 0)).text = "产出指标"
    table.cell(2, 1).merge(table.cell(3, 1)).text = "数量指标"
    table.cell(4, 1).text = "质量指标"
    rows = [
        ("舆情监测预警、研判分析数", "≥", "200", "条"),
        ("官方网宣平台发布信息数量", "≥", "500", "条"),
        ("网络舆情处置率", "=", "100", "%"),
    ]
    for r, values in enumerate(rows, start=2):
        for c, text in enumerate(values, start=2):
            table.cell(r, c).text = text
    cell = table.cell(1, 0)
    cell.text = "第一行"
    cell.add_paragraph("第二行")
    document.add_paragraph("（一）营造网络正面舆论强势")
    second = document.add_table(rows=1, cols=2)
    second.cell(0, 0).text = "项目名称"
    second.cell(0, 1).text = "网络宣传管理经费"
    inner = second.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text = "预算数"
    inner.cell(0, 1).text = "5.00"
    document.add_paragraph("第三部分")
    document.save(str(path))
    return path


def test_docx_blocks_in_document_order(tmp_path: Path) -> None:
    source = docx.read(_make_docx(tmp_path / "目标表.docx"))
    assert source.name == "目标表.docx"
    assert _outline(source) == [
        "网络安全和信息化经费绩效目标表",
        "单位：万元",
        "<第 1 个表格>",
        "（一）营造网络正面舆论强势",
        "<第 2 个表格>",
        "<第 3 个表格>",
        "第三部分",
    ]


def test_docx_table_grid_states_merges(tmp_path: Path) -> None:
    table = docx.read(_make_docx(tmp_path / "t.docx")).tables[0]
    assert table.place == "第 1 个表格"
    assert _cells(table) == [
        [
            ("一级指标", (0, 0)),
            ("二级指标", (0, 1)),
            ("三级指标", (0, 2)),
            ("指标值", (0, 3)),
            ("指标值", (0, 3)),
            ("指标值", (0, 3)),
        ],
        [
            ("第一行\n第二行", (1, 0)),
            ("", (1, 1)),
            ("", (1, 2)),
            ("运算符", (1, 3)),
            ("数值", (1, 4)),
            ("单位", (1, 5)),
        ],
        [
            ("产出指标", (2, 0)),
            ("数量指标", (2, 1)),
            ("舆情监测预警、研判分析数", (2, 2)),
            ("≥", (2, 3)),
            ("200", (2, 4)),
            ("条", (2, 5)),
        ],
        [
            ("产出指标", (2, 0)),
            ("数量指标", (2, 1)),
            ("官方网宣平台发布信息数量", (3, 2)),
            ("≥", (3, 3)),
            ("500", (3, 4)),
            ("条", (3, 5)),
        ],
        [
            ("产出指标", (2, 0)),
            ("质量指标", (4, 1)),
            ("网络舆情处置率", (4, 2)),
            ("=", (4, 3)),
            ("100", (4, 4)),
            ("%", (4, 5)),
        ],
    ]
    assert table.is_anchor(2, 0) and not table.is_anchor(3, 0)


def test_docx_nested_table_follows_its_parent(tmp_path: Path) -> None:
    tables = docx.read(_make_docx(tmp_path / "t.docx")).tables
    assert [t.place for t in tables] == ["第 1 个表格", "第 2 个表格", "第 3 个表格"]
    assert tables[1].texts() == [["项目名称", "网络宣传管理经费"]]
    assert tables[2].texts() == [["预算数", "5.00"]]


def test_docx_tracked_insertions_and_fields(tmp_path: Path) -> None:
    from docx import Document
    from docx.oxml import parse_xml

    document = Document()
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document.element.body.insert(
        0,
        parse_xml(
            f"<w:p {ns}><w:r><w:t>总体</w:t></w:r>"
            '<w:ins w:id="1" w:author="a"><w:r><w:t>绩效</w:t></w:r></w:ins>'
            '<w:del w:id="2" w:author="a"><w:r><w:delText>删除</w:delText></w:r></w:del>'
            '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            '<w:r><w:instrText> TC "目标" \\f A \\l 1 </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
            "<w:r><w:t>目标</w:t><w:tab/><w:t>1</w:t></w:r></w:p>"
        ),
    )
    path = tmp_path / "tracked.docx"
    document.save(str(path))
    assert _outline(docx.read(path)) == ["总体绩效目标\t1"]


def test_macro_enabled_document_saved_as_docx(tmp_path: Path) -> None:
    plain = _make_docx(tmp_path / "plain.docx")
    path = tmp_path / "宏.docx"
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    macro = "application/vnd.ms-word.document.macroEnabled.main+xml"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(main.encode(), macro.encode())
            dst.writestr(info, data)
    assert docx.read(path).tables[0].rows[0][3] == Cell("指标值", (0, 3))


# --- Excel ------------------------------------------------------------------------------------


def _make_xlsx(path: Path) -> Path:
    """A workbook: a merged target sheet, a second sheet, a hidden and an empty sheet."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "目标表"
    sheet["B2"] = "项目绩效目标表"
    sheet.merge_cells("B2:E2")
    for col, text in zip("BCDE", ["一级指标", "二级指标", "指标值", "完成率"], strict=True):
        sheet[f"{col}3"] = text
    sheet["B4"] = "产出指标"
    sheet.merge_cells("B4:B5")
    sheet["C4"] = "数量指标"
    sheet["D4"] = 200
    sheet["E4"] = 0.25
    sheet["E4"].number_format = "0%"
    sheet["C5"] = "成本指标"
    sheet["D5"] = 8827620.53
    sheet["D5"].number_format = "#,##0.00"
    sheet["E5"] = 0.255
    sheet["E5"].number_format = "0.00%"
    sheet["B6"] = 15.0
    sheet["B6"].number_format = "0.00"
    sheet["C6"] = dt.datetime(2021, 3, 31)
    sheet["D6"] = 0.1 + 0.2
    sheet["E6"] = "  备注\r\n第二行 "
    sheet["H20"].number_format = "0.00"  # styled but empty: not part of the table
    other = workbook.create_sheet("说明")
    other["A1"] = "项目名称"
    other["B1"] = "网络宣传管理经费"
    other["A2"] = True
    hidden = workbook.create_sheet("隐藏")
    hidden["A1"] = "不应读取"
    hidden.sheet_state = "hidden"
    workbook.create_sheet("空表")
    workbook.save(path)
    return path


def test_xlsx_sheets_values_and_merges(tmp_path: Path) -> None:
    source = xlsx.read(_make_xlsx(tmp_path / "目标表.xlsx"))
    assert source.name == "目标表.xlsx"
    assert [t.place for t in source.tables] == ["工作表“目标表”", "工作表“说明”"]
    target, other = source.tables
    assert _cells(target) == [
        [
            ("项目绩效目标表", (0, 0)),
            ("项目绩效目标表", (0, 0)),
            ("项目绩效目标表", (0, 0)),
            ("项目绩效目标表", (0, 0)),
        ],
        [("一级指标", (1, 0)), ("二级指标", (1, 1)), ("指标值", (1, 2)), ("完成率", (1, 3))],
        [("产出指标", (2, 0)), ("数量指标", (2, 1)), ("200", (2, 2)), ("25%", (2, 3))],
        [("产出指标", (2, 0)), ("成本指标", (3, 1)), ("8827620.53", (3, 2)), ("25.50%", (3, 3))],
        [("15.00", (4, 0)), ("2021-03-31", (4, 1)), ("0.3", (4, 2)), ("备注\n第二行", (4, 3))],
    ]
    assert other.texts() == [["项目名称", "网络宣传管理经费"], ["TRUE", ""]]


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        (0.25, "0%", "25%"),
        (0.255, "0.00%", "25.50%"),
        (1, "0.0%", "100.0%"),
        (8827620.53, "#,##0.00", "8827620.53"),
        (8827620.5, '"¥"#,##0.00_);[Red]("¥"#,##0.00)', "8827620.50"),
        (-3.5, "#,##0.00_);[Red](#,##0.00)", "-3.50"),
        (15.0, "0.00", "15.00"),
        (15.0, "General", "15"),
        (15.6, "0", "16"),
        (2.675, "0.00", "2.68"),
        (1.5, "0.0#", "1.5"),
        (1.256, "0.0#", "1.26"),
        (0.1 + 0.2, "General", "0.3"),
        (1e-7, "General", "0.0000001"),
        (12345678901234567890, "General", "12345678901234567890"),
        (-0.001, "0.00", "0.00"),
        (42, "@", "42"),
        (dt.date(2021, 12, 31), "yyyy/m/d", "2021-12-31"),
        (dt.datetime(2021, 6, 30, 14, 5), "yyyy-mm-dd hh:mm", "2021-06-30 14:05"),
        (False, "General", "FALSE"),
        (None, "0.00", ""),
    ],
)
def test_xlsx_values_as_displayed(value: object, number_format: str, expected: str) -> None:
    assert xlsx.format_value(value, number_format) == expected


# --- PDF --------------------------------------------------------------------------------------


def _make_pdf(path: Path, body: str) -> Path:
    """Render HTML with ruled tables and a CJK font to PDF."""
    from weasyprint import HTML

    html = f"""<html><head><style>
      @page {{ size: A4; margin: 2cm }}
      body {{ font-family: "Noto Sans CJK SC"; font-size: 10pt }}
      table {{ border-collapse: collapse; width: 100% }}
      td, th {{ border: 1px solid black; padding: 2px }}
    </style></head><body>{body}</body></html>"""
    HTML(string=html).write_pdf(str(path))
    return path


def _target_pdf(path: Path) -> Path:
    """Title, a merged indicator table, a text line, a long table with a rowspan on page 2."""
    long_rows = []
    for i in range(40):
        first = "" if i == 35 else f"<td{' rowspan=2' if i == 34 else ''}>三级{i}</td>"
        long_rows.append(f"<tr>{first}<td>≥{i}条</td><td>{i}</td></tr>")
    body = f"""
      <p>项目绩效目标表</p>
      <p>单位：万元</p>
      <table>
        <tr><th>一级指标</th><th>二级指标</th><th colspan=2>指标值</th></tr>
        <tr><td rowspan=3>产出指标</td><td>数量指标</td><td>≥200条</td><td>a</td></tr>
        <tr><td>质量指标</td><td>100%</td><td>b</td></tr>
        <tr><td>时效指标</td><td>100%</td><td>c</td></tr>
      </table>
      <p>中间段落</p>
      <table>{"".join(long_rows)}</table>
      <p>结尾</p>"""
    return _make_pdf(path, body)


def test_pdf_tables_and_text_in_reading_order(tmp_path: Path) -> None:
    source = pdf.read(_target_pdf(tmp_path / "目标表.pdf"))
    assert source.name == "目标表.pdf"
    assert _outline(source) == [
        "项目绩效目标表",
        "单位：万元",
        "<第 1 页第 1 个表格>",
        "中间段落",
        "<第 1 页第 2 个表格>",  # continued on page 2: one table
        "结尾",
    ]


def test_pdf_merges_recovered_from_cell_boxes(tmp_path: Path) -> None:
    first, long = pdf.read(_target_pdf(tmp_path / "t.pdf")).tables
    assert _cells(first) == [
        [("一级指标", (0, 0)), ("二级指标", (0, 1)), ("指标值", (0, 2)), ("指标值", (0, 2))],
        [("产出指标", (1, 0)), ("数量指标", (1, 1)), ("≥200条", (1, 2)), ("a", (1, 3))],
        [("产出指标", (1, 0)), ("质量指标", (2, 1)), ("100%", (2, 2)), ("b", (2, 3))],
        [("产出指标", (1, 0)), ("时效指标", (3, 1)), ("100%", (3, 2)), ("c", (3, 3))],
    ]
    # The continuation on page 2 joins the table; its rowspan is recovered too.
    assert len(long.rows) == 40
    assert long.rows[0][0] == Cell("三级0", (0, 0))
    assert long.rows[34][0] == Cell("三级34", (34, 0))
    assert long.rows[35][0] == Cell("三级34", (34, 0))
    assert long.rows[35][1] == Cell("≥35条", (35, 1))


def test_pdf_unruled_prose_stays_text(tmp_path: Path) -> None:
    text = "以习近平新时代中国特色社会主义思想为指导，全面贯彻党的十九大精神。" * 4
    source = pdf.read(_make_pdf(tmp_path / "prose.pdf", f"<p>{text}</p><p>一、总体绩效目标</p>"))
    assert source.tables == []
    assert "".join(_outline(source)) == text + "一、总体绩效目标"


def test_pdf_unruled_table_by_alignment(tmp_path: Path) -> None:
    rows = "".join(
        f"<tr><td>产出指标</td><td>数量指标{i}</td><td>≥{i}条</td></tr>" for i in range(4)
    )
    body = f'<p>标题</p><table style="border:none">{rows}</table>'
    path = _make_pdf(tmp_path / "unruled.pdf", body.replace("<td>", '<td style="border:none">'))
    source = pdf.read(path)
    assert _outline(source) == ["标题", "<第 1 页第 1 个表格>"]
    assert source.tables[0].texts() == [["产出指标", f"数量指标{i}", f"≥{i}条"] for i in range(4)]


def test_pdf_without_text_layer_is_refused(tmp_path: Path) -> None:
    path = _make_pdf(tmp_path / "scan.pdf", '<div style="height:5cm;background:#888"></div>')
    with pytest.raises(ImportFailure, match=r"scan\.pdf.*没有文字层.*OCR"):
        pdf.read(path)


def _encrypted_pdf(path: Path) -> Path:
    """A minimal PDF whose standard security handler rejects the empty password."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        b"<< /Filter /Standard /V 1 /R 2 /P -4 /O <%s> /U <%s> >>" % (b"11" * 32, b"22" * 32),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    file_id = b"<" + b"ab" * 16 + b">"
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [%s %s] >>\n" % (
        len(objects) + 1,
        file_id,
        file_id,
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def test_pdf_with_password_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFailure, match=r"locked\.pdf.*已加密"):
        pdf.read(_encrypted_pdf(tmp_path / "locked.pdf"))


# --- Legacy .doc ------------------------------------------------------------------------------

needs_soffice = pytest.mark.skipif(doc.soffice_path() is None, reason="LibreOffice not installed")


@pytest.fixture(scope="module")
def legacy_doc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Word fixture saved as Word 97-2003 by LibreOffice."""
    work = tmp_path_factory.mktemp("legacy")
    source = _make_docx(work / "目标表.docx")
    soffice = doc.soffice_path()
    assert soffice is not None
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--convert-to",
            "doc",
            "--outdir",
            str(work / "out"),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = work / "out" / "目标表.doc"
    assert converted.read_bytes().startswith(docx.OLE_MAGIC)
    return converted


@needs_soffice
def test_doc_read_through_libreoffice(legacy_doc: Path) -> None:
    source = doc.read(legacy_doc)
    assert source.name == "目标表.doc"
    assert _outline(source)[:4] == [
        "网络安全和信息化经费绩效目标表",
        "单位：万元",
        "<第 1 个表格>",
        "（一）营造网络正面舆论强势",
    ]
    table = source.tables[0]
    assert table.rows[0][3:] == [Cell("指标值", (0, 3))] * 3
    assert [row[0] for row in table.rows[2:]] == [Cell("产出指标", (2, 0))] * 3
    assert table.rows[3][1] == Cell("数量指标", (2, 1))
    assert table.rows[4][2:] == [
        Cell("网络舆情处置率", (4, 2)),
        Cell("=", (4, 3)),
        Cell("100", (4, 4)),
        Cell("%", (4, 5)),
    ]


@needs_soffice
def test_old_doc_saved_as_docx_is_converted(legacy_doc: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "其实是旧格式.docx"
    shutil.copyfile(legacy_doc, renamed)
    source = docx.read(renamed)
    assert source.name == "其实是旧格式.docx"
    assert source.tables[0].rows[0][0].text == "一级指标"


def test_doc_without_libreoffice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(doc, "soffice_path", lambda: None)
    path = tmp_path / "旧.doc"
    path.write_bytes(docx.OLE_MAGIC + "WordDocument".encode("utf-16-le") + bytes(512))
    with pytest.raises(ImportFailure, match=r"旧\.doc.*未安装 LibreOffice.*另存为 \.docx"):
        doc.read(path)


def test_doc_that_is_really_docx_is_read_directly(tmp_path: Path) -> None:
    path = _make_docx(tmp_path / "新格式.doc")
    source = doc.read(path)
    assert source.name == "新格式.doc"
    assert source.tables[0].rows[0][0].text == "一级指标"


# --- Bad input --------------------------------------------------------------------------------


def _encrypted_ole(path: Path) -> Path:
    """An OLE container holding an EncryptedPackage stream, like a password-protected .docx."""
    path.write_bytes(
        docx.OLE_MAGIC + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512)
    )
    return path


def _truncated_docx(path: Path) -> Path:
    """The first half of a real .docx."""
    whole = _make_docx(path.with_name("whole.docx")).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


READERS = {".docx": docx.read, ".xlsx": xlsx.read, ".pdf": pdf.read, ".doc": doc.read}


@pytest.mark.parametrize("suffix", list(READERS))
def test_picture_renamed_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"照片{suffix}"
    path.write_bytes(PNG_BYTES)
    with pytest.raises(ImportFailure, match=f"照片\\{suffix}：这是图片文件"):
        READERS[suffix](path)


@pytest.mark.parametrize("suffix", list(READERS))
def test_junk_is_refused(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(b"not a document at all \x00\x01\x02")
    with pytest.raises(ImportFailure, match=f"无法读取 .* junk\\{suffix}：文件已损坏或不是"):
        READERS[suffix](path)


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_truncated_zip_is_refused(tmp_path: Path, suffix: str) -> None:
    path = _truncated_docx(tmp_path / f"cut{suffix}")
    with pytest.raises(ImportFailure, match=f"cut\\{suffix}：文件已损坏或不是 \\{suffix} 格式"):
        READERS[suffix](path)


def test_truncated_pdf_is_refused(tmp_path: Path) -> None:
    whole = _target_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(whole[:200])
    with pytest.raises(ImportFailure, match=r"cut\.pdf"):
        pdf.read(path)


@pytest.mark.parametrize("suffix", [".docx", ".xlsx"])
def test_zip_bomb_is_refused_before_parsing(tmp_path: Path, settings: Any, suffix: str) -> None:
    settings.IMPORT_MAX_UNPACKED_BYTES = 64 * 1024
    path = tmp_path / f"bomb{suffix}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", b"\x00" * (1024 * 1024))
    assert path.stat().st_size < 16 * 1024
    expected = f"bomb\\{suffix}：文件解压后约 1.0 MB，超过上限 0.1 MB"
    with pytest.raises(ImportFailure, match=expected):
        READERS[suffix](path)


@pytest.mark.parametrize("suffix", [".docx", ".xlsx", ".doc"])
def test_password_protected_office_file_is_refused(tmp_path: Path, suffix: str) -> None:
    path = _encrypted_ole(tmp_path / f"locked{suffix}")
    with pytest.raises(ImportFailure, match=f"locked\\{suffix}：文件已加密（设置了密码）"):
        READERS[suffix](path)


def test_wrong_office_kind_names_the_right_extension(tmp_path: Path) -> None:
    workbook = _make_xlsx(tmp_path / "book.xlsx")
    as_docx = tmp_path / "book.docx"
    shutil.copyfile(workbook, as_docx)
    with pytest.raises(ImportFailure, match=r"这是 Excel 文件，请把扩展名改为 \.xlsx"):
        docx.read(as_docx)
    document = _make_docx(tmp_path / "doc.docx")
    as_xlsx = tmp_path / "doc.xlsx"
    shutil.copyfile(document, as_xlsx)
    with pytest.raises(ImportFailure, match=r"这是 Word 文件，请把扩展名改为 \.docx"):
        xlsx.read(as_xlsx)


def test_old_xls_is_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "old.xlsx"
    path.write_bytes(docx.OLE_MAGIC + "Workbook".encode("utf-16-le") + bytes(512))
    with pytest.raises(ImportFailure, match=r"old\.xlsx：这是旧版 Excel 97-2003"):
        xlsx.read(path)


def test_corrupt_xml_inside_a_valid_zip_is_refused(tmp_path: Path) -> None:
    for suffix, part in ((".docx", "word/document.xml"), (".xlsx", "xl/workbook.xml")):
        path = tmp_path / f"broken{suffix}"
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("[Content_Types].xml", "<Types")
            zf.writestr(part, "<not-closed")
        with pytest.raises(ImportFailure, match=f"broken\\{suffix}：文件已损坏"):
            READERS[suffix](path)
