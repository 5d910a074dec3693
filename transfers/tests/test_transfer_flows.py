"""组织关系转接 (SPEC U3): the approval chains, rejection, withdrawal, one open request, auto-return."""

import datetime as dt

import pytest
from django.utils import timezone

from core.exceptions import Conflict, Invalid, NotAllowed
from people.models import Cadre, Person
from transfers import services
from transfers.models import Status, TransferRequest
from transfers.selectors import transfers_todo
from workflow.models import Process

REASON = "已落实工作单位（含自主创业）"


def branch_of(person):
    return Person.objects.get(pk=person.pk).branch


def test_transfer_out_to_a_branch_needs_the_receivers_approval(places):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    assert t.kind == "办理转出" and t.status == Status.RECEIVER
    assert branch_of(places.member) == places.branch
    assert list(transfers_todo(places.company_admin)) == [t]  # the branch's direct superior
    services.transfer_approve(transfer=t, actor=places.company_admin)
    t.refresh_from_db()
    assert t.status == Status.DONE and t.completed_at is not None
    assert branch_of(places.member) == places.company_branch


def test_transfer_out_to_a_committee_is_approved_then_assigned(places):
    t = services.transfer_submit(actor=places.general_admin, person=places.member, to_org=places.company,
                                 reason=REASON)  # fmt: skip
    t = services.transfer_approve(transfer=t, actor=places.company_admin)
    assert t.status == Status.ASSIGN
    with pytest.raises(Invalid, match="下属的团支部"):
        services.transfer_assign(transfer=t, actor=places.company_admin, branch=places.branch2)
    t = services.transfer_assign(transfer=t, actor=places.company_admin, branch=places.company_branch)
    assert t.status == Status.DONE and t.to_branch == places.company_branch
    assert branch_of(places.member) == places.company_branch


def test_assigning_a_branch_deleted_meanwhile_is_refused_and_changes_nothing(places):
    t = services.transfer_submit(actor=places.general_admin, person=places.member, to_org=places.company,
                                 reason=REASON)  # fmt: skip
    t = services.transfer_approve(transfer=t, actor=places.company_admin)
    stale = places.company_branch  # the page was opened before the branch was deleted
    from orgs.models import Org

    Org.objects.filter(pk=stale.pk).delete()
    with pytest.raises(Invalid, match="已被删除"):
        services.transfer_assign(transfer=t, actor=places.company_admin, branch=stale)
    t.refresh_from_db()
    assert t.status == Status.ASSIGN and branch_of(places.member) == places.branch


def test_transfer_in_is_approved_by_the_members_branch_or_its_superior(places):
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    assert t.kind == "办理转入" and t.status == Status.SENDER
    with pytest.raises(NotAllowed):
        services.transfer_approve(transfer=t, actor=places.uni_admin)  # two levels up: not theirs
    services.transfer_approve(transfer=t, actor=places.general_admin)
    assert branch_of(places.member) == places.company_branch


def test_transfer_in_by_a_committee_is_assigned_after_the_sender_agrees(places):
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company,
                                 reason=REASON)  # fmt: skip
    t = services.transfer_approve(transfer=t, actor=places.branch_admin)
    assert t.status == Status.ASSIGN
    services.transfer_assign(transfer=t, actor=places.company_admin, branch=places.company_branch)
    assert branch_of(places.member) == places.company_branch


def test_a_members_own_application_goes_sender_then_receiver(places):
    t = services.transfer_submit(actor=places.member, person=places.member, to_org=places.company_branch,
                                 reason="工作调动")  # fmt: skip
    assert t.kind == "本人申请" and t.status == Status.SENDER
    with pytest.raises(NotAllowed):
        services.transfer_approve(transfer=t, actor=places.company_admin)  # receiver waits for the sender
    t = services.transfer_approve(transfer=t, actor=places.branch_admin)
    assert t.status == Status.RECEIVER
    services.transfer_approve(transfer=t, actor=places.company_admin)
    assert branch_of(places.member) == places.company_branch


def test_strangers_cannot_submit(places):
    with pytest.raises(NotAllowed):
        services.transfer_submit(actor=places.outsider, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip


def test_one_open_transfer_per_person(places):
    services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                             reason=REASON)  # fmt: skip
    with pytest.raises(Conflict, match="未办结的组织关系转接流程"):  # SPEC-2 W3: names the open process
        services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.branch2, reason=REASON)


def test_reject_needs_a_reason_and_ends_the_request(places):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    with pytest.raises(Invalid, match="原因"):
        services.transfer_reject(transfer=t, actor=places.company_admin, reason=" ")
    t = services.transfer_reject(transfer=t, actor=places.company_admin, reason="查无此人")
    assert t.status == Status.REJECTED
    assert branch_of(places.member) == places.branch
    # a new request may follow
    services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.branch2, reason=REASON)


def test_withdraw_by_the_maker_until_reviewed(places):
    t = services.transfer_submit(actor=places.member, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    with pytest.raises(NotAllowed):
        services.transfer_withdraw(transfer=t, actor=places.branch_admin)
    t = services.transfer_approve(transfer=t, actor=places.branch_admin)
    with pytest.raises(Conflict, match="已有审批"):
        services.transfer_withdraw(transfer=t, actor=places.member)
    t2 = TransferRequest.objects.get(pk=t.pk)
    services.transfer_reject(transfer=t2, actor=places.company_admin, reason="不接收")
    t3 = services.transfer_submit(actor=places.member, person=places.member, to_org=places.branch2, reason=REASON)
    assert services.transfer_withdraw(transfer=t3, actor=places.member).status == Status.WITHDRAWN


def test_every_step_is_recorded(places):
    t = services.transfer_submit(actor=places.general_admin, person=places.member, to_org=places.company,
                                 reason=REASON)  # fmt: skip
    services.transfer_approve(transfer=t, actor=places.company_admin)
    services.transfer_assign(transfer=TransferRequest.objects.get(pk=t.pk), actor=places.company_admin,
                             branch=places.company_branch)  # fmt: skip
    steps = [(e.action, e.to_status) for e in TransferRequest.objects.get(pk=t.pk).timeline]  # its process's steps
    assert steps == [("提交（办理转出）", "待转入方审批"), ("转入方同意", "待分配团支部"), ("分配团支部", "已完成")]


def test_unreviewed_requests_return_to_the_maker_after_the_set_days(places, settings):
    settings.TRANSFER_AUTO_RETURN_DAYS = 10
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    # A request's age is its process's last move (the engine's auto-return, SPEC-2 W4).
    Process.objects.filter(pk=t.process_id).update(updated_at=timezone.now() - dt.timedelta(days=9))
    assert services.auto_return_due() == 0
    Process.objects.filter(pk=t.process_id).update(updated_at=timezone.now() - dt.timedelta(days=11))
    assert services.auto_return_due() == 1
    t.refresh_from_db()
    assert t.status == Status.RETURNED and t.timeline[-1].action == "超期自动退回"


def test_batch_transfer_moves_up_to_30_at_once_inside_the_subtree(places, make_person):
    people = [make_person(f"同学{i}", branch=places.branch) for i in range(3)]
    Cadre.objects.create(person=people[0], org=places.branch, position="宣传委员")
    services.batch_transfer(actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
                            to_branch=places.branch2, people=people, reason="其他")  # fmt: skip
    assert all(branch_of(p) == places.branch2 for p in people)
    assert not Cadre.objects.filter(person=people[0], org=places.branch).exists()
    assert TransferRequest.objects.filter(kind="批量接转", status=Status.DONE).count() == 3


def test_batch_transfer_limits(places, make_person):
    with pytest.raises(NotAllowed):  # the company branch is outside the 团总支's subtree
        services.batch_transfer(actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
                                to_branch=places.company_branch, people=[places.member], reason="其他")  # fmt: skip
    with pytest.raises(NotAllowed):  # a branch admin has no 批量接转
        services.batch_transfer(actor=places.branch_admin, acting_org=places.branch, from_branch=places.branch,
                                to_branch=places.branch2, people=[places.member], reason="其他")  # fmt: skip
    many = [make_person(f"同学{i}", branch=places.branch) for i in range(31)]
    with pytest.raises(Invalid, match="30"):
        services.batch_transfer(actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
                                to_branch=places.branch2, people=many, reason="其他")  # fmt: skip


def test_the_branch_admin_must_hand_over_before_leaving(places):
    with pytest.raises(Conflict, match="管理员"):
        services.transfer_submit(actor=places.branch_admin, person=places.branch_admin, to_org=places.branch2,
                                 reason=REASON)  # fmt: skip


def test_a_transfer_after_the_branch_was_deleted_still_completes_from_the_pending_branch(places):
    from orgchanges.deletion import org_delete

    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    t = services.transfer_approve(transfer=t, actor=places.general_admin)  # branch still there: done
    assert branch_of(places.member) == places.company_branch
    org_delete(org=places.branch, actor=places.general_admin)
    assert TransferRequest.objects.get(pk=t.pk).from_name.endswith("3班团支部")
