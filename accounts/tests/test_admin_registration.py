"""管理员注册 (SPEC C3–C5) through the service and POST /api/v1/register/admin."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from accounts.registration import admin_register
from conftest import make_id_number
from core.exceptions import Conflict, Invalid
from orgs import access, codes
from orgs.models import OrgAdmin, RegistrationCode
from orgs.rules import Category
from orgs.services import org_create_child
from people.models import Cadre, Person

PASSWORD = "Qing-Nian#2026"


def person_data(**overrides):
    data = {
        "name": "新管理员",
        "id_number": make_id_number("19980315"),
        "political_status": "团员",
        "education": "大学本科",
        "occupation": "学生",
        "league_join_date": "2012-05",
        "mobile": "13912345678",
        "ethnicity": "汉族",
    }
    data.update(overrides)
    return data


@pytest.fixture
def new_org(tree):
    return org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )


@pytest.fixture
def code(tree, new_org):
    return codes.registration_code_issue(org=new_org, actor=tree.uni_admin).code


def register(org, code, **overrides):
    return admin_register(
        org_id=org.id, position=overrides.pop("position", "书记"), code=code,
        person_data=person_data(**overrides), password=overrides.pop("password", PASSWORD),
    )  # fmt: skip


def test_the_registrant_becomes_admin_and_cadre_of_the_organisation(new_org, code):
    person = register(new_org, code)
    assert OrgAdmin.objects.filter(org=new_org, person=person).exists()
    assert Cadre.objects.get(org=new_org, person=person).position == "书记"
    assert person.registered is True
    assert person.check_password(PASSWORD)
    assert RegistrationCode.objects.get(org=new_org).used_by == person


def test_a_code_works_once(new_org, code):
    register(new_org, code)
    with pytest.raises(Conflict, match="已被使用"):
        register(new_org, code, id_number=make_id_number("19970101"))


def test_a_wrong_case_code_is_refused(new_org, code):
    with pytest.raises(Invalid, match="区分大小写"):
        register(new_org, code.swapcase())


def test_another_organisations_code_reads_as_a_wrong_code_naming_the_chosen_organisation(tree, new_org, code):
    # Issue 12 item 14: no hint that the code is live for another organisation (was code_wrong_org).
    with pytest.raises(Invalid, match="第一临床医学院团委”的8位注册码") as exc:
        register(tree.college, code)
    assert exc.value.code == "code_invalid"


def test_an_expired_code_is_refused(new_org, code):
    RegistrationCode.objects.filter(org=new_org).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(Conflict, match="过期"):
        register(new_org, code)


def test_a_replaced_code_is_refused(tree, new_org, code):
    codes.registration_code_issue(org=new_org, actor=tree.uni_admin)
    with pytest.raises(Conflict, match="作废"):
        register(new_org, code)


def test_an_invalid_id_number_is_refused_with_the_field_named(new_org, code):
    with pytest.raises(Invalid) as exc:
        register(new_org, code, id_number="320102199803150001")
    assert exc.value.errors[0]["field"] == "id_number"
    assert "校验位" in exc.value.errors[0]["message"]


@pytest.mark.parametrize(
    "birth,join,ok",
    [
        ("20030901", "2016-08", True),  # 12y11m before the cut-off: 12 is enough
        ("20040901", "2016-08", False),  # 11 before the cut-off
        ("20031001", "2016-09", False),  # 12y11m on the cut-off date: 13 needed from 2016-09-01
        ("20040101", "2017-01", True),  # exactly 13 after the cut-off
        ("20040201", "2017-01", False),  # 12y11m after the cut-off
    ],
)
def test_join_age_rule_c4(new_org, code, birth, join, ok):
    kwargs = {"id_number": make_id_number(birth), "league_join_date": join}
    if join >= "2017":
        kwargs["development_number"] = f"{join[:4]}00000103"  # P11
    if ok:
        register(new_org, code, **kwargs)
    else:
        with pytest.raises(Invalid, match="入团时年龄不足"):
            register(new_org, code, **kwargs)


@override_settings(JOIN_AGE_CUTOFF="2017-01-01")
def test_the_join_age_cut_off_is_a_setting(new_org, code):
    register(new_org, code, id_number=make_id_number("20040101"), league_join_date="2016-10")


def test_a_fourth_admin_is_refused_with_409(tree, new_org, make_person):
    for i in range(3):
        code = codes.registration_code_issue(org=new_org, actor=tree.uni_admin).code
        register(new_org, code, id_number=make_id_number("19970101"), name=f"管理员{i}")
    code = codes.registration_code_issue(org=new_org, actor=tree.uni_admin).code
    with pytest.raises(Conflict, match="已有3名管理员"):
        register(new_org, code, id_number=make_id_number("19970101"), name="第四人")
    # Nothing of the refused registration remains, and the code is still unused.
    assert OrgAdmin.objects.filter(org=new_org).count() == 3
    assert not Person.objects.filter(name="第四人").exists()
    assert RegistrationCode.objects.filter(org=new_org).latest("created_at").used_at is None


def test_an_existing_unregistered_person_must_set_a_password_first(tree, new_org, code, make_person):
    """Issue 12: a name, an ID number and a code never set the password of someone who has not registered."""
    cadre = make_person("已录入团员", password=None, branch=tree.branch)
    with pytest.raises(Conflict) as e:
        register(new_org, code, id_number=cadre.id_number, name="已录入团员")
    assert e.value.code == "activate_first" and "初始密码" in e.value.message
    cadre.refresh_from_db()
    assert cadre.registered is False and not access.is_admin_of(cadre, new_org)
    assert RegistrationCode.objects.get(org=new_org).used_at is None


def test_an_existing_person_registers_with_their_own_password(tree, new_org, code, make_person):
    member = make_person("已注册团员", password=PASSWORD, branch=tree.branch)
    person = register(new_org, code, id_number=member.id_number, name="已注册团员")
    assert person.pk == member.pk
    assert access.is_admin_of(Person.objects.get(pk=member.pk), new_org)


def test_registering_keeps_the_join_month_on_record_and_updates_the_persons_own_fields(
    tree, new_org, code, make_person
):
    """P11: 入团年月 on record is the branch admin's to change; the registrant's own fields are theirs."""
    member = make_person(
        "已录入团员", birth="19980315", password=PASSWORD, branch=tree.branch, league_join_date="2012-05"
    )
    register(new_org, code, id_number=member.id_number, name="已录入团员", league_join_date="2011-09",
             mobile="13700001111")  # fmt: skip
    member.refresh_from_db()
    assert member.league_join_date.isoformat() == "2012-05-01"
    assert member.mobile == "13700001111"


def test_a_name_that_does_not_match_the_id_number_is_refused(tree, new_org, code, make_person):
    cadre = make_person("已录入团员", password=None)
    with pytest.raises(Invalid, match="姓名与系统中"):
        register(new_org, code, id_number=cadre.id_number, name="别人")


def test_a_registered_person_must_give_their_own_password(tree, new_org, code):
    with pytest.raises(Invalid, match="现有的登录密码"):
        register(new_org, code, id_number=tree.member.id_number, name=tree.member.name, password="Other#Pass2026")


def test_position_must_suit_the_category(new_org, code):
    with pytest.raises(Invalid, match="团内职务"):
        register(new_org, code, position="生活委员")


# --- the API ---------------------------------------------------------------


def api_register(client, org, code, **overrides):
    return client.post(
        "/api/v1/register/admin",
        {"org_id": org.id, "position": "书记", "code": code, "person": person_data(**overrides), "password": PASSWORD},
        content_type="application/json",
    )


def test_api_registers_with_201_and_the_person_can_log_in(client, new_org, code):
    response = api_register(client, new_org, code)
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["person_id"])
    login = client.post(
        "/api/v1/auth/login", {"id_number": person.id_number, "password": PASSWORD}, content_type="application/json"
    )
    assert login.status_code == 200
    assert login.json()["must_change_password"] is False


@pytest.mark.parametrize(
    "mutate,status,code_name",
    [
        (lambda c: c.swapcase(), 422, "code_invalid"),
        (lambda c: "", 422, "code_required"),
    ],
)
def test_api_refusals_carry_a_machine_code_and_chinese_message(client, new_org, code, mutate, status, code_name):
    response = api_register(client, new_org, mutate(code))
    assert response.status_code == status
    body = response.json()
    assert body["code"] == code_name
    assert "注册码" in body["message"]


def test_api_used_code_is_409(client, new_org, code):
    assert api_register(client, new_org, code).status_code == 201
    again = api_register(client, new_org, code, id_number=make_id_number("19960101"))
    assert again.status_code == 409
    assert again.json()["code"] == "code_used"


def test_api_unknown_org_is_404(client, code):
    response = client.post(
        "/api/v1/register/admin",
        {"org_id": 999999, "position": "书记", "code": code, "person": person_data(), "password": PASSWORD},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_api_org_search_finds_by_part_of_the_name(client, tree):
    hits = client.get("/api/v1/register/orgs", {"q": "临床医学2017级"}).json()
    assert [h["id"] for h in hits] == [tree.general.id, tree.branch.id]
    assert client.get("/api/v1/register/orgs", {"q": "临"}).json() == []
