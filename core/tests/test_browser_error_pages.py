"""In Chromium: a refused or missing page is a Chinese page in the site's look with the way back (issue 14, item 2)."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_missing_page_and_a_stale_form_read_in_chinese(page: Page, live_server):
    response = page.goto(f"{live_server.url}/no/such/page/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回首页")).to_be_visible()
    page.screenshot(path="test-results/error-404.png", full_page=True)

    # A form whose CSRF token went stale (here: the cookie is gone) answers the Chinese 页面已过期 page.
    page.goto(f"{live_server.url}/accounts/login/")
    page.context.clear_cookies()
    page.get_by_label("身份证号码").fill("110105194912310021")
    page.get_by_label("密码").fill("whatever")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="页面已过期")).to_be_visible()
    expect(page.get_by_role("link", name="重新登录")).to_be_visible()
    page.screenshot(path="test-results/error-csrf.png", full_page=True)
