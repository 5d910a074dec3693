"""Issue 12 item 11: two-step verification (TOTP with recovery codes, django-otp) for admins, on the pages and
the API. Required for committee admins when ADMIN_TOTP_REQUIRED is on (tests turn it on here; it is off in
tests by default), optional for branch admins unless BRANCH_ADMIN_TOTP_REQUIRED."""

import re
import time

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.models import ApiToken
from conftest import PASSWORD

REQUIRED = override_settings(ADMIN_TOTP_REQUIRED=True)
# django-otp makes a device wait after each wrong code (1 s, 2 s, 4 s...): off where a test retries at once.
NO_THROTTLE = override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)


def code_for(device: TOTPDevice, *, steps_ahead: int = 0) -> str:
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def enrolled(person) -> tuple[TOTPDevice, list[str]]:
    device = otp.enrolment_device(person)
    return otp.enrol_confirm(person, code_for(device))


def password_step(client: Client, person, password=PASSWORD):
    return client.post("/accounts/login/", {"id_number": person.id_number, "password": password})


def api_login(person, password=PASSWORD, **extra):
    return Client().post(
        "/api/v1/auth/login",
        {"id_number": person.id_number, "password": password, **extra},
        content_type="application/json",
    )


def logged_in(client: Client) -> bool:
    return client.get("/people/me/").status_code == 200


# --- pages: a committee admin without an authenticator, when it is required -------------------------------


@REQUIRED
@NO_THROTTLE
def test_a_committee_admin_must_set_up_an_authenticator_before_the_session_counts(client, tree):
    response = password_step(client, tree.uni_admin)
    assert response.status_code == 302 and response.url == "/accounts/otp/enrol/"
    assert not logged_in(client)

    page = client.get("/accounts/otp/enrol/").content.decode()
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', page).group(1)
    uri = re.search(r'data-testid="otp-uri">([^<]+)<', page).group(1)
    assert secret.replace(" ", "") in uri.replace("&amp;", "&")
    assert uri.startswith("otpauth://totp/") and "issuer=" in uri
    assert tree.uni_admin.id_number not in uri
    assert 'src="data:image/svg+xml' in page  # the QR code, inline (no third-party service)
    assert client.get("/accounts/otp/enrol/").content.decode().count(secret) == 1  # same secret on reload

    device = TOTPDevice.objects.get(user=tree.uni_admin, confirmed=False)
    wrong = client.post("/accounts/otp/enrol/", {"code": "000000" if code_for(device) != "000000" else "111111"})
    assert "验证码不正确" in wrong.content.decode()
    assert not logged_in(client)

    shown = client.post("/accounts/otp/enrol/", {"code": code_for(device)})
    assert shown.status_code == 200
    codes = re.findall(r'<span class="code">([a-z0-9]{5}-[a-z0-9]{5})</span>', shown.content.decode())
    assert len(codes) == 10
    assert shown.headers["Cache-Control"].startswith("max-age=0")  # never_cache: shown once, not kept
    assert logged_in(client)
    assert TOTPDevice.objects.get(user=tree.uni_admin).confirmed


@REQUIRED
def test_the_enrolment_page_is_only_for_the_password_step_just_done(client, tree):
    assert client.get("/accounts/otp/enrol/").status_code == 302
    assert client.get("/accounts/otp/verify/").status_code == 302
    assert not TOTPDevice.objects.exists()


# --- pages: anyone with an authenticator ------------------------------------------------------------------


@REQUIRED
@NO_THROTTLE
def test_an_admin_with_an_authenticator_enters_a_code_after_the_password(client, tree):
    device, _ = enrolled(tree.uni_admin)
    response = password_step(client, tree.uni_admin)
    assert response.status_code == 302 and response.url == "/accounts/otp/verify/"
    assert not logged_in(client)
    assert client.get("/api/v1/me").status_code == 401

    wrong = client.post("/accounts/otp/verify/", {"code": "12345"})
    assert "动态验证码或恢复码不正确" in wrong.content.decode()
    assert not logged_in(client)

    response = client.post("/accounts/otp/verify/", {"code": code_for(device, steps_ahead=1)})
    assert response.status_code == 302
    assert logged_in(client)
    assert client.get("/api/v1/me").status_code == 200


@REQUIRED
@NO_THROTTLE
def test_a_code_is_accepted_once(tree):
    device, _ = enrolled(tree.uni_admin)
    code = code_for(device, steps_ahead=1)
    first, second = Client(), Client()
    password_step(first, tree.uni_admin)
    assert first.post("/accounts/otp/verify/", {"code": code}).status_code == 302
    password_step(second, tree.uni_admin)
    assert second.post("/accounts/otp/verify/", {"code": code}).status_code == 200  # replay refused
    assert not logged_in(second)


@REQUIRED
def test_wrong_codes_are_throttled_by_the_device(client, tree):
    device, _ = enrolled(tree.uni_admin)
    password_step(client, tree.uni_admin)
    client.post("/accounts/otp/verify/", {"code": "999999" if code_for(device) != "999999" else "888888"})
    # right after a failure the device waits: even the right code is refused for now
    client.post("/accounts/otp/verify/", {"code": code_for(device, steps_ahead=1)})
    assert not logged_in(client)


@REQUIRED
@NO_THROTTLE
def test_five_wrong_codes_send_the_person_back_to_the_password(client, tree):
    enrolled(tree.uni_admin)
    password_step(client, tree.uni_admin)
    for _ in range(5):
        response = client.post("/accounts/otp/verify/", {"code": "abc"})
    assert response.status_code == 302 and response.url == "/accounts/login/"
    assert client.get("/accounts/otp/verify/").status_code == 302


@REQUIRED
@NO_THROTTLE
def test_a_recovery_code_replaces_the_authenticator_once(tree):
    _, codes = enrolled(tree.uni_admin)
    first = Client()
    password_step(first, tree.uni_admin)
    response = first.post("/accounts/otp/verify/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert "还剩9个" in first.get(response.url, follow=True).content.decode()
    again = Client()
    password_step(again, tree.uni_admin)
    assert again.post("/accounts/otp/verify/", {"code": codes[0]}).status_code == 200
    assert not logged_in(again)


def test_recovery_codes_are_not_stored_in_plain_text(tree):
    _, codes = enrolled(tree.branch_admin)
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert len(stored) == 10
    for c in codes:
        assert c not in stored and c.replace("-", "") not in stored


@REQUIRED
def test_a_session_made_without_the_second_step_is_ended(client, tree):
    """Any other way to a session (e.g. the operators' login form) is caught by the middleware."""
    client.force_login(tree.uni_admin)  # no authenticator yet, but required
    response = client.get("/people/me/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    assert not logged_in(client)
    enrolled(tree.city_admin)
    client.force_login(tree.city_admin)
    assert client.get("/api/v1/me").status_code == 401


def test_with_the_requirement_off_an_admin_without_an_authenticator_logs_in_directly(client, tree):
    response = password_step(client, tree.uni_admin)
    assert response.status_code == 302 and response.url != "/accounts/otp/enrol/"
    assert logged_in(client)


# --- the API ----------------------------------------------------------------------------------------------


@REQUIRED
@NO_THROTTLE
def test_the_api_login_asks_for_the_code(tree):
    device, codes = enrolled(tree.uni_admin)
    missing = api_login(tree.uni_admin)
    assert missing.status_code == 401
    assert missing.json()["code"] == "otp_required"
    assert "otp" in missing.json()["message"]
    wrong = api_login(tree.uni_admin, otp="12345x")
    assert wrong.status_code == 401 and wrong.json()["code"] == "login_failed"
    assert "token" not in missing.json() and "token" not in wrong.json()
    assert not ApiToken.objects.filter(person=tree.uni_admin).exists()

    ok = api_login(tree.uni_admin, otp=code_for(device, steps_ahead=1))
    assert ok.status_code == 200
    api = Client(headers={"Authorization": f"Bearer {ok.json()['token']}"})
    assert api.get("/api/v1/me").status_code == 200
    assert api_login(tree.uni_admin, otp=codes[1]).status_code == 200
    assert api_login(tree.uni_admin, otp=codes[1]).status_code == 401


@REQUIRED
def test_the_api_login_of_a_committee_admin_without_an_authenticator_is_refused(tree):
    response = api_login(tree.uni_admin)
    assert response.status_code == 401
    assert response.json()["code"] == "otp_required"
    assert "绑定" in response.json()["message"]
    assert not ApiToken.objects.filter(person=tree.uni_admin).exists()


@REQUIRED
def test_the_api_login_of_a_branch_admin_needs_no_code_unless_they_set_one_up(tree):
    assert api_login(tree.branch_admin).status_code == 200
    assert api_login(tree.member).status_code == 200
    enrolled(tree.branch_admin)
    assert api_login(tree.branch_admin).json()["code"] == "otp_required"


@override_settings(BRANCH_ADMIN_TOTP_REQUIRED=True)
def test_branch_admins_too_when_the_setting_says_so(tree):
    assert api_login(tree.branch_admin).json()["code"] == "otp_required"
    assert api_login(tree.uni_admin).status_code == 200  # ADMIN_TOTP_REQUIRED off in tests
    assert api_login(tree.member).status_code == 200


def test_the_openapi_schema_documents_the_code(client):
    schema = client.get("/api/v1/openapi.json").json()
    login_in = schema["components"]["schemas"]["LoginIn"]
    assert "otp" in login_in["properties"] and "otp" not in login_in.get("required", [])
    assert "两步验证" in login_in["properties"]["otp"]["description"]
    operation = schema["paths"]["/api/v1/auth/login"]["post"]
    assert "otp_required" in operation["description"]
    assert "401" in operation["responses"]


# --- the personal page --------------------------------------------------------------------------------------


@REQUIRED
@NO_THROTTLE
def test_a_branch_admin_adds_and_removes_an_authenticator(client, tree):
    password_step(client, tree.branch_admin)
    assert logged_in(client)
    assert "未启用" in client.get("/accounts/otp/").content.decode()
    assert "开始绑定" in client.get("/accounts/otp/enrol/").content.decode()
    assert not TOTPDevice.objects.filter(user=tree.branch_admin).exists()  # a GET creates nothing
    assert client.post("/accounts/otp/enrol/", {"action": "start"}).url == "/accounts/otp/enrol/"
    assert "otpauth://totp/" in client.get("/accounts/otp/enrol/").content.decode()
    device = TOTPDevice.objects.get(user=tree.branch_admin, confirmed=False)
    shown = client.post("/accounts/otp/enrol/", {"code": code_for(device)})
    assert len(re.findall(r'<span class="code">', shown.content.decode())) == 10
    assert "已启用" in client.get("/accounts/otp/").content.decode()
    assert logged_in(client)  # the session that set it up counts as verified

    # the next login asks for a code
    other = Client()
    assert password_step(other, tree.branch_admin).url == "/accounts/otp/verify/"

    refused = client.post("/accounts/otp/", {"action": "disable", "password": "Wrong#Pass2026"})
    assert "登录密码不正确" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=tree.branch_admin).exists()
    client.post("/accounts/otp/", {"action": "disable", "password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=tree.branch_admin).exists()
    assert password_step(Client(), tree.branch_admin).url != "/accounts/otp/verify/"


@REQUIRED
@NO_THROTTLE
def test_a_committee_admin_cannot_remove_a_required_authenticator(tree):
    device, _ = enrolled(tree.uni_admin)
    c = Client()
    password_step(c, tree.uni_admin)
    c.post("/accounts/otp/verify/", {"code": code_for(device, steps_ahead=1)})
    page = c.get("/accounts/otp/").content.decode()
    assert "不能停用" in page
    c.post("/accounts/otp/", {"action": "disable", "password": PASSWORD})
    assert TOTPDevice.objects.filter(user=tree.uni_admin, confirmed=True).exists()


@REQUIRED
@NO_THROTTLE
def test_new_recovery_codes_void_the_old_ones(tree):
    device, old = enrolled(tree.uni_admin)
    c = Client()
    password_step(c, tree.uni_admin)
    c.post("/accounts/otp/verify/", {"code": code_for(device, steps_ahead=1)})
    page = c.post("/accounts/otp/", {"action": "recovery"}).content.decode()
    new = re.findall(r'<span class="code">([a-z0-9-]+)</span>', page)
    assert len(new) == 10 and not set(new) & set(old)
    assert api_login(tree.uni_admin, otp=old[0]).status_code == 401
    assert api_login(tree.uni_admin, otp=new[0]).status_code == 200


@pytest.mark.parametrize("path", ["/accounts/otp/", "/accounts/otp/enrol/"])
def test_the_personal_pages_need_a_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/accounts/login/" in response.url
