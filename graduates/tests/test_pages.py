"""The 毕业生 pages (issue 18): marks one by one and from Excel, flags, the 毕业转出 card, the season and the
clean-up; refusals shown in Chinese with nothing changed; outsiders get 404."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from excel.workbooks import table_workbook, to_bytes
from graduates import importers, services
from graduates.models import GraduateFlag, GraduationMark, GraduationSwitch
from orgs.models import Org
from people.models import Person
from transfers.models import TransferRequest

from .conftest import switched

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_(client):
    def login(person):
        client.logout()
        client.force_login(person)
        return client

    return login


def test_the_committee_marks_a_branch_on_its_page(grad_tree, as_):
    t = grad_tree
    c = as_(t.general_admin)
    page = c.get(f"/graduates/orgs/{t.general.id}/")
    assert page.status_code == 200 and t.class4.short_name in page.content.decode()
    r = c.post(
        f"/graduates/orgs/{t.class4.id}/mark/", {"expected": f"{t.year + 1}-06", "next_org": t.general.id}, follow=True
    )
    assert f"已标记{t.class4.short_name}：{t.year + 1}-06" in r.content.decode()
    assert GraduationMark.objects.get().expected == f"{t.year + 1}-06"


def test_a_branch_admin_marking_is_refused_in_chinese(grad_tree, as_):
    t = grad_tree
    c = as_(t.branch_admin)
    r = c.post(f"/graduates/orgs/{t.branch.id}/mark/", {"expected": f"{t.year}-06"}, follow=True)
    assert "团支部管理员不能标记毕业时间" in r.content.decode()
    assert not GraduationMark.objects.exists()
    assert c.get(f"/graduates/orgs/{t.branch.id}/").url == f"/graduates/orgs/{t.branch.id}/branch/"


def test_marks_import_card_previews_and_confirms(grad_tree, as_):
    t = grad_tree
    c = as_(t.general_admin)
    content = importers.importer.template_bytes(importers.MARKS, t.general, actor=t.general_admin)
    assert c.get(f"/graduates/orgs/{t.general.id}/marks/template/").status_code == 200
    upload = to_bytes(table_workbook("毕业时间", [("组织全称", 40), ("预计毕业年月", 12), ("无毕业时间原因", 12)],
                                     [[t.class4.full_name, f"{t.year}-06", ""]]))  # fmt: skip
    assert content
    r = c.post(f"/graduates/orgs/{t.general.id}/marks/import/", {"file": SimpleUploadedFile("m.xlsx", upload)})
    assert "将创建" in r.content.decode()
    assert not GraduationMark.objects.exists()
    token = r.context["token"]
    r = c.post(f"/graduates/orgs/{t.general.id}/marks/import/confirm/", {"token": token})
    assert GraduationMark.objects.get(org=t.class4).expected == f"{t.year}-06"


def test_the_branch_page_sets_flags_and_transfers_out_in_bulk(grad_tree, as_):
    t = grad_tree
    class4 = switched(t, t.class4)
    c = as_(t.general_admin)
    page = c.get(f"/graduates/orgs/{class4.id}/branch/").content.decode()
    assert "批量毕业转出" in page and t.grads[0].name in page
    assert t.grads[0].id_number not in page
    c.post(f"/graduates/orgs/{class4.id}/members/{t.grads[2].id}/flag/", {"flag": "延迟毕业"})
    assert GraduateFlag.objects.get().flag == "延迟毕业"
    sheet = c.get(f"/graduates/orgs/{class4.id}/transfers/template/")
    assert sheet.status_code == 200
    rows = [[p.name, p.id_number_masked, t.destination.full_name, "升学"] for p in t.grads[:2]]
    upload = to_bytes(
        table_workbook("毕业转出", [(h, 20) for h in ("姓名", "身份证号码", "转入组织全称", "转接原因")], rows)
    )
    r = c.post(f"/graduates/orgs/{class4.id}/transfers/import/", {"file": SimpleUploadedFile("t.xlsx", upload)})
    assert r.content.decode().count("将创建") >= 2
    c.post(f"/graduates/orgs/{class4.id}/transfers/import/confirm/", {"token": r.context["token"]})
    assert TransferRequest.objects.count() == 2


def test_the_season_and_cleanup_pages(grad_tree, as_):
    t = grad_tree
    class4 = switched(t, t.class4)
    c = as_(t.college_admin)
    page = c.get(f"/graduates/orgs/{t.college.id}/season/{t.year}/").content.decode()
    assert t.general.short_name in page and t.grads[0].name in page
    assert c.get(f"/graduates/orgs/{t.college.id}/season/{t.year}.xlsx").status_code in (200, 302)
    cleanup = c.get(f"/graduates/orgs/{t.general.id}/cleanup/").content.decode()
    assert class4.short_name in cleanup and "仍有团员" in cleanup


def test_the_emptied_graduated_org_is_deleted_from_the_cleanup_page(grad_tree, as_):
    t = grad_tree
    last_year = t.year - 1  # marked last year (no longer allowed now), switched then: its season is over
    GraduationMark.objects.create(org=t.class4, expected_year=last_year, expected_month=6)
    services.switch_due(today=dt.date(last_year, 6, 1))
    class4 = Org.objects.get(pk=t.class4.pk)
    Person.objects.filter(branch=class4).update(branch=t.destination)
    c = as_(t.general_admin)
    assert "删除" in c.get(f"/graduates/orgs/{t.general.id}/cleanup/").content.decode()
    r = c.post(f"/graduates/orgs/{class4.id}/cleanup/delete/", follow=True)
    assert f"已删除毕业生团组织“{class4.short_name}”" in r.content.decode()
    assert not Org.objects.filter(pk=class4.pk).exists()
    assert GraduationSwitch.objects.get().year == last_year


@pytest.mark.parametrize("url", ["/graduates/orgs/{general}/", "/graduates/orgs/{class4}/branch/",
                                 "/graduates/orgs/{college}/season/2026/", "/graduates/orgs/{general}/cleanup/"])  # fmt: skip
def test_outsiders_get_404(grad_tree, as_, url):
    t = grad_tree
    c = as_(t.outsider)
    assert c.get(url.format(general=t.general.id, class4=t.class4.id, college=t.college.id)).status_code == 404


def test_a_season_year_out_of_range_is_refused_in_chinese(grad_tree, as_):
    t = grad_tree
    r = as_(t.college_admin).get(f"/graduates/orgs/{t.college.id}/season/99999/")
    assert r.status_code == 422 and "四位年份" in r.content.decode()
