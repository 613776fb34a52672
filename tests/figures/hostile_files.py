"""Hostile spreadsheets, built byte by byte: a workbook is a zip of XML parts written here.

openpyxl cannot write most of them (a merge over ``H1:XFD1048576`` would make it fill the
range, a DTD in ``sharedStrings.xml`` it never writes), so :func:`raw_xlsx` writes the parts
itself. ``bench/hostile_files.py`` uses the same builders for the big cases.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)


def cell_xml(ref: str, value: object) -> str:
    """One ``<c>``: a number, an inline text, or ``("f", formula)`` without a cached value."""
    if isinstance(value, tuple):
        return f'<c r="{ref}"><f>{escape(value[1])}</f></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(
    rows: Iterable[tuple[int, Sequence[tuple[str, object]]]],
    *,
    merges: Sequence[str] = (),
    dimension: str = "",
) -> Iterable[str]:
    """The worksheet XML in pieces: ``rows`` are (row number, [(cell ref, value), …])."""
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    for number, cells in rows:
        yield f'<row r="{number}">' + "".join(cell_xml(r, v) for r, v in cells) + "</row>"
    yield "</sheetData>"
    if merges:
        yield f'<mergeCells count="{len(merges)}">'
        yield "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        yield "</mergeCells>"
    yield "</worksheet>"


def raw_xlsx(sheet: Iterable[str], *, shared_strings: str | None = None) -> bytes:
    """A minimal workbook of one sheet ``Biểu 01`` whose XML is ``sheet`` (pieces of text)."""
    buffer = io.BytesIO()
    rels = f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    if shared_strings is not None:
        rels += f'<Relationship Id="rId2" Type="{_REL}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", CONTENT_TYPES)
        book.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{_PKG}"><Relationship Id="rId1" Type="{_REL}/officeDocument"'
            ' Target="xl/workbook.xml"/></Relationships>',
        )
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
            '<sheet name="Biểu 01" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        links = f'<Relationships xmlns="{_PKG}">{rels}</Relationships>'
        book.writestr("xl/_rels/workbook.xml.rels", links)
        with book.open("xl/worksheets/sheet1.xml", "w") as part:
            for piece in sheet:
                part.write(piece.encode("utf-8"))
        if shared_strings is not None:
            book.writestr("xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


#: A small models table: a title, a header on row 3, two communes.
TABLE: list[tuple[int, list[tuple[str, object]]]] = [
    (1, [("A1", "BIỂU TỔNG HỢP DÂN VẬN KHÉO")]),
    (3, [("A3", "Mã xã"), ("B3", "Tên xã"), ("C3", "Kinh tế")]),
    (4, [("A4", 4789), ("B4", "Phường Thái Bình"), ("C4", 3)]),
    (5, [("A5", 5233), ("B5", "Xã Tòng Đậu"), ("C5", 2)]),
]

XXE = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    f'<sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>&xxe;</t></si></sst>'
)
BILLION_LAUGHS = (
    '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE sst ['
    '<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
        for i in range(1, 10)
    )
    + f']><sst xmlns="{_MAIN}" count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
)
