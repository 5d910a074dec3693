"""Concurrency (issue 5 item 5): real concurrent connections, one consistent outcome."""

import threading
import time

import pytest
from django.db import connection

from accounts.tests.test_registration_races import run_together
from core.exceptions import Conflict, NotAllowed
from orgchanges import deletion
from orgchanges.deletion import org_delete
from orgs.models import Org
from people.models import Person
from transfers import services
from transfers.models import Status, TransferRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_admins_approving_the_same_request_at_once_give_one_outcome(places):
    # The receiving branch's admin and its direct superior's admin may both approve.
    from people.admins import org_admin_add
    from people.services import cadre_assign

    branch_admin = places.company_admin  # admin of the committee above the receiving branch
    second = Person.objects.get(pk=places.uni_admin.pk)
    cadre_assign(person=second, org=places.company_branch, position="委员")
    org_admin_add(org=places.company_branch, person=second)
    t = services.transfer_submit(actor=places.branch_admin, person=places.member, to_org=places.company_branch,
                                 reason="升学")  # fmt: skip

    def approve(actor):
        return lambda: services.transfer_approve(transfer=TransferRequest.objects.get(pk=t.pk), actor=actor)

    results, errors = run_together(approve(branch_admin), approve(second))
    assert len(results) == 1, errors
    assert len(errors) == 1 and isinstance(errors[0], (Conflict, NotAllowed)), errors
    t.refresh_from_db()
    assert t.status == Status.DONE
    assert [e.to_status for e in t.timeline].count(Status.DONE) == 1  # one closing step of its process
    assert Person.objects.get(pk=places.member.pk).branch == places.company_branch


def test_a_transfer_racing_the_deletion_of_its_branch_leaves_the_member_in_one_place(places):
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company_branch,
                                 reason="升学")  # fmt: skip

    def approve():
        return services.transfer_approve(transfer=TransferRequest.objects.get(pk=t.pk), actor=places.general_admin)

    def delete():
        return org_delete(org=Org.objects.get(pk=places.branch.pk), actor=places.general_admin)

    _, errors = run_together(approve, delete)
    assert not errors, errors
    member = Person.objects.get(pk=places.member.pk)
    t.refresh_from_db()
    assert not Org.objects.filter(pk=places.branch.pk).exists()
    # Whichever ran first, the approval completed and the member ended in the receiving branch,
    # never lost, never in two places.
    assert t.status == Status.DONE
    assert member.branch == places.company_branch
    pending = Org.objects.get(parent=places.general, category="待接转团支部")
    assert set(Person.objects.filter(branch=pending).values_list("name", flat=True)) == {"支部书记"}


# --- lock order against 删除下级组织 (PostgreSQL) ------------------------------------------------
# The race above interleaves the two transactions in whichever way the threads happen to run. These
# pin one interleaving: `first` takes its first lock and pauses there until `second` waits on a lock
# it holds, then goes on. With the locks taken in the same order the waiting side just waits; with
# the order inverted PostgreSQL finds a deadlock and aborts one of them.

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks and deadlocks are PostgreSQL's (SQLite locks the whole file)"
)


class Interleave:
    """`second` starts once `first` has passed the `pausing` hook; `first` then waits for `second` to be blocked."""

    def __init__(self):
        self.pids = {}
        self.held = threading.Event()

    def _named(self, name, call):
        def run():
            with connection.cursor() as c:
                c.execute("SELECT pg_backend_pid()")
                self.pids[name] = c.fetchone()[0]
            return call()

        return run

    def first(self, call):
        return self._named("first", call)

    def second(self, call):
        def run():
            assert self.held.wait(10), "the first call never reached its pause"
            return call()

        return self._named("second", run)

    def pausing(self, hook):
        def wrapped(*args, **kwargs):
            result = hook(*args, **kwargs)
            if self.held.is_set():
                return result  # pause once
            self.held.set()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with connection.cursor() as c:
                    c.execute("SELECT pg_backend_pid() = ANY(pg_blocking_pids(%s))", [self.pids.get("second", 0)])
                    if c.fetchone()[0]:
                        break
                time.sleep(0.02)
            return result

        return wrapped


def _delete_branch(places):
    return lambda: org_delete(org=Org.objects.get(pk=places.branch.pk), actor=places.general_admin)


def _approve(t, actor):
    return lambda: services.transfer_approve(transfer=TransferRequest.objects.get(pk=t.pk), actor=actor)


@on_postgres
def test_approving_a_transfer_out_of_a_branch_being_deleted_does_not_deadlock(places, monkeypatch):
    # transfer_approve locks the request, then the member; the deletion must not lock the member first.
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company_branch,
                                 reason="升学")  # fmt: skip
    run = Interleave()
    monkeypatch.setattr(services, "_fresh", run.pausing(services._fresh))
    _, errors = run_together(run.first(_approve(t, places.general_admin)), run.second(_delete_branch(places)))
    assert not errors, errors
    assert TransferRequest.objects.get(pk=t.pk).status == Status.DONE
    assert Person.objects.get(pk=places.member.pk).branch == places.company_branch
    assert not Org.objects.filter(pk=places.branch.pk).exists()


@on_postgres
def test_approving_a_transfer_into_a_branch_being_deleted_does_not_deadlock(places, make_person, monkeypatch):
    # The approval writes the receiving branch into the request (a key-share lock on the branch's row)
    # after locking the request; the deletion must lock the request before the branch.
    newcomer = make_person("转入团员", birth="20010101", branch=places.company_branch)
    t = services.transfer_submit(actor=places.company_admin, person=newcomer, to_org=places.branch, reason="升学")
    run = Interleave()
    monkeypatch.setattr(services, "_fresh", run.pausing(services._fresh))
    _, errors = run_together(run.first(_approve(t, places.general_admin)), run.second(_delete_branch(places)))
    assert not errors, errors
    assert TransferRequest.objects.get(pk=t.pk).status == Status.DONE
    # The approval came first: the newcomer joined the branch, then left with its other members.
    pending = Org.objects.get(parent=places.general, category="待接转团支部")
    assert Person.objects.get(pk=newcomer.pk).branch == pending
    assert not Org.objects.filter(pk=places.branch.pk).exists()


@on_postgres
def test_submitting_a_transfer_out_of_a_branch_being_deleted_does_not_deadlock(places, monkeypatch):
    # transfer_submit locks the member, then writes a request naming the branch (a key-share lock on
    # its row); the deletion must lock the members before the branch.
    run = Interleave()
    monkeypatch.setattr(services, "_check_not_branch_admin", run.pausing(services._check_not_branch_admin))
    submit = lambda: services.transfer_submit(  # noqa: E731
        actor=places.member, person=places.member, to_org=places.company_branch, reason="升学"
    )
    _, errors = run_together(run.first(submit), run.second(_delete_branch(places)))
    assert not errors, errors
    pending = Org.objects.get(parent=places.general, category="待接转团支部")
    t = TransferRequest.objects.get(person=places.member)
    assert t.status == Status.SENDER and t.from_branch == pending  # the open request followed its member
    assert Person.objects.get(pk=places.member.pk).branch == pending


@on_postgres
def test_a_batch_transfer_out_of_a_branch_being_deleted_does_not_deadlock(places, monkeypatch):
    run = Interleave()
    monkeypatch.setattr(services, "_check_not_branch_admin", run.pausing(services._check_not_branch_admin))
    batch = lambda: services.batch_transfer(  # noqa: E731
        actor=places.general_admin, acting_org=places.general, from_branch=places.branch,
        to_branch=places.branch2, people=[places.member], reason="其他",
    )  # fmt: skip
    _, errors = run_together(run.first(batch), run.second(_delete_branch(places)))
    assert not errors, errors
    assert Person.objects.get(pk=places.member.pk).branch == places.branch2
    assert not Org.objects.filter(pk=places.branch.pk).exists()


# The other way round: the deletion goes first and the transfer step waits for it. The step then
# works on what the deletion committed (the member and the open request moved to the 待接转团支部).


@on_postgres
def test_an_approval_that_waited_for_the_deletion_of_the_branch_sees_the_pending_branch(places, monkeypatch):
    t = services.transfer_submit(actor=places.company_admin, person=places.member, to_org=places.company_branch,
                                 reason="升学")  # fmt: skip
    run = Interleave()
    monkeypatch.setattr(deletion, "audit_record", run.pausing(deletion.audit_record))
    _, errors = run_together(run.first(_delete_branch(places)), run.second(_approve(t, places.general_admin)))
    assert not errors, errors  # not "现在不是由您审批": the pending branch's superior may approve
    t.refresh_from_db()
    assert t.status == Status.DONE and t.from_branch.category == "待接转团支部"
    assert Person.objects.get(pk=places.member.pk).branch == places.company_branch


@on_postgres
def test_a_submission_that_waited_for_the_deletion_of_the_branch_leaves_from_the_pending_branch(places, monkeypatch):
    run = Interleave()
    monkeypatch.setattr(deletion, "audit_record", run.pausing(deletion.audit_record))
    submit = lambda: services.transfer_submit(  # noqa: E731
        actor=places.member, person=places.member, to_org=places.company_branch, reason="升学"
    )
    _, errors = run_together(run.first(_delete_branch(places)), run.second(submit))
    assert not errors, errors  # not "目前不在任何团支部"
    pending = Org.objects.get(parent=places.general, category="待接转团支部")
    assert TransferRequest.objects.get(person=places.member).from_branch == pending
