"""Who may see and act on which organisation (SPEC §8), in one place.

An admin of X manages X; what it may do to X's direct subordinates is named
rule by rule by the services; everything deeper is read-only. Operators
(superusers) see everything. The person's admin posts are read once per
request and cached on the person object, so each check below costs no query.
"""

import enum

from django.db.models import Q, QuerySet

from core.exceptions import NotAllowed, NotFound

from .models import Org, OrgAdmin
from .rules import BRANCHES


def admin_orgs(person) -> list[Org]:
    """The organisations `person` administers, in tree order (cached per object)."""
    if not getattr(person, "is_authenticated", False):
        return []
    cached = getattr(person, "_admin_orgs_cache", None)
    if cached is None:
        cached = list(Org.objects.filter(admins__person=person).order_by("path"))
        person._admin_orgs_cache = cached
    return cached


def admin_child_branches(person) -> list[tuple[int, int, str]]:
    """(id, parent id, category) of the organisations holding members (rules.BRANCHES) directly below the ones
    `person` administers, in tree order (cached per object, like admin_orgs): the menu's 录入下级支部成员 and the
    branches whose to-do steps their superior's admin handles. No query for someone who administers branches
    only, which nothing sits under (rules.ALLOWED_CHILDREN)."""
    parents = [o.id for o in admin_orgs(person) if not o.is_branch]
    if not parents:
        return []
    cached = getattr(person, "_admin_child_branches_cache", None)
    if cached is None:
        rows = Org.objects.filter(parent_id__in=sorted(parents), category__in=BRANCHES).order_by("path")
        cached = person._admin_child_branches_cache = list(rows.values_list("id", "parent_id", "category"))
    return cached


def forget_admin_orgs(person) -> None:
    person.__dict__.pop("_admin_orgs_cache", None)
    person.__dict__.pop("_admin_child_branches_cache", None)


def admin_org_ids(person) -> set[int]:
    return {o.id for o in admin_orgs(person)}


def is_operator(person) -> bool:
    return bool(getattr(person, "is_authenticated", False) and person.is_superuser)


def is_admin_of(person, org: Org) -> bool:
    return org.id in admin_org_ids(person)


def is_admin_of_parent(person, org: Org) -> bool:
    return org.parent_id is not None and org.parent_id in admin_org_ids(person)


def is_admin_of_ancestor(person, org: Org) -> bool:
    """Admin of any proper ancestor of `org` (the direct superior included)."""
    return any(org.is_descendant_of_path(a.path) for a in admin_orgs(person))


def can_view(person, org: Org) -> bool:
    """Basic information and statistics: the org itself and everything below (§8)."""
    return is_operator(person) or is_admin_of(person, org) or is_admin_of_ancestor(person, org)


def can_manage(person, org: Org) -> bool:
    """Act as the organisation's own admin."""
    return is_admin_of(person, org)


def can_manage_as_parent(person, org: Org) -> bool:
    """Act as the direct superior's admin (C2, C6, P4, P5-1, U2, O2)."""
    return is_admin_of_parent(person, org)


def acting_org(person, org: Org, *, as_self: bool = True, as_parent: bool = True) -> Org | None:
    """Which of the person's organisations gives the right to act on `org` (API.md)."""
    ids = admin_org_ids(person)
    if as_self and org.id in ids:
        return org
    if as_parent and org.parent_id in ids:
        return next(o for o in admin_orgs(person) if o.id == org.parent_id)
    return None


def visible_orgs(person) -> QuerySet[Org]:
    """Every organisation the person may view: their admin subtrees, one indexed query."""
    if is_operator(person):
        return Org.objects.all()
    roots = _top_paths([o.path for o in admin_orgs(person)])
    if not roots:
        return Org.objects.none()
    q = Q()
    for path in roots:
        q |= Org.subtree_q(path)
    return Org.objects.filter(q)


def _top_paths(paths: list[str]) -> list[str]:
    """Drop paths already covered by a shorter one (nested admin posts)."""
    tops: list[str] = []
    for path in sorted(paths):
        if not any(path.startswith(t) for t in tops):
            tops.append(path)
    return tops


class Need(enum.Flag):
    """The right a read needs; several joined with | mean any one of them."""

    VIEW = enum.auto()  # basic information and statistics: the org and everything below (§8)
    MANAGE = enum.auto()  # act as the organisation's own admin
    MANAGE_AS_SUPERIOR = enum.auto()  # act as its direct superior's admin (C2, C6, P4, P5-1, U2, O2)


VIEW, MANAGE, MANAGE_AS_SUPERIOR = Need.VIEW, Need.MANAGE, Need.MANAGE_AS_SUPERIOR

NOT_FOUND = {
    VIEW: "未找到该团组织，或您无权查看。",
    MANAGE: "未找到该团组织，或您不是该组织的管理员。",
    MANAGE_AS_SUPERIOR: "未找到该团组织，或您不是其直属上级组织的管理员。",
}


NOT_A_BRANCH = "该组织不是团支部：团员只属于团支部，团委、团工委和团总支请查看团干部列表。"
A_BRANCH = "团支部的团干部随团员一起录入，请在团员列表中查看。"


def has_right(person, org: Org, need: Need) -> bool:
    return (
        (VIEW in need and can_view(person, org))
        or (MANAGE in need and is_admin_of(person, org))
        or (MANAGE_AS_SUPERIOR in need and is_admin_of_parent(person, org))
    )


def fetch_org(person, org_id, need: Need = VIEW, *, branch: bool | None = None) -> Org:
    """The organisation `org_id` if `person` has the right `need` on it; one NotFound for missing and
    forbidden alike, so an answer never tells whether an organisation the caller may not see exists.
    `branch`: True for a 团支部 (or 待接转团支部) only, False for anything but one.

    Pages turn it into 404 (core.middleware), the API into its 404 body."""
    try:
        org = Org.objects.filter(pk=int(org_id)).first()
    except (TypeError, ValueError):
        org = None
    if org is None or not has_right(person, org, need):
        message = NOT_FOUND.get(need, "未找到该团组织，或您无权管理。")
        raise NotFound(message, code="org_not_found")
    if branch is not None and org.is_branch != branch:
        raise NotFound(NOT_A_BRANCH if branch else A_BRANCH, code="not_a_branch" if branch else "a_branch")
    return org


def require_manage(person, org: Org, *, as_self: bool = True, as_parent: bool = True, action: str) -> Org:
    """Raise unless the person may act on `org`; return the acting organisation."""
    acting = acting_org(person, org, as_self=as_self, as_parent=as_parent)
    if acting is None:
        who = []
        if as_self:
            who.append("本组织管理员")
        if as_parent:
            who.append("直属上级组织管理员")
        raise NotAllowed(f"只有{'或'.join(who)}可以{action}。", code="forbidden")
    return acting


def has_admin(org: Org) -> bool:
    return OrgAdmin.objects.filter(org=org).exists()


def require_view(person, org: Org) -> None:
    """NotFound unless `person` may see `org` (for a caller that has the organisation already)."""
    if not can_view(person, org):
        raise NotFound(NOT_FOUND[VIEW], code="org_not_found")


def require_committee_admin(person, org: Org, *, action: str) -> None:
    """The organisation's own admin, and the organisation a committee (a yearly round is opened by one)."""
    require_manage(person, org, as_parent=False, action=action)
    if org.is_branch:
        raise NotAllowed(f"只有团委、团工委、团总支和团的领导机关可以{action}。", code="not_a_committee")
