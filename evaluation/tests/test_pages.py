"""The 两制 pages: a branch enters and submits, its superior approves or returns, registration, the member's
page and appeal, supervision; refusals shown in Chinese, outsiders get 404."""

import pytest
from django.utils import timezone

from evaluation.models import Appeal, EvalRound, Evaluation, Registration

from .conftest import approved

pytestmark = pytest.mark.django_db


def entry_form(t, levels, *, due=12, present=11, **extra):
    data = {"held_on": str(timezone.localdate()), "due": str(due), "present": str(present), **extra}
    for p, level in zip(t.people, levels, strict=True):
        data[f"level_{p.pk}"] = level
    return data


def test_branch_enters_submits_and_superior_decides(ev_tree, client):
    t = ev_tree
    url = f"/evaluation/orgs/{t.branch.id}/{t.year}/"
    client.force_login(t.branch_admin)
    page = client.get(url).content.decode()
    assert "优秀最多 <strong>3</strong> 人" in page and "data-level" in page
    page = client.post(url, entry_form(t, ["优秀"] * 4 + ["合格"] * 8, submit="1"), follow=True).content.decode()
    assert "超过参评人数12人的30%（最多3人）" in page
    assert Evaluation.objects.get().stage == "草稿"  # saved as a draft, not submitted
    page = client.post(url, entry_form(t, ["优秀"] * 3 + ["合格"] * 9, submit="1"), follow=True).content.decode()
    assert "评议结果已提交上级组织审核认证" in page and Evaluation.objects.get().stage == "已提交"

    client.force_login(t.general_admin)
    decide = f"/evaluation/orgs/{t.branch.id}/{t.year}/evaluation/decide/"
    page = client.post(decide, {"decision": "return", "opinion": ""}, follow=True).content.decode()
    assert "退回评议结果时请写明问题" in page
    client.post(decide, {"decision": "approve"})
    assert Evaluation.objects.get().stage == "已通过"
    client.force_login(t.college_admin)
    page = client.get(f"/evaluation/orgs/{t.college.id}/{t.year}/supervision/").content.decode()
    assert t.general.short_name in page and "25.0%" in page  # 3 of 12 excellent


def test_registration_page_and_member_page(ev_tree, client):
    t = ev_tree
    approved(t, ["合格", "不合格"] + ["合格"] * 10)
    client.force_login(t.branch_admin)
    url = f"/evaluation/orgs/{t.branch.id}/{t.year}/registration/"
    page = client.get(url).content.decode()
    assert "评议不合格，整改期结束前暂缓注册" in page
    data = {f"outcome_{p.pk}": ("暂缓注册" if p == t.member else "予以注册") for p in t.people}
    page = client.post(url, {**data, "submit": "1"}, follow=True).content.decode()
    assert "团籍注册已提交上级组织确认" in page
    client.force_login(t.general_admin)
    client.post(f"/evaluation/orgs/{t.branch.id}/{t.year}/registration/decide/", {"decision": "approve"})
    assert Registration.objects.get().stage == "已通过"

    client.force_login(t.member)
    page = client.get("/evaluation/me/").content.decode()
    assert "不合格" in page and "暂缓注册" in page and "提出申诉" in page
    client.post("/evaluation/me/", {"year": t.year, "reason": "实习期间未能参会"})
    assert Appeal.objects.get().reason == "实习期间未能参会"
    assert "申诉处理中" in client.get("/evaluation/me/").content.decode()


def test_outsiders_get_404(ev_tree, client):
    t = ev_tree
    client.force_login(t.outsider)
    for url in (f"/evaluation/orgs/{t.branch.id}/", f"/evaluation/orgs/{t.branch.id}/{t.year}/",
                f"/evaluation/orgs/{t.branch.id}/{t.year}/registration/", f"/evaluation/orgs/{t.college.id}/overdue/",
                f"/evaluation/orgs/{t.college.id}/{t.year}/supervision/"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/evaluation/orgs/{t.branch.id}/{t.year}/evaluation/decide/", {"decision": "approve"}).status_code
        == 404
    )
    client.force_login(t.college_admin)  # two levels up: reads, never decides
    assert client.get(f"/evaluation/orgs/{t.branch.id}/{t.year}/").status_code == 200
    assert client.post(f"/evaluation/orgs/{t.branch.id}/{t.year}/reopen/").status_code == 404


def test_overdue_page_masks_numbers(ev_tree, client):
    t = ev_tree
    client.force_login(t.general_admin)
    page = client.get(f"/evaluation/orgs/{t.general.id}/overdue/").content.decode()
    assert "从未注册" in page and t.member.id_number not in page


def test_home_page_figures_during_an_open_round(ev_tree, client):
    t = ev_tree
    approved(t)
    client.force_login(t.college_admin)
    page = client.get("/manage/").content.decode()
    assert f"{t.year}年度团员教育评议进行中" in page and "已审核认证（100.0%）" in page
    EvalRound.objects.update(ends_on=t.round.starts_on)  # over: the card goes
    assert "团员教育评议进行中" not in client.get("/manage/").content.decode()
