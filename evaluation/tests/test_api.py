"""API.md's 两制 table, as written, and its refusals (issue 16 item 7)."""

import datetime as dt

import pytest
from django.utils import timezone

from evaluation.models import EvalRound, Evaluation, Item

from .conftest import approved

pytestmark = pytest.mark.django_db


def put(client, url, body):
    return client.put(url, body, content_type="application/json")


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_the_whole_year_through_the_api(ev_tree, api_login):
    t = ev_tree
    branch = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/evaluations/{t.year}"
    got = branch.get(url).json()
    assert got["status"] == "未开始" and got["excellent_limit"] == 3 and len(got["items"]) == 12
    assert set(got["items"][0]) == {"person_id", "name", "participates", "excluded_reason", "proposed_level",
                                    "approved_level", "correction_until", "talk"}  # fmt: skip
    today = str(timezone.localdate())
    items = [{"person_id": p.pk, "proposed_level": "优秀" if i < 4 else "合格"} for i, p in enumerate(t.people)]
    r = put(branch, url, {"meeting": {"held_on": today, "due": 12, "present": 8}, "items": items})
    assert r.status_code == 200, r.content
    r = post(branch, f"{url}/submit")
    assert r.status_code == 409 and "会议无效" in r.json()["message"] and "最多3人" in r.json()["message"]
    r = put(branch, url, {"meeting": {"held_on": today, "due": 12, "present": 11},
                          "items": [{"person_id": t.people[3].pk, "proposed_level": "合格"}]})  # fmt: skip
    assert [i["proposed_level"] for i in r.json()["items"]].count("优秀") == 3  # merged: the others kept theirs
    r = post(branch, f"{url}/submit")
    assert r.status_code == 201
    process_id = r.json()["process_id"]
    assert post(branch, f"{url}/submit").json()["code"] == "process_open"
    general = api_login(t.general_admin)
    r = post(general, f"/api/v1/processes/{process_id}/approve", {"opinion": ""})
    assert r.status_code == 200, r.content
    assert branch.get(url).json()["status"] == "已通过"
    # registration and the member's own page
    reg = f"/api/v1/orgs/{t.branch.id}/registrations/{t.year}"
    assert branch.get(reg).json()["items"][0]["allowed"] == ["予以注册", "暂缓注册", "不予注册"]
    assert put(branch, reg, {"items": [{"person_id": t.member.pk, "outcome": "暂缓注册"}]}).status_code == 200
    r = post(branch, f"{reg}/submit")
    assert r.status_code == 201
    assert post(general, f"/api/v1/processes/{r.json()['process_id']}/approve", {"opinion": ""}).status_code == 200
    mine = api_login(t.member).get("/api/v1/me/evaluations").json()
    assert mine[0]["year"] == t.year and mine[0]["level"] == "优秀" and mine[0]["outcome"] == "暂缓注册"
    progress = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/annual-progress/{t.year}").json()
    assert progress["rows"][0] | {"short_name": ""} == {
        "org_id": t.general.id, "short_name": "", "branches": 1, "submitted": 1, "approved": 1, "participants": 12,
        "excellent": 3, "qualified": 9, "basic": 0, "unqualified": 0, "registered": 11, "deferred": 1, "refused": 0,
    }  # fmt: skip
    xlsx = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/annual-progress/{t.year}.xlsx")
    assert xlsx.status_code == 200
    # the superior reopens within the window? Registration is confirmed: refused
    r = post(general, f"{url}/reopen")
    assert r.status_code == 409 and r.json()["code"] == "registered"


def test_refusals_change_nothing(ev_tree, api_login):
    t = ev_tree
    branch = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/evaluations/{t.year}"
    r = put(branch, url, {"items": [{"person_id": t.member.pk, "proposed_level": "良好"}]})
    assert r.status_code == 422
    r = put(branch, url, {"items": [{"person_id": t.member.pk, "proposed_level": "合格"},
                                    {"person_id": t.outsider.pk, "proposed_level": "合格"}]})  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "not_in_branch"
    assert not Item.objects.exists() and not Evaluation.objects.exists()
    # approval by anyone but the direct superior; outsiders do not learn the branch exists
    assert api_login(t.outsider).get(url).status_code == 404
    assert put(api_login(t.college_admin), url, {"items": []}).status_code == 404
    assert post(api_login(t.college_admin), f"{url}/reopen").status_code == 404
    # a submission after the window
    EvalRound.objects.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    r = post(branch, f"{url}/submit")
    assert r.status_code == 409 and r.json()["code"] == "window_closed"


def test_appeal_and_overdue(ev_tree, api_login):
    t = ev_tree
    approved(t, ["合格", "不合格"] + ["合格"] * 10)
    member = api_login(t.member)
    assert post(member, f"/api/v1/me/evaluations/{t.year}/appeal", {"reason": ""}).status_code == 422
    r = post(member, f"/api/v1/me/evaluations/{t.year}/appeal", {"reason": "实习期间未能参会，情况说明已补交"})
    assert r.status_code == 201
    assert post(member, f"/api/v1/me/evaluations/{t.year}/appeal", {"reason": "再次"}).json()["code"] == "appealed"
    overdue = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/overdue-registrations").json()
    assert overdue["count"] == 12 and "*" in overdue["items"][0]["id_number"]
