"""Transfers through the pages and the API: list, filters, timeline, visibility."""

from transfers import services
from transfers.models import Status, TransferRequest

REASON = "升学"


def test_api_transfer_out_then_receiver_approves(places, api_login):
    sender = api_login(places.branch_admin)
    r = sender.post("/api/v1/transfers", {"person_id": places.member.id, "to_org_id": places.company_branch.id,
                    "reason": REASON}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "待转入方审批" and body["steps"][0]["action"] == "提交（办理转出）"
    receiver = api_login(places.company_admin)
    assert [t["id"] for t in receiver.get("/api/v1/transfers/todo").json()] == [body["id"]]
    assert sender.post(f"/api/v1/transfers/{body['id']}/approve").status_code == 403
    done = receiver.post(f"/api/v1/transfers/{body['id']}/approve")
    assert done.status_code == 200 and done.json()["status"] == "已完成"


def test_api_transfer_in_by_name_and_id_number(places, api_login):
    receiver = api_login(places.company_admin)
    wrong = receiver.post("/api/v1/transfers", {"name": "别人", "id_number": places.member.id_number,
                          "to_org_id": places.company.id, "reason": REASON}, content_type="application/json")  # fmt: skip
    assert wrong.status_code == 404
    r = receiver.post("/api/v1/transfers", {"name": places.member.name, "id_number": places.member.id_number,
                      "to_org_id": places.company.id, "reason": REASON}, content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and r.json()["kind"] == "办理转入"
    tid = r.json()["id"]
    assert api_login(places.general_admin).post(f"/api/v1/transfers/{tid}/approve").json()["status"] == "待分配团支部"
    assigned = receiver.post(f"/api/v1/transfers/{tid}/assign", {"branch_id": places.company_branch.id},
                             content_type="application/json")  # fmt: skip
    assert assigned.json()["status"] == "已完成"


def test_api_list_filters_by_direction_status_and_names(places, api_login, make_person):
    other = make_person("王小明", branch=places.branch)
    services.transfer_submit(
        actor=places.branch_admin, person=places.member, to_org=places.company_branch, reason=REASON
    )
    t2 = services.transfer_submit(actor=places.branch_admin, person=other, to_org=places.branch2, reason=REASON)
    services.transfer_reject(transfer=t2, actor=places.general_admin, reason="不接收")
    client = api_login(places.general_admin)
    everything = client.get(f"/api/v1/transfers?org_id={places.general.id}").json()
    assert everything["count"] == 2
    rejected = client.get(f"/api/v1/transfers?org_id={places.general.id}&status=已驳回").json()
    assert [i["name"] for i in rejected["items"]] == ["王小明"]
    names = client.get(f"/api/v1/transfers?org_id={places.general.id}&names=王小明%0A张三").json()
    assert names["count"] == 1
    incoming = api_login(places.company_admin).get(f"/api/v1/transfers?org_id={places.company.id}&direction=in").json()
    assert [i["name"] for i in incoming["items"]] == [places.member.name]


def test_api_outsiders_cannot_see_a_transfer(places, api_login):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    assert api_login(places.outsider).get(f"/api/v1/transfers/{t.id}").status_code == 404
    assert api_login(places.member).get(f"/api/v1/transfers/{t.id}").status_code == 200  # their own


def test_api_batch_transfer(places, api_login, make_person):
    people = [make_person(f"同学{i}", branch=places.branch) for i in range(2)]
    r = api_login(places.general_admin).post(
        f"/api/v1/orgs/{places.general.id}/batch-transfers",
        {"from_branch_id": places.branch.id, "to_branch_id": places.branch2.id,
         "person_ids": [p.id for p in people], "reason": "其他"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 200, r.content
    assert {t["status"] for t in r.json()} == {"已完成"}
    stranger = api_login(places.general_admin).post(
        f"/api/v1/orgs/{places.general.id}/batch-transfers",
        {"from_branch_id": places.branch2.id, "to_branch_id": places.branch.id,
         "person_ids": [places.company_admin.id], "reason": "其他"},
        content_type="application/json",
    )  # fmt: skip
    assert stranger.status_code == 422 and places.company_admin.name not in stranger.content.decode()


def test_list_page_and_timeline(places, client):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    listing = client.get("/transfers/").content.decode()
    assert "待我处理（1）" in listing
    detail = client.get(f"/transfers/{t.id}/").content.decode()
    assert "提交（办理转出）" in detail and "同意" in detail
    client.post(f"/transfers/{t.id}/approve/")
    assert TransferRequest.objects.get(pk=t.id).status == Status.DONE
    client.force_login(places.outsider)
    assert client.get(f"/transfers/{t.id}/").status_code == 404


def test_menu_shows_the_todo_count(places, client):
    services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                             reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    page = client.get("/manage/").content.decode()
    assert 'class="badge" title="待办事项">1<' in page


def test_member_applies_from_the_page(places, client):
    client.force_login(places.member)
    response = client.post("/transfers/apply/", {"to_org_id": places.company_branch.id, "reason": "工作调动"})
    t = TransferRequest.objects.get(person=places.member)
    assert response.url == f"/transfers/{t.id}/" and t.kind == "本人申请"


def test_batch_page_for_committees(places, client, make_person):
    people = [make_person(f"同学{i}", branch=places.branch) for i in range(2)]
    client.force_login(places.general_admin)
    client.post("/transfers/batch/", {"from_branch_id": places.branch.id, "to_branch_id": places.branch2.id,
                "person_ids": [p.id for p in people], "reason": "其他"})  # fmt: skip
    assert all(p.__class__.objects.get(pk=p.pk).branch == places.branch2 for p in people)
    client.force_login(places.branch_admin)
    assert client.get("/transfers/batch/").status_code == 404


def test_the_home_page_lists_transfers_waiting_for_me(places, client):
    services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                             reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    page = client.get("/manage/").content.decode()
    assert "待处理的组织关系转接（1）" in page and places.member.name in page
