"""Reading organisations through the API: reach, the 404 rule, pagination, masking (API.md; SPEC §8, P9)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgs import services as org_services
from orgs.models import Org
from orgs.rules import Category

ORG_FIELDS = {
    "id",
    "parent_id",
    "level",
    "category",
    "short_name",
    "full_name",
    "industry",
    "phone",
    "email",
    "admin_quota",
    "admin_staffed",
    "inst_quota",
    "inst_staffed",
    "secretary",
    "sort_order",
    "info_complete",
    "missing",
}


def add_branches(parent, count, start=1):
    for n in range(start, start + count):
        org_services.org_create_child(
            parent=parent, short_name=f"临床医学2017级{n}班团支部", category=Category.BRANCH, by_operator=True
        )
        parent.refresh_from_db()


def test_an_org_in_reach_answers_with_the_fields_of_api_md(tree, api_login):
    response = api_login(tree.uni_admin).get(f"/api/v1/orgs/{tree.college.id}")
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= ORG_FIELDS
    assert body["id"] == tree.college.id
    assert body["parent_id"] == tree.uni.id
    assert body["level"] == 4
    assert body["category"] == "基层团委"
    assert body["short_name"] == "第一临床医学院团委"
    assert body["full_name"] == tree.college.full_name
    assert body["secretary"] is None
    assert body["info_complete"] is False
    assert "industry" in body["missing"]
    assert "secretary" in body["missing"]


def test_an_admin_reads_their_own_org(tree, api_login):
    response = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}")
    assert response.status_code == 200
    assert response.json()["category"] == "团支部"
    assert response.json()["level"] == 6


def test_a_branch_missing_fields_follow_o1(tree, api_login):
    body = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}").json()
    # A 团支部 has no 编制 numbers and no contact phone/email in O1.
    assert body["missing"] == ["industry", "secretary"]


def test_an_org_out_of_reach_answers_404_like_a_missing_id(tree, api_login):
    api = api_login(tree.outsider)
    hidden = api.get(f"/api/v1/orgs/{tree.uni.id}")
    missing = api.get(f"/api/v1/orgs/{Org.objects.order_by('-id').first().id + 1000}")
    assert hidden.status_code == 404
    assert missing.status_code == 404
    assert hidden.json() == missing.json()
    assert set(hidden.json()) == {"code", "message", "errors"}


def test_a_branch_admin_cannot_read_its_parent(tree, api_login):
    assert api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.general.id}").status_code == 404


def test_a_plain_member_cannot_read_their_branch(tree, api_login):
    assert api_login(tree.member).get(f"/api/v1/orgs/{tree.branch.id}").status_code == 404


def test_children_of_an_org_in_reach_are_listed(tree, api_login):
    response = api_login(tree.province_admin).get(f"/api/v1/orgs/{tree.province.id}/children")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"items", "count"}
    assert body["count"] == 2
    assert [o["short_name"] for o in body["items"]] == ["团南京市委", "南京医科大学团委"]
    assert all(set(o) >= ORG_FIELDS for o in body["items"])
    assert all(o["parent_id"] == tree.province.id for o in body["items"])


def test_children_of_an_org_out_of_reach_answer_404_like_a_missing_id(tree, api_login):
    api = api_login(tree.outsider)
    hidden = api.get(f"/api/v1/orgs/{tree.province.id}/children")
    missing = api.get(f"/api/v1/orgs/{Org.objects.order_by('-id').first().id + 1000}/children")
    assert hidden.status_code == 404
    assert hidden.json() == missing.json()


def test_children_are_paginated(tree, api_login):
    add_branches(tree.general, 4, start=4)  # 5 children in all
    api = api_login(tree.general_admin)
    first = api.get(f"/api/v1/orgs/{tree.general.id}/children?page=1&page_size=2").json()
    third = api.get(f"/api/v1/orgs/{tree.general.id}/children?page=3&page_size=2").json()
    assert first["count"] == 5
    assert len(first["items"]) == 2
    assert third["count"] == 5
    assert len(third["items"]) == 1
    everything = api.get(f"/api/v1/orgs/{tree.general.id}/children?page_size=10").json()["items"]
    assert [o["id"] for o in first["items"] + third["items"]] == [everything[i]["id"] for i in (0, 1, 4)]


def test_page_size_is_capped_at_200(tree, api_login):
    add_branches(tree.general, 202, start=4)  # 203 children
    api = api_login(tree.general_admin)
    body = api.get(f"/api/v1/orgs/{tree.general.id}/children?page_size=500").json()
    assert body["count"] == 203
    assert len(body["items"]) == 200
    rest = api.get(f"/api/v1/orgs/{tree.general.id}/children?page=2&page_size=200").json()
    assert len(rest["items"]) == 3


def test_listing_children_costs_the_same_queries_for_two_or_twenty(tree, api_login):
    api = api_login(tree.general_admin)
    add_branches(tree.general, 1, start=4)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(f"/api/v1/orgs/{tree.general.id}/children").json()["items"]) == 2
    add_branches(tree.general, 18, start=5)
    with CaptureQueriesContext(connection) as many:
        assert len(api.get(f"/api/v1/orgs/{tree.general.id}/children").json()["items"]) == 20
    assert len(many) == len(few)


@pytest.fixture
def branch_with_secretary(tree):
    tree.branch.secretary = tree.branch_admin
    tree.branch.save(update_fields=["secretary"])
    return tree.branch


def test_the_own_admin_sees_the_secretarys_full_id_number(tree, api_login, branch_with_secretary):
    secretary = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}").json()["secretary"]
    assert secretary == {
        "name": "支部书记",
        "id_number": tree.branch_admin.id_number,
        "mobile": "13812345678",
    }


@pytest.mark.parametrize("viewer", ["general_admin", "uni_admin", "province_admin"])
def test_superiors_see_the_secretarys_id_number_and_mobile_masked(tree, api_login, branch_with_secretary, viewer):
    secretary = api_login(getattr(tree, viewer)).get(f"/api/v1/orgs/{tree.branch.id}").json()["secretary"]
    id_number = tree.branch_admin.id_number
    assert secretary["name"] == "支部书记"
    assert secretary["id_number"] != id_number
    assert secretary["id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert secretary["mobile"] == "138****5678"


def test_a_listing_masks_the_secretary_of_a_child(tree, api_login, branch_with_secretary):
    body = api_login(tree.general_admin).get(f"/api/v1/orgs/{tree.general.id}/children").json()
    secretary = body["items"][0]["secretary"]
    assert tree.branch_admin.id_number not in str(body)
    assert "*" in secretary["id_number"]


def test_a_registered_secretary_with_a_mobile_leaves_only_the_industry_missing(tree, api_login, branch_with_secretary):
    body = api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.id}").json()
    assert body["missing"] == ["industry"]
    assert body["info_complete"] is False


def test_the_browser_session_also_reaches_the_api(client, tree):
    client.force_login(tree.uni_admin)
    assert client.get(f"/api/v1/orgs/{tree.college.id}").status_code == 200
    assert client.get(f"/api/v1/orgs/{tree.city.id}").status_code == 404


def test_the_openapi_document_is_published(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/auth/login" in paths
    assert "/api/v1/orgs/{org_id}" in paths
