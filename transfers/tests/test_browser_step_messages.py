"""In Chromium, issue 14 item 11: after a transfer step the page says what happened and what comes next."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from transfers import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_approving_says_who_acts_next_and_the_end_says_where_the_member_is(page: Page, live_server, places):
    t = services.transfer_submit(actor=places.general_admin, person=places.member, to_org=places.company,
                                 reason="升学")  # fmt: skip
    login(page, live_server.url, places.company_admin)
    page.goto(f"{live_server.url}/transfers/{t.id}/")
    page.get_by_role("button", name="同意").click()
    expect(
        page.get_by_text(f"已通过转入审批。接下来由南京地铁集团团委为{places.member.name}分配团支部。")
    ).to_be_visible()
    expect(page.get_by_text("已处理。")).to_have_count(0)
    page.screenshot(path="test-results/transfer-step-message.png", full_page=True)
