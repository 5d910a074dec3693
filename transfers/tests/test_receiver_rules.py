"""SPEC U3: who approves for a receiving committee, and no transfer into a 待接转团支部."""

import pytest

from core.exceptions import Invalid, NotAllowed
from orgchanges.deletion import pending_branch_for
from transfers import services
from transfers.models import Status, TransferRequest
from transfers.selectors import transfers_todo

REASON = "升学"


def status(t):
    return TransferRequest.objects.get(pk=t.pk).status


# --- a committee receiver: its own admin only ------------------------------------------------------


@pytest.fixture
def to_committee(places):
    """办理转出 into 南京地铁集团团委 (a committee); 团南京市委 is its direct superior."""
    return services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company,
                                    reason=REASON)  # fmt: skip


def test_a_committee_receiver_approves_by_its_own_admin_not_its_superiors(places, to_committee):
    t = to_committee
    assert t.status == Status.RECEIVER
    assert t not in transfers_todo(places.city_admin)
    with pytest.raises(NotAllowed):
        services.transfer_approve(transfer=t, actor=places.city_admin)
    with pytest.raises(NotAllowed):
        services.transfer_reject(transfer=t, actor=places.city_admin, reason="不接收")
    assert status(t) == Status.RECEIVER
    services.transfer_approve(transfer=t, actor=places.company_admin)
    assert status(t) == Status.ASSIGN


def test_only_the_receiving_committees_admin_assigns_the_branch(places, to_committee):
    t = services.transfer_approve(transfer=to_committee, actor=places.company_admin)
    with pytest.raises(NotAllowed):
        services.transfer_assign(transfer=t, actor=places.city_admin, branch=places.company_branch)
    assert status(t) == Status.ASSIGN
    services.transfer_assign(transfer=t, actor=places.company_admin, branch=places.company_branch)
    assert status(t) == Status.DONE


def test_api_refuses_the_committees_superior(places, to_committee, api_login):
    superior = api_login(places.city_admin)
    r = superior.post(f"/api/v1/transfers/{to_committee.id}/approve")
    assert r.status_code == 403 and r.json()["code"] == "not_your_turn", r.content
    assert status(to_committee) == Status.RECEIVER
    ok = api_login(places.company_admin).post(f"/api/v1/transfers/{to_committee.id}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == Status.ASSIGN


# --- never into a 待接转团支部 ----------------------------------------------------------------------


@pytest.fixture
def pending(places):
    return pending_branch_for(places.general)


@pytest.mark.parametrize("who", ["branch_admin", "general_admin", "member"])
def test_no_transfer_goes_into_a_pending_branch(places, pending, who):
    # The sender, the pending branch's own superior (a receiver's side) and the member alike.
    with pytest.raises(Invalid) as refused:
        services.transfer_submit(actor=getattr(places, who), person=places.member, to_org=pending, reason=REASON)
    assert refused.value.code == "bad_receiver" and "请选择" in refused.value.message
    assert not TransferRequest.objects.exists()


def test_a_batch_transfer_cannot_go_into_a_pending_branch(places, pending):
    with pytest.raises(Invalid):
        services.batch_transfer(actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
                                to_branch=pending, people=[places.member], reason=REASON)  # fmt: skip
    assert not TransferRequest.objects.exists()
    assert places.member.__class__.objects.get(pk=places.member.pk).branch == places.branch


def test_a_committee_cannot_assign_its_pending_branch(places, pending, make_person):
    newcomer = make_person("新团员", birth="20010101", branch=places.company_branch)
    t = services.transfer_submit(actor=places.company_admin, person=newcomer, to_org=places.general, reason=REASON)
    t = services.transfer_approve(transfer=t, actor=places.general_admin)
    assert t.status == Status.ASSIGN
    with pytest.raises(Invalid):
        services.transfer_assign(transfer=t, actor=places.general_admin, branch=pending)
    assert status(t) == Status.ASSIGN


def test_api_refuses_a_transfer_into_a_pending_branch(places, pending, api_login):
    r = api_login(places.branch_admin).post(
        "/api/v1/transfers", {"person_id": places.member.id, "to_org_id": pending.id, "reason": REASON},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "bad_receiver" and "待接转团支部" in r.json()["message"]
    assert not TransferRequest.objects.exists()
