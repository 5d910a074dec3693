"""管理员变更 (SPEC C6).

Changes to a direct subordinate's admins take effect at once. Changes to
one's own organisation's admins wait for the direct superior's approval
(the operator approves for the root). Only cadres of the organisation can
become admins, and an organisation never loses its last admin.
"""

from django.db import transaction
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Conflict, DomainError, NotAllowed

from . import access
from .models import AdminChange, Org, OrgAdmin
from .services import org_admin_add

Action = AdminChange.Action
Status = AdminChange.Status


@transaction.atomic
def admin_revoke(*, org: Org, person, actor=None) -> None:
    Org.objects.select_for_update().get(pk=org.pk)
    post = OrgAdmin.objects.filter(org=org, person=person).first()
    if post is None:
        raise Conflict(f"{person.name}不是{org.short_name}的管理员。", code="not_admin")
    if OrgAdmin.objects.filter(org=org).count() <= 1:
        raise Conflict(
            f"{person.name}是{org.short_name}唯一的管理员，不能撤销；请先添加一名新管理员，再撤销。", code="last_admin"
        )
    post.delete()
    access.forget_admin_orgs(person)
    audit_record(actor=actor, verb="撤销管理员", target=org, org=org, changes={"person": person.name})


def _apply(org: Org, person, action: str, actor) -> None:
    if action == Action.ADD:
        org_admin_add(org=org, person=person, actor=actor)
    else:
        admin_revoke(org=org, person=person, actor=actor)


def _check_candidate(org: Org, person, action: str) -> None:
    from people.models import Cadre

    if action == Action.ADD:
        if not Cadre.objects.filter(org=org, person=person).exists():
            raise DomainError(
                f"只能从{org.short_name}的团干部中选择管理员；请先把{person.name}录入为本组织团干部。",
                code="admin_not_cadre",
            )
        if OrgAdmin.objects.filter(org=org, person=person).exists():
            raise Conflict(f"{person.name}已是{org.short_name}的管理员。", code="already_admin")
    elif not OrgAdmin.objects.filter(org=org, person=person).exists():
        raise Conflict(f"{person.name}不是{org.short_name}的管理员。", code="not_admin")


@transaction.atomic
def admin_change_request(*, org: Org, person, action: str, actor) -> AdminChange | None:
    """Apply at once (acting as the direct superior) or file a request (acting for one's own org).

    Returns the pending AdminChange, or None when the change took effect.
    """
    _check_candidate(org, person, action)
    if access.is_admin_of_parent(actor, org):
        _apply(org, person, action, actor)
        return None
    if not access.is_admin_of(actor, org):
        raise NotAllowed("只有本组织或直属上级组织的管理员可以变更管理员。", code="forbidden")
    if action == Action.REVOKE and OrgAdmin.objects.filter(org=org).count() <= 1:
        raise Conflict(f"{person.name}是{org.short_name}唯一的管理员，不能撤销。", code="last_admin")
    if AdminChange.objects.filter(org=org, person=person, status=Status.PENDING).exists():
        raise Conflict(f"{person.name}已有一条待审批的管理员变更申请。", code="change_pending")
    change = AdminChange.objects.create(org=org, person=person, action=action, requested_by=actor)
    audit_record(
        actor=actor, verb="申请管理员变更", target=org, org=org, changes={"person": person.name, "action": action}
    )
    return change


def _require_approver(change: AdminChange, actor) -> None:
    org = change.org
    if org.parent_id is None:
        if not access.is_operator(actor):
            raise NotAllowed("根组织的管理员变更由平台运维人员审批。", code="forbidden")
    elif not access.is_admin_of_parent(actor, org):
        raise NotAllowed("只有直属上级组织的管理员可以审批管理员变更。", code="forbidden")


def _decide(change: AdminChange, actor, status: str, note: str) -> AdminChange:
    if status not in AdminChange.ALLOWED.get(change.status, set()):
        raise Conflict("该申请已经处理过了。", code="already_decided")
    # Two approvers at once: only the one whose conditional update matches wins.
    decided = AdminChange.objects.filter(pk=change.pk, status=Status.PENDING).update(
        status=status, decided_by=actor, decided_at=timezone.now(), note=note[:200]
    )
    if not decided:
        raise Conflict("该申请已经处理过了。", code="already_decided")
    change.refresh_from_db()
    return change


@transaction.atomic
def admin_change_approve(*, change: AdminChange, actor) -> AdminChange:
    _require_approver(change, actor)
    change = _decide(change, actor, Status.APPROVED, "")
    _apply(change.org, change.person, change.action, actor)
    return change


@transaction.atomic
def admin_change_reject(*, change: AdminChange, actor, note: str = "") -> AdminChange:
    _require_approver(change, actor)
    change = _decide(change, actor, Status.REJECTED, note)
    audit_record(actor=actor, verb="驳回管理员变更", target=change.org, org=change.org, changes={"note": note})
    return change


def admin_changes_todo(person):
    """Pending changes this person approves: those of organisations directly below theirs."""
    qs = AdminChange.objects.filter(status=Status.PENDING).select_related("org", "person", "requested_by")
    if access.is_operator(person):
        return qs.filter(org__parent_id__in=access.admin_org_ids(person)) | qs.filter(org__parent__isnull=True)
    return qs.filter(org__parent_id__in=access.admin_org_ids(person))


def get_change_for_approver_or_none(person, pk: int) -> AdminChange | None:
    return admin_changes_todo(person).filter(pk=pk).first()
