"""Deleting a direct subordinate (SPEC U2): how graduating classes are closed.

Four cases, decided under row locks on the parent and the organisation:
(1) nothing inside → deleted; (2) a 团支部 with members → deleted, its members
moved to the parent's 待接转团支部 (created on first use) in the same
transaction; (3) a committee with cadres or admins → refused, naming them;
(4) anything with subordinates → refused, naming them. No member is ever
left without a branch.
"""

from django.db import transaction
from django.db.models import Q

from audit.services import audit_record
from core.exceptions import Conflict
from progress.aggregates import stats_mark_dirty

from . import access
from .models import Org, OrgAdmin
from .rules import Category

PENDING_NAME = "待接转团支部"


def _names(items, limit: int = 5) -> str:
    items = list(items)
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}个" if len(items) > limit else "")


def pending_branch_for(parent: Org) -> Org:
    """The parent's one 待接转团支部, created on first use (visible in its tree)."""
    from .services import org_create_child

    existing = Org.objects.filter(parent=parent, category=Category.PENDING).first()
    if existing is not None:
        return existing
    return org_create_child(
        parent=parent, short_name=PENDING_NAME, category=Category.PENDING, sort_order=9999, by_operator=True
    )


@transaction.atomic
def org_delete(*, org: Org, actor) -> dict:
    """Delete `org` as its direct superior's admin; returns {"moved": N, "pending_branch_id": id | None}."""
    from people.models import Cadre, Person
    from transfers.models import OPEN, TransferRequest

    access.require_manage(actor, org, as_self=False, action="删除该组织")
    # Lock order, the same as the transfer services' (else PostgreSQL deadlocks; see
    # transfers/tests/test_transfer_races.py): transfer_approve/_assign lock a request, then write
    # the receiving branch into rows (which takes a key-share lock on that organisation), then lock
    # the member; transfer_submit and batch_transfer lock the member, then write rows naming the
    # branch. So: first the open requests out of or into this organisation, then its members, and
    # only then the organisation rows. Once the organisation is locked no request or member naming it
    # can be added; one added between these locks and that one is picked up by the updates below.
    list(
        TransferRequest.objects.select_for_update(no_key=True)
        .filter(Q(from_branch=org) | Q(to_org=org), status__in=OPEN)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    list(Person.objects.select_for_update(no_key=True).filter(branch=org).order_by("pk").values_list("pk", flat=True))
    parent = Org.objects.select_for_update().get(pk=org.parent_id)
    org = Org.objects.select_for_update().get(pk=org.pk)

    children = list(Org.objects.filter(parent=org).order_by("sort_order").values_list("short_name", flat=True))
    if children:
        raise Conflict(
            f"{org.short_name}还有{len(children)}个下级组织（{_names(children)}），请先自下而上逐级删除下级组织。",
            code="org_has_children",
        )
    if not org.is_branch:
        admins = list(OrgAdmin.objects.filter(org=org).values_list("person__name", flat=True))
        cadres = list(Cadre.objects.filter(org=org).values_list("person__name", flat=True))
        if admins or cadres:
            steps = []
            if admins:
                steps.append(f"撤销管理员（{_names(admins)}）")
            if cadres:
                steps.append(f"删除团干部（{_names(cadres)}）")
            raise Conflict(
                f"{org.short_name}还有管理员或团干部，请先{'，再'.join(steps)}，然后删除。", code="org_has_people"
            )

    members = Person.objects.filter(branch=org)
    moved, pending = 0, None
    if members.exists():
        if org.category == Category.PENDING:
            raise Conflict(
                f"{org.short_name}中还有{members.count()}名待接转团员，请先为他们办理组织关系转出。",
                code="org_has_members",
            )
        pending = pending_branch_for(parent)
        moved = members.update(branch=pending)
        stats_mark_dirty(org_ids=[pending.pk])  # progress: the update above sends no signal
        # Open transfers follow their members, so the pending branch's superior can still act on them.
        TransferRequest.objects.filter(from_branch=org, status__in=OPEN).update(from_branch=pending)
    # A branch's posts and admins end with the branch; the people stay.
    Cadre.objects.filter(org=org).delete()
    OrgAdmin.objects.filter(org=org).delete()
    audit_record(
        actor=actor, verb="删除下级组织", target=org, org=parent,
        changes={"full_name": org.full_name, "category": org.category, "moved_members": moved},
    )  # fmt: skip
    Org.objects.get(pk=org.pk).delete()
    return {"moved": moved, "pending_branch_id": pending.id if pending else None}
