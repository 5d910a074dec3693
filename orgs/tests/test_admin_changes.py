"""管理员变更 (SPEC C5, C6)."""

import pytest
from django.urls import reverse

from core.exceptions import Conflict, DomainError, Invalid, NotAllowed
from orgchanges.admin_changes import (
    admin_change_approve,
    admin_change_reject,
    admin_change_request,
    admin_changes_todo,
    admin_revoke,
)
from orgs import access
from orgs.models import AdminChange, OrgAdmin
from people.services import cadre_assign


@pytest.fixture
def deputy(tree, make_person):
    person = make_person("副书记", birth="19930101")
    cadre_assign(person=person, org=tree.uni, position="副书记")
    return person


def admins(org):
    return set(OrgAdmin.objects.filter(org=org).values_list("person__name", flat=True))


def test_a_superiors_change_takes_effect_at_once(tree, deputy):
    assert admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.province_admin) is None
    assert admins(tree.uni) == {"校团委管理员", "副书记"}


def test_an_own_change_waits_for_the_direct_superior(tree, deputy):
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    assert change.status == AdminChange.Status.PENDING
    assert admins(tree.uni) == {"校团委管理员"}
    assert list(admin_changes_todo(tree.province_admin)) == [change]
    assert list(admin_changes_todo(tree.root_admin)) == []  # not the direct superior
    admin_change_approve(change=change, actor=tree.province_admin)
    assert admins(tree.uni) == {"校团委管理员", "副书记"}


def test_a_rejected_change_changes_nothing(tree, deputy):
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    admin_change_reject(change=change, actor=tree.province_admin, note="请先完善信息")
    assert admins(tree.uni) == {"校团委管理员"}
    with pytest.raises(Conflict, match="已经处理"):
        admin_change_approve(change=change, actor=tree.province_admin)


@pytest.mark.parametrize("note", ["", "   "])
def test_a_rejection_needs_a_reason(tree, deputy, note):
    """SPEC-2 W2: 不通过 with a reason, shown to the admin who asked (issue 13: the old path took an empty note)."""
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    with pytest.raises(Invalid, match="请填写驳回理由") as e:
        admin_change_reject(change=change, actor=tree.province_admin, note=note)
    assert e.value.code == "reason_required"
    assert AdminChange.objects.get(pk=change.pk).status == AdminChange.Status.PENDING


def test_a_rejection_without_a_reason_is_refused_on_the_page_and_in_the_api(tree, deputy, client, api_login):
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    client.force_login(tree.province_admin)
    page = client.post(reverse("orgs:admin_change_decide", args=[change.pk, "reject"]), {"note": ""}, follow=True)
    assert "请填写驳回理由" in page.content.decode()
    r = api_login(tree.province_admin).post(f"/api/v1/admin-changes/{change.pk}/reject", {"reason": ""},
                                            content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    assert AdminChange.objects.get(pk=change.pk).status == AdminChange.Status.PENDING
    # The home page's 驳回 asks for the reason.
    assert 'name="note" required' in client.get(reverse("orgs:home")).content.decode()


@pytest.mark.parametrize("approver", ["uni_admin", "root_admin", "outsider", "college_admin"])
def test_only_the_direct_superior_approves(tree, deputy, approver):
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    with pytest.raises(NotAllowed):
        admin_change_approve(change=change, actor=getattr(tree, approver))


def test_only_cadres_of_the_organisation_can_become_admins(tree, make_person):
    stranger = make_person("非团干部")
    with pytest.raises(DomainError, match="团干部中选择"):
        admin_change_request(org=tree.uni, person=stranger, action="add", actor=tree.province_admin)


def test_a_cadre_of_another_organisation_is_not_a_candidate(tree):
    with pytest.raises(DomainError, match="团干部中选择"):
        admin_change_request(org=tree.uni, person=tree.college_admin, action="add", actor=tree.province_admin)


def test_the_last_admin_cannot_be_revoked(tree):
    with pytest.raises(Conflict, match="唯一的管理员"):
        admin_change_request(org=tree.uni, person=tree.uni_admin, action="revoke", actor=tree.province_admin)
    with pytest.raises(Conflict, match="唯一的管理员"):
        admin_change_request(org=tree.uni, person=tree.uni_admin, action="revoke", actor=tree.uni_admin)
    assert admins(tree.uni) == {"校团委管理员"}


def test_revoking_one_of_two_admins_works_and_removes_their_rights(tree, deputy):
    admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.province_admin)
    admin_change_request(org=tree.uni, person=tree.uni_admin, action="revoke", actor=tree.province_admin)
    assert admins(tree.uni) == {"副书记"}
    assert access.is_admin_of(tree.uni_admin, tree.uni) is False


def test_a_fourth_admin_is_refused(tree, make_person):
    for i in range(2):
        p = make_person(f"干部{i}")
        cadre_assign(person=p, org=tree.uni, position="委员")
        admin_change_request(org=tree.uni, person=p, action="add", actor=tree.province_admin)
    fourth = make_person("第四人")
    cadre_assign(person=fourth, org=tree.uni, position="委员")
    with pytest.raises(Conflict, match="已有3名管理员"):
        admin_change_request(org=tree.uni, person=fourth, action="add", actor=tree.province_admin)


def test_a_pending_add_refused_at_approval_when_the_limit_was_reached_meanwhile(tree, make_person):
    people = []
    for i in range(3):
        p = make_person(f"干部{i}")
        cadre_assign(person=p, org=tree.uni, position="委员")
        people.append(p)
    change = admin_change_request(org=tree.uni, person=people[2], action="add", actor=tree.uni_admin)
    for p in people[:2]:
        admin_change_request(org=tree.uni, person=p, action="add", actor=tree.province_admin)
    with pytest.raises(Conflict, match="已有3名管理员"):
        admin_change_approve(change=change, actor=tree.province_admin)
    change.refresh_from_db()
    assert change.status == AdminChange.Status.PENDING  # the approval rolled back whole


def test_revoke_service_refuses_a_non_admin(tree):
    with pytest.raises(Conflict):
        admin_revoke(org=tree.uni, person=tree.member)


# --- pages and API -------------------------------------------------------


def test_api_immediate_change_is_200_and_own_change_is_202(tree, deputy, api_login):
    own = api_login(tree.uni_admin).post(
        f"/api/v1/orgs/{tree.uni.id}/admins", {"person_id": deputy.id}, content_type="application/json"
    )
    assert own.status_code == 202
    change_id = own.json()["change"]["id"]
    province = api_login(tree.province_admin)
    assert [c["id"] for c in province.get("/api/v1/admin-changes").json()] == [change_id]
    approved = province.post(f"/api/v1/admin-changes/{change_id}/approve")
    assert approved.status_code == 200
    assert approved.json()["status"] == "已通过"
    listed = province.get(f"/api/v1/orgs/{tree.uni.id}/admins").json()
    assert {a["name"] for a in listed} == {"校团委管理员", "副书记"}
    revoke = province.delete(f"/api/v1/orgs/{tree.uni.id}/admins/{deputy.id}")
    assert revoke.status_code == 200
    assert revoke.json()["status"] == "已生效"


def test_api_someone_elses_change_is_404_to_approve(tree, deputy, api_login):
    change = admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    assert api_login(tree.outsider).post(f"/api/v1/admin-changes/{change.id}/approve").status_code == 404
    assert api_login(tree.root_admin).post(f"/api/v1/admin-changes/{change.id}/approve").status_code == 404


def test_api_outsider_cannot_touch_admins(tree, deputy, api_login):
    outsider = api_login(tree.outsider)
    assert outsider.get(f"/api/v1/orgs/{tree.uni.id}/admins").status_code == 404
    r = outsider.post(f"/api/v1/orgs/{tree.uni.id}/admins", {"person_id": deputy.id}, content_type="application/json")
    assert r.status_code == 404


def test_the_todo_appears_on_the_superiors_home_page(tree, deputy, client):
    admin_change_request(org=tree.uni, person=deputy, action="add", actor=tree.uni_admin)
    client.force_login(tree.province_admin)
    page = client.get("/manage/").content.decode()
    assert "待办（1）" in page
    assert "副书记" in page


def test_the_admin_page_adds_from_cadres(tree, deputy, client):
    client.force_login(tree.province_admin)
    page = client.get(f"/manage/orgs/{tree.uni.id}/admins/").content.decode()
    assert "副书记" in page and "设为管理员" in page
    client.post(f"/manage/orgs/{tree.uni.id}/admins/add/", {"person_id": deputy.id})
    assert admins(tree.uni) == {"校团委管理员", "副书记"}


def test_the_admin_page_is_404_for_outsiders(tree, client):
    client.force_login(tree.outsider)
    assert client.get(f"/manage/orgs/{tree.uni.id}/admins/").status_code == 404
    client.force_login(tree.college_admin)  # a subordinate's admin
    assert client.get(f"/manage/orgs/{tree.uni.id}/admins/").status_code == 404


def test_a_request_reads_without_an_at_sign(tree):
    """Issue 14 (11): what the operator site and the audit trail show of a request is a Chinese phrase."""
    change = AdminChange(org=tree.college, person=tree.general_admin, action=AdminChange.Action.ADD)
    assert str(change) == f"添加管理员：{tree.general_admin}（{tree.college}）"
