"""What a reader sees of an organisation (SPEC O1, P9, §8): the one place that masks and reveals the
secretary's ID number and mobile.

The secretary's numbers are masked for every reader but the secretary themself, the organisation's own
admin included (as issue 12 did for members); the own admin may reveal them, one organisation at a time,
and each reveal writes its audit row here. The organisation-information page and the API
(`GET/PATCH /orgs/{id}`, `/children`) render what these return, so they cannot disagree.
"""

from audit.services import audit_id_numbers_shown
from core import pii
from core.exceptions import NotAllowed, NotFound

from . import access, completeness
from .models import Org

REVEAL_REFUSED = "只有本组织管理员可以查看本组织书记完整的身份证号码和手机号码；上级组织只能查看隐去中间位的号码。"


# The secretary as one reader sees them (core.pii.Numbers): masked, or in full.
SecretaryCard = pii.Numbers


def _card(org: Org, *, full: bool) -> SecretaryCard:
    return pii.numbers_of(org.secretary, full=full)


def secretary_card(*, viewer, org: Org) -> SecretaryCard | None:
    """The secretary as `viewer` sees them by default: masked unless `viewer` is the secretary."""
    if not org.secretary_id:
        return None
    return _card(org, full=org.secretary_id == getattr(viewer, "pk", None))


def may_reveal_secretary(viewer, org: Org) -> bool:
    return bool(org.secretary_id) and (access.can_manage(viewer, org) or org.secretary_id == viewer.pk)


def secretary_reveal(*, viewer, org: Org, where: str) -> SecretaryCard:
    """The secretary's full ID number and mobile for the organisation's own admin, audited."""
    if not org.secretary_id:
        raise NotFound("本组织尚未登记团组织书记。", code="no_secretary")
    if not may_reveal_secretary(viewer, org):
        raise NotAllowed(REVEAL_REFUSED, code="forbidden")
    if org.secretary_id != viewer.pk:
        audit_id_numbers_shown(actor=viewer, org=org, count=1, where=where)
    return _card(org, full=True)


CARD_FIELDS = ("id", "parent_id", "level", "category", "short_name", "full_name", "industry", "phone", "email",
               "admin_quota", "admin_staffed", "inst_quota", "inst_staffed", "sort_order",
               "founded_on", "branch_kind")  # fmt: skip


def org_card(*, viewer, org: Org) -> dict:
    """An organisation as `viewer` reads it (API.md `org`), the secretary masked (secretary_card)."""
    secretary = secretary_card(viewer=viewer, org=org)
    missing = completeness.missing_fields(org)
    return {
        **{f: getattr(org, f) for f in CARD_FIELDS},
        "founded_on": org.founded,
        "secretary": secretary
        and {"name": secretary.name, "id_number": secretary.id_number, "mobile": secretary.mobile},
        "info_complete": not missing,
        "missing": missing,
        "child_count": org.numchild,
    }
