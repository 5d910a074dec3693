"""Hostile uploads, built here byte by byte, are refused quickly with a clear message and write nothing (issue 8 item 4).

Each file goes through the real member import of a branch (people.member_import),
so "refused" also means "no person, no audit event was written". The parser
itself runs in a child process: the file python-calamine aborts on must
not take this test process with it.
"""

import io
import struct
import time
import zipfile

import pytest
from openpyxl import Workbook

from audit.models import AuditEvent
from excel import readers
from excel.readers import FileRefused
from imports.importers import members as member_import
from people.models import Person

HEADER = [c.header for c in member_import.COLUMNS]
ROW = ["王小明", "320102200301012345", "团员", "2016-05", "", "汉族", "大学本科", "学生", "13812345678", "", "", ""]


def template(extra_cells: dict | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = member_import.SHEET
    ws.append(HEADER)
    ws.append(ROW)
    for ref, value in (extra_cells or {}).items():
        ws[ref] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace: dict | None = None, extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, (replace or {}).get(item.filename, src.read(item)))
        for name, content in (extra or {}).items():
            dst.writestr(name, content)
    return out.getvalue()


def patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Rewrite a member's uncompressed size in its local header and central-directory entry."""
    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    pos = 0
    while True:
        pos = bytes(data).index(b"PK\x01\x02", pos)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == member.encode():
            struct.pack_into("<I", data, pos + 24, size)
            return bytes(data)
        pos += 4


def far_cell() -> bytes:
    """A 5 KB workbook with one cell at XFD1048576: python-calamine 0.9.1 aborts the process on it."""
    return template({"XFD1048576": "x"})


def far_cell_without_addresses() -> bytes:
    """The same extent reached with unaddressed elements, so only the child process stands between it and calamine."""
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace(
        "</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


def zip_bomb() -> bytes:
    """Small on the wire, a huge declared size: 60 MB of zeros in a ~60 KB member."""
    data = template()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item))
        with dst.open("xl/worksheets/sheet2.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(60):
                f.write(chunk)
    return out.getvalue()


def declared_four_gigabytes() -> bytes:
    """The sheet claims 4 GB: refused on the declared sizes alone, nothing is decompressed."""
    return patch_declared_size(template(), "xl/worksheets/sheet1.xml", 0xFFFFFFF0)


def lying_zip() -> bytes:
    """Declared 1 KB, really 30 MB of inflated XML: zipfile stops at the declared size and the CRC fails."""
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    padded = sheet.replace(b"</sheetData>", b"</sheetData>" + b" " * (30 * 1024 * 1024))
    return patch_declared_size(
        rezip(data, replace={"xl/worksheets/sheet1.xml": padded}), "xl/worksheets/sheet1.xml", 1024
    )


def encrypted() -> bytes:
    """A password-protected .xlsx is an OLE2 compound file (EncryptionInfo + EncryptedPackage)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)
    return bytes(header) + "EncryptionInfo EncryptedPackage".encode("utf-16-le") + b"\0" * 4096


def macro_enabled() -> bytes:
    return rezip(template(), extra={"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0" + b"\0" * 2000})


def csv_renamed() -> bytes:
    return (",".join(HEADER) + "\n" + ",".join(ROW) + "\n").encode()


def png_renamed() -> bytes:
    return b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 200


def formula() -> bytes:
    return template({"B3": '=HYPERLINK("http://example.com","点击")', "A3": "李四"})


def entity_expansion() -> bytes:
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    dtd = f'<!DOCTYPE worksheet [<!ENTITY lol0 "lol">{lol}]>'
    head, _, body = sheet.rpartition("?>") if sheet.startswith("<?xml") else ("", "", sheet)
    sheet = (head + "?>" if head else "") + dtd + body.replace("王小明", "&lol9;")
    assert "<!DOCTYPE" in sheet and "&lol9;" in sheet
    return rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()})


HOSTILE = [
    (far_cell, "使用范围过大"),
    (zip_bomb, "解压后超过"),
    (declared_four_gigabytes, "解压后超过"),
    (lying_zip, "已损坏"),
    (encrypted, "设置了打开密码"),
    (macro_enabled, "启用宏"),
    (csv_renamed, "不是 Excel 文件"),
    (png_renamed, "不是 Excel 文件"),
    (formula, "单元格 B3 中是公式"),
    (entity_expansion, "DOCTYPE/ENTITY"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("build,words", HOSTILE, ids=[b.__name__ for b, _ in HOSTILE])
def test_a_hostile_file_is_refused_quickly_with_its_message_and_nothing_is_written(tree, build, words):
    data = build()
    people, events = Person.objects.count(), AuditEvent.objects.count()
    started = time.monotonic()
    with pytest.raises(FileRefused) as e:
        member_import.member_import_start(branch=tree.branch, file=data, actor=tree.branch_admin, dry_run=False)
    assert words in e.value.message
    assert e.value.status in (400, 413)
    assert time.monotonic() - started < 10
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


def test_the_files_are_really_small_on_the_wire():
    assert len(far_cell()) < 10_000
    assert len(zip_bomb()) < 1024 * 1024
    assert len(lying_zip()) < 1024 * 1024


def test_a_file_that_kills_the_parser_fails_alone_and_the_process_lives_on(monkeypatch):
    """The XFD1048576 sheet past the pre-checks: calamine aborts (SIGABRT) in the child; this process gets a refusal."""
    monkeypatch.setattr(readers, "_check_sheet", lambda xml: None)
    with pytest.raises(FileRefused, match="解析程序异常退出"):
        readers.read_rows(
            far_cell_without_addresses(),
            columns=member_import.COLUMNS,
            template_name=member_import.TEMPLATE_NAME,
            sheet_name=member_import.SHEET,
        )
    # Still alive, still parsing.
    rows = readers.parse_sheet(template(), sheet_name=member_import.SHEET)
    assert rows[1][0] == "王小明"


def huge_cell(megabytes: int) -> bytes:
    """One cell holding `megabytes` MB of text, deflated to a few hundred KB."""
    data = template()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                dst.writestr(item.filename, src.read(item))
        with dst.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            f.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
            for _ in range(megabytes):
                f.write(b"a" * (1024 * 1024))
            f.write(b"</t></is></c></row></sheetData></worksheet>")
    return out.getvalue()


def test_the_parser_child_is_held_to_its_memory_limit(monkeypatch):
    """Past the size checks (called directly), a 150 MB cell in 150 MB of address space: the child fails, alone."""
    monkeypatch.setattr(readers, "PARSE_MEMORY_BYTES", 150 * 1024 * 1024)
    with pytest.raises(FileRefused) as e:
        readers.parse_sheet(huge_cell(150), sheet_name=member_import.SHEET)
    assert "内存限制" in e.value.message or "解析程序异常退出" in e.value.message


def test_a_parse_that_runs_too_long_is_killed(monkeypatch):
    monkeypatch.setattr(readers, "PARSE_TIMEOUT_SECONDS", 0.001)
    started = time.monotonic()
    with pytest.raises(FileRefused, match="秒仍未完成"):
        readers.parse_sheet(template(), sheet_name=member_import.SHEET)
    assert time.monotonic() - started < 5


def test_a_formula_without_cell_addresses_is_still_named():
    data = template()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace("</sheetData>", "<row><c/><c><f>1+1</f><v>2</v></c></row></sheetData>")
    with pytest.raises(FileRefused, match="单元格 B3 中是公式"):
        readers.check_workbook(rezip(data, replace={"xl/worksheets/sheet1.xml": sheet.encode()}))


def test_an_ordinary_template_passes_every_check():
    rows = readers.read_rows(
        template(),
        columns=member_import.COLUMNS,
        template_name=member_import.TEMPLATE_NAME,
        sheet_name=member_import.SHEET,
    )
    assert rows.rows[0].values["name"] == "王小明"
