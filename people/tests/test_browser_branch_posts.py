"""In Chromium, issue 14 item 1: after a class election the 团支部's admin records the new 团支书 through
团干部管理 → 团干部职务变更, choosing what the old secretary becomes (one 书记 per branch)."""

import pytest
from playwright.sync_api import Page, expect

from orgs.models import Org
from people.models import Cadre
from people.tests.test_browser_class_list import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_branch_admin_records_the_new_secretary_through_the_menu(page: Page, live_server, tree):
    Org.objects.filter(pk=tree.branch.pk).update(secretary=tree.branch_admin)
    base = live_server.url
    login(page, base, tree.branch_admin.id_number)

    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_text("团干部管理")).to_be_visible()
    menu.get_by_role("link", name="团干部职务变更").click()
    expect(page.get_by_role("heading", name="团干部职务变更")).to_be_visible()
    expect(page.get_by_text("团支部书记：支部书记")).to_be_visible()

    page.get_by_label(f"{tree.member.name}的新职务").select_option("书记")
    page.get_by_role("row", name=tree.member.name).get_by_role("button", name="变更").click()
    expect(page.get_by_role("heading", name="更换团支部书记")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("一个团支部只有一名书记")
    page.screenshot(path="test-results/branch-posts-handover.png", full_page=True)

    page.get_by_label("原书记改任").select_option("宣传委员")
    page.get_by_role("button", name="确认更换书记").click()
    expect(page.get_by_text(f"{tree.member.name}的团内职务已变更为：团支部书记")).to_be_visible()
    expect(page.get_by_text(f"团支部书记：{tree.member.name}")).to_be_visible()
    expect(page.get_by_text("宣传委员：支部书记")).to_be_visible()
    page.screenshot(path="test-results/branch-posts-done.png", full_page=True)

    assert Cadre.objects.get(org=tree.branch, person=tree.member).position == "书记"
    assert Cadre.objects.get(org=tree.branch, person=tree.branch_admin).position == "宣传委员"
    assert Org.objects.get(pk=tree.branch.pk).secretary_id == tree.member.pk
