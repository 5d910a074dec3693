"""管理员变更 (SPEC C6).

Changes to a direct subordinate's admins take effect at once. Changes to
one's own organisation's admins wait for the direct superior's approval
(the operator approves for the root), as a process of the approval engine
(workflow.engine, kind 管理员变更) whose timeline is its steps. Only cadres of the organisation can
become admins, and an organisation never loses its last admin.
"""

from django.db import transaction

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, NotAllowed
from core.normalize import clean_text
from orgs import access, rules
from orgs.models import AdminChange, Org, OrgAdmin
from people.admins import org_admin_add, org_admin_add_check
from workflow import engine
from workflow.engine import Handler
from workflow.flows import RecordFlow
from workflow.models import Action as StepAction
from workflow.models import Status as ProcessStatus

Action = AdminChange.Action
Status = AdminChange.Status
KIND = "管理员变更"


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
    rules.refuse_pending(org, "它不设管理员，其团员的组织关系转出由直属上级组织管理员办理。")
    if action == Action.ADD:
        org_admin_add_check(org=org, person=person)
    elif not OrgAdmin.objects.filter(org=org, person=person).exists():
        raise Conflict(f"{person.name}不是{org.short_name}的管理员。", code="not_admin")


def _approver(org: Org) -> Handler:
    """The direct superior's admins; the operator for the root (W1)."""
    if org.parent_id is None:
        return Handler(name="平台运维人员审批", label="平台运维人员")
    return Handler(name="上级组织审批", org=Org.objects.get(pk=org.parent_id))


@transaction.atomic
def admin_change_request(*, org: Org, person, action: str, actor) -> AdminChange | None:
    """Apply at once (acting as the direct superior) or file a request (acting for one's own org).

    Returns the pending AdminChange (with its `process`), or None when the change took effect.
    """
    _check_candidate(org, person, action)
    if access.is_admin_of_parent(actor, org):
        _apply(org, person, action, actor)
        return None
    if not access.is_admin_of(actor, org):
        raise NotAllowed("只有本组织或直属上级组织的管理员可以变更管理员。", code="forbidden")
    if action == Action.REVOKE and OrgAdmin.objects.filter(org=org).count() <= 1:
        raise Conflict(f"{person.name}是{org.short_name}唯一的管理员，不能撤销。", code="last_admin")
    process = engine.process_start(
        kind=KIND, title=f"{Action(action).label}：{person.name}（{org.short_name}）", started_by=actor,
        starting_org=org, subject_person=person, subject_org=org, subject_name=person.name, first=_approver(org),
    )  # fmt: skip
    change = AdminChange.objects.create(org=org, person=person, action=action, requested_by=actor, process=process)
    audit_record(
        actor=actor, verb="申请管理员变更", target=org, org=org, changes={"person": person.name, "action": action}
    )
    return change


def _require_approver(change: AdminChange, actor) -> None:
    if not change.process.is_open:
        raise Conflict("该申请已经处理过了。", code="already_decided")
    org = change.org
    if org.parent_id is None:
        if not access.is_operator(actor):
            raise NotAllowed("根组织的管理员变更由平台运维人员审批。", code="forbidden")
    elif not access.is_admin_of_parent(actor, org):
        raise NotAllowed("只有直属上级组织的管理员可以审批管理员变更。", code="forbidden")
    engine.require_handler(actor, change.process)


def _fresh(change: AdminChange) -> AdminChange:
    return AdminChange.objects.select_related("org", "person", "process").get(pk=change.pk)


def _decide(change: AdminChange, actor, action: str, opinion: str, status: str, label: str = "") -> None:
    # Two approvers at once: only the one whose conditional update matches wins.
    try:
        engine.process_move(process=change.process, actor=actor, action=action, opinion=opinion, label=label,
                            status=status)  # fmt: skip
    except Conflict:
        raise Conflict("该申请已经处理过了。", code="already_decided") from None


@transaction.atomic
def admin_change_approve(*, change: AdminChange, actor, opinion: str = "") -> AdminChange:
    change = _fresh(change)
    _require_approver(change, actor)
    _decide(change, actor, StepAction.APPROVE, opinion, ProcessStatus.APPROVED)
    _apply(change.org, change.person, change.action, actor)
    return _fresh(change)


@transaction.atomic
def admin_change_reject(*, change: AdminChange, actor, note: str = "") -> AdminChange:
    """不通过 with a reason (W2): the reason is required and shown to the admin who asked."""
    change = _fresh(change)
    _require_approver(change, actor)
    note = clean_text(note or "")
    if not note:
        raise Invalid("请填写驳回理由，告诉提出申请的管理员原因。", code="reason_required",
                      errors=[{"field": "reason", "message": "请填写驳回理由。"}])  # fmt: skip
    _decide(change, actor, StepAction.REJECT, note, ProcessStatus.REJECTED, label="驳回")
    audit_record(actor=actor, verb="驳回管理员变更", target=change.org, org=change.org, changes={"note": note})
    return _fresh(change)


@transaction.atomic
def admin_change_withdraw(*, change: AdminChange, actor) -> AdminChange:
    """W2: the admin who asked takes the request back while it waits."""
    change = _fresh(change)
    if change.requested_by_id != actor.pk:
        raise NotAllowed("只有提交申请的管理员可以撤回。", code="forbidden")
    engine.process_move(process=change.process, actor=actor, action=StepAction.WITHDRAW,
                        status=ProcessStatus.WITHDRAWN)  # fmt: skip
    audit_record(actor=actor, verb="撤回管理员变更", target=change.org, org=change.org,
                 changes={"person": change.person.name})  # fmt: skip
    return _fresh(change)


def admin_changes_todo(person):
    """Pending changes this person approves: those of organisations directly below theirs (the root's: the operator)."""
    steps = engine.todo_steps(person).filter(process__kind=KIND).values("process_id")
    return (
        AdminChange.objects.filter(process_id__in=steps)
        .select_related("org", "person", "requested_by", "process")
        .order_by("created_at", "id")
    )


def get_change_for_approver_or_none(person, pk: int) -> AdminChange | None:
    return admin_changes_todo(person).filter(pk=pk).first()


# --- the workflow ---------------------------------------------------------------------------------------------

# Process status -> the request's own status, shown on its pages and in the API.
STATUS_OF = {
    ProcessStatus.OPEN: Status.PENDING,
    ProcessStatus.APPROVED: Status.APPROVED,
    ProcessStatus.REJECTED: Status.REJECTED,
    ProcessStatus.WITHDRAWN: Status.WITHDRAWN,
    ProcessStatus.RETURNED: Status.TERMINATED,
    ProcessStatus.TERMINATED: Status.TERMINATED,
}


class AdminChangeFlow(RecordFlow):
    """管理员变更 (C6): one step, the direct superior (the operator for the root)."""

    kind = KIND
    record_model = AdminChange
    record_gone = "该管理员变更的申请记录已不存在。"
    record_arg = "change"
    approve_with = (admin_change_approve, "opinion")
    reject_with = (admin_change_reject, "note")
    withdraw_with = (admin_change_withdraw,)

    def sync(self, process) -> None:
        AdminChange.objects.filter(process=process).update(status=STATUS_OF[process.status])


engine.register(AdminChangeFlow())
