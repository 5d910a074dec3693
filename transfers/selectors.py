"""Reading transfers: who sees which (the organisations on either side, and the person), and to-do lists."""

import re

from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects

from core.exceptions import NotFound
from orgs import access as org_access
from orgs.models import Org
from orgs.rules import Category
from workflow.models import Step

from .models import Kind, Status, TransferRequest


def _subtree_q(org: Org, field: str) -> Q:
    return Org.subtree_q(org.path, prefix=f"{field}__")


def visible_transfers(actor) -> QuerySet[TransferRequest]:
    q = Q(person=actor) | Q(created_by=actor)
    for org in org_access.admin_orgs(actor):
        q |= _subtree_q(org, "from_branch") | _subtree_q(org, "to_org")
    return TransferRequest.objects.filter(q)


# A subtree of at most this many organisations is filtered by their ids (two index look-ups);
# a bigger one by the path range, reading the newest requests first (most of them match).
SMALL_SUBTREE = 500


def _sides_q(org: Org, direction: str) -> Q:
    """Requests leaving (out), entering (in) or touching the organisation's subtree."""
    ids = list(Org.objects.filter(Org.subtree_q(org.path)).values_list("id", flat=True)[: SMALL_SUBTREE + 1])
    if len(ids) <= SMALL_SUBTREE:
        out_q, in_q = Q(from_branch_id__in=ids), Q(to_org_id__in=ids)
    else:
        out_q, in_q = _subtree_q(org, "from_branch"), _subtree_q(org, "to_org")
    return {"out": out_q, "in": in_q}.get(direction, out_q | in_q)


def transfer_list(
    actor, *, org: Org, direction: str = "", status: str = "", names: str = ""
) -> QuerySet[TransferRequest]:
    """The transfer list of one organisation (its subtree): 转入 / 转出, a status, a pasted list of names."""
    qs = TransferRequest.objects.filter(_sides_q(org, direction))
    if status:
        qs = qs.filter(status=status)
    wanted = [n for n in re.split(r"[\s,，、;；]+", names or "") if n]
    if wanted:
        qs = qs.filter(person__name__in=wanted)
    return qs.select_related("person", "from_branch", "process").order_by("-created_at", "-id")


def transfers_todo(actor) -> QuerySet[TransferRequest]:
    """Requests waiting for this person's decision (U3's approvers at each step).

    The menu counts these on every page, so the organisations concerned are read first (the
    admin's own and their direct subordinates, a small list) and the requests are then found
    through the (status, from_branch) and (status, to_org) indexes, never by scanning them all.
    """
    ids = set(org_access.admin_org_ids(actor))
    if not ids:
        return TransferRequest.objects.none()
    near = list(Org.objects.filter(Q(id__in=ids) | Q(parent_id__in=ids)).values_list("id", "category"))
    branches = {pk for pk, category in near if category == Category.BRANCH}  # mine or directly below me
    # 待转出方审批: the sending branch's admin (a 待接转团支部's too) or its direct superior's.
    sender = Q(status=Status.SENDER, from_branch_id__in=[pk for pk, _ in near])
    # 待转入方审批: a receiving branch's admin or its direct superior's; a receiving committee's own admin.
    receiver = Q(
        status=Status.RECEIVER, to_org_id__in=branches | {pk for pk, c in near if pk in ids and c != Category.BRANCH}
    )
    # 待分配团支部: the receiving committee's admin.
    assign = Q(status=Status.ASSIGN, to_org_id__in=ids)
    return (
        TransferRequest.objects.filter(sender | receiver | assign)
        .select_related("person", "from_branch", "to_org", "process")
        .order_by("created_at")
    )


def fetch_transfer(actor, pk) -> TransferRequest:
    """The transfer request `pk` if `actor` may see it (visible_transfers); one NotFound for missing and
    forbidden alike (pages: 404 through core.middleware; API: its 404 body)."""
    t = (
        visible_transfers(actor)
        .select_related("person", "from_branch", "to_org", "to_branch", "process")
        .filter(pk=pk)
        .first()
    )
    if t is None:
        raise NotFound("未找到该转接申请，或您无权查看。", code="transfer_not_found")
    return t


def with_steps(transfers: list[TransferRequest]) -> list[TransferRequest]:
    """Load the processes and steps (with their actors) of all the requests, for `t.timeline`.

    Requests whose steps are loaded already are left as they are.
    """
    prefetch_related_objects(
        transfers, "process", Prefetch("process__steps", queryset=Step.objects.select_related("actor"))
    )
    return transfers


# 办理转入 starts from a name and an ID number: until the holding side agrees, the receiver (and anyone
# else outside the holder's subtree) learns that the member is on record, not where (issue 12, item 7).
HIDDEN_FROM = "其他团组织（转出方同意后显示）"


def shows_from(actor, t: TransferRequest) -> bool:
    """Whether `actor` may see which organisation the member is leaving (`from_branch`, `from_name`).

    Always for the member and inside the sending branch's subtree; for a 办理转出, a member's own
    application or a 批量接转 (the holding side started it); for a 办理转入 once the sending side has
    agreed (待分配团支部, 已完成). `t.from_branch` should be loaded with the request.
    """
    if t.kind != Kind.IN or t.status in (Status.ASSIGN, Status.DONE):
        return True
    if actor is not None and actor.pk == t.person_id:
        return True
    return t.from_branch is not None and org_access.can_view(actor, t.from_branch)


def label_from(actor, transfers) -> None:
    """Set `from_label` (the sending organisation's name, or HIDDEN_FROM) and `from_shown` on each request."""
    for t in transfers:
        t.from_shown = shows_from(actor, t)
        t.from_label = t.from_name if t.from_shown else HIDDEN_FROM
