"""DJ1's flags and 成立时间 on the organisation information (page and PATCH /orgs/{id}): the direct superior sets
a 团支部's kind, the own admin may not; either confirms the founding date; the rating follows."""

import pytest

from orgs.models import Org
from rating import rules

pytestmark = pytest.mark.django_db


def test_superior_flags_a_branch_and_it_is_no_longer_rated(rating_tree, api_login):
    t = rating_tree
    url = f"/api/v1/orgs/{t.branch.id}"
    r = api_login(t.branch_admin).patch(url, {"branch_kind": "临时团支部"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["message"] == "团支部类型由直属上级组织管理员设定。"
    r = api_login(t.general_admin).patch(url, {"branch_kind": "临时团支部"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["branch_kind"] == "临时团支部"
    assert rules.eligibility(Org.objects.get(pk=t.branch.pk), t.year) == "临时团支部不参加对标定级。"
    r = api_login(t.college_admin).patch(f"/api/v1/orgs/{t.general.id}", {"branch_kind": "流动团员团支部"},
                                         content_type="application/json")  # fmt: skip
    assert r.status_code == 422 and "只有团支部" in r.json()["message"]


def test_founding_date_on_the_info_page(rating_tree, client):
    t = rating_tree
    client.force_login(t.branch_admin)
    page = client.get(f"/manage/orgs/{t.branch.id}/info/").content.decode()
    assert 'value="2020-03-01"' in page and "团支部类型" in page
    page = client.post(f"/manage/orgs/{t.branch.id}/info/", {"founded_on": "2999-01-01"}).content.decode()
    assert "成立时间不能晚于今天" in page
    client.post(f"/manage/orgs/{t.branch.id}/info/", {"founded_on": "2019-09-01"})
    assert Org.objects.get(pk=t.branch.pk).founded_on.isoformat() == "2019-09-01"
    client.force_login(t.general_admin)
    names = {"short_name": t.branch.short_name, "full_name": t.branch.full_name, "category": "团支部"}
    client.post(
        f"/manage/orgs/{t.branch.id}/info/", {**names, "founded_on": "2019-09-01", "branch_kind": "流动团员团支部"}
    )
    assert Org.objects.get(pk=t.branch.pk).branch_kind == "流动团员团支部"
    assert "团支部类型" not in client.get(f"/manage/orgs/{t.general.id}/info/").content.decode()
