"""Deleting direct subordinates (SPEC U2), all four cases."""

import pytest

from core.exceptions import Conflict, NotAllowed
from orgchanges.deletion import org_delete
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from orgs.services import org_create_child
from people.models import Cadre, Person


def test_an_empty_organisation_is_deleted(tree):
    empty = org_create_child(parent=tree.general, short_name="空团支部", category="团支部", actor=tree.general_admin)
    assert org_delete(org=empty, actor=tree.general_admin) == {"moved": 0, "pending_branch_id": None, "ended": 0}
    assert not Org.objects.filter(pk=empty.pk).exists()
    assert Org.objects.get(pk=tree.general.pk).numchild == 1


def test_a_branch_with_members_moves_them_to_the_pending_branch(tree, make_person):
    make_person("第三人", branch=tree.branch)
    people = set(Person.objects.filter(branch=tree.branch).values_list("id", flat=True))
    result = org_delete(org=tree.branch, actor=tree.general_admin)
    pending = Org.objects.get(pk=result["pending_branch_id"])
    assert pending.category == Category.PENDING and pending.parent == tree.general
    assert result["moved"] == 3
    assert set(Person.objects.filter(branch=pending).values_list("id", flat=True)) == people
    assert not Org.objects.filter(pk=tree.branch.pk).exists()
    # The branch's posts and admin rights ended with it; the people did not.
    assert not Cadre.objects.filter(org_id=tree.branch.pk).exists()
    assert not OrgAdmin.objects.filter(org_id=tree.branch.pk).exists()


def test_the_pending_branch_is_reused_not_duplicated(tree, make_person):
    second = org_create_child(parent=tree.general, short_name="临床医学2017级4班团支部", category="团支部",
                              actor=tree.general_admin)  # fmt: skip
    make_person("四班团员", branch=second)
    first = org_delete(org=tree.branch, actor=tree.general_admin)["pending_branch_id"]
    again = org_delete(org=second, actor=tree.general_admin)["pending_branch_id"]
    assert first == again
    assert Person.objects.filter(branch_id=first).count() == 3


def test_a_committee_with_cadres_or_admins_is_refused_naming_them(tree):
    org_delete(org=tree.branch, actor=tree.general_admin)
    # 团总支 now only has the pending branch below it; delete that first is refused (members inside).
    pending = Org.objects.get(parent=tree.general, category=Category.PENDING)
    with pytest.raises(Conflict, match="待接转团员"):
        org_delete(org=pending, actor=tree.general_admin)
    Person.objects.filter(branch=pending).update(branch=None)
    org_delete(org=pending, actor=tree.general_admin)
    with pytest.raises(Conflict) as exc:
        org_delete(org=tree.general, actor=tree.college_admin)
    assert exc.value.code == "org_has_people"
    assert "管理员团总支管理员" in exc.value.message and "团干部团总支管理员" in exc.value.message
    assert "结束以上职务并删除" in exc.value.message
    assert OrgAdmin.objects.filter(org=tree.general).exists()


def _empty_general(tree):
    """团总支 with no members and no subordinates left, holding only its admin (also its 书记)."""
    org_delete(org=tree.branch, actor=tree.general_admin)
    pending = Org.objects.get(parent=tree.general, category=Category.PENDING)
    Person.objects.filter(branch=pending).update(branch=None)
    org_delete(org=pending, actor=tree.general_admin)


def test_u2_3_the_superior_closes_a_committee_holding_only_its_admin(tree):
    _empty_general(tree)
    result = org_delete(org=tree.general, actor=tree.college_admin, end_posts=True)
    assert result["ended"] == 2  # the admin post and the 书记 post
    assert not Org.objects.filter(pk=tree.general.pk).exists()
    assert not OrgAdmin.objects.filter(person=tree.general_admin).exists()
    assert Person.objects.filter(pk=tree.general_admin.pk).exists()  # the person keeps their record
    from audit.models import AuditEvent

    event = AuditEvent.objects.get(verb="删除下级组织", target_id=str(tree.general.pk))
    assert event.changes["ended_posts"]["admins"] == ["团总支管理员"]


def test_u2_3_ending_posts_never_skips_subordinates_or_another_superior(tree):
    with pytest.raises(Conflict, match="下级组织"):
        org_delete(org=tree.general, actor=tree.college_admin, end_posts=True)
    _empty_general(tree)
    with pytest.raises(NotAllowed):
        org_delete(org=tree.general, actor=tree.general_admin, end_posts=True)  # not its own admin
    with pytest.raises(NotAllowed):
        org_delete(org=tree.general, actor=tree.uni_admin, end_posts=True)  # nor a higher one
    assert Org.objects.filter(pk=tree.general.pk).exists()


def test_u2_3_through_the_page_the_superior_sees_who_and_confirms(tree, client):
    _empty_general(tree)
    client.force_login(tree.college_admin)
    first = client.post(f"/manage/orgs/{tree.general.id}/delete/")
    page = first.content.decode()
    assert first.status_code == 200 and "结束以上职务并删除" in page and "团总支管理员" in page
    assert Org.objects.filter(pk=tree.general.pk).exists()
    done = client.post(f"/manage/orgs/{tree.general.id}/delete/", {"end_posts": "1"}, follow=True)
    assert "已删除临床医学2017级团总支" in done.content.decode()
    assert not Org.objects.filter(pk=tree.general.pk).exists()


def test_u2_3_through_the_api(tree, api_login):
    _empty_general(tree)
    client = api_login(tree.college_admin)
    refused = client.delete(f"/api/v1/orgs/{tree.general.id}")
    assert refused.status_code == 409 and refused.json()["code"] == "org_has_people"
    assert client.delete(f"/api/v1/orgs/{tree.general.id}?end_posts=true").status_code == 204
    assert not Org.objects.filter(pk=tree.general.pk).exists()


def test_an_organisation_with_subordinates_is_refused_naming_them(tree):
    with pytest.raises(Conflict, match="五年制临床医学2017级3班团支部"):
        org_delete(org=tree.general, actor=tree.college_admin)


@pytest.mark.parametrize("actor", ["branch_admin", "college_admin", "outsider", "uni_admin"])
def test_only_the_direct_superiors_admin_deletes(tree, actor):
    with pytest.raises(NotAllowed):
        org_delete(org=tree.branch, actor=getattr(tree, actor))
    assert Org.objects.filter(pk=tree.branch.pk).exists()


def test_api_delete_returns_204_or_409_with_the_reason(tree, api_login):
    client = api_login(tree.college_admin)
    refused = client.delete(f"/api/v1/orgs/{tree.general.id}")
    assert refused.status_code == 409 and refused.json()["code"] == "org_has_children"
    assert api_login(tree.general_admin).delete(f"/api/v1/orgs/{tree.branch.id}").status_code == 204
    assert api_login(tree.outsider).delete(f"/api/v1/orgs/{tree.general.id}").status_code == 404


def test_the_page_deletes_and_reports_moved_members(tree, client):
    client.force_login(tree.general_admin)
    response = client.post(f"/manage/orgs/{tree.branch.id}/delete/", follow=True)
    assert "2名团员已移入待接转团支部" in response.content.decode()
    client.force_login(tree.branch_admin)
    assert client.post(f"/manage/orgs/{tree.general.id}/delete/").status_code == 404
