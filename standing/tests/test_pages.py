"""The 团籍状态 pages: the lists, the forms, one request's page; refusals shown, outsiders 404."""

import pytest

from people.models import Person
from standing.models import StatusChange

from .conftest import leave

pytestmark = pytest.mark.django_db


def test_overage_page_one_click_and_bulk(st_tree, client):
    t = st_tree
    client.force_login(t.branch_admin)
    page = client.get(f"/standing/orgs/{t.branch.id}/overage/").content.decode()
    assert "超龄团员甲" in page and "超龄团员乙" in page and "普通团员" not in page
    assert t.old.id_number not in page  # masked
    r = client.post(f"/standing/orgs/{t.branch.id}/overage/requests/", {"one": t.old.id})
    assert r.status_code == 302
    assert Person.objects.get(pk=t.old.pk).pending_status == "超龄离团"
    r = client.post(f"/standing/orgs/{t.branch.id}/overage/requests/", {"person_ids": [t.old2.id]}, follow=True)
    assert "已提交1人的超龄离团申请" in r.content.decode()
    r = client.post(f"/standing/orgs/{t.branch.id}/overage/requests/", {"person_ids": [t.member.id]}, follow=True)
    assert "不在本组织的应离团名单中" in r.content.decode()


def test_status_change_form_refusal_and_success(st_tree, client):
    t = st_tree
    client.force_login(t.branch_admin)
    url = f"/standing/people/{t.member.id}/status-change/"
    assert t.member.id_number not in client.get(url).content.decode()
    r = client.post(url, {"status": "自行脱团", "reason": "联系不上"})
    assert r.status_code == 200 and "连续6个月" in r.content.decode()
    assert not StatusChange.objects.exists()
    r = client.post(url, {"status": "自行脱团", "reason": "连续6个月不交纳团费", "explanation": "说明"})
    change = StatusChange.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/standing/changes/{change.pk}/"
    detail = client.get(r["Location"]).content.decode()
    assert "连续6个月不交纳团费" in detail and "查看审批流程" in detail


def test_left_page_and_restore(st_tree, client):
    t = st_tree
    leave(t, t.member)
    client.force_login(t.college_admin)
    assert "普通团员" in client.get(f"/standing/orgs/{t.college.id}/left/").content.decode()
    client.force_login(t.branch_admin)
    page = client.get(f"/standing/orgs/{t.branch.id}/left/").content.decode()
    assert "普通团员" in page and "恢复团籍" in page
    url = f"/standing/people/{t.member.id}/restore/"
    r = client.post(url, {"branch": t.branch.id, "reason": ""})
    assert r.status_code == 200 and "请填写恢复团籍的原因" in r.content.decode()
    r = client.post(url, {"branch": t.branch.id, "reason": "恢复"})
    assert r.status_code == 302
    assert Person.objects.get(pk=t.member.pk).pending_status == "正常"


@pytest.mark.parametrize("path", ["orgs/{branch}/overage/", "orgs/{branch}/left/", "people/{member}/status-change/",
                                  "people/{left}/restore/", "changes/{change}/"])  # fmt: skip
def test_outsiders_get_404(st_tree, client, path):
    t = st_tree
    change = leave(t, t.old)
    client.force_login(t.outsider)
    url = "/standing/" + path.format(branch=t.branch.id, member=t.member.id, left=t.old.id, change=change.pk)
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404


def test_the_menu_links_to_the_lists(st_tree, client):
    t = st_tree
    client.force_login(t.general_admin)
    page = client.get(f"/standing/orgs/{t.general.id}/overage/").content.decode()
    assert f"/standing/orgs/{t.general.id}/left/" in page


def test_the_member_page_links_to_the_status_change_form(st_tree, client):
    t = st_tree
    client.force_login(t.branch_admin)
    page = client.get(f"/people/members/{t.member.id}/edit/").content.decode()
    assert "团籍状态：正常" in page and f"/standing/people/{t.member.id}/status-change/" in page
