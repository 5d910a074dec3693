"""In Chromium: a demo admin logs in and browses the organisation tree (lazy-loaded with htmx)."""

import pytest
from playwright.sync_api import Page, expect

from demo.generator import build_and_write

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    return build_and_write(seed=7, members=200)


def login(page: Page, base: str, id_number: str, password: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_a_demo_admin_logs_in_and_expands_the_tree(page: Page, live_server, demo):
    province = next(x for x in demo.logins if x.role == "团省委管理员")
    login(page, live_server.url, province.id_number, province.password)

    # S6: some of the province's subordinates have not completed their information.
    expect(page.get_by_role("heading", name="下级组织信息录入进度")).to_be_visible()
    page.get_by_role("link", name="进入管理中心").click()
    expect(page.get_by_role("heading", name="管理中心")).to_be_visible()
    expect(page.locator("h1")).to_contain_text("共青团江苏省委员会")

    page.get_by_role("link", name="组织树").click()
    expect(page.locator(".tree-root")).to_contain_text("共青团江苏省委员会")
    uni = page.locator("li", has=page.get_by_role("link", name="南京医科大学团委", exact=True)).first
    expect(uni).to_be_visible()
    # Children are not in the page until the node is expanded.
    expect(page.get_by_role("link", name="第一临床医学院团委")).to_have_count(0)
    uni.get_by_role("button", name="展开南京医科大学团委").click()
    expect(page.get_by_role("link", name="第一临床医学院团委")).to_be_visible()
    page.screenshot(path="test-results/tree.png", full_page=True)


def test_a_wrong_password_is_refused_in_chinese(page: Page, live_server, demo):
    province = next(x for x in demo.logins if x.role == "团省委管理员")
    login(page, live_server.url, province.id_number, "wrong-password")
    expect(page.get_by_role("alert")).to_contain_text("身份证号码或密码错误")


def test_a_member_on_the_initial_password_must_set_a_new_one_first(page: Page, live_server, demo):
    member = next(x for x in demo.logins if x.role.startswith("团员"))
    login(page, live_server.url, member.id_number, member.password)
    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    page.goto(f"{live_server.url}/people/me/")
    expect(page.get_by_role("heading", name="设置新密码")).to_be_visible()
    page.get_by_label("原密码").fill(member.password)
    page.get_by_label("新密码", exact=True).fill("Qing-Nian#2026")
    page.get_by_label("再次输入新密码").fill("Qing-Nian#2026")
    page.get_by_role("button", name="保存新密码").click()
    expect(page.get_by_text("密码已修改")).to_be_visible()
    page.get_by_role("link", name="我的信息").click()
    expect(page.get_by_role("heading", name="个人中心")).to_be_visible()


@pytest.mark.parametrize("width,height", [(1366, 768), (390, 844)])
def test_the_shell_fits_a_laptop_and_a_phone(page: Page, live_server, demo, width, height):
    page.set_viewport_size({"width": width, "height": height})
    admin = next(x for x in demo.logins if x.role == "团支部管理员")
    login(page, live_server.url, admin.id_number, admin.password)
    expect(page.get_by_role("heading", name="管理中心")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"page scrolls sideways by {overflow}px at {width}px"
    page.screenshot(path=f"test-results/home-{width}.png", full_page=True)
