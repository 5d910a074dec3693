"""Full views of ID numbers and exports are in the audit trail, which an admin reads for their own organisation (issue 8 item 3)."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import ID_VIEW_VERB, audit_record
from orgs.models import Org

pytestmark = pytest.mark.django_db


def id_views(org=None):
    qs = AuditEvent.objects.filter(verb=ID_VIEW_VERB)
    return qs.filter(org=org) if org else qs


def assert_no_id_numbers_stored(*people):
    stored = str(list(AuditEvent.objects.values_list("changes", "target_label")))
    for p in people:
        assert p.id_number not in stored


def test_the_branch_admins_member_list_is_masked_and_each_reveal_records_one_event(client, tree):
    """Masked by default (issue 12, item 10): the list records nothing; each 显示 records one event."""
    client.force_login(tree.branch_admin)
    assert client.get(reverse("people:members", args=[tree.branch.pk])).status_code == 200
    assert not id_views().exists()
    shown = client.post(reverse("people:reveal", args=[tree.member.pk]))
    assert tree.member.id_number in shown.content.decode()
    (event,) = id_views(tree.branch)
    assert event.actor_id == tree.branch_admin.pk and event.target_id == str(tree.member.pk)
    assert event.changes["count"] == 1 and event.changes["where"] == "页面：显示完整号码"
    assert_no_id_numbers_stored(tree.member, tree.branch_admin)


def test_a_superior_reading_masked_numbers_records_nothing(client, tree):
    client.force_login(tree.general_admin)
    assert client.get(reverse("people:members", args=[tree.branch.pk])).status_code == 200
    assert not id_views().exists()


def test_the_member_edit_page_is_masked_and_records_nothing(client, tree):
    client.force_login(tree.branch_admin)
    page = client.get(reverse("people:member_edit", args=[tree.member.pk])).content.decode()
    assert tree.member.id_number not in page and tree.member.mobile not in page
    assert reverse("people:reveal", args=[tree.member.pk]) in page
    assert not id_views().exists()


def test_the_cadre_list_is_masked_and_a_managers_reveal_is_recorded(client, tree):
    client.force_login(tree.uni_admin)  # manages the college's cadres as its direct superior
    page = client.get(reverse("people:cadres", args=[tree.college.pk])).content.decode()
    assert tree.college_admin.id_number not in page and not id_views().exists()
    assert (
        tree.college_admin.id_number
        in client.post(reverse("people:reveal", args=[tree.college_admin.pk])).content.decode()
    )
    (event,) = id_views(tree.college)
    assert event.changes["count"] == 1


def test_the_api_member_list_is_masked_and_a_reveal_is_recorded(api_login, tree):
    api = api_login(tree.branch_admin)
    assert api.get(f"/api/v1/orgs/{tree.branch.pk}/members").status_code == 200
    assert not id_views().exists()
    shown = api.post(f"/api/v1/orgs/{tree.branch.pk}/people/{tree.member.pk}/reveal")
    assert shown.json()["id_number"] == tree.member.id_number
    assert id_views(tree.branch).get().changes["where"] == "POST …/reveal"
    superior = api_login(tree.general_admin)
    assert superior.post(f"/api/v1/orgs/{tree.branch.pk}/people/{tree.member.pk}/reveal").status_code == 403
    assert id_views().count() == 1


def test_the_members_export_is_recorded_with_its_count(client, tree):
    client.force_login(tree.general_admin)
    response = client.get(reverse("people:members_export", args=[tree.general.pk]))
    assert response.status_code == 200
    event = AuditEvent.objects.get(verb="导出团员名单")
    assert event.org == tree.general and event.changes == {"count": 2}


def test_the_audit_page_shows_the_subtree_newest_first_and_filters_by_verb(client, tree):
    audit_record(actor=tree.branch_admin, verb="测试操作甲", target=tree.branch, org=tree.branch)
    audit_record(actor=tree.general_admin, verb="测试操作乙", target=tree.general, org=tree.general)
    audit_record(actor=tree.outsider, verb="测试操作丙", target=tree.other_province, org=tree.other_province)
    client.force_login(tree.general_admin)
    page = client.get(reverse("audit:org_events", args=[tree.general.pk])).content.decode()
    assert "测试操作甲" in page and "测试操作乙" in page and "测试操作丙" not in page
    assert page.index("测试操作乙") < page.index("测试操作甲")  # newest first
    filtered = client.get(reverse("audit:org_events", args=[tree.general.pk]), {"verb": "测试操作甲"}).content.decode()
    assert "测试操作乙</td>" not in filtered and "测试操作甲</td>" in filtered


def test_the_audit_page_is_404_outside_reach_and_linked_from_the_menu(client, tree):
    client.force_login(tree.branch_admin)
    assert client.get(reverse("audit:org_events", args=[tree.general.pk])).status_code == 404
    client.force_login(tree.outsider)
    assert client.get(reverse("audit:org_events", args=[tree.branch.pk])).status_code == 404
    client.force_login(tree.branch_admin)
    home = client.get(reverse("people:members", args=[tree.branch.pk])).content.decode()
    assert reverse("audit:org_events", args=[tree.branch.pk]) in home


def test_the_audit_api_pages_the_subtree_and_hides_the_rest(api_login, tree):
    for i in range(3):
        audit_record(actor=tree.branch_admin, verb="测试操作", target=tree.branch, org=tree.branch, changes={"i": i})
    api = api_login(tree.general_admin)
    body = api.get(f"/api/v1/orgs/{tree.general.pk}/audit", {"verb": "测试操作", "page_size": 2}).json()
    assert body["count"] == 3 and [e["changes"]["i"] for e in body["items"]] == [2, 1]
    assert api.get(f"/api/v1/orgs/{tree.other_province.pk}/audit").status_code == 404
    assert api_login(tree.member).get(f"/api/v1/orgs/{tree.branch.pk}/audit").status_code == 404


def test_the_search_page_shows_masked_numbers_and_offers_the_reveal(client, tree):
    client.force_login(tree.branch_admin)
    response = client.post(reverse("people:search"), {"query": f"{tree.member.name}\n{tree.branch_admin.name}"})
    assert tree.member.id_number not in response.content.decode()
    assert reverse("people:reveal", args=[tree.member.pk]) in response.content.decode()
    assert not id_views().exists()


def test_a_superiors_search_shows_masked_numbers_and_records_nothing(client, tree):
    client.force_login(tree.general_admin)
    response = client.post(reverse("people:search"), {"query": tree.member.name})
    assert tree.member.name in response.content.decode() and tree.member.id_number not in response.content.decode()
    assert not id_views().exists()


def test_the_search_api_answers_masked_numbers_and_says_which_may_be_revealed(api_login, tree):
    api = api_login(tree.branch_admin)
    url = f"/api/v1/orgs/{tree.branch.pk}/people/search"
    response = api.post(url, {"query": tree.member.id_number}, content_type="application/json")
    item = response.json()["items"][0]
    assert item["id_number"] != tree.member.id_number and "*" in item["id_number"] and item["can_reveal"] is True
    superior = api_login(tree.general_admin)
    found = superior.post(f"/api/v1/orgs/{tree.general.pk}/people/search", {"query": tree.member.name},
                          content_type="application/json")  # fmt: skip
    assert found.status_code == 200 and found.json()["items"][0]["can_reveal"] is False
    assert not id_views().exists()


def make_secretary(org, person):
    Org.objects.filter(pk=org.pk).update(secretary=person)


def test_the_org_api_masks_the_secretary_and_records_the_own_admins_reveal(api_login, tree):
    # Issue 13: masked for every reader but the secretary, the own admin included; the reveal is audited.
    make_secretary(tree.branch, tree.member)
    own = api_login(tree.branch_admin)
    assert "*" in own.get(f"/api/v1/orgs/{tree.branch.pk}").json()["secretary"]["id_number"]
    assert not id_views().exists()
    revealed = own.post(f"/api/v1/orgs/{tree.branch.pk}/secretary/reveal")
    assert revealed.status_code == 200 and revealed.json()["id_number"] == tree.member.id_number
    (event,) = id_views(tree.branch)
    where = "POST /orgs/{id}/secretary/reveal"
    assert event.actor_id == tree.branch_admin.pk and event.changes == {"count": 1, "where": where}
    superior = api_login(tree.general_admin)
    assert "*" in superior.get(f"/api/v1/orgs/{tree.branch.pk}").json()["secretary"]["id_number"]
    assert superior.get(f"/api/v1/orgs/{tree.general.pk}/children").status_code == 200
    assert superior.post(f"/api/v1/orgs/{tree.branch.pk}/secretary/reveal").status_code == 404
    assert id_views().count() == 1  # masked answers and refusals record nothing
    assert_no_id_numbers_stored(tree.member)


def test_the_secretary_reading_their_own_number_records_nothing(api_login, tree):
    make_secretary(tree.branch, tree.branch_admin)
    assert api_login(tree.branch_admin).get(f"/api/v1/orgs/{tree.branch.pk}").status_code == 200
    assert not id_views().exists()


def test_the_org_info_page_masks_the_secretary_and_records_the_own_admins_reveal(client, tree):
    # Issue 13: the page put the secretary's full ID number into the form for the own admin and the superior.
    make_secretary(tree.branch, tree.member)
    client.force_login(tree.general_admin)  # the direct superior: may correct the information, sees it masked
    page = client.get(reverse("orgs:info", args=[tree.branch.pk])).content.decode()
    assert tree.member.id_number not in page and tree.member.mobile not in page
    assert tree.member.id_number_masked in page
    assert client.post(reverse("orgs:info_reveal", args=[tree.branch.pk])).status_code == 404
    client.force_login(tree.branch_admin)
    page = client.get(reverse("orgs:info", args=[tree.branch.pk])).content.decode()
    assert tree.member.id_number not in page and tree.member.mobile not in page
    assert not id_views().exists()
    revealed = client.post(reverse("orgs:info_reveal", args=[tree.branch.pk]))
    assert tree.member.id_number in revealed.content.decode()
    (event,) = id_views(tree.branch)
    assert event.actor_id == tree.branch_admin.pk and event.changes == {"count": 1, "where": "页面：组织信息"}
    assert_no_id_numbers_stored(tree.member)
