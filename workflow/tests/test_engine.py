"""The approval engine from the outside (SPEC-2 W1–W5, API.md "Approval engine"): 待办, a process and its
timeline, the generic actions, one open process per subject and kind, system termination, messages."""

import datetime as dt

import pytest
from django.utils import timezone

from transfers import services
from transfers.models import Status, TransferRequest
from transfers.tests.conftest import places  # noqa: F401  (the fixture)
from workflow.models import Message, Process

JSON = "application/json"


def todo_ids(client, **params) -> list[int]:
    r = client.get("/api/v1/todo", params)
    assert r.status_code == 200, r.content.decode()
    return [i["process_id"] for i in r.json()["items"]]


@pytest.fixture
def applied(places):  # noqa: F811
    """The member applies to move to the workplace branch (本人申请): 转出方审批 first."""
    return services.transfer_submit(actor=places.member, person=places.member, to_org=places.company_branch,
                                    reason="工作调动")  # fmt: skip


def test_the_answer_that_starts_a_process_carries_its_id_and_the_process_reads_back(places, api_login):  # noqa: F811
    member = api_login(places.member)
    r = member.post("/api/v1/transfers", {"person_id": places.member.id, "to_org_id": places.company_branch.id,
                                          "reason": "工作调动"}, content_type=JSON)  # fmt: skip
    assert r.status_code == 201, r.content.decode()
    process_id = r.json()["process_id"]
    body = member.get(f"/api/v1/processes/{process_id}").json()
    assert (body["kind"], body["status"], body["subject"]) == (
        "组织关系转接", "进行中", {"type": "person", "id": places.member.id, "name": places.member.name})  # fmt: skip
    assert [(s["name"], s["action"]) for s in body["steps"]] == [("提交申请", "提交"), ("转出方审批", None)]
    assert body["steps"][1]["handler_org_id"] == places.branch.id
    assert api_login(places.outsider).get(f"/api/v1/processes/{process_id}").status_code == 404


def test_a_second_request_while_one_is_open_is_409_naming_the_open_one(places, api_login, applied):  # noqa: F811
    r = api_login(places.branch_admin).post(
        "/api/v1/transfers", {"person_id": places.member.id, "to_org_id": places.branch2.id, "reason": "升学"},
        content_type=JSON,
    )  # fmt: skip
    assert r.status_code == 409
    assert r.json()["code"] == "process_open"
    assert r.json()["errors"][0]["process_id"] == applied.process_id
    assert r.json()["errors"][0]["kind"] == "组织关系转接"


def test_todo_lists_the_open_steps_of_the_callers_organisations(places, api_login, applied):  # noqa: F811
    assert todo_ids(api_login(places.branch_admin)) == [applied.process_id]
    assert todo_ids(api_login(places.general_admin)) == [applied.process_id]  # the branch's direct superior
    assert todo_ids(api_login(places.company_admin)) == []
    assert todo_ids(api_login(places.branch_admin), org_id=places.branch.id) == [applied.process_id]
    assert api_login(places.branch_admin).get("/api/v1/todo", {"org_id": places.company.id}).status_code == 404

    r = api_login(places.branch_admin).post(f"/api/v1/processes/{applied.process_id}/approve", {}, content_type=JSON)
    assert r.status_code == 200, r.content.decode()
    assert r.json()["steps"][-1]["name"] == "转入方审批"
    assert TransferRequest.objects.get(pk=applied.pk).status == Status.RECEIVER  # the old paths read the same
    assert todo_ids(api_login(places.branch_admin)) == []
    assert todo_ids(api_login(places.company_admin)) == [applied.process_id]


def test_the_approver_never_acts_on_a_process_it_started(places, api_login):  # noqa: F811
    """W1: the 团总支's admin moves a member between two of its branches (办理转出); the receiving branch is also
    theirs to answer for, but not on a request they started."""
    general = api_login(places.general_admin)
    r = general.post("/api/v1/transfers", {"person_id": places.member.id, "to_org_id": places.branch2.id,
                                           "reason": "升学"}, content_type=JSON)  # fmt: skip
    process_id = r.json()["process_id"]
    assert general.post(f"/api/v1/processes/{process_id}/approve", {}, content_type=JSON).status_code == 403
    assert general.post(f"/api/v1/transfers/{r.json()['id']}/approve", {}, content_type=JSON).status_code == 403
    assert process_id not in todo_ids(general)
    assert Process.objects.get(pk=process_id).status == "进行中"


def test_reject_and_return_need_an_opinion_and_reject_tells_the_starter(places, api_login, applied):  # noqa: F811
    branch = api_login(places.branch_admin)
    url = f"/api/v1/processes/{applied.process_id}"
    assert branch.post(f"{url}/reject", {"opinion": " "}, content_type=JSON).status_code == 422
    assert branch.post(f"{url}/return", {"opinion": ""}, content_type=JSON).status_code == 422
    assert branch.post(f"{url}/return", {"opinion": "请补充"}, content_type=JSON).status_code == 409  # not allowed here
    r = branch.post(f"{url}/reject", {"opinion": "尚未毕业"}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "未通过"
    assert r.json()["steps"][-1]["opinion"] == "尚未毕业"
    assert TransferRequest.objects.get(pk=applied.pk).status == Status.REJECTED
    member = api_login(places.member)
    inbox = member.get("/api/v1/messages", {"unread": "true"}).json()
    assert inbox["count"] == 1 and "尚未毕业" in inbox["items"][0]["text"]
    assert inbox["items"][0]["process_id"] == applied.process_id


def test_messages_reach_those_who_act_next_and_are_read_one_by_one(places, api_login, applied):  # noqa: F811
    company = api_login(places.company_admin)
    assert company.get("/api/v1/messages").json()["count"] == 0
    services.transfer_approve(transfer=applied, actor=places.branch_admin)
    inbox = company.get("/api/v1/messages", {"unread": "true"}).json()
    assert inbox["count"] == 1 and inbox["items"][0]["kind"] == "待办"
    message_id = inbox["items"][0]["id"]
    assert api_login(places.member).post(f"/api/v1/messages/{message_id}/read").status_code == 404  # not theirs
    r = company.post(f"/api/v1/messages/{message_id}/read")
    assert r.status_code == 200 and r.json()["read"] is True
    assert company.get("/api/v1/messages", {"unread": "true"}).json()["count"] == 0
    assert company.get("/api/v1/messages").json()["count"] == 1


def test_the_starter_withdraws_through_the_engine(places, api_login, applied):  # noqa: F811
    assert (
        api_login(places.branch_admin)
        .post(f"/api/v1/processes/{applied.process_id}/withdraw", {}, content_type=JSON)
        .status_code
        == 403
    )  # only the one who applied
    r = api_login(places.member).post(f"/api/v1/processes/{applied.process_id}/withdraw", {}, content_type=JSON)
    assert r.status_code == 200 and r.json()["status"] == "已撤回"
    assert TransferRequest.objects.get(pk=applied.pk).status == Status.WITHDRAWN


def test_batch_transfer_ends_the_moved_members_open_processes(places, applied):  # noqa: F811
    """W4: 批量接转 needs no approval; the member's open application ends with a message to them."""
    services.batch_transfer(actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
                            to_branch=places.branch2, people=[places.member], reason="升学")  # fmt: skip
    process = Process.objects.get(pk=applied.process_id)
    assert process.status == "系统终止" and TransferRequest.objects.get(pk=applied.pk).status == Status.TERMINATED
    assert process.steps.last().action == "系统终止"
    assert Message.objects.filter(recipient=places.member, process=process, kind="结果").exists()
    moved = TransferRequest.objects.filter(person=places.member, kind="批量接转").get()
    assert moved.process.status == "已通过" and moved.status == Status.DONE


def test_deleting_the_subject_ends_its_processes(places, applied):  # noqa: F811
    """W4: the system ends an open process when its subject person is deleted."""
    from people.members import member_delete

    member_delete(person=places.member, actor=places.branch_admin)
    process = Process.objects.get(pk=applied.process_id)
    assert process.status == "系统终止" and process.subject_name == "普通团员"


def test_auto_return_is_the_engines_termination(places, applied, settings):  # noqa: F811
    settings.TRANSFER_AUTO_RETURN_DAYS = 10
    Process.objects.filter(pk=applied.process_id).update(updated_at=timezone.now() - dt.timedelta(days=11))
    assert services.auto_return_due() == 1
    process = Process.objects.get(pk=applied.process_id)
    assert process.status == "已退回" and process.steps.last().label == "超期自动退回"
    assert Message.objects.filter(recipient=places.member, process=process).exists()


def test_the_todo_and_inbox_pages(places, client, applied):  # noqa: F811
    client.force_login(places.branch_admin)
    page = client.get("/workflow/todo/").content.decode()
    assert "组织关系转接" in page and "转出方审批" in page
    assert f"/workflow/processes/{applied.process_id}/" in page
    detail = client.get(f"/workflow/processes/{applied.process_id}/").content.decode()
    assert "待您办理" in detail and "提交申请" in detail
    r = client.post(f"/workflow/processes/{applied.process_id}/approve/", {"opinion": ""})
    assert r.status_code == 302 and TransferRequest.objects.get(pk=applied.pk).status == Status.RECEIVER
    client.force_login(places.member)
    inbox = client.get("/workflow/messages/").content.decode()
    assert "转入方审批" in inbox and "1 条未读" in inbox
    assert client.get(f"/workflow/messages/{Message.objects.get(recipient=places.member).pk}/read/").status_code == 405
    client.force_login(places.outsider)
    assert client.get(f"/workflow/processes/{applied.process_id}/").status_code == 404
