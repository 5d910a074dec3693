"""导出团员名单 (§7, P9): a whole subtree's members in one workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.exceptions import NotFound
from core.pii import mask_id_number, mask_mobile
from orgs import services as org_services
from orgs.rules import Category
from people import export


@pytest.fixture
def people(tree, make_person):
    t = tree
    t.branch2 = org_services.org_create_child(
        parent=t.general, short_name="五年制临床医学2017级1班团支部", category=Category.BRANCH, actor=t.general_admin
    )
    t.a = make_person('=HYPERLINK("http://x")', birth="20000101", branch=t.branch2)
    t.b = make_person("@SUM(1)", birth="20000202", branch=t.branch2, mobile="")
    t.pharmacy = org_services.org_create_child(
        parent=t.uni, short_name="药学2018级1班团支部", category=Category.BRANCH, actor=t.uni_admin
    )
    t.outside = make_person("校内他院", birth="20010303", branch=t.pharmacy)
    return t


def rows(content: bytes) -> list[list]:
    ws = load_workbook(io.BytesIO(content)).active
    return [[c.value for c in row] for row in ws.iter_rows()]


def test_it_exports_exactly_the_subtree_members_sorted_by_branch_then_name(people):
    t = people
    table = rows(export.members_workbook(actor=t.college_admin, org=t.general))
    assert table[0] == [title for title, _ in export.COLUMNS]
    body = table[1:]
    # t.branch was created before t.branch2, so its path sorts first.
    assert [r[0] for r in body] == [t.branch.full_name] * 2 + [t.branch2.full_name] * 2
    assert {r[1] for r in body[:2]} == {"支部书记", "普通团员"}
    assert [r[1] for r in body[2:]] == ['=HYPERLINK("http://x")', "@SUM(1)"]  # text cells, as entered
    names = {r[1] for r in body}
    assert "校内他院" not in names and "分团委管理员" not in names  # other branch; cadres without a branch


def test_ids_and_mobiles_are_masked_for_a_superior(people):
    t = people
    body = rows(export.members_workbook(actor=t.general_admin, org=t.general))[1:]
    member = next(r for r in body if r[1] == "普通团员")
    assert member[2] == mask_id_number(t.member.id_number)
    assert member[10] == mask_mobile(t.member.mobile)
    assert member[3:10] == ["女" if int(t.member.id_number[16]) % 2 == 0 else "男", "1999-09-09", "汉族", "团员",
                            "2013-09", "大学本科", "学生"]  # fmt: skip
    assert member[11] == "是"
    assert next(r for r in body if r[1] == "@SUM(1)")[11] == "否"


def test_the_branch_admin_sees_full_numbers_only_in_a_full_export_with_a_reason(people):
    """Masked by default even for the branch admin (issue 12, item 10); the full export names its reason."""
    t = people
    masked = next(
        r for r in rows(export.members_workbook(actor=t.branch_admin, org=t.branch))[1:] if r[1] == "普通团员"
    )
    assert masked[2] == mask_id_number(t.member.id_number) and masked[10] == mask_mobile(t.member.mobile)
    body = rows(export.members_workbook(actor=t.branch_admin, org=t.branch, full=True, reason="核对团籍"))[1:]
    member = next(r for r in body if r[1] == "普通团员")
    assert member[2] == t.member.id_number and member[10] == t.member.mobile


def test_formula_like_values_are_written_as_text(people):
    ws = load_workbook(io.BytesIO(export.members_workbook(actor=people.general_admin, org=people.branch2))).active
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"
            if str(cell.value or "").startswith(("=", "@", "+")):  # kept as entered, stored as text (issue 12 item 18)
                assert cell.data_type == "s" and cell.quotePrefix


def test_the_export_is_audited_with_its_count(people):
    export.members_workbook(actor=people.college_admin, org=people.general)
    event = AuditEvent.objects.get(verb="导出团员名单")
    assert event.actor_id == people.college_admin.pk and event.org_id == people.general.pk
    assert event.changes == {"count": 4}


def test_an_outsider_cannot_export(people):
    with pytest.raises(NotFound):
        export.members_workbook(actor=people.outsider, org=people.general)
    with pytest.raises(NotFound):
        export.members_workbook(actor=people.general_admin, org=people.uni)
    assert not AuditEvent.objects.filter(verb="导出团员名单").exists()


def test_an_empty_subtree_gives_a_header_only_workbook(people):
    assert len(rows(export.members_workbook(actor=people.city_admin, org=people.city))) == 1


def test_the_query_count_does_not_grow_with_the_members(people, make_person, django_assert_max_num_queries):
    for i in range(30):
        make_person(f"成员{i:02d}", branch=people.branch2)
    with django_assert_max_num_queries(6):
        export.members_workbook(actor=people.general_admin, org=people.general)


# --- page and API ------------------------------------------------------------------------------


def test_the_page_download(people, client):
    client.force_login(people.general_admin)
    response = client.get(reverse("people:members_export", args=[people.general.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    assert len(rows(response.content)) == 5


def test_the_page_is_404_for_an_outsider(people, client):
    client.force_login(people.outsider)
    assert client.get(reverse("people:members_export", args=[people.general.pk])).status_code == 404


def test_the_menu_links_to_search_and_export(people, client):
    client.force_login(people.general_admin)
    html = client.get(reverse("people:me")).content.decode()
    assert reverse("people:search") in html
    assert reverse("people:members_export", args=[people.general.pk]) in html


def test_the_api_download_and_404(people, api_login):
    response = api_login(people.general_admin).get(f"/api/v1/orgs/{people.general.id}/members.xlsx")
    assert response.status_code == 200
    assert len(rows(response.content)) == 5
    response = api_login(people.outsider).get(f"/api/v1/orgs/{people.general.id}/members.xlsx")
    assert response.status_code == 404
