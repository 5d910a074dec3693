"""任职确认 is a process of the one approval engine (issue 13 item 3, SPEC-2 W1–W5).

The offer opens a 任职确认 process whose step the person handles: it is in their 待办 and inbox; they (or
the admin responsible for their record) accept or decline it, a reason optional, through the offer's own
pages and API or the engine's; the offering organisation withdraws it; every answer is a step of the
timeline and the offering admin is told.
"""

import pytest
from django.urls import reverse

from orgchanges import post_offers as flow
from people.models import Cadre, PostOffer, PostOfferStatus
from people.post_offers import post_offer_make, withdraw_secretary_offers
from workflow import engine
from workflow.models import Message, Process, Status

JSON = "application/json"


@pytest.fixture
def offer(tree):
    """团浙江省委 offers the 江苏 member a post: it cannot see them, so the post waits for them."""
    return post_offer_make(org=tree.other_province, person=tree.member, position="委员", actor=tree.outsider)


def timeline(process):
    return [(s.name, s.action, s.label, s.actor_id, s.opinion) for s in engine.process_steps(process)]


def test_an_offer_is_a_process_in_the_persons_todo_and_inbox(tree, offer):
    process = offer.process
    assert (process.kind, process.status, process.started_by_id) == ("任职确认", Status.OPEN, tree.outsider.pk)
    assert (process.subject_person_id, process.subject_org_id) == (tree.member.pk, tree.other_province.pk)
    assert [s.process_id for s in engine.todo_steps(tree.member)] == [process.pk]
    assert not engine.todo_steps(tree.outsider).filter(process=process).exists()  # W1: not the one who offered
    note = Message.objects.get(recipient=tree.member, process=process)
    assert note.kind == Message.Kind.TODO and "任职确认" in note.text and note.read_at is None
    assert timeline(process) == [("提交申请", "提交", "提交", tree.outsider.pk, ""), ("本人确认", "", "", None, "")]


def test_the_todo_page_and_api_list_the_offer(tree, offer, client, api_login):
    client.force_login(tree.member)
    page = client.get(reverse("workflow:todo")).content.decode()
    assert "任职确认" in page and offer.process.title in page
    items = api_login(tree.member).get("/api/v1/todo").json()["items"]
    assert [(i["kind"], i["process_id"], i["step"]) for i in items] == [("任职确认", offer.process_id, "本人确认")]


def test_the_person_accepts_through_the_engine_and_the_offering_admin_is_told(tree, offer, api_login):
    r = api_login(tree.member).post(f"/api/v1/processes/{offer.process_id}/approve", {}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "已通过"
    assert Cadre.objects.get(org=tree.other_province, person=tree.member).position == "委员"
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.ACCEPTED
    assert timeline(offer.process)[1] == ("本人确认", "通过", "本人接受任职", tree.member.pk, "")
    told = Message.objects.get(recipient=tree.outsider, process=offer.process)
    assert told.kind == Message.Kind.RESULT and "已通过" in told.text


def test_declining_needs_no_reason_but_keeps_one_given(tree, make_person, api_login):
    first = post_offer_make(org=tree.other_province, person=tree.member, position="委员", actor=tree.outsider)
    r = api_login(tree.member).post(f"/api/v1/processes/{first.process_id}/reject", {"opinion": ""},
                                    content_type=JSON)  # fmt: skip
    assert r.status_code == 200, r.content
    assert PostOffer.objects.get(pk=first.pk).status == PostOfferStatus.DECLINED
    assert timeline(first.process)[1][:3] == ("本人确认", "不通过", "拒绝任职")

    second = post_offer_make(org=tree.other_province, person=tree.member, position="副书记", actor=tree.outsider)
    assert second.process_id != first.process_id  # the first one is closed: a new offer is a new process
    flow.post_offer_decline(offer=second, actor=tree.member, reason="已在本支部任职")
    assert timeline(Process.objects.get(pk=second.process_id))[1][4] == "已在本支部任职"
    assert not Cadre.objects.filter(org=tree.other_province, person=tree.member).exists()


def test_the_decline_page_passes_an_optional_reason(tree, offer, client):
    client.force_login(tree.member)
    client.post(reverse("people:offer_decline", args=[offer.id]), {"reason": "不愿兼任"})
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.DECLINED
    assert timeline(offer.process)[1][4] == "不愿兼任"


def test_the_admin_responsible_for_the_record_answers_through_the_engine(tree, offer, api_login):
    # The member's branch admin handles the person's step; another organisation's admin does not.
    assert api_login(tree.general_admin).post(
        f"/api/v1/processes/{offer.process_id}/approve", {}, content_type=JSON
    ).status_code in (403, 404)
    r = api_login(tree.branch_admin).post(f"/api/v1/processes/{offer.process_id}/approve", {}, content_type=JSON)
    assert r.status_code == 200, r.content
    assert timeline(offer.process)[1][:4] == ("本人确认", "通过", "所在组织确认任职", tree.branch_admin.pk)


def test_the_offering_admin_cannot_accept_but_withdraws(tree, offer, api_login):
    offering = api_login(tree.outsider)
    assert offering.post(f"/api/v1/processes/{offer.process_id}/approve", {}, content_type=JSON).status_code == 403
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.PENDING
    # The person cannot withdraw an offer made to them; the offering admin can.
    person = api_login(tree.member)
    assert person.post(f"/api/v1/processes/{offer.process_id}/withdraw", {}, content_type=JSON).status_code == 404
    r = offering.post(f"/api/v1/processes/{offer.process_id}/withdraw", {}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "已撤回"
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.WITHDRAWN
    assert not engine.todo_steps(tree.member).exists()
    told = Message.objects.filter(recipient=tree.member, process=offer.process, kind=Message.Kind.TODO)
    assert told.count() == 1  # the withdrawal closes the person's step; no new task


def test_the_old_offer_paths_move_the_process(tree, offer, api_login, client):
    accepted = api_login(tree.member).post(f"/api/v1/post-offers/{offer.id}/accept")
    assert accepted.status_code == 200 and accepted.json()["process_id"] == offer.process_id
    assert Process.objects.get(pk=offer.process_id).status == Status.APPROVED

    again = post_offer_make(org=tree.other_province, person=tree.branch_admin, position="委员", actor=tree.outsider)
    client.force_login(tree.outsider)
    client.post(reverse("people:offer_withdraw", args=[again.id]))
    assert Process.objects.get(pk=again.process_id).status == Status.WITHDRAWN


def test_a_repeated_offer_updates_the_open_process(tree, offer):
    again = post_offer_make(org=tree.other_province, person=tree.member, position="副书记", actor=tree.outsider)
    assert again.pk == offer.pk and again.process_id == offer.process_id
    assert Process.objects.filter(kind="任职确认").count() == 1
    assert "副书记" in Process.objects.get(pk=offer.process_id).title


def test_a_secretary_entered_directly_withdraws_the_open_secretary_offer(tree):
    offer = post_offer_make(org=tree.other_province, person=tree.member, position="书记", actor=tree.outsider,
                            secretary=True)  # fmt: skip
    withdraw_secretary_offers(org=tree.other_province, actor=tree.outsider)
    process = Process.objects.get(pk=offer.process_id)
    assert process.status == Status.WITHDRAWN
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.WITHDRAWN
    assert timeline(process)[1][:3] == ("本人确认", "撤回", "已直接登记书记")


def test_the_system_ends_an_open_offer_of_an_organisation_w4(tree, offer):
    process_id = offer.process_id
    engine.terminate_open(orgs=[tree.other_province], opinion="测试")
    assert Process.objects.get(pk=process_id).status == Status.TERMINATED
    assert PostOffer.objects.get(pk=offer.pk).status == PostOfferStatus.TERMINATED


def test_an_accepted_secretary_offer_ends_the_old_secretarys_post(tree):
    """O4 as on the information page (people.secretary): one 书记 after the new one accepts."""
    old = Cadre.objects.get(person=tree.outsider, org=tree.other_province)  # its admin, holding 书记
    Cadre.objects.filter(pk=old.pk).update(position="书记")
    offer = post_offer_make(org=tree.other_province, person=tree.member, position="书记", actor=tree.outsider,
                            secretary=True)  # fmt: skip
    flow.post_offer_accept(offer=offer, actor=tree.member)
    secretaries = Cadre.objects.filter(org=tree.other_province, position="书记").values_list("person_id", flat=True)
    assert list(secretaries) == [tree.member.pk]
    # the old secretary is the organisation's admin, so keeps a post there (C5): 委员
    assert Cadre.objects.get(pk=old.pk).position == "委员"
