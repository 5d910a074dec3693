"""Reading uploads: rows with Excel's row numbers, the header check, and hostile or wrong files refused whole."""

import io
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from excel import readers
from excel.readers import Column, FileRefused, FileTooLarge
from imports.tests.xlsx import make_xlsx

COLUMNS = (
    Column("short_name", "组织简称"),
    Column("category", "组织类别"),
    Column("full_name", "组织全称（可选，留空则自动生成）", required=False),
)
HEADER = ["组织简称", "组织类别", "组织全称（可选，留空则自动生成）"]
ROOT = Path(__file__).resolve().parents[2]


def read(data, **kwargs):
    return readers.read_rows(data, columns=COLUMNS, template_name="批量创建下级组织模板", **kwargs)


def test_it_reads_rows_with_their_excel_row_numbers_and_skips_empty_rows():
    data = make_xlsx([HEADER, ["甲团支部", "团支部", None], [None, None, None], ["乙团总支", "团总支", "全称乙"]])
    sheet = read(data)
    assert [r.number for r in sheet.rows] == [2, 4]
    assert sheet.rows[0].values == {"short_name": "甲团支部", "category": "团支部", "full_name": ""}
    assert sheet.rows[1].values["full_name"] == "全称乙"
    assert sheet.rows[1].cells == ["乙团总支", "团总支", "全称乙"]


def test_it_matches_headers_by_name_in_any_order_ignoring_notes_marks_and_extra_columns():
    data = make_xlsx([["组织类别*", "备注", " 组织简称 ", "结果"], ["团支部", "x", "甲团支部", "失败"]])
    sheet = read(data)
    assert sheet.rows[0].values == {"category": "团支部", "short_name": "甲团支部", "full_name": ""}


def test_it_reads_the_named_sheet_when_the_instructions_come_first():
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "填写说明"
    wb.active.append(["说明文字"])
    data_sheet = wb.create_sheet("下级组织")
    data_sheet.append(HEADER)
    data_sheet.append(["甲团支部", "团支部"])
    buffer = io.BytesIO()
    wb.save(buffer)
    assert read(buffer.getvalue(), sheet_name="下级组织").rows[0].values["short_name"] == "甲团支部"


def test_a_wrong_template_is_refused_whole_naming_the_right_one():
    data = make_xlsx([["姓名", "身份证号码", "入团年月"], ["张三", "110101200001011234", "2015-09"]])
    with pytest.raises(FileRefused) as e:
        read(data)
    assert "批量创建下级组织模板" in e.value.message
    assert "组织简称" in e.value.message


def test_a_file_without_data_rows_is_refused():
    with pytest.raises(FileRefused, match="没有数据"):
        read(make_xlsx([HEADER]))


def test_more_rows_than_the_limit_are_refused():
    rows = [HEADER] + [[f"第{i}团支部", "团支部"] for i in range(6)]
    with pytest.raises(FileRefused, match="最多上传5行"):
        read(make_xlsx(rows), max_rows=5)


@pytest.mark.parametrize(
    "data,words",
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, ".xls"),
        ("组织简称,组织类别\n甲团支部,团支部\n".encode(), "不是 Excel 文件"),
        (b"PK\x03\x04 truncated", "已损坏"),
        (b"", "空的"),
    ],
    ids=["xls-or-encrypted", "csv", "broken-zip", "empty"],
)
def test_non_xlsx_files_are_refused_with_a_chinese_message(data, words):
    with pytest.raises(FileRefused) as e:
        read(data)
    assert words in e.value.message
    assert e.value.status == 400


def _rezip(data: bytes, extra: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        for name, content in extra.items():
            dst.writestr(name, content)
    return out.getvalue()


def test_a_macro_enabled_workbook_is_refused():
    data = _rezip(make_xlsx([HEADER, ["甲团支部", "团支部"]]), {"xl/vbaProject.bin": b"\0" * 100})
    with pytest.raises(FileRefused, match="xlsm"):
        read(data)


def test_a_zip_that_is_not_a_workbook_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w/>")
    with pytest.raises(FileRefused, match="不是 Excel 工作簿"):
        read(out.getvalue())


def test_a_zip_bomb_is_refused_by_its_declared_size_before_parsing():
    data = make_xlsx([HEADER, ["甲团支部", "团支部"]])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item))
        with dst.open("xl/media/bomb.bin", "w", force_zip64=True) as f:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(51):
                f.write(chunk)
    assert len(out.getvalue()) < 1024 * 1024  # small on the wire, 51 MB declared
    with pytest.raises(FileTooLarge) as e:
        read(out.getvalue())
    assert e.value.status == 413
    assert "解压后超过50MB" in e.value.message


def test_an_absurd_compression_ratio_is_refused():
    data = _rezip(make_xlsx([HEADER, ["甲团支部", "团支部"]]), {"xl/media/zeros.bin": b"\0" * (3 * 1024 * 1024)})
    with pytest.raises(FileRefused, match="压缩比异常"):
        read(data)


def test_a_member_lying_about_its_size_is_refused():
    """The declared size is patched smaller than the real content: the CRC check catches it."""
    data = bytearray(make_xlsx([HEADER, ["甲团支部", "团支部"]]))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    lie = 10
    struct.pack_into("<I", data, info.header_offset + 22, lie)  # local header: uncompressed size
    pos = 0
    while True:  # and the sheet's central-directory entry
        pos = bytes(data).index(b"PK\x01\x02", pos)
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46 : pos + 46 + name_len]) == b"xl/worksheets/sheet1.xml":
            struct.pack_into("<I", data, pos + 24, lie)
            break
        pos += 4
    with pytest.raises(FileRefused, match="已损坏"):
        read(bytes(data))


def test_a_sheet_whose_used_range_is_absurd_is_refused_without_reaching_the_parser(tmp_path):
    """python-calamine aborts the whole process on A1 + XFD1048576; the check runs in a child process."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(HEADER)
    wb.active.append(["甲团支部", "团支部"])
    wb.active["XFD1048576"] = "x"
    path = tmp_path / "far.xlsx"
    wb.save(path)
    code = (
        "import sys; from excel import readers\n"
        "from excel.readers import Column, FileRefused\n"
        "try:\n"
        f"    readers.read_rows(open({str(path)!r}, 'rb').read(), columns=(Column('a', '组织简称'),), template_name='t')\n"
        "except FileRefused as e:\n"
        "    print('REFUSED', e.message)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "REFUSED" in done.stdout and "使用范围过大" in done.stdout


def test_an_oversized_upload_is_refused_with_413(monkeypatch):
    monkeypatch.setattr(readers, "MAX_UPLOAD_BYTES", 1000)
    with pytest.raises(FileTooLarge) as e:
        read(make_xlsx([HEADER, ["甲团支部", "团支部"]]))
    assert e.value.status == 413
