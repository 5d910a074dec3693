"""Ids outside the database's range are invalid input, on every engine (issue 12 item 16).

Every id is a BigAutoField (1 .. 2^63-1). `POST /orgs/{id}/batch-transfers` with
`person_ids: [2^64]` reached the database: a 500 on SQLite (it cannot bind the
number), a 404 on PostgreSQL. Body ids are now typed `api.schemas.Id` and path and
query ids are checked around every operation (api.api), so each answers 422 with a
Chinese message naming the field, before any query runs.
"""

import pytest

from api.schemas import MAX_ID

BIG = 2**64
OUT_OF_RANGE = [BIG, MAX_ID + 1, 99999999999999999999, 0, -1]


@pytest.fixture
def college(tree, api_login):
    return api_login(tree.college_admin)


def assert_out_of_range(response, field: str):
    assert response.status_code == 422, response.content.decode()[:300]
    body = response.json()
    assert body["code"] == "invalid"
    assert "编号超出范围" in body["message"] and str(MAX_ID) in body["message"]
    assert any(field in (e["field"] or "") for e in body["errors"]), body


@pytest.mark.django_db
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_batch_transfer_person_ids_out_of_range_are_422(tree, college, value):
    body = {"from_branch_id": tree.branch.pk, "to_branch_id": tree.branch.pk, "person_ids": [value], "reason": "毕业"}
    response = college.post(f"/api/v1/orgs/{tree.college.pk}/batch-transfers", body, content_type="application/json")
    assert_out_of_range(response, "person_ids")


@pytest.mark.django_db
@pytest.mark.parametrize("value", OUT_OF_RANGE)
def test_batch_transfer_branch_ids_out_of_range_are_422(tree, college, value):
    body = {"from_branch_id": tree.branch.pk, "to_branch_id": value, "person_ids": [tree.member.pk], "reason": "毕业"}
    response = college.post(f"/api/v1/orgs/{tree.college.pk}/batch-transfers", body, content_type="application/json")
    assert_out_of_range(response, "to_branch_id")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path,field",
    [
        ("/api/v1/orgs/{big}", "id"),
        ("/api/v1/orgs/{big}/children", "org_id"),
        ("/api/v1/orgs/{college}/cadres/{big}", "person_id"),
        ("/api/v1/imports/{big}", "job_id"),
        ("/api/v1/transfers/{big}", "transfer_id"),
    ],
)
@pytest.mark.parametrize("value", [99999999999999999999, MAX_ID + 1, 0])
def test_path_ids_out_of_range_are_422(tree, college, path, field, value):
    url = path.format(big=value, college=tree.college.pk)
    response = college.delete(url) if "/cadres/" in url else college.get(url)
    assert_out_of_range(response, field)


@pytest.mark.django_db
def test_query_ids_out_of_range_are_422(tree, college):
    response = college.get(f"/api/v1/transfers?org_id={BIG}")
    assert_out_of_range(response, "org_id")


@pytest.mark.django_db
def test_other_body_ids_are_checked_too(tree, college, api_login):
    order = college.put(
        f"/api/v1/orgs/{tree.college.pk}/children/order", {"ids": [BIG]}, content_type="application/json"
    )
    assert_out_of_range(order, "ids")
    admins = college.post(f"/api/v1/orgs/{tree.college.pk}/admins", {"person_id": BIG}, content_type="application/json")
    assert_out_of_range(admins, "person_id")
    migration = api_login(tree.province_admin).post(
        "/api/v1/migrations", {"org_id": tree.college.pk, "to_parent_id": BIG}, content_type="application/json"
    )
    assert_out_of_range(migration, "to_parent_id")


@pytest.mark.django_db
def test_the_largest_id_is_still_only_not_found(tree, college):
    response = college.get(f"/api/v1/orgs/{MAX_ID}")
    assert response.status_code == 404
    body = {"from_branch_id": tree.branch.pk, "to_branch_id": MAX_ID, "person_ids": [MAX_ID], "reason": "毕业"}
    response = college.post(f"/api/v1/orgs/{tree.college.pk}/batch-transfers", body, content_type="application/json")
    assert response.status_code == 404


def test_the_openapi_document_states_the_range(client):
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    person_ids = schema["BatchIn"]["properties"]["person_ids"]["items"]
    assert person_ids["minimum"] == 1 and person_ids["maximum"] == MAX_ID
