"""批量生成注册码 is a POST; reading the codes' state (GET) changes nothing (issue 12, item 15; API.md).

Before: `GET /api/v1/orgs/{id}/registration-codes.xlsx` issued new codes and voided the unused ones, so a
link or an <img> on any site, followed by an admin's browser with its session cookie, voided every code the
admin had handed out.
"""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from orgs import codes
from orgs import services as org_services
from orgs.models import RegistrationCode
from orgs.rules import Category


@pytest.fixture
def handed_out(tree):
    """团南京市委 and 南京医科大学团委 have admins; two new committees under the province have none.
    One of those got a code already (handed out, unused)."""
    tree.new1 = org_services.org_create_child(
        parent=tree.province, short_name="团苏州市委", category=Category.LEADING, by_operator=True
    )
    tree.new2 = org_services.org_create_child(
        parent=tree.province, short_name="团无锡市委", category=Category.LEADING, by_operator=True
    )
    tree.code1 = codes.registration_code_issue(org=tree.new1, actor=tree.province_admin)
    return tree


def _codes_snapshot():
    return list(RegistrationCode.objects.order_by("pk").values_list("pk", "code_hash", "replaced_at", "used_at"))


def _rows(content: bytes, sheet: str | None = None):
    wb = load_workbook(io.BytesIO(content))
    return list((wb[sheet] if sheet else wb.active).iter_rows(values_only=True))


def test_the_api_get_changes_nothing_and_shows_no_code(handed_out, api_login):
    t = handed_out
    api = api_login(t.province_admin)
    before, events = _codes_snapshot(), AuditEvent.objects.count()
    for _ in range(2):
        r = api.get(f"/api/v1/orgs/{t.province.id}/registration-codes.xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _codes_snapshot() == before and AuditEvent.objects.count() == events
    # The handed-out code still works.
    assert RegistrationCode.objects.get(code_hash=codes.code_hash(t.code1.code)).replaced_at is None
    rows = _rows(r.content)
    assert rows[0] == ("组织全称", "组织简称", "管理员", "注册码状态", "有效期至")
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"团南京市委", "南京医科大学团委", "团苏州市委", "团无锡市委"}
    assert by_name["团苏州市委"][3].startswith("有效至") and by_name["团无锡市委"][3] == "未生成"
    assert by_name["团南京市委"][2] == "1名"
    assert t.code1.code not in r.content.decode("latin-1")
    assert all(t.code1.code not in str(cell) for row in rows for cell in row)


def test_the_session_get_of_the_api_changes_nothing(handed_out, client):
    """What a cross-site link would trigger: a GET with the admin's session cookie."""
    client.force_login(handed_out.province_admin)
    before = _codes_snapshot()
    assert client.get(f"/api/v1/orgs/{handed_out.province.id}/registration-codes.xlsx").status_code == 200
    assert _codes_snapshot() == before


def test_the_api_post_issues_for_subordinates_without_an_admin_and_replaces_their_unused_codes(handed_out, api_login):
    t = handed_out
    r = api_login(t.province_admin).post(f"/api/v1/orgs/{t.province.id}/registration-codes.xlsx")
    assert r.status_code == 200, r.content
    rows = _rows(r.content)
    assert rows[0] == ("组织全称", "组织简称", "注册码", "有效期至")
    assert {row[1] for row in rows[1:]} == {"团苏州市委", "团无锡市委"}
    assert RegistrationCode.objects.get(code_hash=codes.code_hash(t.code1.code)).replaced_at is not None
    assert not RegistrationCode.objects.filter(org__in=[t.city, t.uni]).exists()


def test_the_api_post_with_nothing_to_issue_is_409(tree, api_login):
    r = api_login(tree.province_admin).post(f"/api/v1/orgs/{tree.province.id}/registration-codes.xlsx")
    assert r.status_code == 409 and r.json()["code"] == "nothing_to_issue"


@pytest.mark.parametrize("who", ["city_admin", "uni_admin", "outsider", "root_admin"])
def test_only_the_organisations_own_admin_reads_or_issues(handed_out, api_login, who):
    api = api_login(getattr(handed_out, who))
    url = f"/api/v1/orgs/{handed_out.province.id}/registration-codes.xlsx"
    assert api.get(url).status_code in (403, 404) and api.post(url).status_code in (403, 404)


def test_the_page_confirms_how_many_unused_codes_it_replaces_before_issuing(handed_out, client):
    t = handed_out
    client.force_login(t.province_admin)
    before = _codes_snapshot()
    page = client.get(reverse("orgs:codes_all", args=[t.province.id]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<strong>2</strong> 个尚无管理员" in text and "<strong>1</strong> 个组织现有未使用的有效注册码" in text
    assert 'method="post"' in text and "确认生成并下载" in text
    assert _codes_snapshot() == before  # the confirm step changes nothing
    issued = client.post(reverse("orgs:codes_all", args=[t.province.id]))
    assert issued.status_code == 200 and issued["Content-Type"].startswith("application/vnd.openxmlformats")
    assert RegistrationCode.objects.filter(org__parent=t.province, replaced_at=None).count() == 2


def test_the_page_state_workbook_changes_nothing(handed_out, client):
    client.force_login(handed_out.province_admin)
    before = _codes_snapshot()
    r = client.get(reverse("orgs:codes_state", args=[handed_out.province.id]))
    assert r.status_code == 200 and _codes_snapshot() == before
    assert {row[1] for row in _rows(r.content)[1:]} == {"团南京市委", "南京医科大学团委", "团苏州市委", "团无锡市委"}
    assert "加密摘要" in str(_rows(r.content, "说明"))
    assert client.post(reverse("orgs:codes_state", args=[handed_out.province.id])).status_code == 405


def test_the_page_with_nothing_to_issue_says_so(tree, client):
    client.force_login(tree.province_admin)
    page = client.get(reverse("orgs:codes_all", args=[tree.province.id]))
    assert "都已注册管理员" in page.content.decode() and "确认生成并下载" not in page.content.decode()
    r = client.post(reverse("orgs:codes_all", args=[tree.province.id]), follow=True)
    assert "都已注册管理员" in r.content.decode()
