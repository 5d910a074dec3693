"""ID numbers and mobiles masked by default, everywhere (issue 12, item 10).

Before: a branch admin's 团员列表, 修改团员信息 page, GET /orgs/{id}/members and members.xlsx showed every
member's ID number and mobile in full. Now they are masked for every reader; one record is revealed on
request (a POST, audited); the full export asks for a reason, is audited with it and carries the
exporting admin's name and the time in the file.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from audit.services import ID_VIEW_VERB
from conftest import make_person_plain
from core.pii import mask_id_number, mask_mobile
from people import export
from people.models import Person

MOBILE = "13955556666"


@pytest.fixture
def branch(tree):
    tree.other = make_person_plain("另一团员", "20010203", branch=tree.branch, mobile=MOBILE)
    return tree


def _full_values(t):
    return [t.member.id_number, t.other.id_number, MOBILE]


def _shows_none(text: str, t) -> bool:
    return not any(v in text for v in _full_values(t))


def test_the_member_list_page_is_masked_for_the_branch_admin(branch, client):
    client.force_login(branch.branch_admin)
    page = client.get(reverse("people:members", args=[branch.branch.id])).content.decode()
    assert branch.other.name in page and _shows_none(page, branch)
    assert mask_id_number(branch.other.id_number) in page and mask_mobile(MOBILE) in page


def test_the_member_page_is_masked_and_an_empty_mobile_keeps_the_number(branch, client):
    client.force_login(branch.branch_admin)
    url = reverse("people:member_edit", args=[branch.other.id])
    page = client.get(url).content.decode()
    assert _shows_none(page, branch) and mask_mobile(MOBILE) in page
    form = {"league_join_date": "2015-09", "political_status": "团员", "ethnicity": "汉族", "education": "大学本科",
            "occupation": "学生", "mobile": "", "email": ""}  # fmt: skip
    assert client.post(url, form).status_code == 302
    assert Person.objects.get(pk=branch.other.pk).mobile == MOBILE
    assert client.post(url, {**form, "mobile": "13700001111"}).status_code == 302
    assert Person.objects.get(pk=branch.other.pk).mobile == "13700001111"


def test_the_api_member_list_is_masked_for_the_branch_admin(branch, api_login):
    r = api_login(branch.branch_admin).get(f"/api/v1/orgs/{branch.branch.id}/members")
    assert r.status_code == 200 and _shows_none(r.content.decode(), branch)
    item = next(i for i in r.json()["items"] if i["person"]["id"] == branch.other.id)
    assert item["person"]["id_number"] == mask_id_number(branch.other.id_number)
    assert item["person"]["mobile"] == mask_mobile(MOBILE)


def _workbook_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content))
    return str([list(ws.iter_rows(values_only=True)) for ws in wb.worksheets])


def test_the_default_export_is_masked_for_the_branch_admin_on_page_and_api(branch, client, api_login):
    client.force_login(branch.branch_admin)
    page = client.get(reverse("people:members_export", args=[branch.branch.id]))
    api = api_login(branch.branch_admin).get(f"/api/v1/orgs/{branch.branch.id}/members.xlsx")
    for response in (page, api):
        assert response.status_code == 200
        text = _workbook_text(response.content)
        assert branch.other.name in text and _shows_none(text, branch)
        assert mask_id_number(branch.other.id_number) in text


def test_one_record_is_revealed_on_request_and_audited(branch, client, api_login):
    client.force_login(branch.branch_admin)
    url = reverse("people:reveal", args=[branch.other.id])
    assert client.get(url).status_code == 405  # a POST: no link or prefetch reveals anything
    shown = client.post(url).content.decode()
    assert branch.other.id_number in shown and MOBILE in shown and branch.member.id_number not in shown
    api = api_login(branch.branch_admin)
    body = api.post(f"/api/v1/orgs/{branch.branch.id}/people/{branch.other.id}/reveal").json()
    assert body == {"person_id": branch.other.id, "name": branch.other.name, "id_number": branch.other.id_number,
                    "mobile": MOBILE}  # fmt: skip
    events = AuditEvent.objects.filter(verb=ID_VIEW_VERB, target_id=str(branch.other.id))
    assert events.count() == 2 and {e.actor_id for e in events} == {branch.branch_admin.pk}
    assert all(e.org_id == branch.branch.id and e.changes["count"] == 1 for e in events)
    assert branch.other.id_number not in str(list(AuditEvent.objects.values_list("changes", "target_label")))


@pytest.mark.parametrize("who,page_status,api_status", [
    ("general_admin", 404, 403),  # a superior reads the masked list only (P9)
    ("outsider", 404, 404),
    ("member", 404, 404),
])  # fmt: skip
def test_a_reveal_is_for_the_records_manager_only(branch, client, api_login, who, page_status, api_status):
    actor = getattr(branch, who)
    client.force_login(actor)
    assert client.post(reverse("people:reveal", args=[branch.other.id])).status_code == page_status
    api = api_login(actor).post(f"/api/v1/orgs/{branch.branch.id}/people/{branch.other.id}/reveal")
    assert api.status_code == api_status
    assert not AuditEvent.objects.filter(verb=ID_VIEW_VERB).exists()


def test_the_full_export_asks_for_a_reason(branch, client, api_login):
    client.force_login(branch.branch_admin)
    page = client.post(reverse("people:members_export", args=[branch.branch.id]), {"reason": "  "})
    assert page.status_code == 400 and "须填写用途" in page.content.decode()
    api = api_login(branch.branch_admin)
    r = api.post(f"/api/v1/orgs/{branch.branch.id}/members.xlsx", {"reason": ""}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "reason_required" and "用途" in r.json()["message"]
    assert not AuditEvent.objects.filter(verb=export.FULL_VERB).exists()


@pytest.mark.parametrize("how", ["page", "api"])
def test_the_full_export_is_audited_with_its_reason_and_names_the_exporter_in_the_file(branch, client, api_login, how):
    reason = "报送校团委核对团籍"
    if how == "page":
        client.force_login(branch.branch_admin)
        r = client.post(reverse("people:members_export", args=[branch.branch.id]), {"reason": reason})
    else:
        r = api_login(branch.branch_admin).post(
            f"/api/v1/orgs/{branch.branch.id}/members.xlsx", {"reason": reason}, content_type="application/json"
        )
    assert r.status_code == 200, r.content[:300]
    wb = load_workbook(io.BytesIO(r.content))
    data = [list(row) for row in wb[export.SHEET].iter_rows(values_only=True)]
    other = next(row for row in data if row[1] == branch.other.name)
    assert other[2] == branch.other.id_number and other[10] == MOBILE
    notes = dict((row[0], row[1]) for row in wb["说明"].iter_rows(values_only=True))
    assert notes["导出人"] == branch.branch_admin.name and notes["用途"] == reason and notes["导出时间"]
    assert wb.properties.creator == branch.branch_admin.name
    event = AuditEvent.objects.get(verb=export.FULL_VERB)
    assert event.actor_id == branch.branch_admin.pk and event.org_id == branch.branch.id
    assert event.changes["reason"] == reason and event.changes["count"] == 3 and event.changes["full"] == 3


def test_a_superior_cannot_export_full_numbers(branch, client, api_login):
    r = api_login(branch.general_admin).post(
        f"/api/v1/orgs/{branch.general.id}/members.xlsx", {"reason": "核对"}, content_type="application/json"
    )
    assert r.status_code == 403
    client.force_login(branch.general_admin)
    page = client.post(reverse("people:members_export", args=[branch.general.id]), {"reason": "核对"})
    assert page.status_code == 403 and "只有团支部管理员" in page.content.decode()
    assert not AuditEvent.objects.filter(verb=export.FULL_VERB).exists()
