"""A member's own record (P10, P11, C4): 个人中心, PATCH /me, and the branch admin's 修改团员信息."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from core.exceptions import Conflict, Invalid, NotAllowed
from orgs import services as org_services
from orgs.rules import Category
from people import profile
from people.models import Person
from people.validation import check_development_number

OWN = {
    "ethnicity": "回族",
    "political_status": "中共预备党员",
    "education": "硕士研究生",
    "occupation": "在职",
    "mobile": "13900001111",
    "email": "me@example.com",
}


def reload(person):
    return Person.objects.get(pk=person.pk)


# --- the member's own fields ------------------------------------------------------------------


def test_a_member_edits_their_own_fields_and_it_is_audited(tree):
    profile.profile_update(person=tree.member, actor=tree.member, data={**OWN, "party_applied_on": "2020-09"})
    p = reload(tree.member)
    assert (p.ethnicity, p.political_status, p.education, p.occupation) == (
        "回族",
        "中共预备党员",
        "硕士研究生",
        "在职",
    )
    assert p.mobile == "13900001111" and p.email == "me@example.com"
    assert p.party_applied_on == dt.date(2020, 9, 1)
    event = AuditEvent.objects.get(verb="修改个人信息", target_id=str(p.pk))
    assert event.actor_id == p.pk and event.org_id == tree.branch.id
    assert event.changes["mobile"] == ["138****5678", "139****1111"]  # PII masked in the trail


def test_a_save_that_changes_nothing_writes_no_audit_row(tree):
    profile.profile_update(person=tree.member, actor=tree.member, data={"mobile": "13812345678"})
    assert not AuditEvent.objects.filter(verb="修改个人信息").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("league_join_date", "2016-09"), ("development_number", "201600000001"), ("name", "别人"), ("id_number", "x")],
)
def test_a_member_cannot_change_the_fields_reserved_for_the_branch_admin(tree, field, value):
    with pytest.raises(NotAllowed, match="请联系所在团支部管理员") as exc:
        profile.profile_update(person=tree.member, actor=tree.member, data={**OWN, field: value})
    assert exc.value.errors[0]["field"] == field
    assert reload(tree.member).ethnicity == "汉族"  # nothing saved


def test_sending_back_the_reserved_fields_unchanged_is_accepted(tree):
    m = tree.member
    data = {"name": m.name, "id_number": m.id_number.lower(), "league_join_date": "2013-09", "mobile": "13900001111"}
    profile.profile_update(person=m, actor=m, data=data)
    assert reload(m).mobile == "13900001111"


def test_bad_values_are_refused_per_field_and_nothing_is_saved(tree):
    with pytest.raises(Invalid) as exc:
        profile.profile_update(
            person=tree.member,
            actor=tree.member,
            data={"ethnicity": "火星族", "mobile": "12345", "email": "me@example.com"},
        )
    fields = {e["field"] for e in exc.value.errors}
    assert fields == {"ethnicity", "mobile"}
    assert reload(tree.member).email == ""


def test_a_field_needed_for_completeness_cannot_be_emptied(tree):
    with pytest.raises(Invalid, match="手机号码是必填信息"):
        profile.profile_update(person=tree.member, actor=tree.member, data={"mobile": ""})


def test_a_blank_field_may_stay_blank_and_the_record_becomes_complete_when_filled(tree, make_person):
    p = make_person("缺信息", branch=tree.branch, mobile="", ethnicity="")
    assert p.complete is False
    profile.profile_update(person=p, actor=p, data={"ethnicity": "", "mobile": ""})
    profile.profile_update(person=p, actor=p, data={"ethnicity": "汉族", "mobile": "13700001111"})
    p = reload(p)
    assert p.complete is True
    assert AuditEvent.objects.get(verb="修改个人信息", target_id=str(p.pk)).changes["complete"] == [False, True]


def test_party_application_needs_its_month(tree):
    with pytest.raises(Invalid, match="请填写递交年月"):
        profile.profile_update(person=tree.member, actor=tree.member, data={"party_applied": True})
    with pytest.raises(Invalid, match="不能晚于当前月份"):
        profile.profile_update(
            person=tree.member, actor=tree.member, data={"party_applied": True, "party_applied_on": "2099-01"}
        )
    profile.profile_update(
        person=tree.member, actor=tree.member, data={"party_applied": True, "party_applied_on": "2021.3"}
    )
    assert reload(tree.member).party_applied_on == dt.date(2021, 3, 1)
    profile.profile_update(person=tree.member, actor=tree.member, data={"party_applied": False})
    assert reload(tree.member).party_applied_on is None


def test_nobody_edits_another_persons_profile(tree):
    with pytest.raises(NotAllowed):
        profile.profile_update(person=tree.member, actor=tree.branch_admin, data=OWN)


# --- the branch admin's fields (P11, C4) --------------------------------------------------------


def test_the_branch_admin_edits_join_date_and_development_number(tree):
    profile.member_record_update(
        person=tree.member,
        actor=tree.branch_admin,
        data={"league_join_date": "2017-05", "development_number": " 201700000123 ", "mobile": "13900001111"},
    )
    p = reload(tree.member)
    assert p.league_join_date == dt.date(2017, 5, 1)
    assert p.development_number == "201700000123"
    event = AuditEvent.objects.get(verb="修改团员信息")
    assert event.actor_id == tree.branch_admin.pk
    assert event.changes["league_join_date"] == ["2013-09-01", "2017-05-01"]


@pytest.mark.parametrize("actor", ["general_admin", "college_admin", "province_admin", "outsider", "member"])
def test_only_the_branch_admin_edits_the_reserved_fields(tree, actor):
    with pytest.raises(NotAllowed):
        profile.member_record_update(
            person=tree.member, actor=getattr(tree, actor), data={"league_join_date": "2014-09"}
        )


@pytest.mark.parametrize("field", ["name", "id_number"])
def test_name_and_id_number_are_never_editable(tree, field):
    with pytest.raises(NotAllowed, match="请删除后重新录入"):
        profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={field: "320102200001010000"})


def test_a_join_date_that_breaks_the_age_rule_is_refused(tree):
    # tree.member was born in September 1999: 12 in September 2011, 13 in September 2012.
    with pytest.raises(Invalid, match="年龄不足12周岁") as exc:
        profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": "2011-08"})
    assert exc.value.errors == [{"field": "league_join_date", "message": exc.value.errors[0]["message"]}]
    profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": "2011-09"})
    assert reload(tree.member).league_join_date == dt.date(2011, 9, 1)


def test_a_join_date_in_the_future_or_empty_is_refused(tree):
    with pytest.raises(Invalid, match="不能晚于当前月份"):
        profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": "2099-01"})
    with pytest.raises(Invalid, match="请填写入团年月"):
        profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": ""})


def test_a_join_from_2017_needs_a_development_number(tree):
    with pytest.raises(Invalid) as exc:
        profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": "2017-01"})
    assert exc.value.errors[0]["field"] == "development_number"
    assert reload(tree.member).league_join_date == dt.date(2013, 9, 1)
    profile.member_record_update(person=tree.member, actor=tree.branch_admin, data={"league_join_date": "2016-12"})
    assert reload(tree.member).development_number is None


def test_a_duplicate_development_number_is_a_conflict_nationwide(tree, make_person):
    elsewhere = make_person("浙江团员", birth="20010101", league_join_date="2018-03")
    Person.objects.filter(pk=elsewhere.pk).update(development_number="201800000009")
    with pytest.raises(Conflict, match="全国唯一") as exc:
        profile.member_record_update(
            person=tree.member,
            actor=tree.branch_admin,
            data={"league_join_date": "2017-09", "development_number": "201800000009"},
        )
    assert exc.value.status == 409
    assert exc.value.errors[0]["field"] == "development_number"
    assert reload(tree.member).league_join_date == dt.date(2013, 9, 1)


def test_unchanged_reserved_fields_are_not_rechecked_when_other_fields_change(tree):
    # Old records without a number (joined 2018) can still get a new mobile.
    Person.objects.filter(pk=tree.member.pk).update(league_join_date=dt.date(2018, 3, 1))
    member = reload(tree.member)
    profile.member_record_update(
        person=member, actor=tree.branch_admin, data={"league_join_date": "2018-03", "mobile": "13900001111"}
    )
    assert reload(member).mobile == "13900001111"


# --- P11 itself --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "join", "expected"),
    [
        (None, "2016-12", None),
        ("", "2016-12", None),
        ("2016", "2016-12", "2016"),
        ("201600000001", "2016-12", "201600000001"),
        ("201700000001", "2017-01", "201700000001"),
        ("201800000001", "2017-01", "201800000001"),
        ("201700000001", "2018-12", "201700000001"),
        ("２０１９ ０００００００１", "2019-06", "201900000001"),
        ("2019abcdef01", "2019-06", "2019ABCDEF01"),
    ],
)
def test_development_numbers_that_pass(number, join, expected):
    assert check_development_number(number, dt.date.fromisoformat(join + "-01")) == expected


@pytest.mark.parametrize(
    ("number", "join", "message"),
    [
        ("", "2017-01", "须填写发展团员编号"),
        ("20170000001", "2017-01", "应为12位，当前为11位"),
        ("2017000000012", "2017-01", "应为12位，当前为13位"),
        ("201900000001", "2017-01", "前4位应为入团年份2017或2018"),
        ("201900000001", "2018-01", "前4位应为入团年份2017或2018"),
        ("201700000001", "2019-01", "前4位应为入团年份2019"),
        ("201500000001", "2016-05", "前4位应为入团年份2016"),
        ("2017-0000001", "2017-01", "只能由数字和字母组成"),
        ("201700000001", None, "请先填写入团年月"),
    ],
)
def test_development_numbers_that_fail(number, join, message):
    with pytest.raises(ValidationError, match=message):
        check_development_number(number, dt.date.fromisoformat(join + "-01") if join else None)


# --- 个人中心 page -------------------------------------------------------------------------------


def test_the_me_page_shows_the_form_the_reserved_fields_and_what_is_missing(tree, client, make_person):
    p = make_person("缺信息", branch=tree.branch, mobile="", education="")
    client.force_login(p)
    html = client.get(reverse("people:me")).content.decode()
    assert "如需修改，请联系所在团支部管理员" in html
    assert "还缺：学历、手机号码" in html
    assert 'name="mobile"' in html and 'name="league_join_date"' not in html


def test_the_me_page_saves(tree, client):
    client.force_login(tree.member)
    response = client.post(reverse("people:me"), {**OWN, "party_applied": "on", "party_applied_on": "2022-04"})
    assert response.status_code == 302
    p = reload(tree.member)
    assert p.mobile == "13900001111" and p.party_applied_on == dt.date(2022, 4, 1)


def test_the_me_page_shows_field_errors_and_saves_nothing(tree, client):
    client.force_login(tree.member)
    response = client.post(reverse("people:me"), {**OWN, "mobile": "110"})
    assert response.status_code == 200
    assert "手机号码应为11位数字" in response.content.decode()
    assert reload(tree.member).ethnicity == "汉族"


# --- the branch admin's page -------------------------------------------------------------------


def test_the_branch_admin_edits_a_member_on_the_page(tree, client):
    url = reverse("people:member_edit", args=[tree.member.pk])
    client.force_login(tree.branch_admin)
    assert client.get(url).status_code == 200
    data = {**OWN, "league_join_date": "2017-10", "development_number": "201700000777"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("people:members", args=[tree.branch.pk])
    assert reload(tree.member).development_number == "201700000777"


def test_the_page_shows_a_duplicate_number_beside_the_field(tree, client, make_person):
    other = make_person("他人", birth="20010101")
    Person.objects.filter(pk=other.pk).update(development_number="201700000777")
    client.force_login(tree.branch_admin)
    response = client.post(
        reverse("people:member_edit", args=[tree.member.pk]),
        {**OWN, "league_join_date": "2017-10", "development_number": "201700000777"},
    )
    assert response.status_code == 200
    assert "全国唯一" in response.content.decode()


@pytest.mark.parametrize("who", ["general_admin", "province_admin", "outsider", "member"])
def test_the_edit_page_is_404_for_anyone_but_the_branch_admin(tree, client, who):
    client.force_login(getattr(tree, who))
    assert client.get(reverse("people:member_edit", args=[tree.member.pk])).status_code == 404
    assert client.post(reverse("people:member_edit", args=[tree.member.pk]), OWN).status_code == 404


def test_the_edit_page_is_404_for_a_cadre_without_a_branch(tree, client):
    client.force_login(tree.branch_admin)
    assert client.get(reverse("people:member_edit", args=[tree.uni_admin.pk])).status_code == 404


# --- API --------------------------------------------------------------------------------------


def test_patch_me_returns_the_same_shape_as_get(tree, api_login):
    api = api_login(tree.member)
    before = api.get("/api/v1/me").json()
    response = api.patch(
        "/api/v1/me", {"mobile": "13900001111", "education": "大学专科"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content.decode()
    body = response.json()
    assert set(body) == set(before)
    assert body["mobile"] == "13900001111" and body["education"] == "大学专科"
    assert api.get("/api/v1/me").json() == body


def test_patch_me_answers_422_with_field_errors(tree, api_login):
    response = api_login(tree.member).patch(
        "/api/v1/me", {"mobile": "12", "email": "not-an-email"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"mobile", "email"}


def test_patch_me_refuses_the_reserved_fields_but_accepts_them_unchanged(tree, api_login):
    api = api_login(tree.member)
    response = api.patch("/api/v1/me", {"league_join_date": "2014-09"}, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["field"] == "league_join_date"
    echoed = {k: v for k, v in api.get("/api/v1/me").json().items() if k in ("name", "id_number", "league_join_date")}
    assert api.patch("/api/v1/me", echoed, content_type="application/json").status_code == 200


def test_the_branch_admin_patches_a_member_and_a_duplicate_number_is_409(tree, api_login, make_person):
    other = make_person("他人", birth="20010101")
    Person.objects.filter(pk=other.pk).update(development_number="201700000777")
    api = api_login(tree.branch_admin)
    url = f"/api/v1/orgs/{tree.branch.id}/members/{tree.member.id}"
    body = {"league_join_date": "2017-10", "development_number": "201700000777"}
    response = api.patch(url, body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["code"] == "development_number_taken"
    body["development_number"] = "201700000778"
    response = api.patch(url, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["development_number"] == "201700000778"
    assert response.json()["league_join_date"] == "2017-10"


def test_a_superior_cannot_patch_a_members_record(tree, api_login):
    url = f"/api/v1/orgs/{tree.branch.id}/members/{tree.member.id}"
    response = api_login(tree.general_admin).patch(
        url, {"league_join_date": "2014-09"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_an_outsider_gets_404_from_the_member_patch(tree, api_login):
    url = f"/api/v1/orgs/{tree.branch.id}/members/{tree.member.id}"
    response = api_login(tree.outsider).patch(url, {"mobile": "13900001111"}, content_type="application/json")
    assert response.status_code == 404


def test_a_branch_admin_cannot_edit_a_member_of_another_branch(tree):
    other = org_services.org_create_child(
        parent=tree.general,
        short_name="五年制临床医学2017级4班团支部",
        category=Category.BRANCH,
        actor=tree.general_admin,
    )
    person = Person.objects.get(pk=tree.member.pk)
    person.branch = other
    person.save(update_fields=["branch"])
    with pytest.raises(NotAllowed):
        profile.member_record_update(person=reload(person), actor=tree.branch_admin, data={"mobile": "13900001111"})


def test_patch_me_with_another_name_names_the_way_that_works(tree, api_login):
    """Issue 14 (10): a name changes for nobody (P1), so the answer does not send the member to a branch admin
    who cannot change it either: the record is deleted and entered again."""
    response = api_login(tree.member).patch("/api/v1/me", {"name": "改个名"}, content_type="application/json")
    assert response.status_code == 403
    error = response.json()["errors"][0]
    assert error == {
        "field": "name",
        "message": "姓名不能修改：登记有误时，请联系所在团支部管理员删除本记录后重新录入。",
    }
    assert Person.objects.get(pk=tree.member.pk).name != "改个名"
