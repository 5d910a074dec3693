"""SPEC-2 W6: requests recorded before the approval engine survive its data migration, each with its timeline.

The database is migrated back to the state before the engine (Django's MigrationExecutor, which also runs the
data migrations' reverse), rows are written with the models of that state, and the migrations run forward:
every request has its process, its status and every step of its history.
"""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from conftest import make_id_number
from core.exceptions import Conflict
from orgs.models import Org, OrgAdmin
from people.models import Person
from transfers import services as transfer_services
from transfers.models import TransferRequest as Transfer
from workflow import engine

pytestmark = pytest.mark.django_db(transaction=True)


class Migrator:
    def apply_initial_migration(self, targets):
        return self._migrate(targets)

    def apply_tested_migration(self, targets):
        return self._migrate(targets)

    def _migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        executor.loader.build_graph()
        return executor.loader.project_state(targets)


@pytest.fixture
def migrator():
    yield Migrator()
    call_command("migrate", verbosity=0)  # back to the latest state for the tests that follow


BEFORE = [("orgs", "0009_org_migration"), ("transfers", "0002_todo_indexes")]
AFTER = [("orgs", "0012_adminchange_decision_in_steps"), ("workflow", "0001_process_step_message")]
LATEST = [("orgs", "0015_orgmigration_events_in_steps"), ("workflow", "0001_process_step_message")]

T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def stamp(row, created, updated=None, **times):
    """Set times the models fill in themselves (auto_now_add, auto_now) as they were recorded."""
    fields = {"created_at": created, "updated_at": updated or created, **times}
    fields = {k: v for k, v in fields.items() if hasattr(row, k)}
    type(row).objects.filter(pk=row.pk).update(**fields)
    return row


class Old:
    """Rows of the pre-engine schema, written with its historical models."""

    def __init__(self, apps):
        self.apps = apps
        self.Org = apps.get_model("orgs", "Org")
        self.Person = apps.get_model("people", "Person")
        self.serial = 0

    def org(self, name: str, parent=None, category: str = "团委"):
        self.serial += 1
        if parent is None:
            path, depth = f"{self.serial:04d}", 1
        else:
            path, depth = parent.path + f"{self.serial:04d}", parent.depth + 1
            self.Org.objects.filter(pk=parent.pk).update(numchild=parent.numchild + 1)
        return self.Org.objects.create(
            path=path, depth=depth, numchild=0, parent=parent, category=category, short_name=name, full_name=name,
            created_at=at(0), updated_at=at(0),
        )  # fmt: skip

    def person(self, name: str, branch=None):
        self.serial += 1
        return self.Person.objects.create(
            name=name, id_number=make_id_number(), id_hash=f"hash-{self.serial}", birth_date=dt.date(2000, 1, 1),
            gender="男", branch=branch, password="!", created_at=at(0), updated_at=at(0),
        )  # fmt: skip


def test_old_admin_changes_become_processes_with_their_timeline(migrator):
    old_state = migrator.apply_initial_migration(BEFORE)
    old = Old(old_state.apps)
    AdminChange = old_state.apps.get_model("orgs", "AdminChange")
    province = old.org("团省委")
    city = old.org("团市委", province)
    secretary, deputy, clerk, boss = (old.person(n) for n in ("书记", "副书记", "干事", "省委管理员"))
    waiting = stamp(AdminChange.objects.create(org=city, person=deputy, action="add", requested_by=secretary),
                    at(1), at(1))  # fmt: skip
    approved = stamp(AdminChange.objects.create(org=city, person=clerk, action="add", requested_by=secretary,
                                                status="approved", decided_by=boss, decided_at=at(3)), at(2), at(3))  # fmt: skip
    rejected = stamp(AdminChange.objects.create(org=province, person=boss, action="revoke", requested_by=boss,
                                                status="rejected", decided_at=at(5), note="仍需留任"), at(4), at(5))  # fmt: skip

    new_state = migrator.apply_tested_migration(AFTER)
    AdminChange = new_state.apps.get_model("orgs", "AdminChange")
    Step = new_state.apps.get_model("workflow", "Step")

    def timeline(change_id):
        change = AdminChange.objects.select_related("process").get(pk=change_id)
        steps = Step.objects.filter(process=change.process).order_by("number")
        return change.process, [(s.name, s.handler_org_id, s.action, s.actor_id, s.at, s.opinion) for s in steps]

    process, steps = timeline(waiting.pk)
    assert (process.kind, process.status, process.subject_person_id, process.subject_org_id) == (
        "管理员变更", "进行中", deputy.pk, city.pk)  # fmt: skip
    assert process.started_by_id == secretary.pk and process.created_at == at(1) and process.closed_at is None
    assert steps == [
        ("提交申请", city.pk, "提交", secretary.pk, at(1), ""),
        ("上级组织审批", province.pk, "", None, None, ""),
    ]

    process, steps = timeline(approved.pk)
    assert process.status == "已通过" and process.closed_at == at(3)
    assert steps[1] == ("上级组织审批", province.pk, "通过", boss.pk, at(3), "")

    process, steps = timeline(rejected.pk)
    assert process.status == "未通过"
    assert steps[1] == ("平台运维人员审批", None, "不通过", None, at(5), "仍需留任")  # the root's: the operator


def test_old_org_migrations_become_processes_with_every_event_as_a_step(migrator):
    old_state = migrator.apply_initial_migration(BEFORE)
    old = Old(old_state.apps)
    OrgMigration = old_state.apps.get_model("orgs", "OrgMigration")
    Event = old_state.apps.get_model("orgs", "OrgMigrationEvent")
    root = old.org("团中央")
    province, other = old.org("团省委", root), old.org("团浙江省委", root)
    uni, college = old.org("校团委", province), old.org("学院团委", province)
    applicant, releaser, accepter = old.person("校团委管理员"), old.person("省委管理员"), old.person("浙江管理员")

    def migration(org, status, events, **extra):
        m = stamp(OrgMigration.objects.create(org=org, from_parent=province, from_name=province.full_name,
                                              to_parent=other, to_name=other.full_name, reason="学校划转",
                                              status=status, requested_by=applicant, **extra), at(events[0][0]))  # fmt: skip
        for day, actor, action, before, after, note in events:
            stamp(Event.objects.create(migration=m, actor=actor, action=action, from_status=before, to_status=after,
                                       note=note), at(day), at=at(day))  # fmt: skip
        return m

    done = migration(uni, "已完成", [
        (1, applicant, "提交申请", "", "待原上级审批", "学校划转"),
        (2, releaser, "原上级组织同意迁出", "待原上级审批", "待新上级审批", ""),
        (3, accepter, "新上级组织同意接收", "待新上级审批", "已完成", "欢迎"),
    ], completed_at=at(3))  # fmt: skip
    waiting = migration(college, "待新上级审批", [
        (4, applicant, "提交申请", "", "待原上级审批", "学校划转"),
        (5, releaser, "原上级组织同意迁出", "待原上级审批", "待新上级审批", ""),
    ])  # fmt: skip
    rejected = migration(uni, "已驳回", [
        (0, applicant, "提交申请", "", "待原上级审批", "学校划转"),
        (0.5, releaser, "驳回", "待原上级审批", "已驳回", "尚未划转"),
    ])  # fmt: skip

    new_state = migrator.apply_tested_migration(LATEST)
    OrgMigration = new_state.apps.get_model("orgs", "OrgMigration")
    Step = new_state.apps.get_model("workflow", "Step")

    def timeline(m):
        process = OrgMigration.objects.select_related("process").get(pk=m.pk).process
        steps = Step.objects.filter(process=process).order_by("number")
        return process, [(s.name, s.handler_org_id, s.action, s.label, s.actor_id, s.at, s.opinion) for s in steps]

    process, steps = timeline(done)
    assert (process.kind, process.status, process.subject_org_id, process.started_by_id) == (
        "组织迁移", "已通过", uni.pk, applicant.pk)  # fmt: skip
    assert process.created_at == at(1) and process.closed_at == at(3)
    assert steps == [
        ("提交申请", uni.pk, "提交", "提交申请", applicant.pk, at(1), "学校划转"),
        ("原上级审批", province.pk, "通过", "原上级组织同意迁出", releaser.pk, at(2), ""),
        ("新上级审批", other.pk, "通过", "新上级组织同意接收", accepter.pk, at(3), "欢迎"),
    ]

    process, steps = timeline(waiting)
    assert process.status == "进行中" and process.closed_at is None
    assert [s[:3] for s in steps] == [("提交申请", college.pk, "提交"), ("原上级审批", province.pk, "通过"),
                                      ("新上级审批", other.pk, "")]  # fmt: skip
    assert OrgMigration.objects.get(pk=waiting.pk).status == "待新上级审批"

    process, steps = timeline(rejected)
    assert process.status == "未通过"
    assert steps[-1] == ("原上级审批", province.pk, "不通过", "驳回", releaser.pk, at(0.5), "尚未划转")


TRANSFERS_AFTER = [("transfers", "0005_transfer_events_in_steps")]
SENDER, RECEIVER, ASSIGN = "待转出方审批", "待转入方审批", "待分配团支部"


def test_old_transfers_become_processes_with_every_event_as_a_step(migrator):
    old_state = migrator.apply_initial_migration(BEFORE)
    old = Old(old_state.apps)
    TransferRequest = old_state.apps.get_model("transfers", "TransferRequest")
    Event = old_state.apps.get_model("transfers", "TransferEvent")
    city = old.org("团市委")
    school, county = old.org("校团委", city), old.org("团县委", city)
    a, b = old.org("一班团支部", school, "团支部"), old.org("二班团支部", school, "团支部")
    c = old.org("县直团支部", county, "团支部")
    a_admin, b_admin, school_admin, county_admin = (
        old.person(n) for n in ("甲管理员", "乙管理员", "校管理员", "县管理员")
    )
    m = [old.person(f"团员{i}", a) for i in range(1, 8)] + [old.person("团员8", b)]

    def transfer(person, kind, status, to_org, created_by, events, **extra):
        """A request as the old services wrote it: its row, and one event per move (the last one moved it)."""
        t = TransferRequest.objects.create(person=person, kind=kind, reason="升学", status=status, from_branch=a,
                                           from_name=a.full_name, to_org=to_org, to_name=to_org.full_name,
                                           created_by=created_by, **extra)  # fmt: skip
        stamp(t, at(events[0][0]), at(events[-1][0]))
        for day, actor, action, before, after, note in events:
            stamp(Event.objects.create(transfer=t, actor=actor, action=action, from_status=before, to_status=after,
                                       note=note), at(day), at=at(day))  # fmt: skip
        return t

    sender_wait = transfer(m[0], "本人申请", SENDER, b, m[0], [(1, m[0], "提交（本人申请）", "", SENDER, "")])
    receiver_wait = transfer(m[1], "办理转出", RECEIVER, county, a_admin,
                             [(2, a_admin, "提交（办理转出）", "", RECEIVER, "")])  # fmt: skip
    assign_wait = transfer(m[2], "办理转入", ASSIGN, county, county_admin, [
        (3, county_admin, "提交（办理转入）", "", SENDER, ""),
        (4, a_admin, "转出方同意", SENDER, ASSIGN, ""),
    ], reviewed=True)  # fmt: skip
    done = transfer(m[3], "本人申请", "已完成", school, m[3], [
        (5, m[3], "提交（本人申请）", "", SENDER, ""),
        (6, a_admin, "转出方同意", SENDER, RECEIVER, ""),
        (7, school_admin, "转入方同意", RECEIVER, ASSIGN, ""),
        (8, school_admin, "分配团支部", ASSIGN, "已完成", b.full_name),
    ], reviewed=True, to_branch=b, completed_at=at(8))  # fmt: skip
    rejected = transfer(m[4], "办理转出", "已驳回", b, a_admin, [
        (9, a_admin, "提交（办理转出）", "", RECEIVER, ""),
        (9.5, b_admin, "驳回", RECEIVER, "已驳回", "查无此人，请核对"),
    ], reviewed=True)  # fmt: skip
    withdrawn = transfer(m[5], "办理转入", "已撤回", b, b_admin, [
        (10, b_admin, "提交（办理转入）", "", SENDER, ""),
        (11, b_admin, "撤回", SENDER, "已撤回", ""),
    ])  # fmt: skip
    returned = transfer(m[6], "本人申请", "已退回", b, m[6], [
        (12, m[6], "提交（本人申请）", "", SENDER, ""),
        (22, None, "超期自动退回", SENDER, "已退回", "10天未处理"),
    ])  # fmt: skip
    batch = transfer(m[7], "批量接转", "已完成", b, school_admin, [(13, school_admin, "批量接转", "", "已完成", "")],
                     reviewed=True, to_branch=b, completed_at=at(13))  # fmt: skip

    new_state = migrator.apply_tested_migration(TRANSFERS_AFTER)
    TransferRequest = new_state.apps.get_model("transfers", "TransferRequest")
    Step = new_state.apps.get_model("workflow", "Step")

    def timeline(t):
        process = TransferRequest.objects.select_related("process").get(pk=t.pk).process
        steps = Step.objects.filter(process=process).order_by("number")
        assert [s.number for s in steps] == list(range(len(steps)))
        return process, [(s.name, s.handler_org_id, s.action, s.label, s.actor_id, s.at, s.opinion) for s in steps]

    def head(process, status, person, starter, created, closed=None):
        assert (process.kind, process.status, process.subject_person_id, process.subject_name) == (
            "组织关系转接", status, person.pk, person.name)  # fmt: skip
        assert process.subject_key == f"person:{person.pk}" and process.started_by_id == starter.pk
        assert (process.created_at, process.closed_at) == (at(created), closed and at(closed))

    process, steps = timeline(sender_wait)
    head(process, "进行中", m[0], m[0], 1)
    assert process.title == f"团员1（本人申请）转入{b.full_name}" and process.updated_at == at(1)
    assert steps == [
        ("提交申请", None, "提交", "提交（本人申请）", m[0].pk, at(1), ""),
        ("转出方审批", a.pk, "", "", None, None, ""),
    ]

    process, steps = timeline(receiver_wait)
    head(process, "进行中", m[1], a_admin, 2)
    assert process.starting_org_id == a.pk
    assert steps == [
        ("提交申请", a.pk, "提交", "提交（办理转出）", a_admin.pk, at(2), ""),
        ("转入方审批", county.pk, "", "", None, None, ""),
    ]

    process, steps = timeline(assign_wait)
    head(process, "进行中", m[2], county_admin, 3)
    assert process.starting_org_id == county.pk and process.updated_at == at(4)
    assert steps == [
        ("提交申请", county.pk, "提交", "提交（办理转入）", county_admin.pk, at(3), ""),
        ("转出方审批", a.pk, "通过", "转出方同意", a_admin.pk, at(4), ""),
        ("分配团支部", county.pk, "", "", None, None, ""),
    ]
    open_step = Step.objects.get(process=process, action="")
    assert open_step.opened_at == at(4) and open_step.starter_may_act  # the committee completes its own 办理转入

    process, steps = timeline(done)
    head(process, "已通过", m[3], m[3], 5, closed=8)
    assert steps == [
        ("提交申请", None, "提交", "提交（本人申请）", m[3].pk, at(5), ""),
        ("转出方审批", a.pk, "通过", "转出方同意", a_admin.pk, at(6), ""),
        ("转入方审批", school.pk, "通过", "转入方同意", school_admin.pk, at(7), ""),
        ("分配团支部", school.pk, "通过", "分配团支部", school_admin.pk, at(8), b.full_name),
    ]
    assert TransferRequest.objects.get(pk=done.pk).to_branch_id == b.pk

    process, steps = timeline(rejected)
    head(process, "未通过", m[4], a_admin, 9, closed=9.5)
    assert steps == [
        ("提交申请", a.pk, "提交", "提交（办理转出）", a_admin.pk, at(9), ""),
        ("转入方审批", b.pk, "不通过", "驳回", b_admin.pk, at(9.5), "查无此人，请核对"),
    ]

    process, steps = timeline(withdrawn)
    head(process, "已撤回", m[5], b_admin, 10, closed=11)
    assert steps == [
        ("提交申请", b.pk, "提交", "提交（办理转入）", b_admin.pk, at(10), ""),
        ("转出方审批", a.pk, "撤回", "撤回", b_admin.pk, at(11), ""),
    ]

    process, steps = timeline(returned)
    head(process, "已退回", m[6], m[6], 12, closed=22)
    assert steps == [
        ("提交申请", None, "提交", "提交（本人申请）", m[6].pk, at(12), ""),
        ("转出方审批", a.pk, "系统终止", "超期自动退回", None, at(22), "10天未处理"),
    ]

    process, steps = timeline(batch)
    head(process, "已通过", m[7], school_admin, 13, closed=13)
    assert steps == [("提交申请", None, "提交", "批量接转", school_admin.pk, at(13), "")]

    # Every request has its process, each open one exactly one open step, each closed one none; the rows keep
    # their own status (the lists read it).
    for t, status in [(sender_wait, SENDER), (receiver_wait, RECEIVER), (assign_wait, ASSIGN), (done, "已完成"),
                      (rejected, "已驳回"), (withdrawn, "已撤回"), (returned, "已退回"), (batch, "已完成")]:  # fmt: skip
        row = TransferRequest.objects.select_related("process").get(pk=t.pk)
        assert row.status == status
        assert Step.objects.filter(process=row.process, action="").count() == (
            1 if status in (SENDER, RECEIVER, ASSIGN) else 0
        )

    # The engine carries the migrated open ones on, by the same rules as new ones.
    call_command("migrate", verbosity=0)
    for org, person in [(a, a_admin), (county, county_admin)]:
        OrgAdmin.objects.create(org_id=org.pk, person_id=person.pk, slot=1)
    fresh = Person.objects.get
    moved = engine.process_act(process=Transfer.objects.get(pk=sender_wait.pk).process, actor=fresh(pk=a_admin.pk),
                               action="approve")  # fmt: skip
    assert Transfer.objects.get(pk=sender_wait.pk).status == RECEIVER
    assert [(s.number, s.name, s.action, s.actor_id) for s in engine.process_steps(moved)] == [
        (0, "提交申请", "提交", m[0].pk), (1, "转出方审批", "通过", a_admin.pk), (2, "转入方审批", "", None)]  # fmt: skip

    with pytest.raises(Conflict) as refused:  # W3: the migrated open process is the member's one open transfer
        transfer_services.transfer_submit(actor=fresh(pk=m[0].pk), person=fresh(pk=m[0].pk),
                                          to_org=Org.objects.get(pk=c.pk), reason="升学")  # fmt: skip
    assert refused.value.code == "process_open"

    t = transfer_services.transfer_withdraw(
        transfer=Transfer.objects.get(pk=receiver_wait.pk), actor=fresh(pk=a_admin.pk)
    )
    assert t.status == "已撤回" and t.process.status == "已撤回"

    # 分配团支部 completes the receiving committee's own 办理转入: its starter may assign (as before the engine).
    t = transfer_services.transfer_assign(transfer=Transfer.objects.get(pk=assign_wait.pk),
                                          actor=fresh(pk=county_admin.pk), branch=Org.objects.get(pk=c.pk))  # fmt: skip
    assert (t.status, t.process.status, t.to_branch_id) == ("已完成", "已通过", c.pk)
    assert fresh(pk=m[2].pk).branch_id == c.pk
