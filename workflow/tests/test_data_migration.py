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
            name=name, id_number=f"id-{self.serial}", id_hash=f"hash-{self.serial}", birth_date=dt.date(2000, 1, 1),
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
