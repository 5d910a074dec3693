"""Who may see and change which person's record (SPEC P3–P9, §8), built on orgs.access.

- A branch's members: its admin manages them (add, edit P11 fields, delete,
  reset passwords, verify); the direct superior may enter members into it
  (P5-1); every superior sees them read-only with ID numbers masked (P9).
- A committee's cadres: its own admin enters them (P3); its admin and its
  direct superior's admin change and delete them (P4), a branch's posts too.
- Reset codes (P8, settled by issue 12) come only from the admin responsible
  for the person's own record: a member's branch; for anyone without a
  branch, the direct superior of their 登记组织 (responsible_org_id). A post
  in another organisation never gives its admins that right.
"""

import enum

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
    """P4: the organisation's admin or its direct superior's admin delete cadres and change their posts."""
    return org_access.is_admin_of(actor, org) or org_access.is_admin_of_parent(actor, org)


def can_enter_cadres(actor, org: Org) -> bool:
    """P3: 本级团干部 are entered by the organisation's own admin only, never by a superior."""
    return org_access.is_admin_of(actor, org)


def responsible_org_id(person: Person) -> int | None:
    """The organisation whose admins answer for the person's own record (P8 as issue 12 settles it).

    A member: their branch. Anyone else: the direct superior of their 登记组织 (where they
    were entered or registered; for old records, their first cadre post). Never an
    organisation that merely linked them, so a post offered by name and ID number
    gives nobody reset rights. None: nobody but an operator (the root's own cadres).
    """
    if person.branch_id:
        return person.branch_id
    home_id = person.home_org_id
    if home_id is None:
        home_id = Cadre.objects.filter(person=person).order_by("id").values_list("org_id", flat=True).first()
    if home_id is None:
        return None
    return Org.objects.filter(pk=home_id).values_list("parent_id", flat=True).first()


def is_responsible_for(actor, person: Person) -> bool:
    org_id = responsible_org_id(person)
    return org_id is not None and org_id in org_access.admin_org_ids(actor)


def resettable_ids(actor, people: list[Person]) -> set[int]:
    """Which of `people` the actor may issue reset codes for: responsible_org_id over a page, in one query."""
    ids = org_access.admin_org_ids(actor)
    if not ids:
        return set()
    homes = {p.home_org_id for p in people if not p.branch_id and p.home_org_id}
    parents = dict(Org.objects.filter(pk__in=homes).values_list("pk", "parent_id")) if homes else {}
    return {
        p.pk
        for p in people
        if (p.branch_id in ids) or (not p.branch_id and parents.get(p.home_org_id) in ids and p.home_org_id)
    }


def can_reset_password(actor, person: Person) -> bool:
    """P8: only the admin responsible for the person's own record (responsible_org_id)."""
    return is_responsible_for(actor, person)


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
    if person.left_org_id and org_access.can_view(actor, person.left_org):
        return True  # ST3: a member who left stays visible, read-only, to the branch they left and its superiors
    return any(org_access.can_view(actor, post.org) for post in person.cadre_posts.select_related("org"))


class Need(enum.Flag):
    """The right a read of a person needs; several joined with | mean any one of them."""

    VIEW = enum.auto()  # see the (masked) record: the person, or an admin above their branch or post
    MANAGE_MEMBER = enum.auto()  # P9: the member's branch admin (edit, delete, verify)
    RESET = enum.auto()  # P8: the admin responsible for the record (reset codes)
    REVEAL = enum.auto()  # whoever manages the record: sees it in full on request (sees_full_id)


VIEW, MANAGE_MEMBER, RESET, REVEAL = Need.VIEW, Need.MANAGE_MEMBER, Need.RESET, Need.REVEAL

NOT_FOUND = {
    VIEW: "未找到该人员，或您无权查看。",
    MANAGE_MEMBER: "未找到该团员，或您不是其所在团支部的管理员。",
    RESET: "未找到该人员，或您无权为其生成验证码。",
}


def has_right(actor, person: Person, need: Need) -> bool:
    return (
        (VIEW in need and can_view_person(actor, person))
        or (MANAGE_MEMBER in need and can_manage_member(actor, person))
        or (RESET in need and can_reset_password(actor, person))
        or (REVEAL in need and sees_full_id(actor, person))
    )


def fetch_person(actor, person_id, need: Need = VIEW, *, of_org: Org | None = None) -> Person:
    """The person `person_id` if `actor` has the right `need`; one NotFound for missing and forbidden alike.

    `of_org`: the person must also be a member or cadre of that organisation (the API's /orgs/{id}/people/…)."""
    try:
        person = Person.objects.select_related("branch").filter(pk=int(person_id)).first()
    except (TypeError, ValueError):
        person = None
    if person is not None and of_org is not None and not is_in_org(person, of_org):
        raise NotFound("该组织没有这名人员。", code="person_not_found")
    if person is None or not has_right(actor, person, need):
        raise NotFound(NOT_FOUND.get(need, "未找到该人员，或您无权操作。"), code="person_not_found")
    return person


def is_in_org(person: Person, org: Org) -> bool:
    """A member of `org` (a branch) or a cadre there."""
    return person.branch_id == org.id or person.cadre_posts.filter(org=org).exists()


def sees_full_id(actor, person: Person) -> bool:
    """Full ID numbers for the person themself and whoever manages their record; masked for the rest (P9)."""
    if actor.pk == person.pk or can_manage_member(actor, person):
        return True
    return any(can_manage_cadres(actor, post.org) for post in person.cadre_posts.select_related("org"))


def require(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message, code="forbidden")
