"""API.md's 对标定级 table, as written, and its refusals (issue 17 item 6)."""

import datetime as dt

import pytest
from django.utils import timezone

from rating.models import Rating, RatingRound

from .conftest import KEY_PROJECT, LEVEL_TEXT, add_branch

pytestmark = pytest.mark.django_db


def body(level="三星", **more):
    return {"level": level, "reason": LEVEL_TEXT, "founded_on": "2020-03-01", "last_election_on": "2025-05-01",
            "party_applicants": 1, **more}  # fmt: skip


def test_round_open_defaults_and_listing(tree, api_login):
    t = tree
    api = api_login(t.college_admin)
    today = timezone.localdate()
    r = api.post(f"/api/v1/orgs/{t.college.id}/rating-rounds",
                 {"year": today.year, "starts_on": f"{today.year}-03-01", "ends_on": f"{today.year}-06-30"},
                 content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["top_share"] == 30 and out["five_star_share"] is None
    locks = timezone.localtime(dt.datetime.fromisoformat(out["locks_at"]))
    assert (locks.month, locks.day, locks.hour) == (12, 31, 12)
    listed = api_login(t.branch_admin).get(f"/api/v1/orgs/{t.branch.id}/rating-rounds").json()
    assert [x["id"] for x in listed] == [out["id"]]
    # a branch admin cannot open one; an outsider does not learn the organisation exists
    assert api_login(t.branch_admin).post(f"/api/v1/orgs/{t.branch.id}/rating-rounds", out,
                                          content_type="application/json").status_code == 403  # fmt: skip
    assert api_login(t.outsider).post(f"/api/v1/orgs/{t.college.id}/rating-rounds", out,
                                      content_type="application/json").status_code == 404  # fmt: skip


def test_self_rating_review_and_stats_through_the_api(rating_tree, api_login):
    t = rating_tree
    branch_api = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/rating/{t.year}"
    before = branch_api.get(url).json()
    assert before == {"eligible": True, "ineligible_reason": "", "self_level": None, "self_reason": "",
                      "changes_left": None, "changed_since_review": False, "reviewed_level": None,
                      "review_reason": "", "status": "未自评"}  # fmt: skip
    r = branch_api.put(url, body(), content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["changes_left"] == 3 and r.json()["status"] == "待复核"
    r = branch_api.put(url, body("二星"), content_type="application/json")
    assert r.json()["changes_left"] == 2 and r.json()["changed_since_review"] is True
    # the review: only the direct superior
    assert api_login(t.college_admin).post(f"{url}/review", {"level": "二星"},
                                           content_type="application/json").status_code == 404  # fmt: skip
    general_api = api_login(t.general_admin)
    r = general_api.post(f"{url}/review", {"level": "三星"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "reason_required"
    r = general_api.post(
        f"{url}/review", {"level": "三星", "reason": "材料补充后符合三星"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["reviewed_level"] == "三星" and r.json()["status"] == "已复核"
    r = branch_api.put(url, body("四星"), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "rating_locked"
    stats = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/rating-stats/{t.year}").json()
    assert stats["rows"] == [{"org_id": t.general.id, "short_name": t.general.short_name, "eligible": 2,
                              "self_rated": 1, "reviewed": 1, "five": 0, "four": 0, "three": 1, "two": 0,
                              "none": 0}]  # fmt: skip
    xlsx = api_login(t.college_admin).get(f"/api/v1/orgs/{t.college.id}/rating-stats/{t.year}.xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_bad_input_refused_and_nothing_changed(rating_tree, api_login):
    t = rating_tree
    api = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/rating/{t.year}"
    r = api.put(url, body("六星"), content_type="application/json")
    assert r.status_code == 422 and "五星" in r.json()["message"]
    r = api.put(url, body("五星", key_project="太短"), content_type="application/json")
    assert r.status_code == 422 and "重点工作项目" in r.json()["message"]
    assert not Rating.objects.exists()
    assert api.put(url, body("五星", key_project=KEY_PROJECT), content_type="application/json").status_code == 200
    for _ in range(3):
        assert api.put(url, body("四星"), content_type="application/json").status_code == 200
    r = api.put(url, body("三星"), content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "changes_used"
    assert Rating.objects.get().self_level == "四星"
    # a review with 空壳 branches left
    add_branch(t, t.general, "空壳团支部", members=1)
    r = api_login(t.general_admin).post(f"{url}/review", {"level": "四星"}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "hollow_branches"
    # a change after the lock (the window closed)
    RatingRound.objects.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    assert api.put(url, body("三星"), content_type="application/json").status_code == 409


def test_review_over_the_share_is_409_with_counts(rating_tree, api_login):
    t = rating_tree
    others = [add_branch(t, t.general, f"{i}班团支部") for i in range(3)]  # 4 rated → 30 % = 1
    for b, who in [(t.branch, t.branch_admin), *[(o, o.admin) for o in others]]:
        assert api_login(who).put(f"/api/v1/orgs/{b.id}/rating/{t.year}", body("四星"),
                                  content_type="application/json").status_code == 200  # fmt: skip
    general = api_login(t.general_admin)
    assert general.post(f"/api/v1/orgs/{t.branch.id}/rating/{t.year}/review", {"level": "四星"},
                        content_type="application/json").status_code == 200  # fmt: skip
    r = general.post(f"/api/v1/orgs/{others[0].id}/rating/{t.year}/review", {"level": "四星"},
                     content_type="application/json")  # fmt: skip
    assert r.status_code == 409 and r.json()["code"] == "share_exceeded" and "最多1个" in r.json()["message"]
    assert Rating.objects.get(org=others[0]).status == "待复核"
