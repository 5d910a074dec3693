"""Concurrency (issue 5 item 5): real concurrent connections, one consistent outcome."""

import pytest

from accounts.tests.test_registration_races import run_together
from core.exceptions import Conflict, NotAllowed
from orgs.deletion import org_delete
from orgs.models import Org
from people.models import Person
from transfers import services
from transfers.models import Status, TransferEvent, TransferRequest

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_admins_approving_the_same_request_at_once_give_one_outcome(places):
    # The receiving branch's admin and its direct superior's admin may both approve.
    from orgs.services import org_admin_add
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
    assert TransferEvent.objects.filter(transfer=t, to_status=Status.DONE).count() == 1
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
