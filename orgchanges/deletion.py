"""Deleting a direct subordinate (SPEC U2): how graduating classes are closed.

Four cases, decided under row locks on the parent and the organisation:
(1) nothing inside → deleted; (2) a 团支部 with members → deleted, its members
moved to the parent's 待接转团支部 (created on first use) in the same
transaction; (3) a committee with cadres or admins → refused, naming them,
unless the superior confirms ending those posts (`end_posts`): then its
admins (even the last, C6) and cadres go with it in the same step and the
people keep their records; (4) anything with subordinates → refused, naming
them. No member is ever left without a branch.
"""

from django.db import transaction
from django.db.models import Q

from audit.services import audit_record
from core.exceptions import Conflict
from core.signals import counts_changed
from orgs import access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from orgs.services import org_create_child
from people.models import Cadre, Person
from transfers.models import OPEN, TransferRequest

PENDING_NAME = "待接转团支部"


def _names(items, limit: int = 5) -> str:
    items = list(items)
    shown = "、".join(items[:limit])
    return shown + (f"等{len(items)}个" if len(items) > limit else "")


def pending_branch_for(parent: Org) -> Org:
    """The parent's one 待接转团支部, created on first use (visible in its tree)."""

    existing = Org.objects.filter(parent=parent, category=Category.PENDING).first()
    if existing is not None:
        return existing
    return org_create_child(
        parent=parent, short_name=PENDING_NAME, category=Category.PENDING, sort_order=9999, by_operator=True
    )


def remaining_posts(org: Org) -> dict[str, list[str]]:
    """U2(3): the admins and cadres a committee still has, named for the confirmation step."""

    if org.is_branch:
        return {"admins": [], "cadres": []}
    return {
        "admins": list(OrgAdmin.objects.filter(org=org).order_by("slot").values_list("person__name", flat=True)),
        "cadres": list(Cadre.objects.filter(org=org).order_by("id").values_list("person__name", "position")),
    }


def deletion_preview(org: Org) -> dict:
    """What deleting `org` would do, for the confirmation page (changes nothing).

    `kind`: "branch" (a 团支部), "pending" (the 待接转团支部) or "committee"; `members`: how many people would move
    to the superior's 待接转团支部; `children`: subordinates that must go first; `admins`/`cadres`: posts that
    end with it; `blocked`: why it cannot be deleted now ("" if it can).
    """

    kind = "pending" if org.category == Category.PENDING else "branch" if org.is_branch else "committee"
    members = Person.objects.filter(branch=org).count()
    children = list(Org.objects.filter(parent=org).order_by("sort_order").values_list("short_name", flat=True))
    admins = list(OrgAdmin.objects.filter(org=org).order_by("slot").values_list("person__name", flat=True))
    cadres = list(Cadre.objects.filter(org=org).order_by("id").values_list("person__name", "position"))
    blocked = ""
    if children:
        blocked = f"{org.short_name}还有{len(children)}个下级组织（{_names(children)}），请先自下而上逐级删除下级组织。"
    elif kind == "pending" and members:
        blocked = f"{org.short_name}中还有{members}名待接转团员，请先为他们办理组织关系转出。"
    return {
        "kind": kind, "members": members, "children": children, "admins": admins, "cadres": cadres,
        "blocked": blocked, "ends_posts": bool(admins or cadres),
    }  # fmt: skip


@transaction.atomic
def org_delete(*, org: Org, actor, end_posts: bool = False) -> dict:
    """Delete `org` as its direct superior's admin; returns {"moved": N, "pending_branch_id": id | None, "ended": N}.

    `end_posts`: the superior has seen the remaining admins and cadres of a committee without members
    or subordinates and confirms ending them all (U2(3), C6's one exception).
    """

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
    posts = remaining_posts(org)
    ended = len(posts["admins"]) + len(posts["cadres"])
    if ended and not end_posts:
        who = []
        if posts["admins"]:
            who.append(f"管理员{_names(posts['admins'])}")
        if posts["cadres"]:
            who.append(f"团干部{_names([name for name, _ in posts['cadres']])}")
        raise Conflict(
            f"{org.short_name}还有{'、'.join(who)}。该组织已没有团员和下级组织，可以确认“结束以上职务并删除”："
            "其管理员和团干部职务随组织一并结束，人员的个人信息保留。",
            code="org_has_people",
            errors=[{"field": "end_posts", "message": "确认结束其全部管理员和团干部职务后删除。"}],
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
        counts_changed.send(sender=Org, org_ids=[pending.pk])  # the update above sends no model signal
        # Open transfers follow their members, so the pending branch's superior can still act on them.
        TransferRequest.objects.filter(from_branch=org, status__in=OPEN).update(from_branch=pending)
    # Posts and admins end with the organisation; the people stay.
    Cadre.objects.filter(org=org).delete()
    OrgAdmin.objects.filter(org=org).delete()
    changes = {"full_name": org.full_name, "category": org.category, "moved_members": moved}
    if ended:
        changes["ended_posts"] = {"admins": posts["admins"], "cadres": [f"{n}（{p}）" for n, p in posts["cadres"]]}
    audit_record(actor=actor, verb="删除下级组织", target=org, org=parent, changes=changes)
    Org.objects.get(pk=org.pk).delete()
    return {"moved": moved, "pending_branch_id": pending.id if pending else None, "ended": ended}
