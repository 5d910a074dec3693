"""The stored figures always equal a full recount, after any sequence of real changes."""

import random

import pytest

from conftest import make_id_number
from orgs import deletion
from orgs.migration import subtree_move
from orgs.models import Org
from orgs.rules import Category
from orgs.services import org_create_child
from people import cadres, members
from people.models import Cadre, Person
from people.services import cadre_assign
from progress.aggregates import stats_recount
from progress.models import OrgStats
from transfers.services import batch_transfer


def data(rng, name):
    return {
        "name": name, "id_number": make_id_number("19990101"), "ethnicity": "汉族", "political_status": "团员",
        "league_join_date": "2013-09", "education": "大学本科", "occupation": "学生",
        "mobile": rng.choice(["13812345678", ""]),
    }  # fmt: skip


def test_figures_equal_a_full_recount_after_random_changes(stats_tree, committed):
    t = stats_tree
    rng = random.Random(6)
    branches = [t.branch]
    serial = iter(range(1000))

    def new_branch():
        b = org_create_child(parent=t.general, short_name=f"临床医学2017级{10 + next(serial)}班团支部",
                             category=Category.BRANCH, actor=t.general_admin)  # fmt: skip
        branches.append(b)

    def add_member():
        members.member_add(branch=rng.choice(branches), data=data(rng, "随机团员"), actor=t.general_admin)

    def edit_mobile():
        p = Person.objects.filter(branch__in=branches).order_by("?").first()
        if p:
            p.mobile = "" if p.mobile else "13612345678"
            p.save()

    def delete_member():
        p = Person.objects.filter(branch=t.branch, admin_posts=None).exclude(pk=t.member.pk).first()
        if p:
            members.member_delete(person=p, actor=t.branch_admin)

    def add_cadre():
        cadres.cadre_add(org=t.general, person_data=data(rng, "随机团干部"), position="委员", actor=t.general_admin)

    def remove_cadre():
        post = Cadre.objects.filter(org=t.general, person__admin_posts=None).first()
        if post:
            cadres.cadre_remove(org=t.general, person=post.person, actor=t.general_admin)

    def branch_cadre():
        p = Person.objects.filter(branch__in=branches).order_by("?").first()
        b = rng.choice(branches)
        if p:
            cadre_assign(person=p, org=b, position="组织委员")

    def transfer():
        src, dst = rng.sample(branches, 2) if len(branches) > 1 else (None, None)
        people = list(Person.objects.filter(branch=src, admin_posts=None)[:3]) if src else []
        if people:
            src, dst, general = (Org.objects.get(pk=o.pk) for o in (src, dst, t.general))
            batch_transfer(actor=t.general_admin, acting_org=general, from_branch=src, to_branch=dst,
                           people=people, reason="其他")  # fmt: skip

    def delete_branch():
        candidates = [b for b in branches if b != t.branch]
        if candidates:
            b = rng.choice(candidates)
            deletion.org_delete(org=Org.objects.get(pk=b.pk), actor=t.general_admin)
            branches.remove(b)

    def move_general():
        general = Org.objects.get(pk=t.general.pk)
        target = t.uni if general.parent_id == t.college.pk else t.college
        subtree_move(org=general, to_parent=Org.objects.get(pk=target.pk))

    def fill_info():
        from orgs.info import org_info_update

        org_info_update(org=Org.objects.get(pk=t.branch.pk), actor=t.branch_admin, data={"industry": "P",
                        "secretary_name": t.branch_admin.name, "secretary_id_number": t.branch_admin.id_number})  # fmt: skip

    steps = [new_branch, add_member, add_member, add_member, edit_mobile, delete_member, add_cadre, remove_cadre,
             branch_cadre, transfer, delete_branch, move_general, fill_info]  # fmt: skip
    for i in range(80):
        step = rng.choice(steps)
        with committed():
            step()
        assert stats_recount() == [], f"step {i}: {step.__name__}"
    assert OrgStats.objects.get(org=t.root).members == Person.objects.exclude(branch=None).count()


def test_a_changed_mobile_shows_up_the_tree_right_after_commit(stats_tree, committed):
    t = stats_tree
    before = {o.pk: OrgStats.objects.get(org=o).members_complete for o in (t.root, t.province, t.general, t.branch)}
    with committed():
        t.member.mobile = ""
        t.member.save()
    after = {o.pk: OrgStats.objects.get(org=o).members_complete for o in (t.root, t.province, t.general, t.branch)}
    assert all(after[k] == before[k] - 1 for k in before)
    assert OrgStats.objects.get(org=t.other_province).members_complete == 0


def test_nothing_is_refreshed_before_commit(stats_tree):
    t = stats_tree
    t.member.mobile = ""
    t.member.save()
    assert stats_recount() != []  # the hook waits for the commit


def test_recount_fix_repairs_and_reports(stats_tree):
    OrgStats.objects.filter(org=stats_tree.root).update(members=999)
    diffs = stats_recount()
    assert diffs == [{"org_id": stats_tree.root.pk, "field": "members", "stored": 999, "counted": 2}]
    assert stats_recount(fix=True) == diffs
    assert stats_recount() == []


@pytest.mark.django_db(transaction=True)
def test_hooks_run_on_real_commits(tree):
    stats_recount(fix=True)
    tree.member.mobile = ""
    tree.member.save()  # autocommit: the hook runs at once
    assert stats_recount() == []
    assert OrgStats.objects.get(org=tree.root).members_complete == 1
