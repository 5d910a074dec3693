"""In Chromium, issue 5's done-when: close a graduating class and transfer its members on."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def transfer_out(page: Page, base: str, pending_name: str, person_name: str, receiver: str) -> None:
    page.goto(f"{base}/transfers/out/")
    page.get_by_label("转出团支部").fill("待接转")
    page.locator("#pick-branch-id").get_by_role("radio", name=pending_name).check()
    page.get_by_role("checkbox", name=person_name).check()
    page.get_by_label("转入团组织").fill(receiver)
    page.locator("#pick-to-org-id").get_by_role("radio", name=receiver).first.check()
    page.get_by_label("转接原因").select_option("已落实工作单位（含自主创业）")
    page.get_by_role("button", name="提交转出申请").click()
    expect(page.get_by_text("已提交1人的转出申请")).to_be_visible()


def test_a_graduating_class_is_closed_and_transferred_in_the_browser(page: Page, live_server, places, make_person):
    base = live_server.url
    for i in range(2):
        make_person(f"毕业生{i}", branch=places.branch)
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, base, places.general_admin)
    page.goto(f"{base}/manage/orgs/{places.general.id}/children/")
    row = page.locator("tr", has=page.get_by_role("link", name="五年制临床医学2017级3班团支部"))
    row.get_by_role("link", name="删除").click()  # the confirmation page says what the deletion does
    page.get_by_role("button", name="删除").click()
    expect(page.get_by_text("名团员已移入待接转团支部")).to_be_visible()
    expect(page.get_by_role("link", name="待接转团支部")).to_be_visible()

    pending_name = places.general.full_name + "待接转团支部"
    transfer_out(page, base, pending_name, "毕业生0", "客运部团支部")
    transfer_out(page, base, pending_name, "毕业生1", "南京地铁集团团委")
    page.get_by_role("button", name="退出").click()

    login(page, base, places.company_admin)
    page.goto(f"{base}/transfers/")
    expect(page.get_by_role("heading", name="待我处理（2）")).to_be_visible()
    page.get_by_role("link", name="毕业生0：").click()
    page.get_by_role("button", name="同意").click()
    expect(page.get_by_text("已完成").first).to_be_visible()
    page.goto(f"{base}/transfers/")
    page.get_by_role("link", name="毕业生1：").click()
    page.get_by_role("button", name="同意").click()
    page.get_by_label("分配到团支部").fill("客运部")
    page.get_by_role("radio", name=places.company_branch.short_name).check()
    page.get_by_role("button", name="分配并完成转接").click()
    expect(page.get_by_text("分配团支部（地铁团委书记）")).to_be_visible()
    page.screenshot(path="test-results/graduation-timeline.png", full_page=True)

    assert set(Person.objects.filter(branch=places.company_branch).values_list("name", flat=True)) == {
        "毕业生0",
        "毕业生1",
    }
