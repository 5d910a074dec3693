"""Building workbooks in tests."""

import io

from openpyxl import Workbook, load_workbook


def make_xlsx(rows: list[list], *, title: str = "Sheet") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def open_xlsx(content: bytes):
    return load_workbook(io.BytesIO(content))
