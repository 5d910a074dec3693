"""SPEC-2 W6 for 任职确认 (issue 13 item 3): offers recorded before they were processes of the engine survive
its data migration (people 0005–0007), open and answered, each with its timeline.

As in test_data_migration: the database goes back to the state before (people 0004), rows are written with
that state's models, and the migrations run forward.
"""

import pytest
from django.core.management import call_command

from people.models import Cadre, PostOffer
from workflow import engine
from workflow.models import Message, Process, Step

from .test_data_migration import Migrator, Old, at, stamp

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("people", "0004_fill_home_org")]
AFTER = [("people", "0007_postoffer_answer_in_steps")]


@pytest.fixture
def migrator():
    yield Migrator()
    call_command("migrate", verbosity=0)  # back to the latest state for the tests that follow


def test_old_post_offers_become_processes_with_their_timeline(migrator):
    old_state = migrator.apply_initial_migration(BEFORE)
    old = Old(old_state.apps)
    Offer = old_state.apps.get_model("people", "PostOffer")
    province = old.org("团浙江省委")
    admin, member, other, branch_admin = (old.person(n) for n in ("省委管理员", "团员", "另一团员", "支部管理员"))

    def offer(person, status, created, decided_by=None, decided=None, **extra):
        row = Offer.objects.create(person=person, org=province, position="委员", status=status, offered_by=admin,
                                   decided_by=decided_by, decided_at=decided, **extra)  # fmt: skip
        return stamp(row, created, decided or created)

    waiting = stamp(Offer.objects.create(person=member, org=province, position="书记", secretary=True,
                                         offered_by=admin), at(1))  # fmt: skip
    accepted = offer(other, "已确认", at(2), decided_by=other, decided=at(3))
    declined = offer(member, "已拒绝", at(4), decided_by=branch_admin, decided=at(5))
    withdrawn = offer(other, "已撤回", at(6), decided_by=admin, decided=at(7))

    new_state = migrator.apply_tested_migration(AFTER)
    Offer = new_state.apps.get_model("people", "PostOffer")
    Step_ = new_state.apps.get_model("workflow", "Step")

    def timeline(offer_id):
        row = Offer.objects.select_related("process").get(pk=offer_id)
        steps = Step_.objects.filter(process=row.process).order_by("number")
        return row.process, [(s.name, s.handler_person_id, s.action, s.label, s.actor_id, s.at) for s in steps]

    process, steps = timeline(waiting.pk)
    assert (process.kind, process.status, process.subject_person_id, process.subject_org_id) == (
        "任职确认", "进行中", member.pk, province.pk)  # fmt: skip
    assert process.started_by_id == admin.pk and process.created_at == at(1) and process.closed_at is None
    assert process.title == "团员任团浙江省委书记（团组织书记）"
    assert steps == [
        ("提交申请", admin.pk, "提交", "提交", admin.pk, at(1)),
        ("本人确认", member.pk, "", "", None, None),
    ]

    process, steps = timeline(accepted.pk)
    assert process.status == "已通过" and process.closed_at == at(3)
    assert steps[1] == ("本人确认", other.pk, "通过", "本人接受任职", other.pk, at(3))

    process, steps = timeline(declined.pk)
    assert process.status == "未通过"
    assert steps[1] == ("本人确认", member.pk, "不通过", "拒绝任职", branch_admin.pk, at(5))

    process, steps = timeline(withdrawn.pk)
    assert process.status == "已撤回" and process.closed_at == at(7)
    assert steps[1] == ("本人确认", other.pk, "撤回", "撤回任职确认", admin.pk, at(7))

    # With the latest schema the open offer works as any new one: in the person's 待办 and inbox, and accepted
    # through the engine.
    call_command("migrate", verbosity=0)
    row = PostOffer.objects.select_related("process").get(pk=waiting.pk)
    person = row.person
    assert [s.process_id for s in engine.todo_steps(person)] == [row.process_id]
    assert Message.objects.filter(recipient=person, process_id=row.process_id, kind="待办").exists()
    engine.process_act(process=Process.objects.get(pk=row.process_id), actor=person, action="approve")
    assert PostOffer.objects.get(pk=waiting.pk).status == "已确认"
    assert Cadre.objects.filter(person=person, org_id=province.pk, position="书记").exists()
    assert Step.objects.filter(process_id=row.process_id).count() == 2


def test_the_migration_goes_back_with_the_answers(migrator):
    """Reversing people 0006 puts who answered and when back on the offer and removes the processes."""
    old_state = migrator.apply_initial_migration(BEFORE)
    old = Old(old_state.apps)
    Offer = old_state.apps.get_model("people", "PostOffer")
    province = old.org("团浙江省委")
    admin, member = old.person("省委管理员"), old.person("团员")
    row = stamp(Offer.objects.create(person=member, org=province, position="委员", offered_by=admin, status="已拒绝",
                                     decided_by=member, decided_at=at(2)), at(1), at(2))  # fmt: skip
    migrator.apply_tested_migration(AFTER)
    back = migrator.apply_tested_migration(BEFORE)
    Offer = back.apps.get_model("people", "PostOffer")
    again = Offer.objects.get(pk=row.pk)
    assert (again.decided_by_id, again.decided_at, again.status) == (member.pk, at(2), "已拒绝")
    assert not Process.objects.filter(kind="任职确认").exists()
