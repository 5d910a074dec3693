"""Admins of an organisation (C5, T5): a person who holds a post there takes one of its three admin places.

It lives with people, not orgs, because the rule reads the person's posts (a cadre of that organisation);
the tree (orgs) knows nothing of people.
"""

from django.db import IntegrityError, transaction

from audit.services import audit_record
from core.exceptions import Conflict, DomainError
from orgs import access
from orgs.models import MAX_ADMINS, Org, OrgAdmin

from .models import Cadre, Person


def org_admin_add_check(*, org: Org, person: Person) -> None:
    """Who may become an admin of `org` (C5): a cadre of it who is not its admin yet. The one rule for adding
    an admin at once and for asking to (orgchanges.admin_changes); the limit of three is `org_admin_add`'s."""
    if not Cadre.objects.filter(org=org, person=person).exists():
        raise DomainError(
            f"只能从{org.short_name}的团干部中选择管理员；请先把{person.name}录入为本组织团干部。",
            code="admin_not_cadre",
        )
    if OrgAdmin.objects.filter(org=org, person=person).exists():
        raise Conflict(f"{person.name}已是{org.short_name}的管理员。", code="already_admin")


@transaction.atomic
def org_admin_add(*, org: Org, person: Person, actor=None) -> OrgAdmin:
    """Make `person` an admin of `org` (C5: at most three).

    Callers authorise: admin_changes (C6) checks the actor, registration
    (C3) is authorised by the code, init_root by the operator.

    The organisation row is locked first so two additions racing for the
    third place cannot both succeed.
    """
    Org.objects.select_for_update().get(pk=org.pk)
    org_admin_add_check(org=org, person=person)
    taken = set(OrgAdmin.objects.filter(org=org).values_list("slot", flat=True))
    free = [s for s in range(1, MAX_ADMINS + 1) if s not in taken]
    if not free:
        raise Conflict(f"{org.short_name}已有3名管理员，达到上限；请先撤销一名管理员再添加。", code="admin_limit")
    try:
        with transaction.atomic():
            post = OrgAdmin.objects.create(org=org, person=person, slot=free[0])
    except IntegrityError:
        raise Conflict(
            f"{org.short_name}的管理员刚刚发生变化，请刷新后重试（每个组织最多3名管理员）。", code="admin_limit"
        ) from None
    access.forget_admin_orgs(person)
    audit_record(actor=actor, verb="添加管理员", target=org, org=org, changes={"person": person.name})
    return post
