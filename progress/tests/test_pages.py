"""The progress page, its export and the API show the same figures; visibility; query counts; the lists."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from orgs import codes
from orgs.rules import Category
from orgs.services import org_create_child
from progress import selectors
from progress.aggregates import stats_recount

pytestmark = pytest.mark.django_db


def test_the_api_gives_a_row_per_direct_subordinate_with_subtree_totals(stats_tree, api_login):
    t = stats_tree
    body = api_login(t.province_admin).get(f"/api/v1/orgs/{t.province.id}/progress").json()
    rows = {r["short_name"]: r for r in body["rows"]}
    assert set(rows) == {"团南京市委", "南京医科大学团委"}
    uni = rows["南京医科大学团委"]
    # 校团委, 分团委, 团总支, 团支部: 4 organisations; 3 committees; 1 branch; 2 members, both complete.
    assert (uni["orgs"], uni["cadre_orgs"], uni["branches"], uni["members"], uni["members_complete"]) == (4, 3, 1, 2, 2)
    assert uni["cadre_orgs_complete"] == 0  # each committee has one complete cadre (its admin)
    assert body["self"]["orgs"] == 6 and body["self"]["members"] == 2
    assert "as_of" in body


def test_page_api_and_export_agree(stats_tree, client, api_login):
    t = stats_tree
    api = api_login(t.province_admin).get(f"/api/v1/orgs/{t.province.id}/progress").json()
    client.force_login(t.province_admin)
    page = client.get(f"/progress/orgs/{t.province.id}/members/")
    assert page.status_code == 200
    assert "南京医科大学团委" in page.content.decode()
    xlsx = client.get(f"/progress/orgs/{t.province.id}/members.xlsx")
    ws = load_workbook(BytesIO(xlsx.content)).active
    sheet = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True)}
    for r in api["rows"]:
        assert sheet[r["short_name"]][1] == r["orgs"]
        assert sheet[r["short_name"]][10] == r["members"]
    api_xlsx = api_login(t.province_admin).get(f"/api/v1/orgs/{t.province.id}/progress.xlsx")
    assert api_xlsx.status_code == 200 and api_xlsx.content[:2] == b"PK"


def test_outsiders_get_404_and_superiors_see_below(stats_tree, client, api_login):
    t = stats_tree
    assert api_login(t.outsider).get(f"/api/v1/orgs/{t.province.id}/progress").status_code == 404
    assert api_login(t.uni_admin).get(f"/api/v1/orgs/{t.province.id}/progress").status_code == 404
    assert api_login(t.root_admin).get(f"/api/v1/orgs/{t.general.id}/progress").status_code == 200
    client.force_login(t.outsider)
    assert client.get(f"/progress/orgs/{t.province.id}/orgs/").status_code == 404
    assert client.get(f"/progress/orgs/{t.province.id}/orgs.xlsx").status_code == 404
    assert client.get(f"/progress/orgs/{t.province.id}/lists/hollow/").status_code == 404


def test_sorting_by_a_column(stats_tree):
    t = stats_tree
    rows = selectors.progress_table(org=t.province, sort="members", descending=True)["rows"]
    assert [r.short_name for r in rows] == ["南京医科大学团委", "团南京市委"]
    rows = selectors.progress_table(org=t.province, sort="members")["rows"]
    assert [r.short_name for r in rows] == ["团南京市委", "南京医科大学团委"]


def test_the_page_costs_the_same_queries_whatever_the_number_of_rows(
    stats_tree, client, django_assert_max_num_queries, committed
):
    t = stats_tree
    client.force_login(t.general_admin)
    url = f"/progress/orgs/{t.general.id}/orgs/"
    client.get(url)  # warm the session and caches
    with django_assert_max_num_queries(10) as few:  # session, user, menu, 2 for the table
        assert client.get(url).status_code == 200
    with committed():
        for i in range(15):
            org_create_child(parent=t.general, short_name=f"临床医学2017级{20 + i}班团支部", category=Category.BRANCH,
                             actor=t.general_admin)  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count("临床医学2017级2") >= 10


def test_drill_down_reaches_a_branch_and_its_incomplete_people(stats_tree, client):
    t = stats_tree
    client.force_login(t.province_admin)
    html = client.get(f"/progress/orgs/{t.general.id}/members/").content.decode()
    assert f"/people/orgs/{t.branch.id}/members/?complete=false" in html
    html = client.get(f"/progress/orgs/{t.province.id}/cadres/").content.decode()
    assert f"/progress/orgs/{t.uni.id}/cadres/" in html


def test_the_menu_links_to_the_progress_pages(stats_tree, client):
    client.force_login(stats_tree.province_admin)
    html = client.get(f"/progress/orgs/{stats_tree.province.id}/orgs/").content.decode()
    for label in ("组织录入进度", "团干部录入进度", "团员录入进度", "空壳团支部"):
        assert label in html


def test_extra_lists(stats_tree, client):
    t = stats_tree
    assert list(selectors.hollow_branches(org=t.province)) == [t.branch]  # 2 complete people, 3 needed
    no_secretary = set(selectors.orgs_without_registered_secretary(org=t.province))
    assert {t.city, t.uni, t.college, t.general, t.branch} == no_secretary
    assert t.province not in no_secretary  # scoped below the acting organisation
    with_pending = org_create_child(parent=t.general, short_name="临床医学2017级9班团支部", category=Category.BRANCH,
                                    actor=t.general_admin)  # fmt: skip
    assert list(selectors.orgs_without_admin(org=t.general)) == [with_pending]
    codes.registration_code_issue(org=with_pending, actor=t.general_admin)
    assert list(selectors.codes_expiring(org=t.province)) == []
    soon = timezone.now() + dt.timedelta(days=18)
    assert [c.org for c in selectors.codes_expiring(org=t.province, now=soon)] == [with_pending]
    client.force_login(t.province_admin)
    for name in selectors.LISTS:
        assert client.get(f"/progress/orgs/{t.province.id}/lists/{name}/").status_code == 200


def test_the_recount_command_reports_and_fixes(stats_tree, capsys):
    from progress.models import OrgStats

    OrgStats.objects.filter(org=stats_tree.province).update(orgs=1)
    with pytest.raises(SystemExit) as exit_:
        call_command("progress_recount")
    assert exit_.value.code == 1
    call_command("progress_recount", "--fix")
    call_command("progress_recount")
    assert stats_recount() == []
