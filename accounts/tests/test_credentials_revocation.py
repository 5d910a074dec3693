"""Issue 12 item 8: a password change or reset ends every other way in (API tokens and browser sessions);
browser sessions also end when idle (SESSION_IDLE_TIMEOUT_MINUTES) and 8 hours after their login, and API
tokens expire when idle the same way."""

import time
from datetime import timedelta

from django.test import Client, override_settings
from django.utils import timezone

from accounts import reset
from accounts.middleware import AUTH_AT, SEEN_AT
from accounts.models import ApiToken
from conftest import PASSWORD

NEW = "Qing-Nian#2027x"


def token_for(person, password=PASSWORD) -> str:
    response = Client().post(
        "/api/v1/auth/login", {"id_number": person.id_number, "password": password}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    return response.json()["token"]


def bearer(token) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


def page_session(person, password=PASSWORD) -> Client:
    c = Client()
    assert c.post("/accounts/login/", {"id_number": person.id_number, "password": password}).status_code == 302
    assert c.get("/people/me/").status_code == 200
    return c


def test_a_password_change_through_the_api_revokes_every_other_token_and_session(tree):
    stolen = token_for(tree.member)
    browser = page_session(tree.member)
    mine = token_for(tree.member)
    response = bearer(mine).post(
        "/api/v1/auth/password", {"old_password": PASSWORD, "new_password": NEW}, content_type="application/json"
    )
    assert response.status_code == 204
    assert bearer(stolen).get("/api/v1/me").status_code == 401
    assert browser.get("/people/me/").status_code == 302
    assert browser.get("/api/v1/me").status_code == 401
    assert bearer(mine).get("/api/v1/me").status_code == 200  # the token that changed it goes on
    assert ApiToken.objects.filter(person=tree.member).count() == 1


def test_a_password_change_on_the_page_revokes_tokens_and_other_sessions_but_keeps_its_own(tree):
    stolen = token_for(tree.member)
    other_browser = page_session(tree.member)
    browser = page_session(tree.member)
    response = browser.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302
    assert browser.get("/people/me/").status_code == 200
    assert other_browser.get("/people/me/").status_code == 302
    assert bearer(stolen).get("/api/v1/me").status_code == 401


def test_a_password_change_through_the_api_with_the_session_keeps_that_session(tree):
    browser = page_session(tree.member)
    stolen = token_for(tree.member)
    browser.get("/people/me/")
    response = browser.post(
        "/api/v1/auth/password",
        {"old_password": PASSWORD, "new_password": NEW},
        content_type="application/json",
        headers={"X-CSRFToken": browser.cookies["csrftoken"].value},
    )
    assert response.status_code == 204, response.content.decode()
    assert browser.get("/api/v1/me").status_code == 200
    assert bearer(stolen).get("/api/v1/me").status_code == 401


def test_a_reset_revokes_every_token_and_session(client, tree):
    stolen = token_for(tree.member)
    browser = page_session(tree.member)
    [issued] = reset._issue([tree.member], actor=None)
    body = {"id_number": tree.member.id_number, "reset_code": issued.code, "new_password": NEW}
    assert client.post("/api/v1/auth/reset", body, content_type="application/json").status_code == 204
    assert bearer(stolen).get("/api/v1/me").status_code == 401
    assert browser.get("/people/me/").status_code == 302
    assert not ApiToken.objects.filter(person=tree.member).exists()


def _age_session(browser: Client, *, seen_ago: int, auth_ago: int | None = None) -> None:
    session = browser.session
    now = int(time.time())
    session[SEEN_AT] = now - seen_ago
    if auth_ago is not None:
        session[AUTH_AT] = now - auth_ago
    session.save()


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=30)
def test_an_idle_session_ends_after_the_idle_timeout(tree):
    browser = page_session(tree.member)
    _age_session(browser, seen_ago=29 * 60)
    assert browser.get("/people/me/").status_code == 200  # still in time, and this request renews it
    _age_session(browser, seen_ago=31 * 60)
    response = browser.get("/people/me/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
    assert "分钟未操作" in browser.get(response.url).content.decode()
    assert browser.get("/people/me/").status_code == 302  # logged out, not just redirected once


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=30)
def test_an_idle_session_calling_the_api_gets_401(tree):
    browser = page_session(tree.member)
    _age_session(browser, seen_ago=31 * 60)
    assert browser.get("/api/v1/me").status_code == 401


@override_settings(SESSION_COOKIE_AGE=8 * 3600)
def test_a_busy_session_still_ends_8_hours_after_its_login(tree):
    browser = page_session(tree.member)
    _age_session(browser, seen_ago=10, auth_ago=8 * 3600 + 5)
    response = browser.get("/people/me/")
    assert response.status_code == 302
    assert "有效时长" in browser.get(response.url).content.decode()


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=30, API_TOKEN_HOURS=12)
def test_an_idle_api_token_expires(tree):
    token = token_for(tree.member)
    row = ApiToken.objects.get(person=tree.member)
    assert row.expires_at <= timezone.now() + timedelta(minutes=31)  # not 12 hours ahead: idle limit
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() + timedelta(minutes=5))
    assert bearer(token).get("/api/v1/me").status_code == 200  # used: renewed for another 30 minutes
    assert ApiToken.objects.get(pk=row.pk).expires_at > timezone.now() + timedelta(minutes=29)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert bearer(token).get("/api/v1/me").status_code == 401


@override_settings(SESSION_IDLE_TIMEOUT_MINUTES=30, API_TOKEN_HOURS=12)
def test_a_busy_api_token_still_ends_after_api_token_hours(tree):
    token = token_for(tree.member)
    row = ApiToken.objects.get(person=tree.member)
    ApiToken.objects.filter(pk=row.pk).update(
        created_at=timezone.now() - timedelta(hours=12, minutes=-1), expires_at=timezone.now() + timedelta(seconds=30)
    )
    assert bearer(token).get("/api/v1/me").status_code == 200
    assert ApiToken.objects.get(pk=row.pk).expires_at <= timezone.now() + timedelta(minutes=1)  # not renewed past 12 h
