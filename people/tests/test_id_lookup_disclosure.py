"""Where an ID number is registered is not told to admins outside the holder's subtree (issue 12, item 7).

An admin of a branch in another province who types a Jiangsu member's name and ID number into member
entry, a member import or 办理转入 learns that the person is on record and how to proceed (办理转入, which
goes to the holding side), never which branch holds them. Inside the actor's own subtree the holder
is named, as before.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import make_person_plain
from imports.importers import members as member_import
from orgs import services as org_services
from orgs.rules import Category
from people.admins import org_admin_add
from people.members import HELD_ELSEWHERE_MESSAGE
from people.services import cadre_assign
from people.tests.test_member_import import row, xlsx
from transfers import services as transfer_services
from transfers.models import TransferRequest

REASON = "工作调动"


@pytest.fixture
def far(tree):
    """A branch in 团浙江省委 with its own admin: the attacker."""
    tree.far_branch = org_services.org_create_child(
        parent=tree.other_province, short_name="杭州某某社区团支部", category=Category.BRANCH, actor=tree.outsider
    )
    tree.far_admin = make_person_plain("浙江书记", "19980303", branch=tree.far_branch)
    cadre_assign(person=tree.far_admin, org=tree.far_branch, position="书记")
    org_admin_add(org=tree.far_branch, person=tree.far_admin)
    return tree


def _names_the_holder(text: str, tree) -> bool:
    return any(n in text for n in (tree.branch.full_name, tree.branch.short_name, "临床医学", tree.branch_admin.name))


def _victim(tree):
    return {"name": tree.member.name, "id_number": tree.member.id_number, "ethnicity": "汉族",
            "political_status": "团员", "league_join_date": "2013-09", "education": "大学本科",
            "occupation": "学生", "mobile": "13800000000", "email": ""}  # fmt: skip


def test_member_entry_from_another_province_does_not_name_the_holding_branch(far, api_login):
    r = api_login(far.far_admin).post(
        f"/api/v1/orgs/{far.far_branch.id}/members", {"person": _victim(far)}, content_type="application/json"
    )
    assert r.status_code == 409, r.content
    body = r.content.decode()
    assert not _names_the_holder(body, far)
    assert r.json()["message"] == HELD_ELSEWHERE_MESSAGE and "办理转入" in r.json()["message"]


def test_member_entry_page_from_another_province_does_not_name_the_holding_branch(far, client):
    client.force_login(far.far_admin)
    # The page of 录入团员 is the member import; one row is enough.
    data = xlsx([row(far.member.name, id_number=far.member.id_number)])
    r = client.post(
        reverse("people:member_import_preview", args=[far.far_branch.id]),
        {"file": SimpleUploadedFile("members.xlsx", data)},
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "已在系统中登记" in page and not _names_the_holder(page, far)


def test_a_member_import_row_from_another_province_does_not_name_the_holding_branch(far, api_login):
    data = xlsx([row(far.member.name, id_number=far.member.id_number)])
    r = api_login(far.far_admin).post(
        f"/api/v1/orgs/{far.far_branch.id}/people/import?dry_run=false",
        {"file": SimpleUploadedFile("members.xlsx", data)},
    )
    assert r.status_code == 200, r.content
    [failed] = r.json()["failed"]
    assert failed["message"] == HELD_ELSEWHERE_MESSAGE
    assert not _names_the_holder(r.content.decode(), far)


def test_inside_the_subtree_the_holding_branch_is_named(tree):
    """The 团总支 enters, into one of its branches, a member of its other branch: it may know where."""
    other = org_services.org_create_child(
        parent=tree.general, short_name="口腔2017级1班团支部", category=Category.BRANCH, actor=tree.general_admin
    )
    held = make_person_plain("已在别处", "20020202", branch=other)
    report = member_import.member_import(
        branch=tree.branch, file_or_rows=[row("已在别处", id_number=held.id_number)], actor=tree.general_admin,
        dry_run=True,
    )  # fmt: skip
    assert other.full_name in report.failed[0].message and "办理转入" in report.failed[0].message
    # The branch's own admin cannot see its sibling branch: not named.
    report = member_import.member_import(
        branch=tree.branch, file_or_rows=[row("已在别处", id_number=held.id_number)], actor=tree.branch_admin,
        dry_run=True,
    )  # fmt: skip
    assert report.failed[0].message == HELD_ELSEWHERE_MESSAGE


def test_transfer_in_from_another_province_does_not_name_the_holding_branch(far, api_login):
    client = api_login(far.far_admin)
    r = client.post("/api/v1/transfers", {"name": far.member.name, "id_number": far.member.id_number,
                    "to_org_id": far.far_branch.id, "reason": REASON}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["from_org_id"] is None and "转出方同意后显示" in body["from_org"]
    assert not _names_the_holder(r.content.decode(), far)
    for answer in (
        client.get(f"/api/v1/transfers/{body['id']}"),
        client.get(f"/api/v1/transfers?org_id={far.far_branch.id}"),
    ):
        assert answer.status_code == 200 and not _names_the_holder(answer.content.decode(), far)
    # The sending side sees where the member is, and its decision reveals nothing to the receiver if it says no.
    assert api_login(far.branch_admin).get(f"/api/v1/transfers/{body['id']}").json()["from_org"] == far.branch.full_name
    transfer_services.transfer_reject(transfer=TransferRequest.objects.get(pk=body["id"]), actor=far.branch_admin,
                                      reason="不同意")  # fmt: skip
    after = client.get(f"/api/v1/transfers/{body['id']}")
    assert after.json()["status"] == "已驳回" and not _names_the_holder(after.content.decode(), far)


def test_once_the_sending_side_agrees_the_receiver_sees_where_the_member_came_from(far, api_login):
    r = api_login(far.far_admin).post("/api/v1/transfers", {"name": far.member.name, "id_number": far.member.id_number,
                                      "to_org_id": far.far_branch.id, "reason": REASON}, content_type="application/json")  # fmt: skip
    done = api_login(far.branch_admin).post(f"/api/v1/transfers/{r.json()['id']}/approve")
    assert done.json()["status"] == "已完成"
    assert (
        api_login(far.far_admin).get(f"/api/v1/transfers/{r.json()['id']}").json()["from_org"] == far.branch.full_name
    )


def test_transfer_in_pages_do_not_name_the_holding_branch(far, client):
    client.force_login(far.far_admin)
    r = client.post(reverse("transfers:in"), {"name": far.member.name, "id_number": far.member.id_number,
                    "reason": REASON}, follow=True)  # fmt: skip
    assert r.status_code == 200 and "已提交" in r.content.decode()
    assert "转出方同意后显示" in r.content.decode() and not _names_the_holder(r.content.decode(), far)
    listing = client.get(reverse("transfers:list"))
    assert listing.status_code == 200 and not _names_the_holder(listing.content.decode(), far)


def test_transfer_in_of_a_branch_admin_from_another_province_does_not_name_the_branch(far, api_login):
    r = api_login(far.far_admin).post("/api/v1/transfers", {"name": far.branch_admin.name,
                                      "id_number": far.branch_admin.id_number, "to_org_id": far.far_branch.id,
                                      "reason": REASON}, content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "person_is_admin"
    assert not _names_the_holder(r.json()["message"].replace(far.branch_admin.name, ""), far)
