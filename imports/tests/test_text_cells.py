"""Exported text values round-trip unchanged and never become formulas (issue 12 item 18).

Exports used to add a visible leading ' to every value beginning with = + - @,
so "+86 138 0000 0000" came back as "'+86 138 0000 0000". Every string is now
stored as a text cell (t="inlineStr", never a formula), with Excel's quotePrefix
mark where it begins like a formula: the value reads back identical through the
project's own reader (excel.readers: check_workbook, then python-calamine in
its child process) and through openpyxl, and no cell is a formula. Played from
the outside: the result workbook of an upload (API and page) and the member
export (API).
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from excel import readers
from excel.workbooks import FORMULA_TRIGGERS, new_workbook, to_bytes
from imports.importers import children as batch

TEXTS = [
    "=1+1",
    "+86 138 0000 0000",
    "-5",
    "@SUM(1,2)",
    '=HYPERLINK("http://evil.example","点我")',
    "#N/A",
    "'already quoted",
    "普通文字",
]
HEADER = ["组织简称", "组织类别", "组织全称（可选，留空则自动生成）"]


def read_back(content: bytes, sheet: str | None = None) -> list[list]:
    readers.check_workbook(content)  # refuses any formula, naming its cell
    return readers.parse_sheet(content, sheet_name=sheet)


def assert_text_cells(content: bytes, texts) -> None:
    found = {}
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{cell.coordinate} is a formula"
                if cell.value in texts:
                    found[cell.value] = cell
    assert set(found) == set(texts)
    for value, cell in found.items():
        assert cell.data_type == "s"
        if value.startswith(FORMULA_TRIGGERS) or value == "#N/A":
            assert cell.quotePrefix, f"{value!r} has no quotePrefix"


@pytest.mark.parametrize("write_only", [False, True], ids=["ordinary", "write-only"])
def test_every_workbook_kind_stores_text_as_text(write_only):
    wb = new_workbook(write_only=write_only)
    ws = wb.create_sheet("数据") if write_only else wb.active
    ws.title = "数据"
    ws.append(["值"])
    for text in TEXTS:
        ws.append([text])
    content = to_bytes(wb)
    assert [row[0] for row in read_back(content, "数据")[1:]] == TEXTS
    assert_text_cells(content, TEXTS)


def uploaded_children_file() -> bytes:
    """Text cells as Excel stores what an admin typed: '=1+1 is the text =1+1."""
    wb = Workbook()
    ws = wb.active
    ws.title = batch.SHEET
    ws.append(HEADER)
    for index, text in enumerate(TEXTS, start=2):
        ws.cell(row=index, column=1, value=text).data_type = "s"
        ws.cell(row=index, column=2, value="团支部")
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@pytest.mark.django_db
def test_the_result_workbook_from_the_api_gives_back_the_values_as_uploaded(tree, api_login):
    response = api_login(tree.general_admin).post(
        f"/api/v1/orgs/{tree.general.id}/children/import?dry_run=true&format=xlsx",
        {"file": SimpleUploadedFile("orgs.xlsx", uploaded_children_file())},
    )
    assert response.status_code == 200, response.content[:300]
    table = read_back(response.content)
    assert [row[0] for row in table[1 : len(TEXTS) + 1]] == TEXTS
    assert_text_cells(response.content, TEXTS)


@pytest.mark.django_db
def test_the_result_workbook_of_the_page_gives_back_the_values_as_uploaded(tree, client):
    client.force_login(tree.general_admin)
    preview = client.post(
        reverse("orgs:children_import_preview", args=[tree.general.id]),
        {"file": SimpleUploadedFile("orgs.xlsx", uploaded_children_file())},
    )
    token = preview.context["result_token"]
    response = client.get(reverse("orgs:children_import_result", args=[tree.general.id, token]))
    assert response.status_code == 200
    assert [row[0] for row in read_back(response.content)[1 : len(TEXTS) + 1]] == TEXTS
    assert_text_cells(response.content, TEXTS)


@pytest.mark.django_db
def test_the_member_export_gives_back_names_as_stored(tree, api_login, make_person):
    names = ["=1+1", "+86 138 0000 0000", "@SUM(1,2)", "-减号开头"]
    for index, name in enumerate(names):
        make_person(name, birth=f"2000010{index + 1}", branch=tree.branch)
    response = api_login(tree.general_admin).get(f"/api/v1/orgs/{tree.general.id}/members.xlsx")
    assert response.status_code == 200, response.content[:300]
    table = read_back(response.content)
    assert set(names) <= {row[1] for row in table[1:]}
    assert_text_cells(response.content, names)
