"""Login throttling (django-axes, AXES_FAILURE_LIMIT = 10 in the test settings' defaults)."""

from axes.models import AccessAttempt
from django.conf import settings

from accounts.services import LOGIN_FAILED_MESSAGE
from conftest import PASSWORD

WRONG = "Wrong#Pass2026"


def browser_login(client, person, password):
    return client.post("/accounts/login/", {"id_number": person.id_number, "password": password})


def api_login_raw(client, person, password):
    return client.post(
        "/api/v1/auth/login", {"id_number": person.id_number, "password": password}, content_type="application/json"
    )


def test_the_limit_is_ten_failures():
    assert settings.AXES_FAILURE_LIMIT == 10


def test_nine_failures_still_allow_the_right_password(client, make_person):
    person = make_person("张三")
    for _ in range(9):
        assert browser_login(client, person, WRONG).status_code == 200
    response = browser_login(client, person, PASSWORD)
    assert response.status_code == 302


def test_the_tenth_failure_locks_the_account_and_the_page_answers_as_for_a_wrong_password(client, make_person):
    person = make_person("张三")
    for _ in range(9):
        browser_login(client, person, WRONG)
    response = browser_login(client, person, WRONG)
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [LOGIN_FAILED_MESSAGE]
    assert AccessAttempt.objects.get().failures_since_start == 10


def test_a_locked_account_refuses_even_the_right_password(client, make_person):
    person = make_person("张三")
    for _ in range(10):
        browser_login(client, person, WRONG)
    response = browser_login(client, person, PASSWORD)
    assert response.status_code == 200
    assert list(response.context["form"].non_field_errors()) == [LOGIN_FAILED_MESSAGE]
    assert "_auth_user_id" not in client.session


def test_a_success_resets_the_failure_count_of_its_own_account(client, make_person):
    # Only the failures against the account that logged in (issue 12, item 5): an address's failures against
    # other accounts stay (accounts/tests/test_login_lockout_resistance.py).
    person = make_person("张三")
    for _ in range(9):
        browser_login(client, person, WRONG)
    assert browser_login(client, person, PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(9):
        assert browser_login(client, person, WRONG).status_code == 200


def test_the_api_answers_a_lockout_with_the_very_bytes_of_a_wrong_password(client, make_person):
    person = make_person("张三")
    wrong = api_login_raw(client, person, WRONG)
    for _ in range(9):
        assert api_login_raw(client, person, WRONG).status_code == 401
    locked = api_login_raw(client, person, PASSWORD)
    assert (locked.status_code, locked.content) == (wrong.status_code, wrong.content) == (401, wrong.content)
    assert wrong.json() == {"code": "login_failed", "message": LOGIN_FAILED_MESSAGE, "errors": []}
