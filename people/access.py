"""Who may see and change which person's record (SPEC P3–P9, §8), built on orgs.access.

- A branch's members: its admin manages them (add, edit P11 fields, delete,
  reset passwords, verify); the direct superior may enter members into it
  (P5-1); every superior sees them read-only with ID numbers masked (P9).
- A committee's cadres: its admin and its direct superior's admin enter,
  change and delete them (P3, P4) and reset their passwords (P8).
"""

from django.db.models import Q, QuerySet

from core.exceptions import NotAllowed, NotFound
from orgs import access as org_access
from orgs.models import Org

from .models import Cadre, Person


def can_enter_members(actor, branch: Org) -> bool:
    """P5: the branch's own admin, or its direct superior's admin (录入下级支部成员)."""
    return branch.is_branch and (org_access.is_admin_of(actor, branch) or org_access.is_admin_of_parent(actor, branch))


def can_manage_member(actor, person: Person) -> bool:
    """P9: deleting members and resetting their passwords is for the branch admin alone."""
    return person.branch_id is not None and person.branch_id in org_access.admin_org_ids(actor)


def can_manage_cadres(actor, org: Org) -> bool:
    """P3, P4: the organisation's admin or its direct superior's admin."""
    return org_access.is_admin_of(actor, org) or org_access.is_admin_of_parent(actor, org)


def can_reset_password(actor, person: Person) -> bool:
    """P8: a member's branch admin; for a cadre, the admin of the cadre's organisation or its direct superior."""
    if can_manage_member(actor, person):
        return True
    posts = Cadre.objects.filter(person=person).select_related("org")
    return any(can_manage_cadres(actor, post.org) for post in posts if not post.org.is_branch)


def visible_people_q(actor) -> Q | None:
    """People whose branch, or whose cadre post, lies in one of the actor's subtrees; None = nobody."""
    if org_access.is_operator(actor):
        return Q()
    roots = org_access.admin_orgs(actor)
    if not roots:
        return None
    q = Q()
    for org in roots:
        q |= Org.subtree_q(org.path, prefix="branch__") | Q(
            cadre_posts__org__in=Org.objects.filter(Org.subtree_q(org.path))
        )
    return q


def visible_people(actor) -> QuerySet[Person]:
    q = visible_people_q(actor)
    if q is None:
        return Person.objects.none()
    return Person.objects.filter(q).distinct()


def can_view_person(actor, person: Person) -> bool:
    if actor.pk == person.pk:
        return True
    if person.branch_id and org_access.can_view(actor, person.branch):
        return True
    return any(org_access.can_view(actor, post.org) for post in person.cadre_posts.select_related("org"))


def get_person_for_viewer(actor, person_id: int) -> Person:
    person = Person.objects.select_related("branch").filter(pk=person_id).first()
    if person is None or not can_view_person(actor, person):
        raise NotFound("未找到该人员，或您无权查看。", code="person_not_found")
    return person


def sees_full_id(actor, person: Person) -> bool:
    """Full ID numbers for the person themself and whoever manages their record; masked for the rest (P9)."""
    if actor.pk == person.pk or can_manage_member(actor, person):
        return True
    return any(can_manage_cadres(actor, post.org) for post in person.cadre_posts.select_related("org"))


def require(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message, code="forbidden")
