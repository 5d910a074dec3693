"""ID numbers typed as numbers are refused, never guessed (issue 12 item 9).

Excel keeps 15 significant digits of a number: 320102199601020123 typed into a
cell not formatted as text is stored as 3.20102199601020E+17. When what is left
(…020000 after padding) still passes the check digit, about one time in eleven,
it is another person's ID number, and the import used to store it. Every import
that reads ID numbers (members of a branch, cadres of a committee) now refuses a
numeric ID cell, whatever its length, with how to fix the column; nothing is
written for that row. The attack is played from the outside: a real .xlsx file
through POST /api/v1/orgs/{id}/people/import and through the import pages.
"""

import itertools
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_id_number
from core.validators import id_check_char
from excel import readers
from imports import importers
from imports.importers import cadres
from imports.importers import members as member_import
from imports.tests.xlsx import make_xlsx
from people.models import Person


def truncated_yet_valid() -> tuple[str, float]:
    """(the real ID number, the float Excel keeps of it) where the float's 18 digits pass the check digit too."""
    for day, digit in itertools.product(range(10, 29), range(10)):
        first15 = f"320102199601{day:02d}{digit}"  # region, birth date, first serial digit
        if id_check_char(first15 + "00") == "0":
            real17 = first15 + "12"
            return real17 + id_check_char(real17), float(first15 + "000")
    raise AssertionError("none found")


def member_file(id_value) -> bytes:
    header = [c.header for c in member_import.COLUMNS]
    values = {
        "name": "数字号码",
        "id_number": id_value,
        "political_status": "团员",
        "league_join_date": "2016-05",
        "ethnicity": "汉族",
        "education": "大学本科",
        "occupation": "学生",
    }
    return make_xlsx([header, [values.get(c.key, "") for c in member_import.COLUMNS]], title=member_import.SHEET)


def cadre_file(id_value) -> bytes:
    header = [c.header for c in cadres.COLUMNS]
    row = ["数字号码", id_value, "委员", "团员", "2012-09", "汉族", "大学本科", "在职", "13912345678"]
    return make_xlsx([header, row], title=cadres.SHEET)


def api_upload(client, org, content: bytes):
    return client.post(f"/api/v1/orgs/{org.id}/people/import", {"file": SimpleUploadedFile("p.xlsx", content)})


def numeric_values():
    _, kept = truncated_yet_valid()
    exact = make_id_number("19960303")
    while exact.endswith("X"):
        exact = make_id_number("19960303")
    return {
        "excel-truncated-still-valid": kept,  # the float Excel writes for `real`
        "18-digit-int": int(exact),  # exactly right, but no number can be trusted to be
        "15-digit-int": 320102960303123,
        "short-float": 12345.0,
    }


VALUES = numeric_values()


def test_the_attack_file_really_holds_a_valid_wrong_number():
    real, kept = truncated_yet_valid()
    digits = f"{Decimal(repr(kept)):f}"  # the 18 digits Excel's 15 significant digits stand for
    assert len(digits) == 18 and digits != real and digits[:15] == real[:15]
    assert id_check_char(digits[:17]) == digits[17]  # passes the check digit: another valid ID number


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(VALUES))
def test_a_member_import_refuses_a_numeric_id_cell_and_writes_nothing(tree, api_login, name):
    before = Person.objects.count()
    response = api_upload(api_login(tree.branch_admin), tree.branch, member_file(VALUES[name]))
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["created"] == 0
    message = body["failed"][0]["message"]
    assert "存成了数字" in message and "文本" in message and "重新输入完整的18位号码" in message
    assert Person.objects.count() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(VALUES))
def test_a_cadre_import_refuses_a_numeric_id_cell_and_writes_nothing(tree, api_login, name):
    before = Person.objects.count()
    response = api_upload(api_login(tree.college_admin), tree.college, cadre_file(VALUES[name]))
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert body["created"] == 0
    assert "存成了数字" in body["failed"][0]["message"] and "文本" in body["failed"][0]["message"]
    assert Person.objects.count() == before


@pytest.mark.django_db
def test_the_message_never_holds_the_whole_number(tree, api_login):
    real, kept = truncated_yet_valid()
    body = api_upload(api_login(tree.branch_admin), tree.branch, member_file(kept)).json()
    message = body["failed"][0]["message"]
    assert "3.20102E+17" in message
    assert f"{Decimal(repr(kept)):f}" not in message and real not in message


@pytest.mark.django_db
def test_the_member_import_page_refuses_it_too(tree, client):
    _, kept = truncated_yet_valid()
    client.force_login(tree.branch_admin)
    response = client.post(
        reverse("people:member_import_preview", args=[tree.branch.pk]),
        {"file": SimpleUploadedFile("m.xlsx", member_file(kept))},
    )
    assert response.status_code == 200
    assert "存成了数字" in response.content.decode()


@pytest.mark.django_db
def test_the_cadre_import_page_refuses_it_too(tree, client):
    _, kept = truncated_yet_valid()
    client.force_login(tree.college_admin)
    response = client.post(
        reverse("people:cadre_import_preview", args=[tree.college.pk]),
        {"file": SimpleUploadedFile("c.xlsx", cadre_file(kept))},
    )
    assert response.status_code == 200
    assert "存成了数字" in response.content.decode()


@pytest.mark.django_db
def test_text_id_numbers_still_go_in(tree, api_login):
    id_number = make_id_number("20030505")
    body = api_upload(api_login(tree.branch_admin), tree.branch, member_file(id_number)).json()
    assert body["created"] == 1, body
    assert Person.objects.filter(name="数字号码").get().id_number == id_number


def test_one_function_reads_id_cells_for_every_import():
    # Members and cadres read their personal cells through imports.importers.person_cells (issue 13 item 4).
    assert importers.person_cells({"id_number": "1"})[0]["id_number"] == "1"
    assert importers._CONVERTERS["id_number"] is readers.id_number_cell
    assert not hasattr(cadres, "excel_id_number") and not hasattr(member_import, "id_number_cell")
    assert readers.id_number_cell(" 32010219960101001X ") == "32010219960101001X"
    assert readers.id_number_cell(True) == "True"  # not a number: left to the ID-number check
