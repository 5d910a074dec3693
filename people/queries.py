"""What a reader sees of a person's ID number and mobile: the one place that masks and reveals them.

Every list, page, answer and default export shows other people's ID numbers and mobiles masked
(issue 12, item 10; SPEC P9): `person_numbers(viewer=..., person=...)` returns them masked unless the
viewer is the person. Whoever manages a person's record (people.access.sees_full_id: the member's branch
admin; a cadre's organisation's admin or its direct superior's) may ask to see that one record in full:
on the pages with the 显示 button (a POST), in the API with `POST /orgs/{id}/people/{person_id}/reveal`.
`reveal_person` answers both and writes the audit event (who, whose record, where; never the numbers).
The full export with a stated reason (people.export) takes its rows from `export_numbers`.
Pages and API render what these return; none masks on its own.
"""

from audit.services import ID_VIEW_VERB, audit_record
from core import pii
from core.exceptions import NotAllowed, NotFound
from orgs import access as org_access
from orgs.models import Org

from . import access
from .models import Person

REFUSED = (
    "只有管理该人员记录的管理员可以查看完整的身份证号码和手机号码（团员：所在团支部的管理员；"
    "团干部：其所在组织或直属上级组织的管理员）；上级组织只能查看隐去中间位的号码。"
)


Numbers = pii.Numbers


def _numbers(person: Person, *, full: bool) -> Numbers:
    return pii.numbers_of(person, full=full)


def masked_numbers(person: Person) -> Numbers:
    """Masked whoever reads them (an offer, a form's hint): never a record in full."""
    return _numbers(person, full=False)


def person_numbers(*, viewer, person: Person) -> Numbers:
    """Masked for everyone but the person themself (no query)."""
    return _numbers(person, full=getattr(viewer, "pk", None) == person.pk)


def export_numbers(*, viewer, person: Person) -> Numbers:
    """A row of the full export with a reason (audited by people.export): in full where the viewer is the
    member's branch admin (P9: superiors see basic information only)."""
    return _numbers(person, full=getattr(viewer, "pk", None) == person.pk or access.can_manage_member(viewer, person))


def reveal_person(*, actor, person: Person, where: str, org: Org | None = None) -> Numbers:
    """The full ID number and mobile of `person` for `actor`, audited; 404 if `actor` cannot see the person at
    all, 403 if they see the masked record only. `org` is the organisation the event is filed under
    (default: the one that gives the right)."""
    if not access.can_view_person(actor, person):
        raise NotFound("未找到该人员，或您无权查看。", code="person_not_found")
    if not access.sees_full_id(actor, person):
        raise NotAllowed(REFUSED, code="forbidden")
    if actor.pk != person.pk:
        audit_record(
            actor=actor,
            verb=ID_VIEW_VERB,
            target=person,
            org=org or _responsible_org(actor, person),
            changes={"count": 1, "where": where},
        )
    return _numbers(person, full=True)


def _responsible_org(actor, person: Person) -> Org | None:
    if person.branch_id and access.can_manage_member(actor, person):
        return person.branch
    for post in person.cadre_posts.select_related("org"):
        if access.can_manage_cadres(actor, post.org):
            return post.org
    return person.branch if person.branch_id and org_access.can_view(actor, person.branch) else None
