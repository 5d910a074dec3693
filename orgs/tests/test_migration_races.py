"""组织迁移 (U4) approved twice at once, with real concurrent connections: one outcome."""

import pytest

from accounts.tests.test_registration_races import run_together
from core.exceptions import Conflict
from orgchanges.migration import migration_apply, migration_approve, migration_reject
from orgs.models import Org, OrgMigration
from people.admins import org_admin_add
from people.services import cadre_assign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def second_admin(tree, make_person):
    person = make_person("浙江副管理员", birth="19870303")
    cadre_assign(person=person, org=tree.other_province, position="副书记")
    org_admin_add(org=tree.other_province, person=person)
    return person


def released(tree):
    m = migration_apply(org=tree.uni, to_parent=tree.other_province, reason="划转", actor=tree.uni_admin)
    return migration_approve(migration=m, actor=tree.province_admin)


def test_two_acceptances_at_once_move_the_subtree_once(tree, second_admin):
    m = released(tree)
    copy = OrgMigration.objects.get(pk=m.pk)
    results, errors = run_together(
        lambda: migration_approve(migration=m, actor=tree.outsider),
        lambda: migration_approve(migration=copy, actor=second_admin),
    )
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], Conflict), errors
    assert OrgMigration.objects.get(pk=m.pk).status == OrgMigration.Status.DONE
    assert OrgMigration.objects.get(pk=m.pk).process.steps.count() == 3  # its process's steps (SPEC-2 W2)
    target = Org.objects.get(pk=tree.other_province.pk)
    assert target.numchild == 1
    assert Org.objects.get(pk=tree.province.pk).numchild == 1
    uni = Org.objects.get(pk=tree.uni.pk)
    assert uni.parent_id == target.id and uni.path.startswith(target.path)
    assert all(o.path.startswith(uni.path) for o in Org.objects.filter(pk__in=[tree.college.pk, tree.branch.pk]))


def test_an_acceptance_racing_a_rejection_gives_one_outcome(tree, second_admin):
    m = released(tree)
    copy = OrgMigration.objects.get(pk=m.pk)
    results, errors = run_together(
        lambda: migration_approve(migration=m, actor=tree.outsider),
        lambda: migration_reject(migration=copy, actor=second_admin, reason="不接收"),
    )
    assert len(results) == 1 and len(errors) == 1, errors
    final = OrgMigration.objects.get(pk=m.pk)
    moved = Org.objects.get(pk=tree.uni.pk).parent_id == tree.other_province.id
    assert final.status == (OrgMigration.Status.DONE if moved else OrgMigration.Status.REJECTED)
    assert final.process.steps.count() == 3
