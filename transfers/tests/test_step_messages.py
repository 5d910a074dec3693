"""Issue 14 (11): after a transfer step the page says what happened and what comes next, never a bare 已处理。"""

from django.contrib.messages import get_messages

from transfers import services

REASON = "升学"


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_approving_into_a_committee_says_it_now_waits_for_a_branch(places, client):
    t = services.transfer_submit(actor=places.general_admin, person=places.member, to_org=places.company,
                                 reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    said = _said(client.post(f"/transfers/{t.id}/approve/"))
    assert said == [f"已通过转入审批。接下来由南京地铁集团团委为{places.member.name}分配团支部。"]


def test_the_last_step_says_where_the_member_is_now(places, client):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    said = _said(client.post(f"/transfers/{t.id}/approve/", follow=True))
    assert said == [f"组织关系转接已完成：{places.member.name}已转入客运部团支部。"]
    assert "已处理。" not in client.get(f"/transfers/{t.id}/").content.decode()


def test_a_rejection_says_the_applicant_sees_the_reason(places, client):
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason=REASON)  # fmt: skip
    client.force_login(places.company_admin)
    said = _said(client.post(f"/transfers/{t.id}/reject/", {"reason": "该团员不在本单位"}))
    assert said == ["已驳回。申请方会在消息中看到驳回理由，可修改后重新申请。"]
