"""Each progress view shows the columns of its own kind, and the page fits a 1366-px laptop without a
horizontal scroll (issue 14, item 6)."""

import re

import pytest
from playwright.sync_api import Page

from progress.aggregates import stats_recount

HEADERS = {
    "orgs": ["组织", "组织数", "信息已完善", "完善率", "查看"],
    "cadres": ["组织", "团委/团工委/团总支数", "团干部已录入", "完成率", "查看"],
    "members": ["组织", "团支部数", "已完成录入", "完成率", "团员数", "信息完整", "完整率", "查看"],
}


def _headers(html: str) -> list[str]:
    head = html[html.index("<thead>") : html.index("</thead>")]
    return [re.sub(r"<[^>]+>|[▲▼↑↓\s]", "", th) for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]


@pytest.mark.parametrize("kind", HEADERS)
def test_each_view_shows_the_columns_of_its_own_kind(stats_tree, client, kind):
    client.force_login(stats_tree.province_admin)
    html = client.get(f"/progress/orgs/{stats_tree.province.id}/{kind}/").content.decode()
    assert _headers(html) == HEADERS[kind]
    row = html[html.index("南京医科大学团委") :]
    row = row[: row.index("</tr>")]
    assert row.count("<td") == len(HEADERS[kind]) - 1  # the name cell opened before the slice


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", HEADERS)
def test_the_page_fits_a_1366_px_laptop(page: Page, live_server, tree, kind):
    from conftest import PASSWORD

    stats_recount(fix=True)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("身份证号码").fill(tree.province_admin.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/progress/orgs/{tree.province.id}/{kind}/")
    widths = page.evaluate(
        "() => ({doc: document.documentElement.scrollWidth, view: window.innerWidth,"
        " table: document.querySelector('table.progress').getBoundingClientRect().right})"
    )
    assert widths["doc"] <= widths["view"] and widths["table"] <= widths["view"], widths
    page.screenshot(path=f"test-results/progress-{kind}-1366.png", full_page=True)
