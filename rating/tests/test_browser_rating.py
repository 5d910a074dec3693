"""In Chromium (issue 17): a 团支部 rates itself through the menu, its 团总支 finds the review in 待办 and on its
复核 list, reviews it, and the branch sees the reviewed level, locked."""

import pytest
from playwright.sync_api import Page, expect

from people.tests.test_browser_class_list import login
from rating.models import Rating

from .conftest import LEVEL_TEXT

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_branch_self_rating_goes_through_review(page: Page, live_server, rating_tree):
    t = rating_tree
    base = live_server.url
    login(page, base, t.branch_admin.id_number)
    page.get_by_role("navigation", name="主菜单").get_by_role("link", name="对标定级").click()
    expect(page.get_by_role("heading", name=f"{t.year}年度对标定级")).to_be_visible()
    expect(page.get_by_text("状态：未自评")).to_be_visible()
    page.get_by_role("link", name="填写或修改自评").click()

    page.get_by_label("自评等级").select_option("五星")
    page.get_by_label("自评理由").fill(LEVEL_TEXT)
    page.get_by_label("递交入党申请书的团员人数").fill("2")
    page.get_by_role("button", name="保存并提交复核").click()
    expect(page.get_by_text("自评五星需填写重点工作项目").first).to_be_visible()  # refused, nothing saved
    assert not Rating.objects.exists()
    page.get_by_label("自评等级").select_option("三星")
    page.get_by_role("button", name="保存并提交复核").click()
    expect(page.get_by_text("自评已保存并提交上级复核（复核前还可修改3次）")).to_be_visible()
    page.screenshot(path="test-results/rating-self.png", full_page=True)

    page.context.clear_cookies()
    login(page, base, t.general_admin.id_number)
    menu = page.get_by_role("navigation", name="主菜单")
    expect(menu.get_by_role("link", name="待办 1")).to_be_visible()
    menu.get_by_role("link", name="对标定级").click()
    row = page.get_by_role("row", name=t.branch.short_name)
    expect(row).to_contain_text("待复核")
    row.get_by_label(f"{t.branch.short_name}复核等级").select_option("二星")
    row.get_by_role("button", name="复核").click()
    expect(page.get_by_text("复核等级（二星）与自评（三星）不同，请填写理由")).to_be_visible()
    row = page.get_by_role("row", name=t.branch.short_name)
    row.get_by_label(f"{t.branch.short_name}复核等级").select_option("二星")
    row.get_by_label(f"{t.branch.short_name}复核意见").fill("组织生活次数不足")
    row.get_by_role("button", name="复核").click()
    expect(page.get_by_text(f"已复核：{t.branch.short_name} 二星")).to_be_visible()
    page.screenshot(path="test-results/rating-review.png", full_page=True)

    page.context.clear_cookies()
    login(page, base, t.branch_admin.id_number)
    page.goto(f"{base}/rating/orgs/{t.branch.id}/{t.year}/")
    expect(page.get_by_text("组织生活次数不足")).to_be_visible()
    expect(page.get_by_role("button", name="保存并提交复核")).to_have_count(0)
    assert Rating.objects.get().reviewed_level == "二星"
