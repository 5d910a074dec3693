"""Bulk 重置密码验证码 for a branch (SPEC §7, P8): the page download and POST /api/v1/orgs/{id}/reset-codes.xlsx."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import reset
from accounts.models import PasswordResetCode
from core.exceptions import DomainError
from imports.tests.xlsx import open_xlsx
from people.models import Person

NEW_PASSWORD = "Xin#Mima2026"
HEADER = ["姓名", "身份证号码", "重置密码验证码", "有效期至"]


def download_page(tree, client):
    client.force_login(tree.branch_admin)
    return client.post(reverse("people:reset_codes_branch", args=[tree.branch.id]))


def download_api(tree, client, api_login):
    return api_login(tree.branch_admin).post(f"/api/v1/orgs/{tree.branch.id}/reset-codes.xlsx")


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response["Content-Disposition"].startswith("attachment;")
    ws = open_xlsx(response.content).active
    assert ws.title == "重置密码验证码"
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    return rows[1:]


@pytest.mark.parametrize("download", [download_page, download_api], ids=["page", "api"])
def test_the_workbook_has_one_working_code_per_member(download, tree, client, api_login, make_person):
    for i in range(3):
        make_person(f"团员{i}", branch=tree.branch)
    members = list(Person.objects.filter(branch=tree.branch))
    kwargs = {"api_login": api_login} if download is download_api else {}
    rows = rows_of(download(tree, client, **kwargs))
    assert len(rows) == len(members) == 5
    by_name = {r[0]: r for r in rows}
    assert set(by_name) == {m.name for m in members}
    for m in members:
        _, masked, code, expires = by_name[m.name]
        assert masked == m.id_number_masked and m.id_number not in str(rows)  # never the full ID number
        assert len(code) == reset.LENGTH and expires
    # Every code works once with 忘记密码, for its own member only.
    member = Person.objects.get(pk=tree.member.pk)
    other_code = by_name[tree.branch_admin.name][2]
    with pytest.raises(DomainError):
        reset.password_reset(id_number=member.id_number, code=other_code, new_password=NEW_PASSWORD)
    reset.password_reset(id_number=member.id_number, code=by_name[member.name][2], new_password=NEW_PASSWORD)
    assert Person.objects.get(pk=member.pk).check_password(NEW_PASSWORD)
    with pytest.raises(DomainError):
        reset.password_reset(id_number=member.id_number, code=by_name[member.name][2], new_password=NEW_PASSWORD)


def test_a_second_download_replaces_the_first_codes(tree, client, api_login):
    first = {r[0]: r[2] for r in rows_of(download_api(tree, client, api_login))}
    second = {r[0]: r[2] for r in rows_of(download_page(tree, client))}
    member = tree.member
    with pytest.raises(DomainError):
        reset.password_reset(id_number=member.id_number, code=first[member.name], new_password=NEW_PASSWORD)
    reset.password_reset(id_number=member.id_number, code=second[member.name], new_password=NEW_PASSWORD)
    assert PasswordResetCode.objects.filter(person=member, used_at=None, replaced_at=None).count() == 0


@pytest.mark.parametrize("who", ["general_admin", "uni_admin", "member"])
def test_only_the_branch_admin_downloads(who, tree, client, api_login):
    response = api_login(getattr(tree, who)).post(f"/api/v1/orgs/{tree.branch.id}/reset-codes.xlsx")
    assert response.status_code in (403, 404)
    assert not PasswordResetCode.objects.exists()


def test_a_committee_is_not_a_branch(tree, api_login):
    response = api_login(tree.general_admin).post(f"/api/v1/orgs/{tree.general.id}/reset-codes.xlsx")
    assert response.status_code == 422 and response.json()["code"] == "not_a_branch"


def test_issuing_is_bulk_whatever_the_number_of_members(tree, make_person):
    def issue() -> int:
        with CaptureQueriesContext(connection) as ctx:
            reset.reset_codes_issue_branch(branch=tree.branch, actor=tree.branch_admin)
        return len(ctx.captured_queries)

    issue()  # warm-up: the actor's admin posts are cached after the first look
    few = issue()
    for i in range(20):
        make_person(f"新团员{i}", branch=tree.branch)
    assert issue() == few
    assert PasswordResetCode.objects.filter(used_at=None, replaced_at=None).count() == 22


def test_the_workbook_is_named_after_the_branch(tree, api_login):
    """Issue 14 (11): the download carries the organisation's name, not an internal id."""
    from urllib.parse import unquote

    response = api_login(tree.branch_admin).post(f"/api/v1/orgs/{tree.branch.id}/reset-codes.xlsx")
    assert response.status_code == 200
    name = unquote(response["Content-Disposition"].split("''", 1)[1])
    assert name.startswith("重置密码验证码_五年制临床医学2017级3班团支部_") and name.endswith(".xlsx")
    assert str(tree.branch.id) not in name.split("_")[1]
