"""Sessions and CSRF (issue 8): the session key changes at login; page POSTs need the CSRF token;
the API, called with the browser's session cookie and no bearer token, is CSRF-checked too."""

from importlib import import_module

from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.models import PasswordResetCode
from conftest import PASSWORD
from orgs.models import Org


def csrf_client() -> Client:
    return Client(enforce_csrf_checks=True)


def csrf_token(client: Client, page: str) -> str:
    """The token a page hands out, as a browser would find it in the form."""
    assert client.get(page).status_code == 200
    return client.cookies["csrftoken"].value


def test_the_login_page_gives_a_new_session_key_and_drops_the_old_session(client, tree):
    before = client.session  # a session that exists before the login, as one planted by an attacker would
    before["planted"] = "yes"
    before.save()
    old_key = before.session_key
    response = client.post(reverse("accounts:login"), {"id_number": tree.branch_admin.id_number, "password": PASSWORD})
    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not import_module(settings.SESSION_ENGINE).SessionStore().exists(old_key)
    assert client.session["_auth_user_id"] == str(tree.branch_admin.pk)


def test_the_login_form_without_the_csrf_token_is_refused_with_403(tree):
    client = csrf_client()
    body = {"id_number": tree.branch_admin.id_number, "password": PASSWORD}
    refused = client.post(reverse("accounts:login"), body)
    assert refused.status_code == 403
    assert "_auth_user_id" not in client.session
    token = csrf_token(client, reverse("accounts:login"))
    assert client.post(reverse("accounts:login"), {**body, "csrfmiddlewaretoken": token}).status_code == 302


def test_a_state_changing_admin_form_without_the_csrf_token_is_refused_with_403(tree):
    client = csrf_client()
    client.force_login(tree.branch_admin)
    url = reverse("people:reset_code", args=[tree.member.pk])
    assert client.post(url).status_code == 403
    assert not PasswordResetCode.objects.exists()
    token = csrf_token(client, reverse("people:members", args=[tree.branch.pk]))
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 200
    assert PasswordResetCode.objects.filter(person=tree.member).count() == 1


def test_the_api_with_only_a_session_cookie_is_csrf_checked(tree):
    client = csrf_client()
    client.force_login(tree.branch_admin)
    url = f"/api/v1/orgs/{tree.branch.pk}"
    refused = client.patch(url, {"phone": "025-12345678"}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed" and "X-CSRFToken" in refused.json()["message"]
    assert Org.objects.get(pk=tree.branch.pk).phone != "025-12345678"
    assert client.get(url).status_code == 200  # reading needs no token
    token = csrf_token(client, reverse("orgs:home"))
    allowed = client.patch(
        url, {"phone": "025-12345678"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert allowed.status_code == 200
    assert Org.objects.get(pk=tree.branch.pk).phone == "025-12345678"


def test_the_api_without_any_cookie_or_token_answers_401(tree):
    response = csrf_client().patch(
        f"/api/v1/orgs/{tree.branch.pk}", {"phone": "025-12345678"}, content_type="application/json"
    )
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_bearer_token_needs_no_csrf_token(tree, client):
    token = client.post(
        "/api/v1/auth/login",
        {"id_number": tree.branch_admin.id_number, "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    api = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {token}"})
    response = api.patch(f"/api/v1/orgs/{tree.branch.pk}", {"phone": "025-87654321"}, content_type="application/json")
    assert response.status_code == 200
