"""The 对标定级 pages: the same services as the API, refusals shown in Chinese, outsiders get 404."""

import datetime as dt

import pytest
from django.utils import timezone

from rating import services
from rating.models import Rating, RatingRound

from .conftest import KEY_PROJECT, LEVEL_TEXT, self_rate

pytestmark = pytest.mark.django_db


def form(level="三星", **more):
    return {"level": level, "reason": LEVEL_TEXT, "founded_on": "2020-03-01", "last_election_on": "2025-05-01",
            "party_applicants": "2", "key_project": "", **more}  # fmt: skip


def test_open_a_round_on_the_page(tree, client):
    t = tree
    client.force_login(t.uni_admin)
    page = client.get(f"/rating/orgs/{t.uni.id}/").content.decode()
    assert "开启本组织的对标定级" in page
    year = timezone.localdate().year
    data = {"year": year, "starts_on": f"{year}-03-01", "ends_on": f"{year}-02-01", "top_share": "30"}
    page = client.post(f"/rating/orgs/{t.uni.id}/rounds/", data).content.decode()
    assert "截止日期不能早于开始日期" in page and not RatingRound.objects.exists()
    data["ends_on"] = f"{year}-06-30"
    response = client.post(f"/rating/orgs/{t.uni.id}/rounds/", data, follow=True)
    assert f"已开启{year}年度对标定级" in response.content.decode()
    assert RatingRound.objects.get().org == t.uni


def test_branch_self_rates_and_superior_reviews_from_its_list(rating_tree, client):
    t = rating_tree
    client.force_login(t.branch_admin)
    home = client.get(f"/rating/orgs/{t.branch.id}/?year={t.year}").content.decode()
    assert "未自评" in home and "填写或修改自评" in home
    url = f"/rating/orgs/{t.branch.id}/{t.year}/"
    page = client.post(f"{url}self/", form("五星", key_project="太短")).content.decode()
    assert "重点工作项目，300至800字（现为2字）" in page and not Rating.objects.exists()
    response = client.post(f"{url}self/", form("五星", key_project=KEY_PROJECT), follow=True)
    assert "复核前还可修改3次" in response.content.decode()

    client.force_login(t.general_admin)
    listing = client.get(f"/rating/orgs/{t.general.id}/?year={t.year}").content.decode()
    assert "直属参评组织 <strong>1</strong> 个" in listing and "五年制临床医学2017级3班团支部" in listing
    # 30 % of one rated branch is none: 五星 refused with the counts, shown on the list
    response = client.post(f"{url}review/", {"level": "五星", "reason": "", "next": "list"}, follow=True)
    assert "四星及以上不能超过参评组织的30%" in response.content.decode()
    response = client.post(f"{url}review/", {"level": "三星", "reason": "名额所限", "next": "list"}, follow=True)
    assert "已复核：五年制临床医学2017级3班团支部 三星" in response.content.decode()
    assert Rating.objects.get().reviewed_level == "三星"

    client.force_login(t.branch_admin)
    page = client.get(url).content.decode()
    assert "已复核" in page and "名额所限" in page and "保存并提交复核" not in page


def test_stats_page_drill_down_and_export(rating_tree, client):
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year)
    client.force_login(t.uni_admin)
    page = client.get(f"/rating/orgs/{t.uni.id}/{t.year}/stats/").content.decode()
    assert f'href="/rating/orgs/{t.college.id}/{t.year}/stats/"' in page
    page = client.get(f"/rating/orgs/{t.college.id}/{t.year}/stats/").content.decode()
    assert "临床医学2017级团总支" in page and "50.0%" not in page
    response = client.get(f"/rating/orgs/{t.college.id}/{t.year}/stats.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_outsiders_get_404_on_every_page(rating_tree, client):
    t = rating_tree
    client.force_login(t.outsider)
    for url in (f"/rating/orgs/{t.branch.id}/", f"/rating/orgs/{t.branch.id}/{t.year}/",
                f"/rating/orgs/{t.college.id}/{t.year}/stats/", f"/rating/orgs/{t.college.id}/{t.year}/stats.xlsx"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    for url, data in ((f"/rating/orgs/{t.college.id}/rounds/", {"year": t.year}),
                      (f"/rating/orgs/{t.branch.id}/{t.year}/self/", form()),
                      (f"/rating/orgs/{t.branch.id}/{t.year}/review/", {"level": "三星"})):  # fmt: skip
        assert client.post(url, data).status_code == 404, url
    # the branch's own admin may not review itself; its superior's superior may not either
    client.force_login(t.college_admin)
    assert client.post(f"/rating/orgs/{t.branch.id}/{t.year}/review/", {"level": "三星"}).status_code == 404
    assert not Rating.objects.exists()


def test_the_menu_and_the_todo_link(rating_tree, client):
    t = rating_tree
    rating = self_rate(t.branch, t.branch_admin, t.year)
    client.force_login(t.general_admin)
    assert "对标定级" in client.get("/manage/").content.decode()
    todo = client.get("/workflow/todo/").content.decode()
    assert "对标定级复核" in todo
    detail = client.get(f"/workflow/processes/{rating.process_id}/").content.decode()
    assert f"/rating/orgs/{t.branch.id}/{t.year}/" in detail


def test_window_closed_message(rating_tree, client):
    t = rating_tree
    RatingRound.objects.update(ends_on=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(t.branch_admin)
    page = client.post(f"/rating/orgs/{t.branch.id}/{t.year}/self/", form()).content.decode()
    assert "自评已于" in page and "截止" in page


def test_rectification_list_on_the_stats_page(rating_tree, client):
    """DJ2: an organisation reviewed 不予定级 is placed on the 重点整顿 list."""
    t = rating_tree
    self_rate(t.branch, t.branch_admin, t.year, "二星")
    client.force_login(t.college_admin)
    assert "没有被复核为不予定级的组织" in client.get(f"/rating/orgs/{t.college.id}/{t.year}/stats/").content.decode()
    services.review(
        org=t.branch, actor=t.general_admin, year=t.year, level="不予定级", reason="一票否决：全年未开展活动"
    )
    page = client.get(f"/rating/orgs/{t.college.id}/{t.year}/stats/").content.decode()
    assert "重点整顿名单" in page and "一票否决：全年未开展活动" in page and t.branch.short_name in page
