"""In Chromium, issue 14 item 4: searchable pickers on 批量接转 and 分配团支部 — type part of a name and pick,
people with masked ID numbers, a live 已选 n/30 counter, and every choice kept after a refusal."""

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from core import pii
from orgs.services import org_create_child
from people.models import Person
from transfers import services

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def login(page: Page, base: str, person) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def test_batch_transfer_with_searchable_pickers(page: Page, live_server, places, make_person):
    base = live_server.url
    for i in range(30):
        org_create_child(parent=places.company, short_name=f"运营分公司第{i:02d}车站团支部", category="团支部",
                         full_name=f"共青团南京地铁集团有限公司运营分公司线网管理中心第{i:02d}车站客运值班组团支部委员会",
                         actor=places.company_admin)  # fmt: skip
    twins = [make_person("张伟", branch=places.company_branch, birth=b) for b in ("20000101", "20010203")]
    others = [make_person(f"乘务员{i:02d}", branch=places.company_branch) for i in range(3)]
    login(page, base, places.company_admin)
    page.goto(f"{base}/transfers/batch/")

    # the source branch: type part of its name, pick it (the page reloads with its members)
    page.get_by_label("转出团支部").fill("客运部")
    page.locator("#pick-from").get_by_role("radio", name="客运部团支部").check()
    expect(page.get_by_text("已选 0/30")).to_be_visible()

    # namesakes told apart by the masked ID number; the counter follows every tick
    for person in twins:
        expect(page.get_by_text(pii.mask_id_number(person.id_number))).to_be_visible()
    assert twins[0].id_number not in page.content()
    page.get_by_role("checkbox", name=pii.mask_id_number(twins[1].id_number)).check()
    expect(page.get_by_text("已选 1/30")).to_be_visible()
    page.get_by_label("选择团员（最多30人）").fill("乘务员")
    expect(page.get_by_role("checkbox", name="乘务员02")).to_be_visible()
    page.get_by_role("checkbox", name="乘务员02").check()
    page.get_by_role("checkbox", name="乘务员00").check()
    expect(page.get_by_text("已选 3/30")).to_be_visible()
    page.get_by_label("选择团员（最多30人）").fill("张")  # a new search keeps the choices above its matches
    expect(page.get_by_role("checkbox", name="乘务员02")).to_be_checked()
    expect(page.get_by_text("已选 3/30")).to_be_visible()

    # the target: a page of branches, searched by part of the full name
    page.get_by_label("转入团支部").fill("第17车站")
    expect(page.locator("#pick-to-branch-id").get_by_role("radio")).to_have_count(1)  # the one match
    page.get_by_label("转接原因").select_option("工作调动")
    page.screenshot(path="test-results/pickers-batch-chosen.png", full_page=True)

    # a refusal (no target picked) keeps every choice
    page.get_by_role("button", name="立即接转").click()
    expect(page.get_by_text("请搜索并选择转入的团支部")).to_be_visible()
    expect(page.get_by_text("已选 3/30")).to_be_visible()
    for name in ("乘务员00", "乘务员02"):
        expect(page.get_by_role("checkbox", name=name)).to_be_checked()
    expect(page.get_by_role("checkbox", name=pii.mask_id_number(twins[1].id_number))).to_be_checked()
    expect(page.get_by_label("转接原因")).to_have_value("工作调动")
    page.screenshot(path="test-results/pickers-batch-refused.png", full_page=True)

    page.get_by_label("转入团支部").fill("第17车站")
    expect(page.locator("#pick-to-branch-id").get_by_role("radio")).to_have_count(1)
    page.locator("#pick-to-branch-id").get_by_role("radio", name="运营分公司第17车站团支部").check()
    page.get_by_role("button", name="立即接转").click()
    expect(page.get_by_text("已将3人从客运部团支部转入运营分公司第17车站团支部")).to_be_visible()
    moved = set(Person.objects.filter(branch__short_name="运营分公司第17车站团支部").values_list("pk", flat=True))
    assert moved == {twins[1].pk, others[0].pk, others[2].pk}


def test_the_counter_warns_past_thirty(page: Page, live_server, places, make_person):
    base = live_server.url
    for i in range(31):
        make_person(f"学员{i:02d}", branch=places.company_branch)
    login(page, base, places.company_admin)
    page.goto(f"{base}/transfers/batch/?from={places.company_branch.pk}")
    boxes = page.locator('input[name="person_ids"]')
    expect(boxes).to_have_count(31)
    for i in range(31):
        boxes.nth(i).check()
    expect(page.get_by_text("已选 31/30：每次最多30人，请取消多选的人员")).to_be_visible()
    page.screenshot(path="test-results/pickers-batch-over.png", full_page=True)


def test_assign_a_branch_by_searching(page: Page, live_server, places):
    base = live_server.url
    for i in range(25):
        org_create_child(parent=places.company, short_name=f"车站{i:02d}团支部", category="团支部",
                         actor=places.company_admin)  # fmt: skip
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company,
                                 reason="工作调动")  # fmt: skip
    services.transfer_approve(transfer=t, actor=places.general_admin)
    login(page, base, places.company_admin)
    page.goto(f"{base}/transfers/{t.pk}/")
    expect(page.get_by_role("button", name="下一页 ›")).to_be_visible()
    page.get_by_role("button", name="下一页 ›").click()
    expect(page.get_by_text("第2页")).to_be_visible()
    expect(page.get_by_role("radio", name="车站19团支部")).to_be_visible()
    page.get_by_label("分配到团支部").fill("车站03")
    expect(page.get_by_role("radio")).to_have_count(1)
    page.get_by_role("radio", name="车站03团支部").check()
    page.screenshot(path="test-results/pickers-assign.png", full_page=True)
    page.get_by_role("button", name="分配并完成转接").click()
    expect(page.get_by_text("已完成").first).to_be_visible()
    assert Person.objects.get(pk=places.member.pk).branch.short_name == "车站03团支部"
