"""SPEC-2 ST1–ST3, rule by rule, on the services."""

import datetime as dt

import pytest

from core.exceptions import Conflict, Invalid, NotAllowed
from people import members, profile
from people.choices import LeagueStatus
from people.models import Cadre, Person
from people.services import cadre_assign
from standing import selectors, services
from standing.models import Kind, StatusChange
from transfers import services as transfers
from workflow import engine
from workflow.models import Process

from .conftest import leave, request_change


def fresh(p):
    return Person.objects.get(pk=p.pk)


# --- ST1 ------------------------------------------------------------------------------------------------------


def test_st1_request_is_pending_until_the_direct_superior_approves(st_tree):
    t = st_tree
    change = request_change(t, t.member)
    assert fresh(t.member).pending_status == "自愿退团"
    assert fresh(t.member).league_status == "正常"
    assert change.status == "待审核"
    step = engine.open_step(change.process)
    assert step.handler_org_id == t.general.pk
    services.status_change_approve(change=change, actor=t.general_admin, opinion="同意")
    p = fresh(t.member)
    assert (p.league_status, p.pending_status, p.branch_id, p.left_org_id) == ("自愿退团", "", None, t.branch.pk)
    assert StatusChange.objects.get(pk=change.pk).status == "已通过"


def test_st1_the_branch_admin_cannot_approve_and_an_outsider_cannot_request(st_tree):
    t = st_tree
    change = request_change(t, t.member)
    with pytest.raises(NotAllowed):
        services.status_change_approve(change=change, actor=t.branch_admin)
    with pytest.raises(NotAllowed):
        request_change(t, t.old, actor=t.outsider)
    with pytest.raises(NotAllowed):
        request_change(t, t.old, actor=t.college_admin)  # two levels up: read-only


def test_st1_lapse_needs_one_of_the_three_reasons(st_tree):
    t = st_tree
    with pytest.raises(Invalid) as e:
        request_change(t, t.member, "自行脱团", "长期联系不上")
    assert "连续6个月不交纳团费" in e.value.message
    change = request_change(t, t.member, "自行脱团", "连续6个月不参加团的组织生活")
    assert change.reason == "连续6个月不参加团的组织生活"


@pytest.mark.parametrize("status,reason", [("自愿退团", ""), ("开除团籍", "   "), ("正常", "理由"), ("除名", "理由")])
def test_st1_a_request_needs_a_status_and_a_reason_and_changes_nothing_otherwise(st_tree, status, reason):
    t = st_tree
    with pytest.raises(Invalid):
        request_change(t, t.member, status, reason)
    assert fresh(t.member).pending_status == ""
    assert not Process.objects.filter(subject_person=t.member, kind=Kind.CHANGE).exists()


def test_st1_refused_with_an_open_transfer_naming_it(st_tree, make_person):
    t = st_tree
    from orgs.rules import Category
    from orgs.services import org_create_child

    other = org_create_child(
        parent=t.general, short_name="另一个团支部", category=Category.BRANCH, actor=t.general_admin
    )
    transfer = transfers.transfer_submit(actor=t.branch_admin, person=t.member, to_org=other, reason="其他")
    with pytest.raises(Conflict) as e:
        request_change(t, t.member)
    assert e.value.code == "process_open"
    assert f"编号 {transfer.process_id}" in e.value.message and "组织关系转接" in e.value.message
    assert fresh(t.member).pending_status == ""


def test_st1_one_open_change_per_member(st_tree):
    t = st_tree
    request_change(t, t.member)
    with pytest.raises(Conflict) as e:
        request_change(t, t.member, "开除团籍", "严重违纪")
    assert e.value.code == "process_open"


def test_st1_rejection_and_withdrawal_clear_the_pending_status(st_tree):
    t = st_tree
    change = request_change(t, t.member)
    with pytest.raises(Invalid):
        services.status_change_reject(change=change, actor=t.general_admin, opinion="")
    services.status_change_reject(change=change, actor=t.general_admin, opinion="情况不属实")
    assert fresh(t.member).pending_status == "" and fresh(t.member).branch_id == t.branch.pk
    change = request_change(t, t.member)
    with pytest.raises(NotAllowed):
        services.status_change_withdraw(change=change, actor=t.general_admin)
    services.status_change_withdraw(change=change, actor=t.branch_admin)
    assert fresh(t.member).pending_status == ""
    assert StatusChange.objects.get(pk=change.pk).status == "已撤回"


def test_st1_the_engine_actions_carry_out_the_change(st_tree):
    t = st_tree
    change = request_change(t, t.member)
    engine.process_act(process=change.process, actor=t.general_admin, action="approve", opinion="")
    assert fresh(t.member).league_status == "自愿退团"


def test_st1_an_admin_or_a_post_elsewhere_must_be_settled_first(st_tree):
    t = st_tree
    with pytest.raises(Conflict) as e:
        request_change(t, t.branch_admin)
    assert e.value.code == "person_is_admin"
    cadre_assign(person=t.member, org=t.general, position="委员")
    with pytest.raises(Conflict) as e:
        request_change(t, t.member)
    assert e.value.code == "person_holds_post"


def test_st1_a_branch_post_ends_with_the_membership(st_tree):
    t = st_tree
    cadre_assign(person=t.member, org=t.branch, position="组织委员")
    leave(t, t.member)
    assert not Cadre.objects.filter(person=t.member).exists()


# --- ST2 ------------------------------------------------------------------------------------------------------


def test_st2_overage_lists_members_aged_28_without_any_post(st_tree):
    t = st_tree
    listed = set(selectors.overage_members(t.college).values_list("pk", flat=True))
    assert listed == {t.old.pk, t.old2.pk}  # the branch admin (born 1999) and the member are younger
    cadre_assign(person=t.old2, org=t.branch, position="宣传委员")  # a branch post keeps them off
    assert set(selectors.overage_members(t.general).values_list("pk", flat=True)) == {t.old.pk}
    assert not selectors.overage_members(t.other_province).exists()


def test_st2_the_age_is_counted_from_the_birth_date_in_the_id_number(st_tree):
    t = st_tree
    # 超龄团员乙 was born 1996-03-01: 28 on 2024-03-01, not the day before.
    ids = lambda day: set(selectors.overage_members(t.branch, today=day).values_list("pk", flat=True))  # noqa: E731
    assert t.old2.pk not in ids(dt.date(2024, 2, 29))
    assert t.old2.pk in ids(dt.date(2024, 3, 1))


def test_st2_one_click_for_the_list_is_all_or_nothing(st_tree):
    t = st_tree
    with pytest.raises(Conflict) as e:
        services.overage_request(org=t.branch, actor=t.branch_admin, person_ids=[t.old.pk, t.member.pk])
    assert e.value.errors[0]["person_id"] == t.member.pk
    assert not StatusChange.objects.exists()
    done = services.overage_request(org=t.branch, actor=t.branch_admin, person_ids=[t.old.pk, t.old2.pk])
    assert {c.to_status for c in done} == {"超龄离团"}
    assert fresh(t.old).pending_status == "超龄离团"


def test_st2_a_member_who_left_is_off_the_list(st_tree):
    t = st_tree
    leave(t, t.old, "超龄离团")
    assert list(selectors.overage_members(t.college).values_list("pk", flat=True)) == [t.old2.pk]


# --- ST3 ------------------------------------------------------------------------------------------------------


def test_st3_a_member_who_left_is_read_only(st_tree):
    t = st_tree
    leave(t, t.member)
    p = fresh(t.member)
    with pytest.raises(Conflict) as e:
        profile.profile_update(person=p, actor=p, data={"occupation": "在职"})
    assert "只读" in e.value.message
    with pytest.raises(Conflict):
        profile.member_record_update(person=p, actor=t.branch_admin, data={"occupation": "在职"})
    with pytest.raises(Conflict):
        transfers.transfer_submit(actor=t.general_admin, person=p, to_org=t.branch, reason="其他")
    with pytest.raises(Conflict):
        members.member_add(branch=t.branch, actor=t.branch_admin, data={
            "name": p.name, "id_number": p.id_number, "ethnicity": "汉族", "political_status": "团员",
            "league_join_date": "2013-09", "education": "大学本科", "occupation": "学生", "mobile": "13812345678"})  # fmt: skip
    with pytest.raises(Conflict):
        request_change(t, p)
    assert fresh(p).league_status == "自愿退团" and fresh(p).branch_id is None


def test_st3_left_members_are_listed_per_subtree_and_not_deleted(st_tree):
    t = st_tree
    leave(t, t.member)
    assert list(selectors.left_members(t.college)) == [fresh(t.member)]
    assert list(selectors.left_members(t.branch)) == [fresh(t.member)]
    assert not selectors.left_members(t.other_province).exists()
    assert Person.objects.filter(pk=t.member.pk).exists()


def test_st3_restore_into_a_branch_in_reach_approved_by_its_superior(st_tree):
    t = st_tree
    leave(t, t.member)
    p = fresh(t.member)
    with pytest.raises(Invalid):
        services.restore_request(person=p, actor=t.branch_admin, branch=t.branch, reason="")
    change = services.restore_request(person=p, actor=t.branch_admin, branch=t.branch, reason="误操作，恢复团籍")
    assert fresh(p).pending_status == "正常"
    services.status_change_approve(change=change, actor=t.general_admin)
    p = fresh(p)
    assert (p.league_status, p.branch_id, p.left_org_id, p.pending_status) == ("正常", t.branch.pk, None, "")


def test_st3_restore_outside_the_requesters_reach_is_refused(st_tree):
    t = st_tree
    leave(t, t.member)
    p = fresh(t.member)
    from orgs.rules import Category
    from orgs.services import org_create_child

    elsewhere = org_create_child(parent=t.other_province, short_name="浙江某团支部", category=Category.BRANCH,
                                 by_operator=True)  # fmt: skip
    with pytest.raises(NotAllowed):
        services.restore_request(person=p, actor=t.branch_admin, branch=elsewhere, reason="恢复")
    with pytest.raises(Invalid):
        services.restore_request(person=p, actor=t.general_admin, branch=t.general, reason="恢复")
    assert fresh(p).pending_status == ""


def test_st3_restore_of_a_member_in_good_standing_is_refused(st_tree):
    t = st_tree
    with pytest.raises(Conflict) as e:
        services.restore_request(person=t.member, actor=t.branch_admin, branch=t.branch, reason="恢复")
    assert e.value.code == "not_left"


def test_st3_approval_ends_other_open_processes(st_tree):
    t = st_tree
    change = request_change(t, t.member)
    services.status_change_approve(change=change, actor=t.general_admin)
    assert not Process.objects.filter(subject_person=t.member, status="进行中").exists()
    assert LeagueStatus.RESIGNED == fresh(t.member).league_status


def test_st1_a_transfer_waits_for_a_pending_status_change(st_tree):
    t = st_tree
    from orgs.rules import Category
    from orgs.services import org_create_child

    other = org_create_child(
        parent=t.general, short_name="另一个团支部", category=Category.BRANCH, actor=t.general_admin
    )
    change = request_change(t, t.member)
    with pytest.raises(Conflict) as e:
        transfers.transfer_submit(actor=t.branch_admin, person=t.member, to_org=other, reason="其他")
    assert e.value.code == "process_open" and f"编号 {change.process_id}" in e.value.message
    services.status_change_withdraw(change=change, actor=t.branch_admin)
    transfers.transfer_submit(actor=t.branch_admin, person=fresh(t.member), to_org=other, reason="其他")


def test_st3_the_annual_modules_leave_a_member_who_left_out(st_tree):
    """Progress, 两制 and 对标定级 all count a branch's members by branch: one who left is in none of them."""
    from django.utils import timezone

    from evaluation.services import evaluation_view, overdue
    from rating import rules as rating_rules

    t = st_tree
    Person.objects.filter(branch=t.branch).exclude(pk=t.member.pk).update(political_status="中共党员")
    assert not rating_rules._all_party(t.branch)  # one 团员 left among party members
    leave(t, t.member)
    assert rating_rules._all_party(t.branch)  # DJ1: now a branch of party members only
    rows = evaluation_view(branch=t.branch, year=timezone.localdate().year).rows
    assert t.member.pk not in {r.person.pk for r in rows} and t.old.pk in {r.person.pk for r in rows}
    assert t.member.pk not in set(overdue(org=t.root).values_list("pk", flat=True))
