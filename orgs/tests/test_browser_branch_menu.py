"""In Chromium: a 团支部's admin sees only what a branch can use; a committee's admin keeps the rest (issue 14,
item 5)."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMMITTEE_ONLY = ("管理下级组织", "创建下级组织", "组织排序", "团干部列表", "录入本级团干部", "组织录入进度",
                  "空壳团支部", "书记未注册的组织", "未注册管理员的下级组织", "即将过期的注册码")  # fmt: skip
EVERY_ADMIN = (
    "组织信息",
    "操作记录",
    "团员列表",
    "录入团员团干部",
    "查找人员",
    "导出团员名单",
    "管理员变更",
    "组织关系转接",
)


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_a_branch_admin_sees_no_dead_ends(page: Page, live_server, tree):
    login(page, live_server.url, tree.branch_admin)
    page.goto(f"{live_server.url}/manage/")
    menu = page.get_by_role("navigation", name="主菜单")
    for label in COMMITTEE_ONLY:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)
    for label in EVERY_ADMIN:
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(1)
    # 团干部管理 holds the one thing a branch does with its cadres (issue 14, item 1): 团干部职务变更
    expect(menu.get_by_text("团干部管理")).to_have_count(1)
    expect(menu.get_by_role("link", name="团干部职务变更", exact=True)).to_have_count(1)
    for label in ("团干部列表", "录入本级团干部"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(0)
    expect(menu.get_by_text("进度监督")).to_have_count(0)
    main = page.locator("main")
    expect(main.get_by_text("直属下级组织")).to_have_count(0)
    expect(main.get_by_role("heading", name="本支部")).to_be_visible()
    page.screenshot(path="test-results/branch-admin-home.png", full_page=True)


def test_a_committee_admin_keeps_the_committee_menu(page: Page, live_server, tree):
    login(page, live_server.url, tree.general_admin)
    page.goto(f"{live_server.url}/manage/")
    menu = page.get_by_role("navigation", name="主菜单")
    for label in ("管理下级组织", "创建下级组织", "组织排序", "团干部列表", "组织录入进度", "空壳团支部"):
        expect(menu.get_by_role("link", name=label, exact=True)).to_have_count(1)
    expect(page.locator("main").get_by_role("heading", name="直属下级组织")).to_be_visible()
