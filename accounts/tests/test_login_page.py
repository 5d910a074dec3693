"""The browser login, password change and logout pages (SPEC P7), through Django's test client.

django-axes is enabled, so logging in goes through the login page's POST
(axes needs the request), or force_login where the login itself is not tested.
"""

import pytest
from django.urls import reverse

from conftest import PASSWORD
from people import services as people_services
from people.admins import org_admin_add
from people.models import AccountState, Person

LOGIN_URL = reverse("accounts:login")
PASSWORD_URL = reverse("accounts:password_change")
LOGOUT_URL = reverse("accounts:logout")
HOME_URL = reverse("orgs:home")
NEW_PASSWORD = "Qingnian#2027"


def post_login(client, person_or_id, password, **extra):
    id_number = getattr(person_or_id, "id_number", person_or_id)
    return client.post(LOGIN_URL, {"id_number": id_number, "password": password}, **extra)


@pytest.fixture
def initial_admin(tree, make_person):
    """An admin entered by their superior, still on the initial password."""
    person = make_person("新任书记", password=None)
    people_services.cadre_assign(person=person, org=tree.city, position="副书记")
    org_admin_add(org=tree.city, person=person)
    return person


def test_the_login_page_renders_in_chinese(client, db):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-CN"' in html
    assert "登录" in html
    assert "身份证号码" in html
    assert "密码" in html


def test_a_correct_login_redirects_to_the_management_centre(client, tree):
    # A branch has no subordinates, so no S6 progress prompt comes first.
    response = post_login(client, tree.branch_admin, PASSWORD)
    assert response.status_code == 302
    assert response.url == HOME_URL
    assert client.get(HOME_URL).status_code == 200


def test_the_session_never_stores_the_id_number(client, tree):
    post_login(client, tree.uni_admin, PASSWORD)
    session = client.session
    assert tree.uni_admin.id_number not in str(dict(session.items()))


def test_a_wrong_password_shows_one_message(client, tree):
    response = post_login(client, tree.uni_admin, "Wrong#Pass2026")
    assert response.status_code == 200
    assert "身份证号码或密码错误" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_an_unknown_id_number_shows_the_same_message(client, tree):
    known = post_login(client, tree.uni_admin, "Wrong#Pass2026").content.decode()
    unknown = post_login(client, "11010519491231002X", "Wrong#Pass2026").content.decode()
    assert "身份证号码或密码错误" in unknown
    assert known.count("身份证号码或密码错误") == unknown.count("身份证号码或密码错误")


def test_an_empty_form_does_not_log_in(client, db):
    response = client.post(LOGIN_URL, {})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_management_centre_needs_a_login(client, db):
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN_URL)


def test_an_initial_password_login_goes_to_the_password_page(client, initial_admin):
    response = post_login(client, initial_admin, initial_admin.id_number[-8:])
    assert response.status_code == 302
    assert response.url == PASSWORD_URL
    page = client.get(PASSWORD_URL)
    assert page.status_code == 200
    assert "设置新密码" in page.content.decode()


def test_on_an_initial_password_the_management_centre_is_closed(client, initial_admin):
    post_login(client, initial_admin, initial_admin.id_number[-8:])
    response = client.get(HOME_URL)
    assert response.status_code == 302
    assert response.url == PASSWORD_URL
    assert client.get(reverse("orgs:tree")).url == PASSWORD_URL


def test_after_changing_the_initial_password_the_management_centre_opens(client, initial_admin):
    post_login(client, initial_admin, initial_admin.id_number[-8:])
    response = client.post(
        PASSWORD_URL,
        {
            "old_password": initial_admin.id_number[-8:],
            "new_password": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    assert response.url == HOME_URL
    assert client.get(HOME_URL).status_code == 200  # still logged in: the session hash was updated
    person = Person.objects.get(pk=initial_admin.pk)
    assert person.account_state == AccountState.ACTIVE
    assert person.must_change_password is False
    assert person.check_password(NEW_PASSWORD)


def test_the_password_page_refuses_mismatched_new_passwords(client, initial_admin):
    client.force_login(initial_admin)
    response = client.post(
        PASSWORD_URL,
        {"old_password": initial_admin.id_number[-8:], "new_password": NEW_PASSWORD, "new_password2": "Other#2027x"},
    )
    assert response.status_code == 200
    assert "两次输入的新密码不一致" in response.content.decode()
    assert Person.objects.get(pk=initial_admin.pk).must_change_password is True


def test_the_password_page_refuses_the_initial_password_as_the_new_one(client, initial_admin):
    client.force_login(initial_admin)
    last8 = initial_admin.id_number[-8:]
    response = client.post(PASSWORD_URL, {"old_password": last8, "new_password": last8, "new_password2": last8})
    assert response.status_code == 200
    assert "身份证号码或其后8位" in response.content.decode()
    assert Person.objects.get(pk=initial_admin.pk).must_change_password is True


def test_the_password_page_refuses_a_wrong_old_password(client, tree):
    client.force_login(tree.uni_admin)
    response = client.post(
        PASSWORD_URL, {"old_password": "Wrong#Pass2026", "new_password": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 200
    assert "原密码不正确" in response.content.decode()


def test_logout_is_refused_on_get(client, tree):
    client.force_login(tree.uni_admin)
    assert client.get(LOGOUT_URL).status_code == 405
    assert client.get(HOME_URL).status_code == 200


def test_logout_on_post_ends_the_session(client, tree):
    client.force_login(tree.uni_admin)
    response = client.post(LOGOUT_URL)
    assert response.status_code == 302
    assert response.url == LOGIN_URL
    assert client.get(HOME_URL).url.startswith(LOGIN_URL)


def test_a_logged_in_person_visiting_the_login_page_goes_home(client, tree):
    client.force_login(tree.uni_admin)
    response = client.get(LOGIN_URL)
    assert response.status_code == 302
    assert response.url == HOME_URL


def test_the_login_follows_a_local_next_url(client, tree):
    target = reverse("orgs:tree")
    response = post_login(client, tree.branch_admin, PASSWORD, QUERY_STRING=f"next={target}")
    assert response.status_code == 302
    assert response.url == target


@pytest.mark.parametrize("target", ["https://evil.example.com/phish", "//evil.example.com/", "http://evil.example.com"])
def test_the_login_does_not_redirect_to_another_site(client, tree, target):
    response = post_login(client, tree.branch_admin, PASSWORD, QUERY_STRING=f"next={target}")
    assert response.status_code == 302
    assert response.url == HOME_URL
