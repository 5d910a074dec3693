"""组织关系转接 (SPEC U3): submitting, approving, assigning, rejecting, withdrawing, batch moves.

Who acts at each step:
- 待转出方审批: the admin of the member's branch or of its direct superior;
- 待转入方审批: for a receiving branch, its admin or its direct superior's admin;
  for a receiving committee, its admin;
- 待分配团支部: the receiving committee's admin picks a branch in its subtree.

Every step moves the status by a conditional UPDATE from the status it was
read in, so two admins acting at once leave exactly one outcome, and every
step appends a TransferEvent. A member is moved only on completion, under a
lock on their row, in the same transaction.
"""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, NotAllowed, NotFound
from orgs import access as org_access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.models import Cadre, Person
from people.services import person_find
from progress.aggregates import stats_mark_dirty

from .models import ALLOWED, OPEN, Kind, Reason, Status, TransferEvent, TransferRequest

BATCH_LIMIT = 30


# --- who may act -------------------------------------------------------------


def is_sender(actor, t: TransferRequest) -> bool:
    branch = t.from_branch
    return branch is not None and (
        org_access.is_admin_of(actor, branch) or org_access.is_admin_of_parent(actor, branch)
    )


def is_receiver(actor, t: TransferRequest) -> bool:
    org = t.to_org
    if org is None:
        return False
    if org.is_branch:
        return org_access.is_admin_of(actor, org) or org_access.is_admin_of_parent(actor, org)
    return org_access.is_admin_of(actor, org)


def may_act(actor, t: TransferRequest) -> bool:
    """Whether it is this person's turn on the request."""
    if t.status == Status.SENDER:
        return is_sender(actor, t)
    if t.status == Status.RECEIVER:
        return is_receiver(actor, t)
    if t.status == Status.ASSIGN:
        return t.to_org is not None and org_access.is_admin_of(actor, t.to_org)
    return False


# --- steps -------------------------------------------------------------------


def _record(t: TransferRequest, actor, action: str, from_status: str, note: str = "") -> None:
    TransferEvent.objects.create(
        transfer=t, actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action, from_status=from_status, to_status=t.status, note=note[:200],
    )  # fmt: skip


def _move(t: TransferRequest, to_status: str, actor, action: str, note: str = "", **fields) -> TransferRequest:
    """Move the request from the status it was read in; Conflict if someone else moved it first."""
    from_status = t.status
    if to_status not in ALLOWED.get(from_status, set()):
        raise Conflict(f"该转接申请当前为“{from_status}”，不能{action}。", code="transfer_state")
    changed = TransferRequest.objects.filter(pk=t.pk, status=from_status).update(
        status=to_status, updated_at=timezone.now(), **fields
    )
    if not changed:
        raise Conflict("该转接申请已被其他管理员处理，请刷新后查看。", code="transfer_state")
    t.refresh_from_db()
    _record(t, actor, action, from_status, note)
    return t


def _fresh(transfer: TransferRequest) -> TransferRequest:
    """Re-read the request under a row lock: what the caller holds may predate a concurrent change.

    Lock first, read after: a locking SELECT that waited re-checks only the locked row, so rows joined
    to it would be those of before the wait (a deletion of the branch re-points `from_branch`, and the
    join would then give no branch at all). The read after the lock sees what was committed meanwhile.
    """
    TransferRequest.objects.select_for_update().filter(pk=transfer.pk).values_list("pk").first()
    return TransferRequest.objects.select_related("from_branch", "to_org").get(pk=transfer.pk)


def _check_reason(reason: str) -> None:
    if reason not in Reason.values:
        raise Invalid(f"请选择转接原因：{'、'.join(Reason.values)}。", code="bad_reason",
                      errors=[{"field": "reason", "message": "请选择转接原因。"}])  # fmt: skip


def _check_not_branch_admin(person: Person, branch: Org | None, actor) -> None:
    if branch is not None and OrgAdmin.objects.filter(org=branch, person=person).exists():
        # The branch is named only to those who may see it (issue 12, item 7: 办理转入 from afar).
        where = branch.short_name if org_access.can_view(actor, branch) or actor == person else "其所在团支部"
        raise Conflict(
            f"{person.name}是{where}的管理员，转出前请先通过“管理员变更”移交管理员。",
            code="person_is_admin",
        )


def _complete(t: TransferRequest, branch: Org, actor) -> TransferRequest:
    person = Person.objects.select_for_update().filter(pk=t.person_id).first()
    if person is None:
        raise Conflict("该团员的记录已不存在。", code="person_missing")
    if branch.category != Category.BRANCH:
        raise Invalid("只能转入团支部。", code="not_a_branch")
    old = person.branch
    _check_not_branch_admin(person, old, actor)
    if old is not None:
        Cadre.objects.filter(person=person, org=old).delete()  # branch posts end with the membership
    person.branch = branch
    person.save(update_fields=["branch"])
    audit_record(actor=actor, verb="组织关系转接完成", target=person, org=branch,
                 changes={"from": old.full_name if old else t.from_name, "to": branch.full_name})  # fmt: skip
    return t


def _finish_or_assign(t: TransferRequest, actor, action: str) -> TransferRequest:
    """After the last approval: a branch receiver is done; a committee receiver must assign a branch."""
    if t.to_org is None:
        raise Conflict("接收组织已被删除，无法完成转接；请驳回本申请。", code="receiver_gone")
    if t.to_org.is_branch:
        t = _move(t, Status.DONE, actor, action, to_branch=t.to_org, completed_at=timezone.now(), reviewed=True)
        return _complete(t, t.to_org, actor)
    return _move(t, Status.ASSIGN, actor, action, reviewed=True)


def find_member(*, name: str, id_number: str) -> Person:
    """办理转入's look-up: both name and ID number must match a member on record."""
    person = person_find(id_number) if id_number else None
    if person is None or person.name != (name or "").strip() or person.branch_id is None:
        raise NotFound("未找到该团员：请核对姓名和身份证号码（须与对方团组织登记的一致）。", code="person_not_found")
    return person


@transaction.atomic
def transfer_submit(*, actor, person: Person, to_org: Org, reason: str) -> TransferRequest:
    """办理转入 (by the receiver), 办理转出 (by the sender) or the member's own application."""
    _check_reason(reason)
    # Lock, then read the branch (as in _fresh: a deletion of the branch may have moved the member meanwhile).
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
    person = Person.objects.select_related("branch").get(pk=person.pk)
    from_branch = person.branch
    if from_branch is None:
        raise Invalid(f"{person.name}目前不在任何团支部，无法办理转接。", code="no_branch")
    if to_org.category == Category.PENDING:
        raise Invalid(
            "不能转入待接转团支部（它只存放所在团支部被删除的团员）：请选择一个团支部或团委作为转入组织。",
            code="bad_receiver",
        )
    if to_org.pk == from_branch.pk:
        raise Invalid(f"{person.name}已在{to_org.short_name}。", code="same_branch")
    _check_not_branch_admin(person, from_branch, actor)
    probe = TransferRequest(person=person, from_branch=from_branch, to_org=to_org)
    if actor.pk == person.pk:
        kind, status = Kind.SELF, Status.SENDER
    elif is_sender(actor, probe):
        kind, status = Kind.OUT, Status.RECEIVER
    elif is_receiver(actor, probe):
        kind, status = Kind.IN, Status.SENDER
    else:
        raise NotAllowed("只有转出方或转入方的团组织管理员、或团员本人可以提交转接申请。", code="forbidden")
    if TransferRequest.objects.filter(person=person, status__in=OPEN).exists():
        raise Conflict(f"{person.name}已有一条进行中的转接申请，办结或撤回后才能再申请。", code="transfer_open")
    try:
        with transaction.atomic():
            t = TransferRequest.objects.create(
                person=person, kind=kind, reason=reason, status=status, from_branch=from_branch,
                from_name=from_branch.full_name, to_org=to_org, to_name=to_org.full_name, created_by=actor,
            )  # fmt: skip
    except IntegrityError:
        raise Conflict(f"{person.name}已有一条进行中的转接申请。", code="transfer_open") from None
    _record(t, actor, f"提交（{kind}）", "")
    audit_record(actor=actor, verb="提交组织关系转接", target=person, org=from_branch,
                 changes={"to": to_org.full_name, "reason": reason})  # fmt: skip
    return t


@transaction.atomic
def transfer_approve(*, transfer: TransferRequest, actor) -> TransferRequest:
    t = _fresh(transfer)
    if not may_act(actor, t) or t.status == Status.ASSIGN:
        raise NotAllowed("现在不是由您审批这条转接申请。", code="not_your_turn")
    if t.status == Status.SENDER:
        if t.kind == Kind.SELF:
            return _move(t, Status.RECEIVER, actor, "转出方同意", reviewed=True)
        return _finish_or_assign(t, actor, "转出方同意")
    return _finish_or_assign(t, actor, "转入方同意")


@transaction.atomic
def transfer_assign(*, transfer: TransferRequest, actor, branch: Org) -> TransferRequest:
    t = _fresh(transfer)
    if t.status != Status.ASSIGN or not may_act(actor, t):
        raise NotAllowed("只有接收的团委管理员可以在“待分配团支部”时分配团支部。", code="not_your_turn")
    # Lock the chosen branch and read it again: a deletion committed meanwhile refuses cleanly here,
    # instead of failing on the foreign key at commit (the deletion locks requests, members, then rows).
    branch = Org.objects.select_for_update().filter(pk=branch.pk).first()
    if branch is None:
        raise Invalid("所选团支部已被删除，请重新选择。", code="bad_branch",
                      errors=[{"field": "branch_id", "message": "该团支部已被删除。"}])  # fmt: skip
    if branch.category != Category.BRANCH or not branch.path.startswith(t.to_org.path):
        raise Invalid(f"请选择{t.to_org.short_name}下属的团支部。", code="bad_branch",
                      errors=[{"field": "branch_id", "message": "请选择下属团支部。"}])  # fmt: skip
    t = _move(t, Status.DONE, actor, "分配团支部", note=branch.full_name, to_branch=branch, completed_at=timezone.now())
    return _complete(t, branch, actor)


@transaction.atomic
def transfer_reject(*, transfer: TransferRequest, actor, reason: str) -> TransferRequest:
    transfer = _fresh(transfer)
    if not may_act(actor, transfer):
        raise NotAllowed("现在不是由您审批这条转接申请。", code="not_your_turn")
    if not (reason or "").strip():
        raise Invalid(
            "驳回时请填写原因。", code="reason_required", errors=[{"field": "reason", "message": "请填写驳回原因。"}]
        )
    return _move(transfer, Status.REJECTED, actor, "驳回", note=reason.strip(), reviewed=True)


@transaction.atomic
def transfer_withdraw(*, transfer: TransferRequest, actor) -> TransferRequest:
    transfer = _fresh(transfer)
    if transfer.created_by_id != actor.pk:
        raise NotAllowed("只有提交人可以撤回转接申请。", code="forbidden")
    if transfer.reviewed:
        raise Conflict("该申请已有审批，不能撤回；如需取消，请联系正在审批的组织驳回。", code="transfer_reviewed")
    return _move(transfer, Status.WITHDRAWN, actor, "撤回")


@transaction.atomic
def batch_transfer(*, actor, acting_org: Org, from_branch: Org, to_branch: Org, people: list[Person], reason: str):
    """批量接转 (committees only): up to 30 members between two branches of the acting subtree, at once."""
    _check_reason(reason)
    if not org_access.is_admin_of(actor, acting_org) or acting_org.is_branch:
        raise NotAllowed("批量接转只能由团委、团工委或团总支的管理员办理。", code="forbidden")
    if not from_branch.is_branch or to_branch.category != Category.BRANCH:
        raise Invalid("批量接转须从一个团支部（或待接转团支部）转入另一个团支部。", code="not_a_branch")
    for branch in (from_branch, to_branch):
        if not branch.path.startswith(acting_org.path) or branch.pk == acting_org.pk:
            raise NotAllowed(f"{branch.short_name}不在{acting_org.short_name}的下级组织中。", code="forbidden")
    if from_branch.pk == to_branch.pk:
        raise Invalid("转出和转入的团支部不能相同。", code="same_branch")
    if not people or len(people) > BATCH_LIMIT:
        raise Invalid(f"每次批量接转1至{BATCH_LIMIT}人。", code="batch_size")
    locked = list(Person.objects.select_for_update().filter(pk__in=[p.pk for p in people]))
    strangers = [p.name for p in locked if p.branch_id != from_branch.pk]
    if strangers or len(locked) != len(people):
        raise Invalid(
            f"以下人员不在{from_branch.short_name}：{'、'.join(strangers) or '（部分人员不存在）'}。",
            code="not_in_branch",
        )
    busy = list(
        TransferRequest.objects.filter(person__in=locked, status__in=OPEN).values_list("person__name", flat=True)
    )
    if busy:
        raise Conflict(f"以下人员有进行中的转接申请，请先办结或撤回：{'、'.join(busy)}。", code="transfer_open")
    now = timezone.now()
    done = []
    for person in locked:
        _check_not_branch_admin(person, from_branch, actor)
        t = TransferRequest.objects.create(
            person=person, kind=Kind.BATCH, reason=reason, status=Status.DONE, from_branch=from_branch,
            from_name=from_branch.full_name, to_org=to_branch, to_name=to_branch.full_name, to_branch=to_branch,
            created_by=actor, completed_at=now, reviewed=True,
        )  # fmt: skip
        _record(t, actor, "批量接转", "")
        done.append(t)
    Cadre.objects.filter(person__in=locked, org=from_branch).delete()
    Person.objects.filter(pk__in=[p.pk for p in locked]).update(branch=to_branch)
    stats_mark_dirty(org_ids=[from_branch.pk, to_branch.pk])  # progress: the update above sends no signal
    audit_record(actor=actor, verb="批量接转", target=acting_org, org=acting_org,
                 changes={"from": from_branch.full_name, "to": to_branch.full_name, "count": len(locked)})  # fmt: skip
    return done


def auto_return_due(*, now=None) -> int:
    """Return requests left untouched for TRANSFER_AUTO_RETURN_DAYS to their makers (U3)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.TRANSFER_AUTO_RETURN_DAYS)
    returned = 0
    for t in TransferRequest.objects.filter(status__in=OPEN, updated_at__lt=cutoff).only("id", "status"):
        with transaction.atomic():
            try:
                _move(t, Status.RETURNED, None, "超期自动退回", note=f"{settings.TRANSFER_AUTO_RETURN_DAYS}天未处理")
                returned += 1
            except Conflict:
                continue  # someone acted on it meanwhile
    return returned
