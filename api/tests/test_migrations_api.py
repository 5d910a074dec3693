"""POST/GET /api/v1/migrations (SPEC U4, API.md Workflows)."""

import pytest

from orgchanges.migration import migration_apply
from orgs.models import Org

JSON = "application/json"


@pytest.fixture
def applied(tree):
    return migration_apply(org=tree.uni, to_parent=tree.other_province, reason="学校划转", actor=tree.uni_admin)


def test_apply_release_accept_through_the_api(tree, api_login):
    uni = api_login(tree.uni_admin)
    r = uni.post(
        "/api/v1/migrations",
        {"org_id": tree.uni.id, "to_parent_id": tree.other_province.id, "reason": "学校划转"},
        content_type=JSON,
    )
    assert r.status_code == 201, r.content.decode()
    body = r.json()
    assert body["status"] == "待原上级审批" and body["waiting_for_org_id"] == tree.province.id
    assert [s["action"] for s in body["steps"]] == ["提交申请"]
    mid = body["id"]

    province = api_login(tree.province_admin)
    assert [m["id"] for m in province.get("/api/v1/migrations?role=todo").json()["items"]] == [mid]
    assert province.post(f"/api/v1/migrations/{mid}/approve").json()["status"] == "待新上级审批"
    done = api_login(tree.outsider).post(f"/api/v1/migrations/{mid}/approve")
    assert done.status_code == 200
    assert done.json()["status"] == "已完成" and len(done.json()["steps"]) == 3
    assert Org.objects.get(pk=tree.uni.id).parent_id == tree.other_province.id
    mine = uni.get("/api/v1/migrations?role=mine").json()
    assert mine["count"] == 1 and mine["items"][0]["status"] == "已完成"


def test_not_visible_is_404_not_your_turn_is_403_closed_is_409(tree, api_login, applied):
    assert api_login(tree.city_admin).get(f"/api/v1/migrations/{applied.id}").status_code == 404
    assert api_login(tree.city_admin).post(f"/api/v1/migrations/{applied.id}/approve").status_code == 404
    root = api_login(tree.root_admin)
    assert root.get(f"/api/v1/migrations/{applied.id}").status_code == 200
    r = root.post(f"/api/v1/migrations/{applied.id}/approve")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    outsider = api_login(tree.outsider)  # the new superior sees it but it is not yet its turn
    assert outsider.get(f"/api/v1/migrations/{applied.id}").status_code == 200
    assert outsider.post(f"/api/v1/migrations/{applied.id}/approve").status_code == 403
    assert api_login(tree.uni_admin).post(f"/api/v1/migrations/{applied.id}/withdraw").status_code == 200
    r = api_login(tree.province_admin).post(f"/api/v1/migrations/{applied.id}/approve")
    assert r.status_code == 409 and r.json()["code"] == "migration_closed"


def test_refusals_of_the_tree_rules(tree, api_login):
    uni = api_login(tree.uni_admin)
    r = uni.post(
        "/api/v1/migrations", {"org_id": tree.uni.id, "to_parent_id": tree.college.id, "reason": "x"}, content_type=JSON
    )
    assert r.status_code == 400 and r.json()["code"] == "move_under_descendant"
    r = api_login(tree.city_admin).post(
        "/api/v1/migrations", {"org_id": tree.city.id, "to_parent_id": tree.uni.id, "reason": "x"}, content_type=JSON
    )
    assert r.status_code == 400 and r.json()["code"] == "placement"
    r = uni.post(
        "/api/v1/migrations", {"org_id": tree.uni.id, "to_parent_id": 999999, "reason": "x"}, content_type=JSON
    )
    assert r.status_code == 404
    r = api_login(tree.province_admin).post(
        "/api/v1/migrations", {"org_id": tree.uni.id, "to_parent_id": tree.other_province.id, "reason": "x"},
        content_type=JSON,
    )  # fmt: skip
    assert r.status_code == 403


def test_a_second_open_request_is_409(tree, api_login, applied):
    r = api_login(tree.uni_admin).post(
        "/api/v1/migrations", {"org_id": tree.uni.id, "to_parent_id": tree.city.id, "reason": "x"}, content_type=JSON
    )
    # SPEC-2 W3 (API.md): code process_open (was migration_open), naming the open process.
    assert r.status_code == 409 and r.json()["code"] == "process_open"
    assert r.json()["errors"][0]["process_id"] == applied.process_id and r.json()["errors"][0]["kind"] == "组织迁移"


def test_reject_takes_a_reason(tree, api_login, applied):
    province = api_login(tree.province_admin)
    r = province.post(f"/api/v1/migrations/{applied.id}/reject", {"reason": ""}, content_type=JSON)
    assert r.status_code == 400
    r = province.post(f"/api/v1/migrations/{applied.id}/reject", {"reason": "尚未划转"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "已驳回"
    assert r.json()["steps"][-1]["note"] == "尚未划转"


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/migrations" in paths and "/api/v1/migrations/{migration_id}/reject" in paths
