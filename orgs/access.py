"""Who may see and act on which organisation (SPEC §8), in one place.

An admin of X manages X; what it may do to X's direct subordinates is named
rule by rule by the services; everything deeper is read-only. Operators
(superusers) see everything. The person's admin posts are read once per
request and cached on the person object, so each check below costs no query.
"""

from django.db.models import Q, QuerySet
from django.http import Http404

from core.exceptions import NotAllowed, NotFound

from .models import Org, OrgAdmin


def admin_orgs(person) -> list[Org]:
    """The organisations `person` administers, in tree order (cached per object)."""
    if not getattr(person, "is_authenticated", False):
        return []
    cached = getattr(person, "_admin_orgs_cache", None)
    if cached is None:
        cached = list(Org.objects.filter(admins__person=person).order_by("path"))
        person._admin_orgs_cache = cached
    return cached


def forget_admin_orgs(person) -> None:
    person.__dict__.pop("_admin_orgs_cache", None)


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


def get_org_for_viewer(person, org_id: int) -> Org:
    """The organisation if the person may see it; NotFound otherwise (missing or not yours alike)."""
    org = Org.objects.filter(pk=org_id).first()
    if org is None or not can_view(person, org):
        raise NotFound("未找到该团组织，或您无权查看。", code="org_not_found")
    return org


def get_org_for_viewer_or_404(person, org_id: int) -> Org:
    try:
        return get_org_for_viewer(person, org_id)
    except NotFound as e:
        raise Http404(e.message) from None


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
