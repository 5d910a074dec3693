"""Issue 12 item 4 (SPEC P7): a session on the initial password (ID number + its last 8) may only change
the password or log out, on the API and on the pages; and new passwords must not be guessable from the
person's own record."""

import pytest
from django.test import Client

from people.models import Person

NEW = "Qing-Nian#2027"


@pytest.fixture
def imported(make_person):
    """Entered by an organisation: the initial password is the last 8 characters of the ID number."""
    return make_person("导入团员", password=None, email="", mobile="13812345678")


def api_for(client, person, password):
    response = client.post(
        "/api/v1/auth/login", {"id_number": person.id_number, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    return Client(headers={"Authorization": f"Bearer {response.json()['token']}"})


def test_the_api_refuses_reading_and_changing_the_record_on_the_initial_password(client, imported):
    api = api_for(client, imported, imported.id_number[-8:])
    response = api.get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "must_change_password"
    assert imported.id_number not in response.content.decode()
    patch = api.patch(
        "/api/v1/me", {"mobile": "13900000000", "email": "x@example.com"}, content_type="application/json"
    )
    assert patch.status_code == 403
    fresh = Person.objects.get(pk=imported.pk)
    assert (fresh.mobile, fresh.email) == ("13812345678", "")


def test_the_api_still_lets_the_initial_password_be_changed_and_then_opens(client, imported):
    api = api_for(client, imported, imported.id_number[-8:])
    response = api.post(
        "/api/v1/auth/password",
        {"old_password": imported.id_number[-8:], "new_password": NEW},
        content_type="application/json",
    )
    assert response.status_code == 204, response.content.decode()
    assert api.get("/api/v1/me").status_code == 200


def test_the_api_session_on_the_initial_password_is_restricted_too(client, imported):
    """The browser's session calling the API: the same restriction as a bearer token."""
    client.post("/accounts/login/", {"id_number": imported.id_number, "password": imported.id_number[-8:]})
    assert client.get("/api/v1/me").status_code == 403


def test_logging_out_works_on_the_initial_password(client, imported):
    api = api_for(client, imported, imported.id_number[-8:])
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize(
    "path",
    ["/people/me/", "/accounts/register/admin/", "/accounts/register/member/", "/accounts/reset/", "/manage/"],
)
def test_pages_send_an_initial_password_session_to_the_password_change(client, imported, path):
    client.post("/accounts/login/", {"id_number": imported.id_number, "password": imported.id_number[-8:]})
    response = client.get(path)
    assert response.status_code == 302
    assert response.url == "/accounts/password/"


def test_the_page_session_on_the_initial_password_can_change_it_and_log_out(client, imported):
    client.post("/accounts/login/", {"id_number": imported.id_number, "password": imported.id_number[-8:]})
    assert client.get("/accounts/password/").status_code == 200
    response = client.post(
        "/accounts/password/", {"old_password": imported.id_number[-8:], "new_password": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert client.get("/people/me/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/people/me/").status_code == 302
