"""组织迁移 (SPEC U4): apply, release, accept, and the whole subtree moves."""

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.exceptions import Conflict, DomainError, NotAllowed
from demo.subtree import build_subtree, subtree_size
from orgchanges import deletion
from orgchanges.migration import (
    check_move,
    migration_apply,
    migration_approve,
    migration_reject,
    migration_withdraw,
    migrations_todo,
)
from orgs import access
from orgs.models import Org, OrgMigration
from orgs.rules import Category
from orgs.services import org_create_child
from people.admins import org_admin_add
from people.models import Person
from people.services import cadre_assign

Status = OrgMigration.Status


def assert_tree_invariants():
    """Every organisation: depth = len(path)/steplen, its parent's path is its prefix, numchild is right."""
    orgs = {o.id: o for o in Org.objects.all()}
    counts: dict[int, int] = {}
    for o in orgs.values():
        assert o.depth == len(o.path) // Org.steplen, o
        assert len(o.path) % Org.steplen == 0, o
        if o.parent_id is None:
            assert o.depth == 1
            continue
        parent = orgs[o.parent_id]
        assert o.path[: -Org.steplen] == parent.path, (o, parent)
        counts[o.parent_id] = counts.get(o.parent_id, 0) + 1
    for o in orgs.values():
        assert o.numchild == counts.get(o.id, 0), o
    assert len({o.path for o in orgs.values()}) == len(orgs)


def apply(tree, org, to, actor=None, reason="学校划转"):
    admin = actor or Org.objects.get(pk=org.pk).admins.first().person
    return migration_apply(org=org, to_parent=to, reason=reason, actor=admin)


def fresh(org):
    return Org.objects.get(pk=org.pk)


def fresh_m(m):
    return OrgMigration.objects.get(pk=m.pk)


@pytest.fixture
def make_admin(make_person):
    def make(org, name="新组织管理员"):
        person = make_person(name, birth="19910101")
        cadre_assign(person=person, org=org, position="书记")
        org_admin_add(org=org, person=person)
        return person

    return make


# --- the happy path -----------------------------------------------------------


def test_the_whole_subtree_moves_after_release_and_acceptance(tree):
    before = {o.id: o.path for o in tree.uni.subtree()}
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    assert m.status == Status.RELEASE
    m = migration_approve(migration=m, actor=tree.province_admin)
    assert fresh(tree.uni).parent_id == tree.province.id  # nothing moves on release
    m = migration_approve(migration=m, actor=tree.outsider)
    assert m.status == Status.DONE and m.completed_at is not None

    uni, new_parent = fresh(tree.uni), fresh(tree.other_province)
    assert uni.parent_id == new_parent.id
    assert uni.path.startswith(new_parent.path) and uni.depth == new_parent.depth + 1
    moved = {o.id: o for o in uni.subtree()}
    assert set(moved) == set(before)  # the same organisations, all of them
    for o in moved.values():
        assert o.path.startswith(uni.path)
        assert o.depth == len(o.path) // Org.steplen
    assert fresh(tree.province).numchild == 1  # only the city is left
    assert new_parent.numchild == 1
    assert uni.sort_order == 1
    assert Person.objects.get(pk=tree.member.pk).branch_id == tree.branch.id
    assert tree.member in Person.objects.filter(branch__in=new_parent.subtree().values("id"))
    assert_tree_invariants()


def test_visibility_follows_the_move(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    m = migration_approve(migration=m, actor=tree.outsider)
    for admin in (tree.province_admin, tree.city_admin):
        access.forget_admin_orgs(admin)
        assert not access.can_view(admin, fresh(tree.uni))
        assert not access.can_view(admin, fresh(tree.branch))
    assert access.can_view(tree.outsider, fresh(tree.branch))
    assert access.is_admin_of_parent(tree.outsider, fresh(tree.uni))
    assert access.can_view(tree.root_admin, fresh(tree.branch))
    assert fresh(tree.branch) in access.visible_orgs(tree.outsider)


def test_levels_change_when_the_depth_of_the_new_superior_differs(tree):
    m = apply(tree, tree.general, tree.uni, actor=tree.general_admin)
    m = migration_approve(migration=m, actor=tree.college_admin)
    m = migration_approve(migration=m, actor=tree.uni_admin)
    general, branch = fresh(tree.general), fresh(tree.branch)
    assert (general.level, branch.level) == (4, 5)
    assert branch.parent_id == general.id and general.parent_id == tree.uni.id
    assert fresh(tree.college).numchild == 0 and fresh(tree.uni).numchild == 2
    assert general.sort_order == 2  # last among its new siblings
    assert_tree_invariants()


def test_every_step_is_recorded_and_audited(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    m = migration_approve(migration=m, actor=tree.outsider)
    # The timeline is the steps of its process (workflow engine, SPEC-2 W2), in the request's own words.
    steps = [(e.action, e.from_status, e.to_status, e.actor.name) for e in m.timeline]
    assert steps == [
        ("提交申请", "", "待原上级审批", "校团委管理员"),
        ("原上级组织同意迁出", "待原上级审批", "待新上级审批", "省委管理员"),
        ("新上级组织同意接收", "待新上级审批", "已完成", "浙江管理员"),
    ]
    verbs = set(AuditEvent.objects.filter(target_type="org", target_id=str(tree.uni.id)).values_list("verb", flat=True))
    assert {"申请组织迁移", "同意组织迁出", "组织迁移完成"} <= verbs


# --- who may do what ------------------------------------------------------------


@pytest.mark.parametrize("actor", ["province_admin", "college_admin", "outsider", "root_admin"])
def test_only_the_migrating_organisations_own_admin_applies(tree, actor):
    with pytest.raises(NotAllowed):
        migration_apply(org=tree.uni, to_parent=tree.other_province, reason="划转", actor=getattr(tree, actor))


@pytest.mark.parametrize("approver", ["uni_admin", "outsider", "root_admin", "city_admin"])
def test_only_the_current_superior_releases(tree, approver):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    with pytest.raises(NotAllowed):
        migration_approve(migration=m, actor=getattr(tree, approver))
    assert fresh_m(m).status == Status.RELEASE


@pytest.mark.parametrize("approver", ["uni_admin", "province_admin", "root_admin"])
def test_only_the_new_superior_accepts(tree, approver):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    with pytest.raises(NotAllowed):
        migration_approve(migration=m, actor=getattr(tree, approver))
    assert fresh(tree.uni).parent_id == tree.province.id


def test_the_todo_list_follows_the_steps(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    assert list(migrations_todo(tree.province_admin)) == [m]
    assert list(migrations_todo(tree.outsider)) == []
    assert list(migrations_todo(tree.root_admin)) == []
    m = migration_approve(migration=m, actor=tree.province_admin)
    assert list(migrations_todo(tree.province_admin)) == []
    assert list(migrations_todo(tree.outsider)) == [m]
    m = migration_approve(migration=m, actor=tree.outsider)
    assert list(migrations_todo(tree.outsider)) == []


# --- tree rules -------------------------------------------------------------------


def test_a_general_branch_cannot_go_under_a_general_branch(tree):
    other = org_create_child(
        parent=tree.college, short_name="临床医学2018级团总支", category=Category.GENERAL, actor=tree.college_admin
    )
    with pytest.raises(DomainError, match="团总支下不能设立团总支"):
        apply(tree, tree.general, other, actor=tree.general_admin)


def test_a_committee_cannot_go_under_a_general_branch(tree, make_admin):
    college2 = org_create_child(
        parent=tree.uni, short_name="口腔医学院团委", category=Category.PRIMARY, actor=tree.uni_admin
    )
    with pytest.raises(DomainError, match="团总支下不能设立基层团委"):
        apply(tree, college2, tree.general, actor=make_admin(college2))


def test_a_leading_body_cannot_go_under_a_primary_committee(tree):
    with pytest.raises(DomainError, match="基层团委下不能设立团的领导机关"):
        apply(tree, tree.city, tree.uni, actor=tree.city_admin)


def test_a_move_under_ones_own_descendant_is_refused(tree):
    with pytest.raises(DomainError, match="不能迁移到本组织的下级组织之下"):
        apply(tree, tree.uni, tree.college, actor=tree.uni_admin)
    with pytest.raises(DomainError, match="不能迁移到本组织之下"):
        apply(tree, tree.uni, tree.uni, actor=tree.uni_admin)


def test_the_current_superior_the_root_and_pending_branches_are_refused(tree):
    with pytest.raises(DomainError, match="无需迁移"):
        apply(tree, tree.uni, tree.province, actor=tree.uni_admin)
    with pytest.raises(DomainError, match="根组织不能迁移"):
        apply(tree, tree.root, tree.province, actor=tree.root_admin)
    pending = deletion.pending_branch_for(tree.general)
    with pytest.raises(DomainError, match="待接转团支部"):
        check_move(pending, tree.uni)  # it has no admin of its own to apply


def test_a_same_name_sibling_under_the_new_superior_is_refused(tree):
    org_create_child(parent=tree.other_province, short_name="南京医科大学团委", category=Category.PRIMARY,
                     actor=tree.outsider)  # fmt: skip
    with pytest.raises(Conflict, match="同级组织不能重名"):
        apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)


# --- the tree may change between application and approval -------------------------------


def test_a_same_name_sibling_created_meanwhile_stops_the_acceptance(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    org_create_child(parent=tree.other_province, short_name="南京医科大学团委", category=Category.PRIMARY,
                     actor=tree.outsider)  # fmt: skip
    with pytest.raises(Conflict, match="同级组织不能重名"):
        migration_approve(migration=m, actor=tree.outsider)
    assert fresh_m(m).status == Status.ACCEPT  # rolled back whole
    assert fresh(tree.uni).parent_id == tree.province.id
    assert_tree_invariants()


def test_a_target_deleted_meanwhile_stops_the_release(tree):
    target = org_create_child(
        parent=tree.province, short_name="南京中医药大学团委", category=Category.PRIMARY, actor=tree.province_admin
    )
    m = apply(tree, tree.general, target, actor=tree.general_admin)
    deletion.org_delete(org=target, actor=tree.province_admin)
    m = fresh_m(m)
    assert m.to_parent_id is None and m.to_name.endswith("南京中医药大学团委")
    with pytest.raises(Conflict, match="新上级组织不存在"):
        migration_approve(migration=m, actor=tree.college_admin)
    assert fresh_m(m).status == Status.RELEASE
    migration_withdraw(migration=m, actor=tree.general_admin)
    assert fresh_m(m).status == Status.WITHDRAWN


def test_a_target_that_no_longer_may_hold_the_organisation_is_refused_at_acceptance(tree):
    m = apply(tree, tree.uni, tree.city, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    Org.objects.filter(pk=tree.city.pk).update(category=Category.GENERAL)  # T3 no longer holds
    with pytest.raises(Conflict, match="团总支下不能设立基层团委"):
        migration_approve(migration=m, actor=tree.city_admin)
    assert fresh(tree.uni).parent_id == tree.province.id


def test_a_superior_changed_meanwhile_voids_the_request(tree):
    m = apply(tree, tree.general, tree.uni, actor=tree.general_admin)
    Org.objects.filter(pk=tree.general.pk).update(parent=tree.uni)  # as if moved by another migration
    with pytest.raises(Conflict, match="上级组织已发生变化"):
        migration_approve(migration=m, actor=tree.college_admin)


# --- reject, withdraw, one open request -------------------------------------------------


def test_a_rejected_request_moves_nothing_and_is_closed(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    with pytest.raises(DomainError, match="驳回理由"):
        migration_reject(migration=m, actor=tree.province_admin, reason=" ")
    with pytest.raises(NotAllowed):
        migration_reject(migration=m, actor=tree.outsider, reason="不同意")
    m = migration_reject(migration=m, actor=tree.province_admin, reason="学校尚未划转")
    assert m.status == Status.REJECTED
    assert m.timeline[-1].note == "学校尚未划转"
    with pytest.raises(Conflict):
        migration_approve(migration=m, actor=tree.province_admin)
    with pytest.raises(Conflict):
        migration_withdraw(migration=m, actor=tree.uni_admin)
    assert fresh(tree.uni).parent_id == tree.province.id


def test_the_new_superior_may_reject_at_its_step(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    with pytest.raises(NotAllowed):
        migration_reject(migration=m, actor=tree.province_admin, reason="反悔")
    assert migration_reject(migration=m, actor=tree.outsider, reason="不接收").status == Status.REJECTED


def test_the_applicant_withdraws_and_may_apply_again(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    with pytest.raises(NotAllowed):
        migration_withdraw(migration=m, actor=tree.province_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    assert migration_withdraw(migration=m, actor=tree.uni_admin).status == Status.WITHDRAWN
    with pytest.raises(Conflict):
        migration_approve(migration=m, actor=tree.outsider)
    again = apply(tree, tree.uni, tree.city, actor=tree.uni_admin)
    assert again.status == Status.RELEASE


def test_one_open_request_per_organisation(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    with pytest.raises(Conflict, match="未办结"):
        apply(tree, tree.uni, tree.city, actor=tree.uni_admin)
    with pytest.raises(IntegrityError), transaction.atomic():
        OrgMigration.objects.create(org=tree.uni, from_parent=tree.province, to_parent=tree.city, reason="x")
    assert OrgMigration.objects.filter(org=tree.uni).count() == 1
    assert m.is_open


def test_a_finished_migration_cannot_be_approved_again(tree):
    m = apply(tree, tree.uni, tree.other_province, actor=tree.uni_admin)
    m = migration_approve(migration=m, actor=tree.province_admin)
    m = migration_approve(migration=m, actor=tree.outsider)
    with pytest.raises(Conflict):
        migration_approve(migration=m, actor=tree.outsider)
    stale = OrgMigration.objects.get(pk=m.pk)
    stale.status = Status.ACCEPT  # a second approver holding an old copy
    with pytest.raises(Conflict):
        migration_approve(migration=stale, actor=tree.outsider)
    assert fresh(tree.other_province).numchild == 1
    assert_tree_invariants()


# --- a large subtree -------------------------------------------------------------------------


def test_a_bulk_built_subtree_of_hundreds_keeps_every_invariant(tree, make_admin, make_person):
    top = build_subtree(tree.city, short_name="南京大学团委", committees=3, generals=4, branches=20)
    size = subtree_size(3, 4, 20)
    assert top.subtree().count() == size
    assert_tree_invariants()
    branch = Org.objects.filter(Org.subtree_q(top.path), category=Category.BRANCH).last()
    person = make_person("大学生", branch=branch)
    old_path = top.path

    org_admin = make_admin(top)
    m = migration_apply(org=top, to_parent=tree.other_province, reason="划转", actor=org_admin)
    m = migration_approve(migration=m, actor=tree.city_admin)
    m = migration_approve(migration=m, actor=tree.outsider)

    top = fresh(top)
    assert top.parent_id == tree.other_province.id
    assert top.subtree().count() == size
    assert not Org.objects.filter(Org.subtree_q(old_path)).exists()
    assert Org.objects.filter(Org.subtree_q(top.path)).exclude(depth__gte=top.depth).count() == 0
    assert Person.objects.get(pk=person.pk).branch_id == branch.id
    assert fresh(branch).path.startswith(fresh(tree.other_province).path)
    assert_tree_invariants()
