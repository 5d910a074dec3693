"""Workbooks the system writes: import templates and result workbooks (SPEC T6, P6), and the helpers every writer uses.

openpyxl writes any string beginning with "=" as a live formula (and "#N/A"
as an error), and spreadsheet programs run cells beginning with + - @ when
they are typed or edited (STACK-NOTES), so an uploaded "=HYPERLINK(...)" must
come back as text. It does, unchanged: every string is stored as a text cell
(t="inlineStr", never t="f"), and one that begins like a formula also carries
Excel's own quotePrefix mark, the way Excel stores a typed '=1+1: it shows
=1+1, stays text when edited, and reads back as "=1+1" through any reader,
the project's own included (issue 12 item 18: a leading ' used to be added
to the value, so exported values did not round-trip).

Every workbook in the project is made by `new_workbook` and turned into bytes
by `to_bytes`. An ordinary workbook is made inert cell by cell in `to_bytes`;
the sheets of a write-only workbook (rows streamed to disk) make each cell
inert as it is written. `safe_value`/`safe_row` only drop the characters XML
cannot hold. (imports/tests/test_workbooks_safe.py fails on a `Workbook(`
anywhere else.)
"""

import io
from dataclasses import dataclass
from urllib.parse import quote

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from .readers import Column
from .report import ImportReport, Status

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INSTRUCTIONS_SHEET = "填写说明"
CHOICES_SHEET = "选项"
INLINE_LIST_LIMIT = 255  # Excel's limit on an inline list validation


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    """A workbook as a download; the file name may be Chinese (RFC 5987)."""
    return attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)


def attachment(response, filename: str):
    """Mark a response (also a streamed one) as a download named `filename` (RFC 5987, Chinese allowed)."""
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="C8161D")
STATUS_FILLS = {
    Status.FAILED: PatternFill("solid", fgColor="FDECEB"),
    Status.SKIPPED: PatternFill("solid", fgColor="FFF7E6"),
    Status.CREATED: PatternFill("solid", fgColor="E8F4EA"),
    Status.WILL_CREATE: PatternFill("solid", fgColor="E8F4EA"),
    Status.CHANGED: PatternFill("solid", fgColor="E8F0FB"),
    Status.WILL_CHANGE: PatternFill("solid", fgColor="E8F0FB"),
}


def safe_value(value):
    """A cell value without the control characters XML cannot hold; the value itself is never changed otherwise.

    Whether a string can become a formula is settled by the cell it goes into (`make_inert`), not here.
    """
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def safe_row(values) -> list:
    return [safe_value(v) for v in values]


def make_inert(cell) -> None:
    """Store a string cell as text, whatever openpyxl guessed from its value (formula "f", error "e").

    A string that begins like a formula (= + - @ tab CR) or reads like an error (#N/A) also gets
    quotePrefix, Excel's mark for "typed as text": shown as typed, and still text after an edit.
    """
    value = cell._value
    if not isinstance(value, str):
        return
    if cell.data_type in ("f", "e") or value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True


class _InertWriteOnlyWorksheet(WriteOnlyWorksheet):
    """A write-only sheet whose every appended cell is made inert as it is written."""

    def _values_to_row(self, values, row_idx):
        for cell in super()._values_to_row(values, row_idx):
            make_inert(cell)
            yield cell


class _Workbook(Workbook):
    def create_sheet(self, title=None, index=None):
        if not self.write_only:
            return super().create_sheet(title, index)
        ws = _InertWriteOnlyWorksheet(parent=self, title=title)
        self._add_sheet(sheet=ws, index=index)
        return ws


def new_workbook(*, write_only: bool = False) -> Workbook:
    """The one place a workbook is created; save it with `to_bytes`."""
    return _Workbook(write_only=write_only)


def neutralise(wb: Workbook) -> None:
    """Make every string cell of an ordinary workbook inert, whatever way it was written."""
    for ws in wb.worksheets:
        for cell in getattr(ws, "_cells", {}).values():
            make_inert(cell)


def to_bytes(wb: Workbook) -> bytes:
    if not wb.write_only:
        neutralise(wb)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def table_workbook(title: str, columns, rows) -> Workbook:
    """A one-sheet workbook: a header of `columns` ((header, width) pairs), then `rows`. Add sheets to it if
    needed; save it with `to_bytes`."""
    wb = new_workbook()
    ws = wb.active
    ws.title = title
    ws.append([header for header, _ in columns])
    for row in rows:
        ws.append(row)
    for index, (_, width) in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    return wb


@dataclass
class TemplateSpec:
    title: str  # the template's name, as messages cite it
    sheet: str  # name of the data sheet
    columns: tuple[Column, ...]
    instructions: list[str]  # lines of the 填写说明 sheet
    choices: dict  # column key -> allowed values (a drop-down list)
    max_rows: int
    example: list | None = None  # an example row shown in the 填写说明 sheet
    extra_sheets: dict | None = None  # further instruction sheets: name -> lines
    rows: list[list] | None = None  # data rows filled in under the header (the members a branch rates)


def template_workbook(spec: TemplateSpec) -> bytes:
    """The data sheet (header, text-formatted columns, drop-downs, any rows filled in) and a 填写说明 sheet."""
    wb = new_workbook()
    ws = wb.active
    ws.title = spec.sheet
    last_row = spec.max_rows + 1
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=safe_value(column.header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[letter].width = column.width
        # Text format, so long numbers and leading zeros survive as typed.
        ws.column_dimensions[letter].number_format = "@"
        values = spec.choices.get(column.key)
        if values:
            ws.add_data_validation(_list_validation(wb, column, values, f"{letter}2:{letter}{last_row}"))
    for values in spec.rows or []:
        ws.append(safe_row(values))
    ws.freeze_panes = "A2"

    notes = wb.create_sheet(INSTRUCTIONS_SHEET)
    notes.column_dimensions["A"].width = 100
    notes.append([safe_value(f"{spec.title} · 填写说明")])
    notes["A1"].font = Font(bold=True, size=14)
    for line in spec.instructions:
        notes.append([safe_value(line)])
    if spec.example:
        notes.append([])
        notes.append(["填写示例（请在“" + spec.sheet + "”工作表中填写，不要在本页填写）："])
        notes.append([safe_value(c.header) for c in spec.columns])
        notes.append([safe_value(v) for v in spec.example])
    for row in notes.iter_rows(min_row=2):
        row[0].alignment = Alignment(wrap_text=True, vertical="top")
    for name, lines in (spec.extra_sheets or {}).items():
        extra = wb.create_sheet(name)
        extra.column_dimensions["A"].width = 100
        extra.append([safe_value(name)])
        extra["A1"].font = Font(bold=True, size=14)
        for line in lines:
            extra.append([safe_value(line)])
            extra.cell(row=extra.max_row, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    wb.active = 0
    return to_bytes(wb)


def _list_validation(wb: Workbook, column: Column, values: list[str], cells: str) -> DataValidation:
    inline = ",".join(values)
    if len(inline) + 2 <= INLINE_LIST_LIMIT and not any("," in v or '"' in v for v in values):
        formula = f'"{inline}"'
    else:
        # Too long for an inline list: the values go to a hidden sheet, one column per list.
        sheet = wb[CHOICES_SHEET] if CHOICES_SHEET in wb.sheetnames else wb.create_sheet(CHOICES_SHEET)
        sheet.sheet_state = "hidden"
        col = get_column_letter(sheet.max_column + (1 if sheet["A1"].value is not None else 0))
        for i, v in enumerate(values, start=1):
            sheet[f"{col}{i}"] = safe_value(v)
        formula = f"{quote_sheetname(CHOICES_SHEET)}!${col}$1:${col}${len(values)}"
    dv = DataValidation(
        type="list",
        formula1=formula,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorTitle=f"{column.header}不正确",
        error=f"请从下拉列表中选择{column.header}。",
        promptTitle=column.header,
        prompt="请从下拉列表中选择。",
    )
    dv.add(cells)
    return dv


def result_workbook(report: ImportReport, *, sheet: str = "导入结果") -> bytes:
    """The uploaded rows at their own row numbers, with 结果 and 说明 beside each.

    It keeps the template's header, so the admin can correct the failed rows
    in it and upload it again (created rows are then skipped).
    """
    wb = new_workbook()
    ws = wb.active
    ws.title = sheet
    width = max([len(report.headers)] + [len(r.cells) for r in report.rows])
    headers = list(report.headers) + [""] * (width - len(report.headers)) + ["结果", "说明"]
    for index, text in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=index, value=safe_value(_text(text)))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = 24
    ws.column_dimensions[get_column_letter(width + 2)].width = 70
    for result in report.rows:
        for index, value in enumerate(result.cells, start=1):
            if value is not None and value != "":
                ws.cell(row=result.row, column=index, value=safe_value(value))
        status = ws.cell(row=result.row, column=width + 1, value=result.status)
        ws.cell(row=result.row, column=width + 2, value=safe_value(result.message))
        fill = STATUS_FILLS.get(result.status)
        if fill:
            status.fill = fill
    ws.freeze_panes = "A2"
    _reasons_sheet(wb, report)
    return to_bytes(wb)


REASONS_SHEET = "错误汇总"
CELL_LIMIT = 32_000  # Excel holds at most 32,767 characters in a cell


def _reasons_sheet(wb: Workbook, report: ImportReport) -> None:
    """Each reason a row failed, once, with how many rows, which rows and whose (issue 13: not 393 lines)."""
    groups = report.failed_by_reason
    if not groups:
        return
    ws = wb.create_sheet(REASONS_SHEET)
    for index, (text, width) in enumerate((("错误说明", 70), ("行数", 8), ("行号", 30), ("姓名/名称", 40)), start=1):
        cell = ws.cell(row=1, column=index, value=text)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        ws.column_dimensions[get_column_letter(index)].width = width
    for group in groups:
        ws.append(
            [
                safe_value(group["message"]),
                len(group["rows"]),
                _clip("、".join(str(n) for n in group["rows"])),
                safe_value(_clip("、".join(group["names"]))),
            ]
        )
    ws.freeze_panes = "A2"


def _clip(text: str) -> str:
    return text if len(text) <= CELL_LIMIT else text[: CELL_LIMIT - 1] + "…"


def _text(value) -> str:
    return "" if value is None else str(value)
