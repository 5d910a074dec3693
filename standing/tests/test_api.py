"""API.md's 团籍 status rows, as written, and their refusals (issue 18 item 6)."""

import pytest

from people.models import Person
from workflow.models import Process

from .conftest import leave

pytestmark = pytest.mark.django_db
J = "application/json"


def test_status_change_request_and_approval_through_the_engine(st_tree, api_login):
    t = st_tree
    api = api_login(t.branch_admin)
    r = api.post(f"/api/v1/people/{t.member.id}/status-changes",
                 {"status": "自行脱团", "reason": "连续6个月不交纳团费", "explanation": "多次联系未果"}, content_type=J)  # fmt: skip
    assert r.status_code == 201, r.content
    process_id = r.json()["process_id"]
    person = api.get(f"/api/v1/orgs/{t.branch.id}/members").json()["items"]
    mine = next(i["person"] for i in person if i["person"]["id"] == t.member.id)
    assert (mine["league_status"], mine["pending_status"]) == ("正常", "自行脱团")
    # the branch admin cannot approve; the 团总支 can
    assert api.post(f"/api/v1/processes/{process_id}/approve", {"opinion": ""}, content_type=J).status_code == 403
    r = api_login(t.general_admin).post(f"/api/v1/processes/{process_id}/approve", {"opinion": "同意"}, content_type=J)
    assert r.status_code == 200, r.content
    assert Person.objects.get(pk=t.member.pk).league_status == "自行脱团"


def test_status_change_refusals(st_tree, api_login):
    t = st_tree
    api = api_login(t.branch_admin)
    url = f"/api/v1/people/{t.member.id}/status-changes"
    r = api.post(url, {"status": "自愿退团", "reason": ""}, content_type=J)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    assert "原因" in r.json()["message"]
    r = api.post(url, {"status": "自行脱团", "reason": "不想参加"}, content_type=J)
    assert r.status_code == 422 and "连续6个月" in r.json()["message"]
    assert api.post(url, {"status": "正常", "reason": "x"}, content_type=J).status_code in (400, 422)
    assert api_login(t.outsider).post(url, {"status": "自愿退团", "reason": "x"}, content_type=J).status_code == 404
    assert not Process.objects.filter(subject_person=t.member).exists()
    # an open transfer: 409 naming it
    other = api_login(t.general_admin).post(f"/api/v1/orgs/{t.general.id}/children",
                                            {"short_name": "另一个团支部", "category": "团支部"}, content_type=J).json()  # fmt: skip
    r = api.post("/api/v1/transfers", {"person_id": t.member.id, "to_org_id": other["id"], "reason": "其他"},
                 content_type=J)  # fmt: skip
    assert r.status_code == 201, r.content
    r = api.post(url, {"status": "自愿退团", "reason": "本人申请"}, content_type=J)
    assert r.status_code == 409 and r.json()["code"] == "process_open"
    assert r.json()["errors"][0]["kind"] == "组织关系转接"


def test_overage_list_and_bulk_request(st_tree, api_login):
    t = st_tree
    api = api_login(t.general_admin)
    out = api.get(f"/api/v1/orgs/{t.general.id}/overage").json()
    assert out["count"] == 2 and {i["person"]["id"] for i in out["items"]} == {t.old.id, t.old2.id}
    assert all(i["age"] >= 28 and "*" in i["person"]["id_number"] for i in out["items"])
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.general.id}/overage").status_code == 404
    r = api_login(t.branch_admin).post(f"/api/v1/orgs/{t.branch.id}/overage/status-changes",
                                       {"person_ids": [t.old.id, t.old2.id]}, content_type=J)  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["count"] == 2
    again = api.get(f"/api/v1/orgs/{t.general.id}/overage").json()["items"]
    assert {i["person"]["pending_status"] for i in again} == {"超龄离团"}
    r = api_login(t.branch_admin).post(f"/api/v1/orgs/{t.branch.id}/overage/status-changes",
                                       {"person_ids": [t.member.id]}, content_type=J)  # fmt: skip
    assert r.status_code == 409 and r.json()["errors"][0]["person_id"] == t.member.id


def test_left_members_and_restore(st_tree, api_login):
    t = st_tree
    leave(t, t.member)
    out = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/left-members").json()
    assert out["count"] == 1
    item = out["items"][0]
    assert item["left_org_id"] == t.branch.id and item["person"]["league_status"] == "自愿退团"
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.college.id}/left-members").status_code == 404
    api = api_login(t.branch_admin)
    url = f"/api/v1/people/{t.member.id}/restore"
    assert api.post(url, {"branch_id": t.branch.id, "reason": ""}, content_type=J).status_code == 422
    assert api.post(url, {"branch_id": t.other_province.id, "reason": "恢复"}, content_type=J).status_code == 404
    r = api_login(t.college_admin).post(url, {"branch_id": t.branch.id, "reason": "恢复"}, content_type=J)
    assert r.status_code == 403 and "管理员" in r.json()["message"]  # two levels above the branch: out of reach
    r = api.post(url, {"branch_id": t.branch.id, "reason": "误操作，恢复团籍"}, content_type=J)
    assert r.status_code == 201, r.content
    r = api_login(t.general_admin).post(f"/api/v1/processes/{r.json()['process_id']}/approve", {"opinion": ""},
                                        content_type=J)  # fmt: skip
    assert r.status_code == 200
    p = Person.objects.get(pk=t.member.pk)
    assert (p.league_status, p.branch_id) == ("正常", t.branch.id)
