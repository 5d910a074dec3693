"""Logging in and out through the JSON API (API.md Accounts; SPEC P1, P7)."""

from django.test import Client

from accounts.models import ApiToken
from accounts.services import LOGIN_FAILED_MESSAGE
from conftest import PASSWORD, make_id_number
from people.models import AccountState

LOGIN = "/api/v1/auth/login"


def post_login(client: Client, id_number, password):
    return client.post(LOGIN, {"id_number": id_number, "password": password}, content_type="application/json")


def bearer(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_a_correct_pair_returns_a_token_and_the_person(client, make_person):
    person = make_person("张三")
    response = post_login(client, person.id_number, PASSWORD)
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"token", "person_id", "must_change_password"}
    assert body["person_id"] == person.id
    assert body["must_change_password"] is False
    assert len(body["token"]) >= 32


def test_only_the_tokens_hash_is_stored(client, make_person):
    person = make_person("张三")
    token = post_login(client, person.id_number, PASSWORD).json()["token"]
    stored = ApiToken.objects.get(person=person)
    assert stored.key_hash != token
    assert token not in stored.key_hash


def test_the_id_number_may_be_typed_with_a_lowercase_x_and_spaces(client, make_person):
    first17 = "11010519491231002"
    person = make_person("李四", id_number=first17 + "X", birth="19491231")
    response = post_login(client, " 110105 19491231 002x ", PASSWORD)
    assert response.status_code == 200
    assert response.json()["person_id"] == person.id


def test_a_wrong_password_and_an_unknown_id_number_get_the_identical_401(client, make_person):
    person = make_person("张三")
    wrong_password = post_login(client, person.id_number, "Wrong#Pass2026")
    unknown_id = post_login(client, make_id_number("19900101"), PASSWORD)
    assert wrong_password.status_code == 401
    assert unknown_id.status_code == 401
    assert wrong_password.json() == unknown_id.json()
    assert wrong_password.json()["code"] == "login_failed"
    assert "身份证号码或密码错误" in wrong_password.json()["message"]


def test_a_person_without_an_account_cannot_log_in(client, make_person):
    person = make_person("未开通", password=None)
    person.account_state = AccountState.NONE
    person.save(update_fields=["account_state"])
    assert post_login(client, person.id_number, person.id_number[-8:]).status_code == 401


def test_a_deactivated_person_cannot_log_in(client, make_person):
    person = make_person("张三")
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert post_login(client, person.id_number, PASSWORD).status_code == 401


def test_a_malformed_body_gets_422_with_the_error_body(client):
    response = client.post(LOGIN, {"id_number": "110105194912310021"}, content_type="application/json")
    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == "invalid"
    assert [e["field"] for e in body["errors"]] == ["password"]
    assert "password" in body["errors"][0]["message"]


def test_a_body_that_is_not_json_gets_an_error_body(client):
    response = client.post(LOGIN, "id_number=1", content_type="application/json")
    assert response.status_code in (400, 422)
    assert set(response.json()) == {"code", "message", "errors"}


def test_without_a_token_the_api_answers_401_with_the_error_body(client, tree):
    response = client.get(f"/api/v1/orgs/{tree.root.id}")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert set(response.json()) == {"code", "message", "errors"}


def test_an_unknown_token_answers_401(tree):
    assert bearer("not-a-token").get("/api/v1/me").status_code == 401


def test_me_returns_the_persons_posts(tree, api_login):
    response = api_login(tree.branch_admin).get("/api/v1/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == tree.branch_admin.id
    assert body["name"] == "支部书记"
    assert body["id_number"] == tree.branch_admin.id_number
    assert body["member_of"] == tree.branch.id
    assert body["cadre_of"] == [{"org_id": tree.branch.id, "position": "书记"}]
    assert body["admin_of"] == [tree.branch.id]
    assert body["birth_date"] == "1999-08-08"
    assert body["league_join_date"] == "2013-09"
    assert body["registered"] is True


def test_me_for_a_plain_member_has_no_posts(tree, api_login):
    body = api_login(tree.member).get("/api/v1/me").json()
    assert body["member_of"] == tree.branch.id
    assert body["cadre_of"] == []
    assert body["admin_of"] == []


def test_me_for_a_committee_admin_has_no_branch(tree, api_login):
    body = api_login(tree.uni_admin).get("/api/v1/me").json()
    assert body["member_of"] is None
    assert body["cadre_of"] == [{"org_id": tree.uni.id, "position": "书记"}]
    assert body["admin_of"] == [tree.uni.id]


def test_logout_revokes_the_token(tree, api_login):
    api = api_login(tree.member)
    assert api.get("/api/v1/me").status_code == 200
    response = api.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert api.get("/api/v1/me").status_code == 401
    assert not ApiToken.objects.filter(person=tree.member).exists()


def test_logout_revokes_only_that_token(tree, api_login):
    first = api_login(tree.member)
    second = api_login(tree.member)
    first.post("/api/v1/auth/logout")
    assert first.get("/api/v1/me").status_code == 401
    assert second.get("/api/v1/me").status_code == 200


def test_an_expired_token_answers_401(tree, api_login):
    api = api_login(tree.member)
    ApiToken.objects.filter(person=tree.member).update(expires_at="2000-01-01T00:00:00Z")
    assert api.get("/api/v1/me").status_code == 401


def test_an_initial_password_stops_working_after_the_set_days(tree, client, make_person, settings):
    import datetime as dt

    from django.utils import timezone

    from people.models import Person

    settings.INITIAL_PASSWORD_DAYS = 30
    person = make_person("导入团员", password=None, branch=tree.branch)
    body = {"id_number": person.id_number, "password": person.id_number[-8:]}
    Person.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=29))
    assert client.post("/api/v1/auth/login", body, content_type="application/json").status_code == 200
    Person.objects.filter(pk=person.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    expired = client.post("/api/v1/auth/login", body, content_type="application/json")
    assert expired.status_code == 401
    assert expired.json()["message"] == LOGIN_FAILED_MESSAGE
