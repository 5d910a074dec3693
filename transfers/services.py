"""组织关系转接 (SPEC U3): submitting, approving, assigning, rejecting, withdrawing, batch moves.

Who acts at each step:
- 待转出方审批: the admin of the member's branch or of its direct superior;
- 待转入方审批: for a receiving branch, its admin or its direct superior's admin;
  for a receiving committee, its admin;
- 待分配团支部: the receiving committee's admin picks a branch in its subtree.

Each request is a process of the approval engine (workflow.engine, kind
组织关系转接); every step moves it by a conditional UPDATE of its open step, so
two admins acting at once leave exactly one outcome, and the process's steps
are the request's timeline. A member is moved only on completion, under a
lock on their row, in the same transaction.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, NotAllowed, NotFound
from core.signals import counts_changed
from orgs import access as org_access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.models import Cadre, Person
from people.services import person_find, require_in_league
from workflow import engine
from workflow.engine import Handler
from workflow.models import Action as StepAction
from workflow.models import Process, Step
from workflow.models import Status as ProcessStatus

from .models import FINAL, Kind, Reason, Status, TransferRequest
from .selectors import shows_from, visible_transfers

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

KIND = "组织关系转接"
SENDER_STEP, RECEIVER_STEP, ASSIGN_STEP = "转出方审批", "转入方审批", "分配团支部"  # open: 待 + the name


def _step(t: TransferRequest, actor, label: str, opinion: str = "", *, action=StepAction.APPROVE, then=None,
          status: str = "", **fields) -> TransferRequest:  # fmt: skip
    """Move the request's process (workflow.engine: of two admins acting at once exactly one succeeds), then
    write the request's own fields."""
    try:
        engine.process_move(process=t.process, actor=actor, action=action, opinion=opinion[:200], label=label,
                            then=then, status=status)  # fmt: skip
    except Conflict:
        raise Conflict("该转接申请已被其他管理员处理，请刷新后查看。", code="transfer_state") from None
    if fields:
        TransferRequest.objects.filter(pk=t.pk).update(**fields)
    t.refresh_from_db()
    return t


def _fresh(transfer: TransferRequest) -> TransferRequest:
    """Re-read the request under a row lock: what the caller holds may predate a concurrent change.

    Lock first, read after: a locking SELECT that waited re-checks only the locked row, so rows joined
    to it would be those of before the wait (a deletion of the branch re-points `from_branch`, and the
    join would then give no branch at all). The read after the lock sees what was committed meanwhile.
    """
    TransferRequest.objects.select_for_update().filter(pk=transfer.pk).values_list("pk").first()
    return TransferRequest.objects.select_related("from_branch", "to_org", "process").get(pk=transfer.pk)


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


def _check_no_status_request(person: Person) -> None:
    """SPEC-2 ST: while a 团籍状态变更 or 恢复团籍 of the member waits for approval, no transfer starts (one open
    process per member across kinds, as the status change refuses an open transfer); the open one is named."""
    if not person.pending_status:
        return
    open_one = (
        Process.objects.filter(subject_person=person, status=ProcessStatus.OPEN)
        .exclude(kind=KIND)
        .order_by("pk")
        .first()
    )
    what = f"{open_one.kind}流程（编号 {open_one.pk}）" if open_one else "团籍状态申请"
    raise Conflict(
        f"{person.name}有一个未办结的{what}；请等待办结，或撤回后再申请转接。",
        code="process_open",
        errors=[{"process_id": open_one.pk if open_one else None, "kind": open_one.kind if open_one else "",
                 "message": "进行中的团籍状态申请"}],
    )  # fmt: skip


def _complete(t: TransferRequest, branch: Org, actor) -> TransferRequest:
    person = Person.objects.select_for_update().filter(pk=t.person_id).first()
    if person is None:
        raise Conflict("该团员的记录已不存在。", code="person_missing")
    require_in_league(person, "转入团支部")
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
        to_org = t.to_org
        t = _step(t, actor, action, status=ProcessStatus.APPROVED, to_branch=to_org, completed_at=timezone.now(),
                  reviewed=True)  # fmt: skip
        return _complete(t, to_org, actor)
    # Assigning completes the receiving committee's own part (also of a 办理转入 it started).
    return _step(t, actor, action, then=Handler(ASSIGN_STEP, org=t.to_org, starter_may_act=True), reviewed=True)


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
    require_in_league(person, "办理组织关系转接")
    _check_no_status_request(person)
    from_branch = person.branch
    if from_branch is None:
        raise Invalid(f"{person.name}目前不在任何团支部，无法办理转接。", code="no_branch")
    if to_org.category == Category.PENDING:
        raise Invalid(
            "不能转入待接转团支部（它只存放所在团支部被删除的团员）：请选择一个团支部或团委作为转入组织。",
            code="bad_receiver",
        )
    if to_org.category == Category.GRADUATED:
        raise Invalid(
            "不能转入毕业生团组织（它只保留已毕业班级的团员，直至转出）：请选择一个团支部或团委作为转入组织。",
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
    # W3: one open 组织关系转接 per member (also the process's database constraint), naming the open one.
    first = Handler(RECEIVER_STEP, org=to_org) if status == Status.RECEIVER else Handler(SENDER_STEP, org=from_branch)
    starting_org = {Kind.OUT: from_branch, Kind.IN: to_org}.get(kind)
    process = engine.process_start(
        kind=KIND, title=f"{person.name}（{kind}）转入{to_org.full_name}", started_by=actor, starting_org=starting_org,
        subject_person=person, first=first, label=f"提交（{kind}）",
    )  # fmt: skip
    t = TransferRequest.objects.create(
        person=person, kind=kind, reason=reason, status=status, from_branch=from_branch,
        from_name=from_branch.full_name, to_org=to_org, to_name=to_org.full_name, created_by=actor, process=process,
    )  # fmt: skip
    audit_record(actor=actor, verb="提交组织关系转接", target=person, org=from_branch,
                 changes={"to": to_org.full_name, "reason": reason})  # fmt: skip
    return t


@transaction.atomic
def transfer_approve(*, transfer: TransferRequest, actor) -> TransferRequest:
    t = _fresh(transfer)
    if not may_act(actor, t) or t.status == Status.ASSIGN:
        raise NotAllowed("现在不是由您审批这条转接申请。", code="not_your_turn")
    engine.require_handler(actor, t.process)  # W1: never on a request one started
    if t.status == Status.SENDER:
        if t.kind == Kind.SELF:
            return _step(t, actor, "转出方同意", then=Handler(RECEIVER_STEP, org=t.to_org), reviewed=True)
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
    engine.require_handler(actor, t.process)
    t = _step(t, actor, "分配团支部", branch.full_name, status=ProcessStatus.APPROVED, to_branch=branch,
              completed_at=timezone.now())  # fmt: skip
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
    engine.require_handler(actor, transfer.process)
    return _step(transfer, actor, "驳回", reason.strip(), action=StepAction.REJECT, status=ProcessStatus.REJECTED,
                 reviewed=True)  # fmt: skip


@transaction.atomic
def transfer_withdraw(*, transfer: TransferRequest, actor) -> TransferRequest:
    transfer = _fresh(transfer)
    if transfer.created_by_id != actor.pk:
        raise NotAllowed("只有提交人可以撤回转接申请。", code="forbidden")
    if transfer.reviewed:
        raise Conflict("该申请已有审批，不能撤回；如需取消，请联系正在审批的组织驳回。", code="transfer_reviewed")
    return _step(transfer, actor, "撤回", action=StepAction.WITHDRAW, status=ProcessStatus.WITHDRAWN)


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
    for person in locked:
        require_in_league(person, "批量接转")
    strangers = [p.name for p in locked if p.branch_id != from_branch.pk]
    if strangers or len(locked) != len(people):
        raise Invalid(
            f"以下人员不在{from_branch.short_name}：{'、'.join(strangers) or '（部分人员不存在）'}。",
            code="not_in_branch",
        )
    for person in locked:
        _check_not_branch_admin(person, from_branch, actor)
    # W4: 批量接转 needs no approval; the moved members' open processes (an open transfer among them) end.
    engine.terminate_open(persons=locked, opinion=f"已由{acting_org.short_name}批量接转至{to_branch.full_name}")
    now = timezone.now()
    done = []
    for person in locked:
        process = engine.process_start(
            kind=KIND, title=f"{person.name}（{Kind.BATCH}）转入{to_branch.full_name}", started_by=actor,
            starting_org=acting_org, subject_person=person, first=None, label=Kind.BATCH,
            status=ProcessStatus.APPROVED,
        )  # fmt: skip
        t = TransferRequest.objects.create(
            person=person, kind=Kind.BATCH, reason=reason, status=Status.DONE, from_branch=from_branch,
            from_name=from_branch.full_name, to_org=to_branch, to_name=to_branch.full_name, to_branch=to_branch,
            created_by=actor, completed_at=now, reviewed=True, process=process,
        )  # fmt: skip
        done.append(t)
    Cadre.objects.filter(person__in=locked, org=from_branch).delete()
    Person.objects.filter(pk__in=[p.pk for p in locked]).update(branch=to_branch)
    counts_changed.send(sender=Person, org_ids=[from_branch.pk, to_branch.pk])  # the update sends no model signal
    audit_record(actor=actor, verb="批量接转", target=acting_org, org=acting_org,
                 changes={"from": from_branch.full_name, "to": to_branch.full_name, "count": len(locked)})  # fmt: skip
    return done


def auto_return_due(*, now=None) -> int:
    """Return requests left untouched for TRANSFER_AUTO_RETURN_DAYS to their makers (U3, W4: the engine's job)."""
    return engine.auto_return_due(kind=KIND, days=settings.TRANSFER_AUTO_RETURN_DAYS, now=now)


class TransferFlow(engine.Definition):
    """组织关系转接 (U3): 转出方审批 and/or 转入方审批, then 分配团支部 when a committee receives."""

    kind = KIND
    record_model = TransferRequest
    record_gone = "该转接申请的记录已不存在。"

    def approve(self, process, *, actor, opinion):
        t = self.record(process)
        if t.status == Status.ASSIGN:
            raise Conflict("请在转接详情页选择落实的团支部，分配后即完成转接。", code="assign_branch")
        return transfer_approve(transfer=t, actor=actor).process

    def reject(self, process, *, actor, opinion):
        return transfer_reject(transfer=self.record(process), actor=actor, reason=opinion).process

    def withdraw(self, process, *, actor):
        return transfer_withdraw(transfer=self.record(process), actor=actor).process

    def sync(self, process) -> None:
        TransferRequest.objects.filter(process=process).update(status=process.stage(FINAL), updated_at=timezone.now())

    def hidden_org_ids(self, actor, process) -> set[int]:
        t = TransferRequest.objects.filter(process=process).select_related("from_branch").first()
        if t is None or t.from_branch_id is None or shows_from(actor, t):
            return set()
        return {t.from_branch_id}

    def may_view(self, actor, process) -> bool:
        t = TransferRequest.objects.filter(process=process).only("pk").first()
        if t is None:
            return engine.default_may_view(actor, process)
        return visible_transfers(actor).filter(pk=t.pk).exists()

    def handler_deleted(self, step, org) -> None:
        """The sending branch is deleted: its members, and their open requests, went to the 待接转团支部
        (orgchanges.deletion), whose superior acts on it now. Anything else ends (W4)."""
        t = TransferRequest.objects.filter(process=step.process).select_related("from_branch").first()
        if t is not None and step.name == SENDER_STEP and t.from_branch and t.from_branch_id != org.pk:
            Step.objects.filter(pk=step.pk).update(handler_org=t.from_branch, handler_name=t.from_branch.full_name)
            return
        super().handler_deleted(step, org)

    def detail_url(self, process) -> str:
        t = TransferRequest.objects.filter(process=process).only("pk").first()
        return reverse("transfers:detail", args=[t.pk]) if t else ""


engine.register(TransferFlow())
