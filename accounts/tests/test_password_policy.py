"""Issue 12 item 4: new passwords guessable from the person's own record are refused on every path that sets
one (change, 忘记密码, member registration, admin registration), and admins need at least 12 characters."""

import pytest

from accounts import reset
from accounts.validators import birth_date_spellings, name_pinyin_forms
from conftest import PASSWORD, make_id_number
from orgs import codes
from people.models import Person


def change(client, person, new):
    client.force_login(person)
    return client.post(
        "/api/v1/auth/password", {"old_password": PASSWORD, "new_password": new}, content_type="application/json"
    )


@pytest.fixture
def person(make_person):
    # 张晓明, born 1999-03-07; ID number 320102 19990307 nnn c
    return make_person("张晓明", birth="19990307")


def weak_cases(p):
    id_number = p.id_number
    return {
        "a run of the ID number": f"Ab#{id_number[2:9]}x",  # 7 consecutive characters from the middle
        "the region code": f"Qq#{id_number[:6]}zz",
        "the birth date yyyymmdd": "Ab#19990307",
        "the birth date yymmdd": "Tu#an990307",
        "the birth date with separators": "Tu#1999-03-07",
        "the birth date mmddyyyy": "Tu#an03071999",
        "the name in pinyin": "Zhang.Xiaoming#26",
        "the name given name first": "XiaoMingZhang!26",
        "the given name in pinyin": "Good#xiaoming7",
        "the name in characters": "张晓明#Qing2026",
        "a common password": "password1234",
    }


@pytest.mark.parametrize(
    "case",
    [
        "a run of the ID number",
        "the region code",
        "the birth date yyyymmdd",
        "the birth date yymmdd",
        "the birth date with separators",
        "the birth date mmddyyyy",
        "the name in pinyin",
        "the name given name first",
        "the given name in pinyin",
        "the name in characters",
        "a common password",
    ],
)
def test_a_password_change_refuses_guessable_passwords(client, person, case):
    response = change(client, person, weak_cases(person)[case])
    assert response.status_code == 422, case
    body = response.json()
    assert body["code"] == "weak_password"
    assert body["errors"][0]["field"] == "new_password"
    assert Person.objects.get(pk=person.pk).check_password(PASSWORD)


def test_the_messages_say_what_is_wrong_in_chinese(client, person):
    messages = {
        case: change(client, person, weak_cases(person)[case]).json()["message"]
        for case in ("a run of the ID number", "the birth date yymmdd", "the name in pinyin", "a common password")
    }
    assert "身份证号码中连续6位" in messages["a run of the ID number"]
    assert "出生日期" in messages["the birth date yymmdd"]
    assert "姓名的拼音" in messages["the name in pinyin"]
    assert "常见" in messages["a common password"]


def test_a_sound_password_is_accepted(client, person):
    assert change(client, person, "Qing-Nian#2027").status_code == 204


def test_polyphonic_names_are_checked_in_every_reading():
    assert "shanxiaoming" in name_pinyin_forms("单晓明")
    assert "danxiaoming" in name_pinyin_forms("单晓明")
    assert "li" not in name_pinyin_forms("李四")  # too short to refuse on its own


def test_birth_date_spellings():
    import datetime as dt

    spellings = birth_date_spellings(dt.date(2001, 2, 3))
    assert {"20010203", "010203", "02032001", "03022001", "200123"} <= spellings


def test_admins_need_twelve_characters(client, tree):
    eleven = "Qing#2026ab"
    response = change(client, tree.branch_admin, eleven)
    assert response.status_code == 422
    assert "管理员的密码至少需要12个字符" in response.json()["message"]
    assert change(client, tree.branch_admin, eleven + "c").status_code == 204
    # a member may keep 11
    assert change(client, tree.member, eleven).status_code == 204


def test_a_reset_applies_the_same_rules(client, tree):
    [issued] = reset._issue([tree.branch_admin], actor=None)  # who may issue it is another test's matter
    body = {"id_number": tree.branch_admin.id_number, "reset_code": issued.code, "new_password": "Qing#2026ab"}
    response = client.post("/api/v1/auth/reset", body, content_type="application/json")
    assert response.status_code == 422
    assert "12个字符" in response.json()["message"]
    body["new_password"] = "Ab#" + tree.branch_admin.id_number[4:12]
    assert client.post("/api/v1/auth/reset", body, content_type="application/json").status_code == 422


def test_member_self_registration_applies_the_rules(client, tree):
    id_number = make_id_number("20030405")
    data = {
        "branch_id": tree.branch.id, "name": "王小红", "id_number": id_number, "political_status": "团员",
        "league_join_date": "2017-09", "development_number": "201700000123", "ethnicity": "汉族",
        "education": "大学本科", "occupation": "学生", "mobile": "13912345678",
        "password": "Wang.XiaoHong#1", "password2": "Wang.XiaoHong#1",
    }  # fmt: skip
    response = client.post("/accounts/register/member/", data)
    assert response.status_code == 200
    assert "姓名的拼音" in response.content.decode()
    assert not Person.objects.by_id_number(id_number).exists()
    data["password"] = data["password2"] = "Ab#20030405x"
    response = client.post("/accounts/register/member/", data)
    assert "出生日期" in response.content.decode() or "身份证号码中连续6位" in response.content.decode()
    assert not Person.objects.by_id_number(id_number).exists()


def test_admin_registration_needs_twelve_characters(client, tree):
    code = codes.registration_code_issue(org=tree.city, actor=tree.province_admin).code
    id_number = make_id_number("19910101")
    data = {
        "org_id": tree.city.id, "position": "副书记", "code": code, "name": "赵新任", "id_number": id_number,
        "political_status": "团员", "league_join_date": "2005-05", "ethnicity": "汉族", "education": "大学本科",
        "occupation": "在职", "mobile": "13912345679", "password": "Qing#2026ab", "password2": "Qing#2026ab",
    }  # fmt: skip
    response = client.post("/accounts/register/admin/", data)
    assert response.status_code == 200
    assert "管理员的密码至少需要12个字符" in response.content.decode()
    assert not Person.objects.by_id_number(id_number).exists()
