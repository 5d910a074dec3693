"""In Chromium: the whole 组织树建立 phase, top-down (issue 3's done-when).

The operator loads 团中央 → 团江苏省委 → 团南京市委; then each level's admin
issues a registration code on 管理下级组织, the next admin registers with it
on 管理员注册, completes 组织信息, and creates the next level on 创建下级组织,
down to a class branch.
"""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from conftest import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Qing-Nian#2026"


def login(page: Page, base: str, id_number: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()


def issue_code(page: Page, base: str, parent_id: int, child_short_name: str) -> str:
    page.goto(f"{base}/manage/orgs/{parent_id}/children/")
    row = page.locator("tr", has=page.get_by_role("link", name=child_short_name, exact=True))
    row.get_by_role("button", name="生成注册码").click()
    code = row.locator(".code")
    expect(code).to_have_text(re.compile(r"^[A-Za-z0-9]{8}$"))
    return code.inner_text()


def register(page: Page, base: str, org_full_name: str, search: str, code: str, name: str, birth: str) -> str:
    id_number = make_id_number(birth)
    page.goto(f"{base}/accounts/register/admin/")
    page.get_by_label("注册的团组织").fill(search)
    page.get_by_label(org_full_name, exact=False).first.check()
    page.get_by_label("团内职务").select_option("书记")
    page.get_by_label("管理员注册码").fill(code)
    page.get_by_label("姓名").fill(name)
    page.get_by_label("身份证号码").fill(id_number)
    # Issue 14 (7): every select starts at 请选择 and every field S2 counts is asked for.
    for label in ("政治面貌", "民族", "学历", "职业"):
        assert page.get_by_label(label).input_value() == ""
    page.screenshot(path="test-results/register-admin-form.png", full_page=True)
    page.get_by_label("政治面貌").select_option("团员")
    page.get_by_label("入团年月").fill(f"{int(birth[:4]) + 14}-09")
    page.get_by_label("民族").select_option("汉族")
    page.get_by_label("学历").select_option("大学本科")
    page.get_by_label("职业").select_option("在职")
    page.get_by_label("手机号码").fill("13912345678")
    page.get_by_label("登录密码").fill(PASSWORD)
    page.get_by_label("再次输入密码").fill(PASSWORD)
    page.get_by_role("button", name="注册").click()
    expect(page.get_by_text("注册成功")).to_be_visible()
    expect(page.get_by_text("您的个人信息已完整")).to_be_visible()
    return id_number


def complete_info(page: Page, base: str, org_id: int, name: str, id_number: str, quotas: bool, leading: bool) -> None:
    page.goto(f"{base}/manage/orgs/{org_id}/info/")
    if leading:
        page.get_by_label("团组织联系电话").fill("025-83201234")
        page.get_by_label("团组织电子邮箱").fill("tw@example.cn")
    else:
        page.get_by_label("单位所属行业类别").select_option("P")
    if quotas:
        for label in ("本级团组织行政编制数", "行政编制实际配备数", "本级团组织事业编制数", "事业编制实际配备数"):
            page.get_by_label(label).fill("0")
    page.get_by_label("团组织书记姓名").fill(name)
    page.get_by_label("书记身份证号码").fill(id_number)
    page.get_by_label("书记手机号码").fill("13912345678")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("组织信息已完整")).to_be_visible()


def create_child(page: Page, base: str, parent_id: int, short_name: str, category: str) -> int:
    page.goto(f"{base}/manage/orgs/{parent_id}/children/new/")
    page.get_by_label("组织简称").fill(short_name)
    page.get_by_label("组织类别").select_option(category)
    page.get_by_role("button", name="创建", exact=True).click()
    expect(page.get_by_role("link", name=short_name, exact=True).first).to_be_visible()
    from orgs.models import Org

    return Org.objects.get(parent_id=parent_id, short_name=short_name).id


def test_the_tree_is_built_top_down_in_the_browser(page: Page, live_server, tmp_path, monkeypatch):
    from orgs.models import Org

    base = live_server.url
    monkeypatch.setenv("INIT_ROOT_PASSWORD", PASSWORD)
    root_admin = make_id_number("19800101")
    call_command("init_root", "--name", "团中央", "--full-name", "共青团中央委员会",
                 "--admin-name", "中央管理员", "--admin-id-number", root_admin)  # fmt: skip
    csv = tmp_path / "leading.csv"
    csv.write_text("上级组织全称,组织简称,组织全称,排序\n共青团中央委员会,团江苏省委,共青团江苏省委员会,1\n"
                   "共青团江苏省委员会,团南京市委,共青团南京市委员会,1\n", encoding="utf-8")  # fmt: skip
    call_command("load_leading_bodies", str(csv))
    root = Org.objects.get(depth=1)
    province = Org.objects.get(short_name="团江苏省委")
    city = Org.objects.get(short_name="团南京市委")

    login(page, base, root_admin)
    code = issue_code(page, base, root.id, "团江苏省委")
    logout(page)
    admin = register(page, base, "共青团江苏省委员会", "江苏省委", code, "省委书记", "19850101")
    complete_info(page, base, province.id, "省委书记", admin, quotas=True, leading=True)

    code = issue_code(page, base, province.id, "团南京市委")
    logout(page)
    admin = register(page, base, "共青团南京市委员会", "南京市委", code, "市委书记", "19880101")
    complete_info(page, base, city.id, "市委书记", admin, quotas=True, leading=True)

    parent_id = city.id
    chain = [
        ("南京医科大学团委", "基层团委", "19900101", True),
        ("第一临床医学院团委", "基层团委", "19930101", True),
        ("临床医学2017级团总支", "团总支", "19960101", True),
        ("五年制临床医学2017级3班团支部", "团支部", "19990101", False),
    ]
    for short_name, category, birth, quotas in chain:
        org_id = create_child(page, base, parent_id, short_name, category)
        code = issue_code(page, base, parent_id, short_name)
        logout(page)
        name = short_name[:3] + "书记"
        admin = register(page, base, short_name, short_name, code, name, birth)
        complete_info(page, base, org_id, name, admin, quotas=quotas, leading=False)
        parent_id = org_id

    branch = Org.objects.get(pk=parent_id)
    assert branch.level == 7 and branch.category == "团支部"
    page.goto(f"{base}/manage/")
    expect(page.get_by_role("heading", name="管理中心")).to_be_visible()
    page.screenshot(path="test-results/tree-building-branch-home.png", full_page=True)
