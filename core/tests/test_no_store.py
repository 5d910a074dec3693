"""No browser or proxy cache keeps personal data: Cache-Control: no-store on every logged-in page and API answer
(issue 12, item 13)."""

import pytest
from django.test import Client

from conftest import PASSWORD

JSON = "application/json"


def no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.mark.parametrize(
    "url",
    [
        "/people/me/",
        "/people/orgs/{branch}/members/",
        "/people/members/{member}/edit/",
        "/people/orgs/{branch}/members/export/",
        "/transfers/",
        "/manage/orgs/{branch}/info/",
        "/audit/orgs/{branch}/",
    ],
)
def test_logged_in_pages_and_downloads_are_not_stored(tree, client, url):
    client.force_login(tree.branch_admin)
    response = client.get(url.format(branch=tree.branch.id, member=tree.member.id))
    assert response.status_code == 200, url
    assert no_store(response), (url, response.get("Cache-Control"))


@pytest.mark.parametrize(
    "url",
    ["/api/v1/me", "/api/v1/orgs/{branch}/members", "/api/v1/orgs/{branch}/members.xlsx", "/api/v1/orgs/{branch}"],
)
def test_api_answers_are_not_stored(tree, api_login, url):
    response = api_login(tree.branch_admin).get(url.format(branch=tree.branch.id))
    assert response.status_code == 200, (url, response.content[:200])
    assert no_store(response), (url, response.get("Cache-Control"))


def test_the_api_login_answer_with_its_token_and_refusals_are_not_stored(tree):
    ok = Client().post(
        "/api/v1/auth/login", {"id_number": tree.member.id_number, "password": PASSWORD}, content_type=JSON
    )
    refused = Client().get("/api/v1/me")
    assert (ok.status_code, refused.status_code) == (200, 401)
    assert no_store(ok) and no_store(refused)


def test_the_page_after_login_is_not_stored(tree):
    client = Client()
    client.post("/accounts/login/", {"id_number": tree.branch_admin.id_number, "password": PASSWORD})
    assert no_store(client.get("/manage/", follow=True))
