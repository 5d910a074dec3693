"""团干部职务变更 of a 团支部 (issue 14, item 1; SPEC P3, P4, O4).

A branch's cadres are its members holding a branch post. Its admin (or its direct superior's) changes a
post from the branch's own page, through the API, or by re-importing the member file; one 书记 per branch,
the new 书记 is the secretary of the organisation information, and an admin keeps a post. And P3: a
superior never enters another organisation's 本级团干部.
"""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from conftest import make_id_number, make_person_plain
from core.exceptions import Conflict, NotAllowed, NotFound
from imports.importers import members as member_import
from orgs.models import Org
from people import cadres
from people.models import Cadre, Person


def post_of(branch, person) -> str:
    return Cadre.objects.filter(org=branch, person=person).values_list("position", flat=True).first() or ""


@pytest.fixture
def election(tree):
    """The class of the tree's branch: its admin is 书记 and registered as secretary; two more members."""
    Org.objects.filter(pk=tree.branch.pk).update(secretary=tree.branch_admin)
    tree.branch.refresh_from_db()
    tree.deputy = make_person_plain("王副书记", "19990303", branch=tree.branch)
    Cadre.objects.create(org=tree.branch, person=tree.deputy, position="副书记")
    return tree


# The service (people.cadres.branch_position_change)


def test_a_member_becomes_a_committee_member_of_the_branch_with_an_audit_row(election):
    t = election
    post = cadres.cadre_change_position(org=t.branch, person=t.member, position="组织委员", actor=t.branch_admin)
    assert post.position == "组织委员" and post_of(t.branch, t.member) == "组织委员"
    event = AuditEvent.objects.get(verb="变更团干部职务", target_id=str(t.member.pk))
    assert event.org_id == t.branch.pk and event.changes["position"] == ["团员", "组织委员"]
    # And back to an ordinary member: the post ends, the membership stays.
    assert cadres.cadre_change_position(org=t.branch, person=t.member, position="团员", actor=t.branch_admin) is None
    assert post_of(t.branch, t.member) == "" and Person.objects.get(pk=t.member.pk).branch_id == t.branch.pk


def test_naming_a_new_secretary_asks_what_the_old_one_becomes(election):
    t = election
    with pytest.raises(Conflict) as e:
        cadres.branch_position_change(branch=t.branch, person=t.member, position="书记", actor=t.branch_admin)
    assert e.value.code == "secretary_taken"
    assert "现任团支部书记是支部书记" in e.value.message and "一个团支部只有一名书记" in e.value.message
    assert post_of(t.branch, t.member) == ""


def test_a_class_election_hands_the_secretary_post_over(election):
    t = election
    cadres.branch_position_change(
        branch=t.branch, person=t.member, position="书记", previous_position="宣传委员", actor=t.branch_admin
    )
    assert post_of(t.branch, t.member) == "书记" and post_of(t.branch, t.branch_admin) == "宣传委员"
    assert Cadre.objects.filter(org=t.branch, position="书记").count() == 1
    t.branch.refresh_from_db()
    assert t.branch.secretary_id == t.member.pk  # O4: the secretary of the organisation information
    changes = AuditEvent.objects.get(verb="更换团支部书记", org=t.branch).changes
    assert changes["secretary"] == ["支部书记", "普通团员"]


def test_the_old_secretary_who_is_admin_keeps_a_post(election):
    t = election
    with pytest.raises(Conflict) as e:
        cadres.branch_position_change(
            branch=t.branch, person=t.member, position="书记", previous_position="团员", actor=t.branch_admin
        )
    assert e.value.code == "cadre_is_admin" and "管理员变更" in e.value.message
    assert post_of(t.branch, t.member) == "" and post_of(t.branch, t.branch_admin) == "书记"


def test_the_registered_secretary_leaves_the_post_only_for_a_successor(election):
    t = election
    with pytest.raises(Conflict) as e:
        cadres.branch_position_change(branch=t.branch, person=t.branch_admin, position="委员", actor=t.branch_admin)
    assert "组织信息中登记的团支部书记" in e.value.message and "新任团支部书记" in e.value.message


def test_the_direct_superior_changes_posts_and_deeper_superiors_may_not(election):
    t = election
    cadres.branch_position_change(branch=t.branch, person=t.member, position="学习委员", actor=t.general_admin)
    assert post_of(t.branch, t.member) == "学习委员"
    for who in (t.college_admin, t.outsider, t.member):
        with pytest.raises(NotAllowed):
            cadres.branch_position_change(branch=t.branch, person=t.deputy, position="委员", actor=who)
    assert post_of(t.branch, t.deputy) == "副书记"


def test_only_members_of_the_branch_take_its_posts_and_only_branch_posts(election):
    t = election
    with pytest.raises(NotFound) as e:
        cadres.branch_position_change(branch=t.branch, person=t.general_admin, position="委员", actor=t.branch_admin)
    assert "不是五年制临床医学2017级3班团支部的团员" in e.value.message
    with pytest.raises(Exception) as e:
        cadres.branch_position_change(branch=t.branch, person=t.member, position="常委", actor=t.branch_admin)
    assert "团支部的职务请从以下选择" in e.value.message


# P3: each organisation enters its own 本级团干部


def person_data(name="新干部"):
    return {
        "name": name, "id_number": make_id_number("19960303"), "ethnicity": "汉族", "political_status": "团员",
        "league_join_date": "2012-09", "education": "大学本科", "occupation": "在职", "mobile": "13912345678",
    }  # fmt: skip


def test_a_superior_cannot_enter_cadres_into_a_subordinate_by_service_page_import_or_api(tree, client, api_login):
    before = Cadre.objects.filter(org=tree.general).count()
    with pytest.raises(NotAllowed) as e:
        cadres.cadre_add(org=tree.general, person_data=person_data(), position="委员", actor=tree.college_admin)
    assert "只能由临床医学2017级团总支自己的管理员录入" in e.value.message
    client.force_login(tree.college_admin)
    page = client.get(reverse("people:cadre_new", args=[tree.general.id]))
    assert page.status_code == 403 and "自己的管理员录入" in page.content.decode()
    assert client.post(reverse("people:cadre_new", args=[tree.general.id]), person_data()).status_code == 403
    assert client.get(reverse("people:cadre_template", args=[tree.general.id])).status_code == 403
    listing = client.get(reverse("people:cadres", args=[tree.general.id])).content.decode()
    assert (
        reverse("people:cadre_new", args=[tree.general.id]) not in listing and "上级组织可以变更职务或删除" in listing
    )
    api = api_login(tree.college_admin)
    response = api.post(
        f"/api/v1/orgs/{tree.general.id}/cadres", {"person": person_data(), "position": "委员"}, "application/json"
    )
    assert response.status_code == 403 and "自己的管理员录入" in response.json()["message"]
    assert Cadre.objects.filter(org=tree.general).count() == before
    # Its own admin still does.
    cadres.cadre_add(org=tree.general, person_data=person_data(), position="委员", actor=tree.general_admin)


# The API: PATCH /orgs/{branch}/cadres/{person_id}


def test_the_api_changes_a_branch_post_and_hands_the_secretary_post_over(election, api_login):
    t = election
    api = api_login(t.branch_admin)
    url = f"/api/v1/orgs/{t.branch.id}/cadres/{t.member.id}"
    response = api.patch(url, {"position": "书记"}, "application/json")
    assert response.status_code == 409 and response.json()["code"] == "secretary_taken"
    response = api.patch(url, {"position": "书记", "previous_position": "组织委员"}, "application/json")
    assert response.status_code == 200 and response.json()["position"] == "书记"
    assert post_of(t.branch, t.branch_admin) == "组织委员"
    response = api.patch(f"/api/v1/orgs/{t.branch.id}/cadres/{t.deputy.id}", {"position": ""}, "application/json")
    assert response.status_code == 200 and response.json()["position"] == ""
    assert post_of(t.branch, t.deputy) == ""


# Re-importing the member file (imports.importers.members)


def row(person, position=""):
    return {
        "name": person.name, "id_number": person.id_number, "political_status": "团员", "league_join_date": "2014-05",
        "ethnicity": "汉族", "education": "大学本科", "occupation": "学生", "mobile": "13812345678",
        "position": position,
    }  # fmt: skip


def run(t, rows, *, dry_run):
    return member_import.member_import(branch=t.branch, file_or_rows=rows, actor=t.branch_admin, dry_run=dry_run)


def test_a_reimport_previews_and_changes_posts_instead_of_skipping(election):
    t = election
    rows = [row(t.branch_admin, "组织委员"), row(t.member, "书记"), row(t.deputy, "副书记")]
    preview = run(t, rows, dry_run=True)
    assert [r.status for r in preview.rows] == ["将变更", "将变更", "跳过"]
    assert preview.rows[0].message.startswith("变更职务：团支部书记→组织委员")
    assert preview.rows[1].message.startswith("变更职务：团员→团支部书记")
    assert preview.would_change == 2 and post_of(t.branch, t.member) == ""
    report = run(t, rows, dry_run=False)
    assert [r.status for r in report.rows] == ["变更", "变更", "跳过"] and report.changed == 2
    assert post_of(t.branch, t.member) == "书记" and post_of(t.branch, t.branch_admin) == "组织委员"
    t.branch.refresh_from_db()
    assert t.branch.secretary_id == t.member.pk
    assert AuditEvent.objects.filter(verb="变更团干部职务", org=t.branch).count() == 2


def test_a_reimport_keeps_one_secretary_and_the_admins_posts(election):
    t = election
    # A new 书记 while the old one stays 书记; the admin made an ordinary member.
    report = run(t, [row(t.member, "书记"), row(t.branch_admin, "书记")], dry_run=True)
    assert report.rows[0].status == "失败" and "一个团支部只有一名书记" in report.rows[0].message
    report = run(t, [row(t.deputy, "书记"), row(t.branch_admin, "")], dry_run=True)
    assert report.rows[1].status == "失败" and "管理员" in report.rows[1].message
    # The registered secretary loses 书记 with nobody named.
    report = run(t, [row(t.branch_admin, "委员")], dry_run=True)
    assert report.rows[0].status == "失败" and "新任团支部书记" in report.rows[0].message
    assert post_of(t.branch, t.branch_admin) == "书记"


def test_the_import_page_shows_the_changes_and_confirms_them(election, client):
    t = election
    from people.tests.member_rows import write_xlsx

    client.force_login(t.branch_admin)
    upload = write_xlsx([row(t.member, "宣传委员")])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("people:member_import_preview", args=[t.branch.id]),
        {"file": SimpleUploadedFile("class.xlsx", upload)},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "变更职务：团员→宣传委员" in page and "将变更 <strong>1</strong> 行" in page and "确认变更 1 行" in page
    response = client.post(
        reverse("people:member_import_confirm", args=[t.branch.id]),
        {"token": response.context["token"]},
        headers={"HX-Request": "true"},
    )
    assert "已变更 <strong>1</strong> 行" in response.content.decode()
    assert post_of(t.branch, t.member) == "宣传委员"


# The page: 团干部管理 → 团干部职务变更


def test_a_branch_admin_finds_the_page_in_the_menu_and_changes_a_post(election, client):
    t = election
    client.force_login(t.branch_admin)
    home = client.get(reverse("people:members", args=[t.branch.id])).content.decode()
    url = reverse("people:cadre_positions", args=[t.branch.id])
    assert f'href="{url}">团干部职务变更</a>' in home
    page = client.get(url).content.decode()
    assert "团支部书记：支部书记" in page and "普通团员" in page
    response = client.post(reverse("people:cadre_position", args=[t.branch.id, t.member.id]), {"position": "书记"})
    assert response.status_code == 409
    page = response.content.decode()
    assert "更换团支部书记" in page and "原书记改任" in page
    response = client.post(
        reverse("people:cadre_position", args=[t.branch.id, t.member.id]),
        {"position": "书记", "previous_position": "生活委员"},
        follow=True,
    )
    page = response.content.decode()
    assert "普通团员的团内职务已变更为：团支部书记" in page and "管理员变更" in page
    assert post_of(t.branch, t.member) == "书记" and post_of(t.branch, t.branch_admin) == "生活委员"


def test_deeper_superiors_and_outsiders_do_not_reach_the_page(election, client):
    t = election
    url = reverse("people:cadre_positions", args=[t.branch.id])
    for who, status in ((t.general_admin, 200), (t.college_admin, 404), (t.outsider, 404), (t.member, 404)):
        client.force_login(who)
        assert client.get(url).status_code == status, who.name
    client.force_login(t.college_admin)
    response = client.post(reverse("people:cadre_position", args=[t.branch.id, t.member.id]), {"position": "委员"})
    assert response.status_code == 404 and post_of(t.branch, t.member) == ""
