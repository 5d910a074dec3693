"""The stored figures always equal a full recount, after any sequence of real changes."""

import random
from collections import Counter

import pytest

from accounts.registration import admin_register
from accounts.services import password_change
from conftest import PASSWORD, make_id_number
from imports.importers import cadres as cadre_importer
from imports.importers import members as member_import
from imports.tests.xlsx import make_xlsx
from orgchanges import deletion, migration
from orgchanges.migration import subtree_move
from orgs import codes
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from orgs.services import org_create_child
from people import cadres, members
from people.models import AccountState, Cadre, Person
from people.org_info import org_info_update
from people.services import cadre_assign
from progress.aggregates import stats_recount
from progress.models import OrgStats
from transfers import services as transfer_services
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
        from people.org_info import org_info_update

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


def test_figures_equal_a_full_recount_after_random_imports_registrations_and_approvals(stats_tree, committed):
    """The write paths that bypass the Person/Org signals or call stats_mark_dirty: the member and cadre
    imports, transfer approval and assignment, 管理员注册, first password (activation), 组织迁移 approval,
    and member verification (approve and reject)."""
    t = stats_tree
    rng = random.Random(11)
    serial = iter(range(10_000))
    branches = [t.branch]
    done: Counter = Counter()

    def new_id(birth="19990101"):
        return make_id_number(birth, serial=next(serial))

    def person_row(name, **extra):
        return {**data(rng, name), "id_number": new_id(), **extra}

    def random_branch():
        return Org.objects.get(pk=rng.choice(branches).pk)

    def new_branch():
        b = org_create_child(parent=t.general, short_name=f"临床医学2018级{10 + next(serial)}班团支部",
                             category=Category.BRANCH, actor=t.general_admin)  # fmt: skip
        branches.append(b)
        return b

    def unregistered(**filters):
        qs = Person.objects.filter(account_state=AccountState.INITIAL, admin_posts=None, **filters)
        return qs.order_by("?").first()

    def member_import_step():
        branch = random_branch()
        rows = [person_row(f"导入团员{i}", position=rng.choice(["", "", "组织委员"])) for i in range(rng.randint(1, 4))]
        loose = Person.objects.filter(branch=None, is_superuser=False).exclude(cadre_posts__org=branch)
        linked = loose.order_by("?").first()
        if linked is not None and rng.random() < 0.5:  # a cadre on record joins the branch: linked, not duplicated
            rows.append(
                {**person_row(linked.name), "id_number": linked.id_number, "mobile": rng.choice(["", "13512345678"])}
            )
        report = member_import.member_import(branch=branch, file_or_rows=rows, actor=t.general_admin, dry_run=False)
        assert not report.failed, [r.message for r in report.failed]

    def cadre_import_step():
        org = Org.objects.get(pk=rng.choice([t.general, t.college]).pk)
        header = [c.header for c in cadre_importer.COLUMNS]
        rows = [[f"导入干部{i}", new_id("19950101"), rng.choice(["委员", "常委"]), "团员", "2010-09", "汉族", "大学本科",
                 "在职", rng.choice(["", "13712345678"]), "", ""] for i in range(rng.randint(1, 3))]  # fmt: skip
        member = Person.objects.filter(branch__in=branches).exclude(cadre_posts__org=org).order_by("?").first()
        if member is not None:  # a member becomes a cadre of the committee too
            rows.append([member.name, member.id_number, "委员", "", "", "", "", "", "", "", ""])
        report = cadre_importer.cadre_import(org=org, file=make_xlsx([header, *rows], title=cadre_importer.SHEET),
                                     actor=t.general_admin if org.pk == t.general.pk else t.college_admin, dry_run=False)  # fmt: skip
        assert not report.failed, [r.message for r in report.failed]

    def transfer_step():
        src = random_branch()
        person = Person.objects.filter(branch=src, admin_posts=None, transfers__isnull=True).order_by("?").first()
        if person is None:
            return False
        if rng.random() < 0.5 and len(branches) > 1:  # to a branch: the receiver's approval completes it
            dst = Org.objects.get(pk=rng.choice([b for b in branches if b.pk != src.pk]).pk)
            # The member applies (SPEC-2 W1: the 团总支's admin may not approve a request it started itself).
            req = transfer_services.transfer_submit(actor=person, person=person, to_org=dst, reason="升学")
            req = transfer_services.transfer_approve(transfer=req, actor=t.general_admin)
            transfer_services.transfer_approve(transfer=req, actor=t.general_admin)
        else:  # to the 团总支: approved, then a branch assigned
            req = transfer_services.transfer_submit(actor=person, person=person, to_org=Org.objects.get(pk=t.general.pk),
                                                    reason="工作调动")  # fmt: skip
            if req.status == "待转出方审批":
                req = transfer_services.transfer_approve(transfer=req, actor=t.general_admin)
            req = transfer_services.transfer_approve(transfer=req, actor=t.general_admin)
            transfer_services.transfer_assign(transfer=req, actor=t.general_admin, branch=random_branch())

    def name_secretary():  # an unregistered secretary, so that registration and activation change S1
        person = unregistered(branch__in=branches)
        if person is None:
            return False
        org_info_update(org=Org.objects.get(pk=person.branch_id), actor=t.general_admin, data={"industry": "P", "secretary_name": person.name,
                        "secretary_id_number": person.id_number, "secretary_mobile": "13612345678"})  # fmt: skip

    def admin_register_step():
        org = new_branch() if rng.random() < 0.5 else random_branch()
        if OrgAdmin.objects.filter(org=org).count() >= 3:
            return False
        code = codes.registration_code_issue(org=Org.objects.get(pk=org.pk), actor=t.general_admin).code
        existing = unregistered() if rng.random() < 0.6 else None
        person_data = person_row("注册管理员", mobile="13812345678")
        if existing is not None:
            # A person on record sets their own password first (issue 12), then registers with it.
            password_change(person=existing, old_password=existing.id_number[-8:], new_password=PASSWORD)
            person_data.update(name=existing.name, id_number=existing.id_number)
        admin_register(org_id=org.pk, position="书记", code=code, person_data=person_data, password=PASSWORD)

    def activate():
        person = unregistered()
        if person is None:
            return False
        password_change(person=person, old_password=person.id_number[-8:], new_password=PASSWORD)

    def migrate():
        general = Org.objects.get(pk=t.general.pk)
        current, target = (t.college, t.uni) if general.parent_id == t.college.pk else (t.uni, t.college)
        m = migration.migration_apply(org=general, to_parent=Org.objects.get(pk=target.pk), reason="院系调整",
                                      actor=t.general_admin)  # fmt: skip
        m = migration.migration_approve(migration=m, actor=admin_of[current.pk])
        migration.migration_approve(migration=m, actor=admin_of[target.pk])

    def verify(approve: bool):
        branch = random_branch()
        person = members.member_self_register(branch_id=branch.pk, data=person_row("自行注册", mobile="13912345678"),
                                              password=PASSWORD)  # fmt: skip
        admin = OrgAdmin.objects.filter(org=branch).select_related("person").first()
        if admin is None:
            return False
        members.member_verify(person=person, approve=approve, actor=admin.person)

    def verify_approve():
        return verify(True)

    def verify_reject():
        return verify(False)

    admin_of = {t.college.pk: t.college_admin, t.uni.pk: t.uni_admin}
    steps = [new_branch, member_import_step, cadre_import_step, transfer_step, name_secretary, admin_register_step,
             activate, migrate, verify_approve, verify_reject]  # fmt: skip
    for i in range(90):
        step = steps[0] if i == 0 else rng.choice(steps)
        with committed():
            did = step()
        done[step.__name__] += did is not False
        assert stats_recount() == [], f"step {i}: {step.__name__}"
    assert all(done[s.__name__] for s in steps), done


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
