"""Reading transfers: who sees which (the organisations on either side, and the person), and to-do lists."""

import re

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from orgs import access as org_access
from orgs.models import Org

from .models import Status, TransferEvent, TransferRequest


def _subtree_q(org: Org, field: str) -> Q:
    return Org.subtree_q(org.path, prefix=f"{field}__")


def visible_transfers(actor) -> QuerySet[TransferRequest]:
    q = Q(person=actor) | Q(created_by=actor)
    for org in org_access.admin_orgs(actor):
        q |= _subtree_q(org, "from_branch") | _subtree_q(org, "to_org")
    return TransferRequest.objects.filter(q)


def transfer_list(
    actor, *, org: Org, direction: str = "", status: str = "", names: str = ""
) -> QuerySet[TransferRequest]:
    """The transfer list of one organisation (its subtree): 转入 / 转出, a status, a pasted list of names."""
    out_q, in_q = _subtree_q(org, "from_branch"), _subtree_q(org, "to_org")
    q = {"out": out_q, "in": in_q}.get(direction, out_q | in_q)
    qs = TransferRequest.objects.filter(q)
    if status:
        qs = qs.filter(status=status)
    wanted = [n for n in re.split(r"[\s,，、;；]+", names or "") if n]
    if wanted:
        qs = qs.filter(person__name__in=wanted)
    return qs.select_related("person").order_by("-created_at", "-id")


def transfers_todo(actor) -> QuerySet[TransferRequest]:
    """Requests waiting for this person's decision (U3's approvers at each step)."""
    ids = org_access.admin_org_ids(actor)
    if not ids:
        return TransferRequest.objects.none()
    sender = Q(status=Status.SENDER) & (Q(from_branch_id__in=ids) | Q(from_branch__parent_id__in=ids))
    receiver_branch = Q(status=Status.RECEIVER, to_org__category__in=("团支部",)) & (
        Q(to_org_id__in=ids) | Q(to_org__parent_id__in=ids)
    )
    receiver_committee = Q(status=Status.RECEIVER, to_org_id__in=ids) & ~Q(to_org__category="团支部")
    assign = Q(status=Status.ASSIGN, to_org_id__in=ids)
    return (
        TransferRequest.objects.filter(sender | receiver_branch | receiver_committee | assign)
        .select_related("person", "from_branch", "to_org")
        .order_by("created_at")
    )


def get_transfer_for_viewer(actor, pk: int) -> TransferRequest | None:
    return visible_transfers(actor).select_related("person", "from_branch", "to_org", "to_branch").filter(pk=pk).first()


def with_steps(transfers: list[TransferRequest]) -> list[TransferRequest]:
    """Load the steps (events and their actors) of all the requests in one query, for `t.events.all()`.

    Requests whose steps are loaded already are left as they are.
    """
    prefetch_related_objects(transfers, Prefetch("events", queryset=TransferEvent.objects.select_related("actor")))
    return transfers
