"""Uploaded workbooks to rows: header check, row numbers, no database (SPEC T6, P6).

The upload is examined as a zip archive before any spreadsheet parser sees
it. python-calamine is fast but aborts the whole process on a sheet whose
used range is absurd and follows a zip bomb to gigabytes of memory
(STACK-NOTES), so every archive member is decompressed here first through
`zipfile`, which stops at the declared size and checks the CRC, and the
worksheets' cell references are scanned for their extent.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

from python_calamine import CalamineWorkbook

from core.exceptions import DomainError
from core.normalize import clean_text

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, and any password-protected Office file
ZIP_MAGIC = b"PK\x03\x04"

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 200  # a real worksheet compresses 5-50×; zip bombs 1000× and more
RATIO_FLOOR = 1024 * 1024  # small members may compress as well as they like
MAX_MEMBERS = 1000
MAX_CELLS = 5_000_000  # rows × columns of a worksheet's used range
MAX_ROWS = 2000

_CELL_REF = re.compile(rb"<(?:\w+:)?(row|c|dimension)\b([^>]*)>")
_R_ATTR = re.compile(rb'\br="([A-Z]{0,3})([0-9]{0,8})"')
_REF_ATTR = re.compile(rb'\bref="[A-Z]{0,3}[0-9]{0,8}:?([A-Z]{0,3})([0-9]{0,8})"')


class FileRefused(DomainError):
    """The whole file is refused: not a workbook, a wrong template, unsafe or too many rows."""

    status = 400
    code = "bad_file"


class FileTooLarge(FileRefused):
    status = 413
    code = "file_too_large"


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
            if m.filename.startswith("xl/worksheets/") and m.filename.endswith(".xml"):
                _check_extent(content)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise FileRefused("上传的文件已损坏或经过加密，无法读取。" + save_as) from None


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _check_extent(xml: bytes) -> None:
    """Refuse a worksheet whose used range (rows × columns) is beyond MAX_CELLS."""
    max_row = max_col = row = col = 0
    for m in _CELL_REF.finditer(xml):
        kind, attrs = m.group(1), m.group(2)
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
            raise FileRefused(
                f"工作表的使用范围过大（至少到第{max_row}行、第{max_col}列），可能误填了很远处的单元格。"
                "请把数据复制到新下载的模板中再上传。"
            )


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

    The sheet named `sheet_name` is read, or the first sheet if there is
    none of that name. Row 1 is the header; it must name every required
    column (in any order; extra columns, such as a result workbook's 结果/说明,
    are ignored), or the whole file is refused with a message naming the
    right template. Wholly empty rows are skipped; row numbers are Excel's.
    """
    data = read_upload(file, max_bytes=max_bytes)
    check_workbook(data)
    try:
        with CalamineWorkbook.from_filelike(io.BytesIO(data)) as wb:
            name = sheet_name if sheet_name in wb.sheet_names else wb.sheet_names[0]
            table = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except Exception:  # calamine raises its own error types for unreadable content
        raise FileRefused("无法读取上传的文件内容，文件可能已损坏。请把数据复制到新下载的模板中再上传。") from None
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
    for index, cells in enumerate(table[1:], start=2):
        values = {key: (cells[pos] if pos < len(cells) else "") for key, pos in positions.items()}
        if all(_blank(v) for v in values.values()):
            continue
        if len(result.rows) >= max_rows:
            raise FileRefused(f"一次最多上传{max_rows}行数据，请分成几个文件分别上传。")
        for c in columns:
            values.setdefault(c.key, "")
        result.rows.append(DataRow(number=index, values=values, cells=_trim(cells)))
    if not result.rows:
        raise FileRefused("上传的文件中没有数据：请从第2行起每行填写一条，再上传。")
    return result


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trim(cells: list) -> list:
    out = list(cells)
    while out and _blank(out[-1]):
        out.pop()
    return out
