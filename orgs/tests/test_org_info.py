"""组织信息 (SPEC O1–O4) and its completeness (S1)."""

import pytest

from audit.models import AuditEvent
from conftest import make_id_number
from core.exceptions import Invalid, NotAllowed
from orgs import completeness
from orgs.models import Org
from people.models import AccountState, Cadre, Person
from people.org_info import org_info_update

COMMITTEE_INFO = {
    "industry": "P",
    "admin_quota": "2",
    "admin_staffed": "1",
    "inst_quota": "0",
    "inst_staffed": "0",
}


def secretary_of(person, mobile="13700001111"):
    return {"secretary_name": person.name, "secretary_id_number": person.id_number, "secretary_mobile": mobile}


def test_required_fields_depend_on_the_category(tree):
    assert "phone" in completeness.required_fields(tree.province)
    assert "email" in completeness.required_fields(tree.province)
    assert "phone" not in completeness.required_fields(tree.uni)
    assert "industry" in completeness.required_fields(tree.uni)
    assert "admin_quota" in completeness.required_fields(tree.uni)
    assert "admin_quota" not in completeness.required_fields(tree.branch)
    assert "industry" in completeness.required_fields(tree.branch)


def test_partial_work_is_saved_and_what_is_missing_is_listed(tree):
    org = org_info_update(org=tree.uni, actor=tree.uni_admin, data={"industry": "P", "admin_quota": "3"})
    org.refresh_from_db()
    assert org.industry == "P" and org.admin_quota == 3
    assert completeness.missing_fields(org) == ["admin_staffed", "inst_quota", "inst_staffed", "secretary"]


def test_zero_is_a_value_and_empty_is_missing(tree):
    org_info_update(org=tree.uni, actor=tree.uni_admin, data={"admin_quota": "0", "admin_staffed": ""})
    org = Org.objects.get(pk=tree.uni.pk)
    assert org.admin_quota == 0
    assert org.admin_staffed is None
    assert "admin_quota" not in completeness.missing_fields(org)
    assert "admin_staffed" in completeness.missing_fields(org)


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("admin_quota", "-1", "不小于0的整数"),
        ("admin_quota", "2.5", "不小于0的整数"),
        ("inst_staffed", "三", "不小于0的整数"),
        ("email", "tuanwei@", "电子邮箱"),
        ("industry", "Z9", "行业类别"),
        ("secretary_mobile", "1234567", "手机号码"),
        ("secretary_id_number", "32010219980315000X", "身份证号码"),
    ],
)
def test_bad_values_are_refused_per_field_and_change_nothing(tree, field, value, message):
    data = {"admin_staffed": "5", field: value}
    with pytest.raises(Invalid) as exc:
        org_info_update(org=tree.uni, actor=tree.uni_admin, data=data)
    assert any(e["field"] == field and message in e["message"] for e in exc.value.errors), exc.value.errors
    assert Org.objects.get(pk=tree.uni.pk).admin_staffed is None


def test_a_landline_with_area_code_is_accepted_and_a_bad_phone_refused(tree):
    org_info_update(org=tree.province, actor=tree.province_admin, data={"phone": "025-83201234"})
    with pytest.raises(Invalid, match="座机请带区号"):
        org_info_update(org=tree.province, actor=tree.province_admin, data={"phone": "8320"})


@pytest.mark.parametrize("field,value", [("short_name", "新名团委"), ("full_name", "新全称"), ("category", "团工委")])
def test_the_own_admin_cannot_change_locked_fields(tree, field, value):
    with pytest.raises(NotAllowed, match="直属上级组织管理员更正"):
        org_info_update(org=tree.uni, actor=tree.uni_admin, data={field: value})


def test_the_own_admin_sets_the_industry_once(tree):
    org_info_update(org=tree.uni, actor=tree.uni_admin, data={"industry": "P"})
    with pytest.raises(NotAllowed):
        org_info_update(org=tree.uni, actor=tree.uni_admin, data={"industry": "C"})


def test_the_direct_superior_corrects_locked_fields_and_it_is_audited(tree):
    org_info_update(
        org=tree.uni,
        actor=tree.province_admin,
        data={"short_name": "南京医大团委", "full_name": "共青团南京医科大学委员会", "industry": "Q"},
    )
    org = Org.objects.get(pk=tree.uni.pk)
    assert (org.short_name, org.full_name, org.industry) == ("南京医大团委", "共青团南京医科大学委员会", "Q")
    event = AuditEvent.objects.filter(verb="更正组织信息", target_id=str(org.pk)).get()
    assert event.actor == tree.province_admin
    assert event.changes["short_name"] == ["南京医科大学团委", "南京医大团委"]


def test_a_category_correction_must_still_fit_the_tree(tree):
    # 第一临床医学院团委 has a 团总支 below it; a 团总支 cannot hold a 团总支.
    with pytest.raises(Invalid, match="团总支下不能设立团总支"):
        org_info_update(org=tree.college, actor=tree.uni_admin, data={"category": "团总支"})


def test_a_correction_keeps_the_naming_rule(tree):
    with pytest.raises(Invalid, match="应以“团委”结尾"):
        org_info_update(org=tree.uni, actor=tree.province_admin, data={"short_name": "南京医科大学"})


def test_outsiders_and_deeper_superiors_cannot_edit(tree):
    for actor in (tree.outsider, tree.root_admin, tree.college_admin, tree.member):
        with pytest.raises(NotAllowed):
            org_info_update(org=tree.uni, actor=actor, data={"admin_quota": "1"})


def test_a_new_secretary_is_created_as_a_person_holding_secretary_there(tree):
    data = {
        "secretary_name": "新书记",
        "secretary_id_number": make_id_number("19900101"),
        "secretary_mobile": "13700001111",
    }
    org = org_info_update(org=tree.uni, actor=tree.uni_admin, data=data)
    person = Person.objects.by_id_number(data["secretary_id_number"]).get()
    assert org.secretary == person
    assert person.mobile == "13700001111"
    assert person.account_state == AccountState.INITIAL
    assert Cadre.objects.get(org=tree.uni, person=person).position == "书记"


def test_an_existing_person_is_linked_by_id_number_not_duplicated(tree):
    before = Person.objects.count()
    org = org_info_update(org=tree.uni, actor=tree.uni_admin, data=secretary_of(tree.uni_admin))
    assert org.secretary == tree.uni_admin
    assert Person.objects.count() == before


def test_a_name_that_does_not_match_the_id_number_is_refused(tree):
    data = secretary_of(tree.uni_admin) | {"secretary_name": "别的名字"}
    with pytest.raises(Invalid, match="姓名与系统中"):
        org_info_update(org=tree.uni, actor=tree.uni_admin, data=data)


def test_complete_needs_a_registered_secretary_with_a_mobile_s1(tree, make_person):
    # Someone of the organisation's own subtree is linked at once (an outsider gets a 任职确认, issue 12).
    unregistered = make_person("未注册书记", password=None, mobile="", branch=tree.branch)
    org_info_update(org=tree.uni, actor=tree.uni_admin, data=COMMITTEE_INFO | secretary_of(unregistered, mobile=""))
    org = Org.objects.get(pk=tree.uni.pk)
    assert completeness.missing_fields(org) == ["secretary_registered", "secretary_mobile"]
    org_info_update(org=tree.uni, actor=tree.uni_admin, data=secretary_of(tree.uni_admin))
    assert completeness.is_complete(Org.objects.get(pk=tree.uni.pk))


def test_the_org_phone_does_not_stand_in_for_the_secretarys_mobile(tree, make_person):
    secretary = make_person("书记", mobile="", branch=tree.branch)
    info = {"phone": "025-83201234", "email": "tw@example.cn", **COMMITTEE_INFO}
    org_info_update(org=tree.province, actor=tree.province_admin, data=info | secretary_of(secretary, mobile=""))
    assert completeness.missing_fields(Org.objects.get(pk=tree.province.pk)) == ["secretary_mobile"]


# --- page and API -----------------------------------------------------------


def test_the_page_marks_required_fields_and_shows_what_is_missing(tree, client):
    client.force_login(tree.uni_admin)
    page = client.get(f"/manage/orgs/{tree.uni.id}/info/").content.decode()
    assert "尚未完成" in page and "单位所属行业类别" in page
    assert page.count("field required") >= 8  # category, names, industry, four quotas, secretary fields
    assert 'name="short_name"' in page and "disabled" in page


def test_the_page_shows_field_errors_and_keeps_the_input(tree, client):
    client.force_login(tree.uni_admin)
    response = client.post(f"/manage/orgs/{tree.uni.id}/info/", {"admin_quota": "-3", "inst_quota": "2"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "不小于0的整数" in page
    assert Org.objects.get(pk=tree.uni.pk).inst_quota is None


def test_api_patch_saves_and_reports_missing(tree, api_login):
    client = api_login(tree.uni_admin)
    response = client.patch(
        f"/api/v1/orgs/{tree.uni.id}",
        {"industry": "教育", "admin_quota": 0, "secretary": {"name": tree.uni_admin.name,
         "id_number": tree.uni_admin.id_number, "mobile": "13700001111"}},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["admin_quota"] == 0
    assert body["missing"] == ["admin_staffed", "inst_quota", "inst_staffed"]
    assert body["secretary"]["id_number"] == tree.uni_admin.id_number  # own admin sees it in full


def test_api_patch_bad_value_is_422_with_field_errors(tree, api_login):
    response = api_login(tree.uni_admin).patch(
        f"/api/v1/orgs/{tree.uni.id}", {"email": "x@"}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "email"


def test_api_patch_locked_field_by_own_admin_is_403(tree, api_login):
    response = api_login(tree.uni_admin).patch(
        f"/api/v1/orgs/{tree.uni.id}", {"short_name": "别名团委"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "locked_field"


def test_api_patch_outside_reach_is_404(tree, api_login):
    response = api_login(tree.outsider).patch(
        f"/api/v1/orgs/{tree.uni.id}", {"admin_quota": 1}, content_type="application/json"
    )
    assert response.status_code == 404


def test_an_absurd_quota_is_refused_not_overflowed(tree):
    with pytest.raises(Invalid, match="999999"):
        org_info_update(org=tree.uni, actor=tree.uni_admin, data={"inst_quota": "9" * 30})
