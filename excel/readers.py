"""Uploaded workbooks to rows: header check, row numbers, no database (SPEC T6, P6).

The upload is examined as a zip archive before any spreadsheet parser sees
it. python-calamine is fast but aborts the whole process on a sheet whose
used range is absurd and follows a zip bomb to gigabytes of memory
(STACK-NOTES), so every archive member is decompressed here first through
`zipfile`, which stops at the declared size and checks the CRC; XML parts
declaring a DOCTYPE or entities (entity-expansion bombs) are refused, and
the worksheets are scanned for the extent of their cells and for formulas
(a data upload holds values; a formula is refused naming its cell).

Only then is the sheet parsed, and never in this process: python-calamine
runs in a child process (excel/parse_child.py) under an address-space
and CPU limit and a wall-clock timeout, so a file that still makes it
abort or balloon fails its own upload and nothing else.
"""

import io
import logging
import lzma
import pickle
import re
import stat
import struct
import subprocess
import sys
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from core.exceptions import DomainError, Invalid
from core.normalize import clean_code, clean_text

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Office file
ZIP_MAGIC = b"PK\x03\x04"

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200  # a real worksheet compresses 5-50×; zip bombs 1000× and more
RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
MAX_MEMBERS = 1000
MAX_CELLS = 5_000_000  # rows × columns of a worksheet's used range
MAX_ROWS = 2000
PARSE_MEMORY_BYTES = 1024 * 1024 * 1024  # the parser child's address space
PARSE_CPU_SECONDS = 30
PARSE_TIMEOUT_SECONDS = 60  # wall clock, then the child is killed
PARSE_CHILD = Path(__file__).with_name("parse_child.py")

logger = logging.getLogger(__name__)

_CELL_REF = re.compile(rb"<(?:\w+:)?(row|c|dimension|f)\b([^>]*)>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_R_ATTR = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,8})"')
_REF_ATTR = re.compile(rb'\bref="[A-Z]{0,3}[0-9]{0,8}:?([A-Z]{0,3})([0-9]{0,8})"')


class FileRefused(DomainError, status=400, code="bad_file"):
    """The whole file is refused: not a workbook, a wrong template, unsafe or too many rows."""


class FileTooLarge(FileRefused, status=413, code="file_too_large"): ...


@dataclass(frozen=True)
class Column:
    key: str  # the key of the value in each row dict
    header: str  # the header text of the template
    required: bool = True  # must the column be present in the header row?
    width: int = 24  # in the template, in characters

    @property
    def label(self) -> str:
        return header_key(self.header)


@dataclass
class DataRow:
    number: int  # the Excel row number the admin sees
    values: dict  # column key -> raw cell value ("" when empty)
    cells: list  # the whole row as uploaded, for the result workbook


@dataclass
class SheetData:
    headers: list  # header row as uploaded
    rows: list[DataRow] = field(default_factory=list)


def header_key(text: object) -> str:
    """A header cell as compared: full-width folded, spaces and required-marks dropped, note in brackets cut."""
    key = "".join(clean_text(text).split()).rstrip("*")
    return key.split("(", 1)[0]


def id_number_cell(value: object) -> str:
    """An ID number cell as uploaded: text only. A number is refused, whatever its length (issue 12 item 9).

    Excel keeps 15 significant digits of a number, so an 18-digit ID number typed into a cell that is not
    formatted as text loses its last digits; when what is left still passes the check digit (about one time
    in eleven), it is another person's ID number. No number can be trusted to be the digits that were typed,
    so the row is refused and the message says how to fix the column. The message shows the number as Excel
    displays it (6 significant digits), never the whole of it.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return clean_code(value)
    try:
        shown = format(value, ".6g").upper()
    except (ValueError, OverflowError):
        shown = "数字"
    raise Invalid(
        f"身份证号码被Excel存成了数字（显示为{shown}）：Excel只保留数字的前15位，后几位可能已丢失或被改动，"
        "系统不能按数字录入身份证号码。请把“身份证号码”列设置为“文本”格式（本系统下载的模板已设置好），"
        "重新输入完整的18位号码后上传。",
        code="id_number_as_number",
    )


def month_cell(value: object, *, label: str = "入团年月") -> object:
    """A year-month cell as Excel holds it; a number like 2017.1 may be January or October, so it is refused."""
    if isinstance(value, float) and not value.is_integer():
        year, _, fraction = repr(value).partition(".")
        if fraction == "1":
            raise Invalid(
                f"{label}“{year}.1”无法确定是1月还是10月（Excel把2017.10存成了2017.1）："
                f"请填写为“{year}-01”或“{year}-10”。",
                code="ambiguous_month",
            )
        return f"{year}.{fraction.ljust(2, '0')}"
    return value


def read_upload(file, *, max_bytes: int | None = None) -> bytes:
    """The uploaded bytes (from bytes, an UploadedFile or any file object), refusing an oversized upload."""
    max_bytes = max_bytes or MAX_UPLOAD_BYTES
    if isinstance(file, bytes):
        data = file
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise _too_large(max_bytes)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    return data


def _size_text(n: int) -> str:
    return f"{n // (1024 * 1024)}MB" if n >= 1024 * 1024 else f"{max(n // 1024, 1)}KB"


def _too_large(max_bytes: int) -> FileTooLarge:
    return FileTooLarge(f"上传的文件超过{_size_text(max_bytes)}，请删除多余的行、图片和格式，或分成几个文件分别上传。")


def check_workbook(data: bytes, *, max_uncompressed: int | None = None) -> None:
    """Refuse anything but a plain .xlsx whose contents are of a sane size and extent."""
    max_uncompressed = max_uncompressed or MAX_UNCOMPRESSED_BYTES
    save_as = "请在 Excel 中打开，选择“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”后再上传。"
    if not data:
        raise FileRefused("上传的文件是空的，请选择填好的 Excel 文件（.xlsx）。")
    if data.startswith(OLE2_MAGIC):
        raise FileRefused(
            "上传的文件是旧版 Excel 97-2003 文件（.xls）或设置了打开密码的文件，系统无法读取。"
            "如有密码请先取消密码，" + save_as
        )
    if not data.startswith(ZIP_MAGIC):
        raise FileRefused("上传的文件不是 Excel 文件（.xlsx）。请下载本页的模板，填好后直接上传，不要改成其他格式。")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRefused("上传的文件已损坏，无法打开。" + save_as) from None
    _check_entry_names(members)
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused("上传的文件不是 Excel 工作簿（.xlsx）。请下载本页的模板，填好后直接上传。")
    if "xl/vbaProject.bin" in names or any(
        m.filename.endswith(".bin") and "vba" in m.filename.lower() for m in members
    ):
        raise FileRefused("上传的文件是启用宏的工作簿（.xlsm），为安全起见不能上传。" + save_as)
    if len(members) > MAX_MEMBERS:
        raise FileRefused("上传的文件结构异常（包含的部件过多），请把数据复制到新下载的模板中再上传。")
    total = sum(m.file_size for m in members)
    if total > max_uncompressed:
        raise FileTooLarge(
            f"上传的文件解压后超过{_size_text(max_uncompressed)}，请删除多余的行、图片和格式，或分成几个文件分别上传。"
        )
    for m in members:
        if m.file_size > RATIO_FLOOR and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise FileRefused("上传的文件压缩比异常，疑似恶意文件，系统拒绝读取。请把数据复制到新下载的模板中再上传。")
    try:
        for m in members:
            # Decompress every member: zipfile stops at the declared size and checks the CRC,
            # so a member lying about its size is caught here, not inside the parser.
            content = archive.read(m)
            if m.filename.endswith((".xml", ".rels", ".vml")):
                _check_xml_part(content)
            if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                _check_sheet(content)
    except UNREADABLE_ZIP:
        raise FileRefused("上传的文件已损坏或经过加密，无法读取。" + save_as) from None


# What reading a damaged archive member may raise: a corrupt deflate stream is a zlib.error,
# which is no OSError (issue 12 item 16: it used to answer a 500).
UNREADABLE_ZIP = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    OSError,
    EOFError,
    ValueError,
    struct.error,
    zlib.error,
    lzma.LZMAError,
)


def _check_entry_names(members: list[zipfile.ZipInfo]) -> None:
    """Refuse entries no spreadsheet program writes: a path leaving the archive (`../`, `/x`, `C:`),
    a symbolic link, or the same name twice (each reader might take a different one)."""
    refused = "上传的文件中包含异常的部件“{}”（{}），这是正常的 Excel 文件不会有的内容，疑似恶意文件，系统拒绝读取。"
    again = "请把数据复制到新下载的模板中再上传。"
    seen = set()
    for m in members:
        name = m.filename
        shown = name[:80].encode("unicode_escape").decode("ascii")
        parts = re.split(r"[/\\]", name)
        if "\0" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            raise FileRefused(refused.format(shown, "路径指向压缩包以外") + again)
        if stat.S_ISLNK(m.external_attr >> 16):
            raise FileRefused(refused.format(shown, "符号链接") + again)
        if name in seen:
            raise FileRefused(refused.format(shown, "同名部件出现了两次") + again)
        seen.add(name)


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_xml_part(xml: bytes) -> None:
    """Refuse a DOCTYPE or entity declaration (billion laughs); Excel never writes one, nor UTF-16 parts."""
    if xml.startswith(UTF16_BOMS):
        try:
            xml = xml.decode("utf-16").encode()
        except UnicodeDecodeError:
            raise FileRefused("上传的文件已损坏，无法读取。请把数据复制到新下载的模板中再上传。") from None
    if _DTD.search(xml):
        raise FileRefused(
            "上传的文件包含文档类型或实体声明（DOCTYPE/ENTITY），这是正常的 Excel 文件不会有的内容，疑似恶意文件，系统拒绝读取。"
            "请把数据复制到新下载的模板中再上传。"
        )


def cell_name(row: int, col: int) -> str:
    letters = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_ROW_R = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr="([0-9]{1,7})"')
_CELL_COL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="([A-Z]{1,3})[0-9]')
_CELL_ROW = re.compile(rb'<(?:\w+:)?c\b[^>]*?\sr="[A-Z]{1,3}([0-9]{1,7})"')
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b([^>]*)>")


def _check_sheet(xml: bytes) -> None:
    """Refuse a worksheet whose used range (rows × columns) is beyond MAX_CELLS, or that holds a formula.

    The usual sheet addresses every row and cell (r="B7"): its extent comes
    from a few C-speed regex passes. Otherwise, or to name a formula's cell,
    the elements are walked one by one.
    """
    # A formula's tag holds "<f" or ":f" (prefixed): without either, the regex need not scan the sheet.
    if not ((b"<f" in xml or b":f" in xml) and _FORMULA.search(xml)):
        rows = _ROW_R.findall(xml)
        cell_rows = _CELL_ROW.findall(xml)
        elements = sum(xml.count(tag) for tag in (b"<c ", b"<c>", b"<c/>", b"<row ", b"<row>", b"<row/>"))
        if len(rows) + len(cell_rows) == elements:  # else prefixed or unaddressed elements: walk them
            # Digit strings compare as numbers by (length, bytes); leading zeros are stripped first.
            numbers = {n.lstrip(b"0") or b"0" for n in set(rows) | set(cell_rows)}
            max_row = int(max(numbers, key=lambda n: (len(n), n))) if numbers else 0
            max_col = max([_col_number(c) for c in set(_CELL_COL.findall(xml))] + [0])
            for m in _DIMENSION.finditer(xml):
                ref = _REF_ATTR.search(m.group(1))
                if ref:
                    max_col = max(max_col, _col_number(ref.group(1)))
                    max_row = max(max_row, int(ref.group(2) or 0))
            if max_row * max_col > MAX_CELLS:
                raise _too_wide(max_row, max_col)
            return
    _walk_sheet(xml)


def _too_wide(max_row: int, max_col: int) -> FileRefused:
    return FileRefused(
        f"工作表的使用范围过大（至少到第{max_row}行、第{max_col}列），可能误填了很远处的单元格。"
        "请把数据复制到新下载的模板中再上传。"
    )


def _walk_sheet(xml: bytes) -> None:
    max_row = max_col = row = col = 0
    for m in _CELL_REF.finditer(xml):
        kind, attrs = m.group(1), m.group(2)
        if kind == b"f":
            raise FileRefused(
                f"单元格 {cell_name(row, col)} 中是公式。上传的文件只能填写数据，不能含有公式："
                "请选中含公式的单元格，复制后“选择性粘贴 → 数值”，再保存上传。"
            )
        if kind == b"dimension":
            ref = _REF_ATTR.search(attrs)
            if ref:
                max_col = max(max_col, _col_number(ref.group(1)))
                max_row = max(max_row, int(ref.group(2) or 0))
            continue
        r = _R_ATTR.search(attrs)
        if kind == b"row":
            row = int(r.group(2)) if r and r.group(2) else row + 1
            col = 0
        else:
            col = _col_number(r.group(1)) if r and r.group(1) else col + 1
            if r and r.group(2):
                row = max(row, int(r.group(2)))
        max_row, max_col = max(max_row, row), max(max_col, col)
        if max_row * max_col > MAX_CELLS:
            raise _too_wide(max_row, max_col)


def read_rows(
    file,
    *,
    columns: tuple[Column, ...],
    template_name: str,
    sheet_name: str | None = None,
    max_rows: int = MAX_ROWS,
    max_bytes: int | None = None,
) -> SheetData:
    """Read the data sheet of an uploaded template into rows keyed by column.

    The visible sheet named `sheet_name` is read, or the first visible sheet
    if there is none of that name (parse_sheet). Row 1 is the header; it must name every required
    column (in any order; extra columns, such as a result workbook's 结果/说明,
    are ignored), or the whole file is refused with a message naming the
    right template. Wholly empty rows are skipped; row numbers are Excel's.
    """
    data = read_upload(file, max_bytes=max_bytes)
    check_workbook(data)
    table = parse_sheet(data, sheet_name=sheet_name)
    wrong = (
        f"上传的文件不是“{template_name}”。请在本页下载“{template_name}”，按表头填好后再上传（不要修改、删除表头行）。"
    )
    if not table:
        raise FileRefused("上传的文件没有内容。" + wrong)
    headers = list(table[0])
    positions: dict[str, int] = {}
    wanted = {c.label: c for c in columns}
    for index, text in enumerate(headers):
        label = header_key(text)
        if label in wanted:
            if wanted[label].key in positions:
                raise FileRefused(f"表头中“{wanted[label].header}”出现了两次，请删除重复的列。")
            positions[wanted[label].key] = index
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        raise FileRefused(f"第1行表头缺少“{'”“'.join(missing)}”。" + wrong)
    result = SheetData(headers=headers)
    read = list(positions.items())
    absent = {c.key: "" for c in columns if c.key not in positions}
    for index, cells in enumerate(table[1:], start=2):
        width = len(cells)
        values = {key: (cells[pos] if pos < width else "") for key, pos in read}
        if all(map(_blank, values.values())):
            continue
        if len(result.rows) >= max_rows:
            raise FileRefused(f"一次最多上传{max_rows}行数据，请分成几个文件分别上传。")
        values.update(absent)
        result.rows.append(DataRow(number=index, values=values, cells=_trim(cells)))
    if not result.rows:
        raise FileRefused("上传的文件中没有数据：请从第2行起每行填写一条，再上传。")
    return result


def parse_sheet(data: bytes, *, sheet_name: str | None = None) -> list[list]:
    """The cells of one visible worksheet, parsed by python-calamine in a limited child process.

    The visible worksheet named `sheet_name` is read, else the first visible worksheet. Hidden sheets are
    never read: the admin checks what Excel shows. When the sheet named `sheet_name` is hidden and another
    is shown, which one is meant is ambiguous, and the file is refused (issue 12 item 16).

    Call check_workbook first. The child gets PARSE_MEMORY_BYTES of address
    space and PARSE_CPU_SECONDS of CPU and is killed after
    PARSE_TIMEOUT_SECONDS; whatever way it fails, the file is refused.
    """
    unreadable = "无法读取上传的文件内容，文件可能已损坏或经过特殊构造。请把数据复制到新下载的模板中再上传。"
    command = [
        sys.executable,
        "-I",
        str(PARSE_CHILD),
        str(PARSE_MEMORY_BYTES),
        str(PARSE_CPU_SECONDS),
        sheet_name or "",
    ]
    try:
        done = subprocess.run(
            command, input=data, capture_output=True, timeout=PARSE_TIMEOUT_SECONDS, check=False, close_fds=True
        )
    except subprocess.TimeoutExpired:  # run() has killed the child
        logger.warning("workbook parse timed out after %ss", PARSE_TIMEOUT_SECONDS)
        raise FileRefused(
            f"读取上传的文件超过{PARSE_TIMEOUT_SECONDS}秒仍未完成，文件可能经过特殊构造，系统已停止读取。"
            "请把数据复制到新下载的模板中再上传。"
        ) from None
    outcome = None
    if done.returncode == 0:
        try:
            outcome = pickle.loads(done.stdout)
        except Exception:
            outcome = None
    if not (isinstance(outcome, tuple) and len(outcome) == 2):
        logger.warning(
            "workbook parser child failed: exit %s, stderr %r",
            done.returncode,
            done.stderr[-300:].decode(errors="replace"),
        )
        raise FileRefused(
            "读取上传的文件时解析程序异常退出（文件可能经过特殊构造或内容过大），系统拒绝读取。"
            "请把数据复制到新下载的模板中再上传。"
        )
    status, value = outcome
    if status == "hidden":
        raise FileRefused(
            f"工作表“{value}”被隐藏了，显示出来的是另一张工作表，无法确定应读取哪一张。"
            f"请在 Excel 中取消隐藏“{value}”并删除不用的工作表，或把数据复制到新下载的模板中再上传。"
        )
    if status == "no_sheet":
        raise FileRefused("上传的文件中没有可见的工作表。请把数据复制到新下载的模板中再上传。")
    if status == "memory":
        raise FileRefused(
            "上传的文件内容过大，读取时超出内存限制。请删除多余的行、图片和格式，或分成几个文件分别上传。"
        )
    if status != "ok":
        raise FileRefused(unreadable)
    return value


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(cells: list) -> list:
    out = list(cells)
    while out and _blank(out[-1]):
        out.pop()
    return out
