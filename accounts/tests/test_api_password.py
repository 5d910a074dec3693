"""Changing a password through the API, and the first login on an initial password (SPEC P7)."""

import pytest
from django.test import Client

from conftest import PASSWORD
from people import services as people_services
from people.admins import org_admin_add
from people.models import AccountState, Person

NEW_PASSWORD = "Qingnian#2027"


def login(client: Client, person, password):
    return client.post(
        "/api/v1/auth/login",
        {"id_number": person.id_number, "password": password},
        content_type="application/json",
    )


def change(api: Client, old, new):
    return api.post(
        "/api/v1/auth/password", {"old_password": old, "new_password": new}, content_type="application/json"
    )


@pytest.fixture
def imported(make_person):
    """A person entered by an organisation: initial password = last 8 characters of the ID number."""
    return make_person("导入团员", password=None)


def test_it_changes_the_password_and_the_old_one_stops_working(client, tree, api_login):
    api = api_login(tree.member)
    assert change(api, PASSWORD, NEW_PASSWORD).status_code == 204
    assert login(client, tree.member, PASSWORD).status_code == 401
    assert login(client, tree.member, NEW_PASSWORD).status_code == 200


def test_it_refuses_a_wrong_old_password(client, tree, api_login):
    response = change(api_login(tree.member), "Wrong#Pass2026", NEW_PASSWORD)
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_password"
    assert "原密码不正确" in response.json()["message"]
    assert login(client, tree.member, PASSWORD).status_code == 200


@pytest.mark.parametrize("weak", ["abc", "12345678", "password"])
def test_it_refuses_a_weak_password(client, tree, api_login, weak):
    response = change(api_login(tree.member), PASSWORD, weak)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "weak_password"
    assert "新密码不符合要求" in body["message"]
    assert body["errors"] and all(e["field"] == "new_password" for e in body["errors"])
    assert login(client, tree.member, PASSWORD).status_code == 200


def test_it_refuses_the_last_8_characters_of_the_id_number(client, tree, api_login):
    response = change(api_login(tree.member), PASSWORD, tree.member.id_number[-8:])
    assert response.status_code == 422
    assert "身份证号码或其后8位" in response.json()["message"]


def test_it_refuses_the_whole_id_number(tree, api_login):
    response = change(api_login(tree.member), PASSWORD, tree.member.id_number)
    assert response.status_code == 422
    assert "身份证号码或其后8位" in response.json()["message"]


def test_an_imported_person_logs_in_with_the_last_8_characters(client, imported):
    assert imported.account_state == AccountState.INITIAL
    response = login(client, imported, imported.id_number[-8:])
    assert response.status_code == 200
    assert response.json()["must_change_password"] is True


def test_an_imported_person_cannot_log_in_with_anything_else(client, imported):
    assert login(client, imported, imported.id_number[-7:]).status_code == 401
    assert login(client, imported, imported.id_number).status_code == 401
    assert login(client, imported, "").status_code in (401, 422)


def test_on_an_initial_password_other_endpoints_answer_403(client, tree, imported):
    token = login(client, imported, imported.id_number[-8:]).json()["token"]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = api.get(f"/api/v1/orgs/{tree.branch.id}")
    assert response.status_code == 403
    assert response.json()["code"] == "must_change_password"
    assert "/api/v1/auth/password" in response.json()["message"]
    assert api.get(f"/api/v1/orgs/{tree.branch.id}/children").status_code == 403


def test_on_an_initial_password_me_is_closed_too(client, imported):
    """The initial password is no secret: not even the person's own record answers (issue 12)."""
    token = login(client, imported, imported.id_number[-8:]).json()["token"]
    response = Client(headers={"Authorization": f"Bearer {token}"}).get("/api/v1/me")
    assert response.status_code == 403
    assert response.json()["code"] == "must_change_password"


def test_after_changing_the_initial_password_the_api_opens(client, tree, make_person):
    admin = make_person("新任书记", password=None)
    people_services.cadre_assign(person=admin, org=tree.city, position="副书记")
    org_admin_add(org=tree.city, person=admin)
    token = login(client, admin, admin.id_number[-8:]).json()["token"]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get(f"/api/v1/orgs/{tree.city.id}").status_code == 403

    assert change(api, admin.id_number[-8:], NEW_PASSWORD).status_code == 204

    assert api.get(f"/api/v1/orgs/{tree.city.id}").status_code == 200
    admin = Person.objects.get(pk=admin.pk)
    assert admin.account_state == AccountState.ACTIVE
    assert admin.must_change_password is False
    assert admin.registered_at is not None
    assert login(client, admin, admin.id_number[-8:]).status_code == 401
    assert login(client, admin, NEW_PASSWORD).json()["must_change_password"] is False


def test_an_initial_password_cannot_be_kept_as_the_new_one(client, imported):
    token = login(client, imported, imported.id_number[-8:]).json()["token"]
    api = Client(headers={"Authorization": f"Bearer {token}"})
    response = change(api, imported.id_number[-8:], imported.id_number[-8:])
    assert response.status_code == 422
    assert Person.objects.get(pk=imported.pk).must_change_password is True


def test_an_initial_password_ending_in_x_works_as_printed(client, make_person):
    person = make_person("李四", password=None, id_number="11010519491231002X", birth="19491231")
    assert login(client, person, "1231002X").status_code == 200


def test_an_initial_password_ending_in_x_may_be_typed_in_lowercase(client, make_person):
    person = make_person("李四", password=None, id_number="11010519491231002X", birth="19491231")
    response = login(client, person, "1231002x")
    assert response.status_code == 200
