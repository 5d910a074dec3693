"""团籍状态 (SPEC-2 ST): requesting, approving, rejecting and withdrawing a 团籍状态变更 (ST1, ST2) or a
恢复团籍 (ST3). Every change and every permission check of the module is here; the pages and the API call these.

Each request is a process of the approval engine (workflow.engine): the branch's admin (or its direct
superior's) asks, the branch's direct superior committee approves. While it is open the person's
`pending_status` shows it. On approval of a change the member leaves the branch (`branch` empty, `left_org` the
branch): every figure counts members by branch, so they drop out of all of them, and people.services.
require_in_league makes their record read-only. A restore places them in the chosen branch again. Nothing is
deleted but the member's 团内职务 in the branch they leave, which end with the membership as in a transfer.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from audit.services import audit_record
from core.exceptions import Conflict, Invalid, NotAllowed
from core.normalize import clean_text
from orgs import access
from orgs.models import Org, OrgAdmin
from orgs.rules import Category
from people.choices import LeagueStatus
from people.models import Cadre, Person
from people.services import require_in_league
from workflow import engine
from workflow.models import Action, Process
from workflow.models import Status as ProcessStatus

from .models import LEFT_STATUSES, Kind, LapseReason, StatusChange

APPROVE_STEP = "审核"  # the open step reads 待审核, as ST1 names it
OVERAGE_REASON = "年满28周岁，未担任团内职务"
EXPLANATION_MAX = 2000


def _field_error(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code, errors=[{"field": field, "message": message}])


def require_no_open_process(person: Person) -> None:
    """One open process per member across kinds: a status change must not race a transfer, and a transfer
    completing after the member left would bring them back unseen. The open one is named (W3's answer)."""
    open_one = Process.objects.filter(subject_person=person, status=ProcessStatus.OPEN).order_by("pk").first()
    if open_one is not None:
        raise Conflict(
            f"{person.name}已有一个未办结的{open_one.kind}流程（编号 {open_one.pk}）；请等待办结，或撤回后重新申请。",
            code="process_open",
            errors=[{"process_id": open_one.pk, "kind": open_one.kind, "message": f"进行中的{open_one.kind}流程"}],
        )


def _check_may_leave(person: Person) -> None:
    """What must be settled before a member can leave: admin posts, a registered 书记, posts outside the branch."""
    if OrgAdmin.objects.filter(person=person).exists():
        raise Conflict(f"{person.name}是组织管理员，请先通过“管理员变更”移交管理员后再申请。", code="person_is_admin")
    if Org.objects.filter(secretary=person).exists():
        raise Conflict(f"{person.name}被登记为组织书记，请先在组织信息中更换书记后再申请。", code="person_is_secretary")
    elsewhere = Cadre.objects.filter(person=person).exclude(org_id=person.branch_id).select_related("org").first()
    if elsewhere is not None:
        raise Conflict(
            f"{person.name}担任{elsewhere.org.short_name}的{elsewhere.position}，请先免去该职务后再申请。",
            code="person_holds_post",
        )


def _lock(person: Person) -> Person:
    Person.objects.select_for_update().filter(pk=person.pk).values_list("pk").first()
    return Person.objects.select_related("branch", "left_org").get(pk=person.pk)


def _mark_pending(person: Person, status: str) -> None:
    # An UPDATE: the save() of Person re-derives encrypted fields, and a pending mark changes no figure.
    Person.objects.filter(pk=person.pk).update(pending_status=status)


# --- ST1, ST2: the request --------------------------------------------------------------------------------------


def check_change(*, status: str, reason: str) -> str:
    """ST1's shape of a request: a status a member can leave with, and a reason (自行脱团: one of three)."""
    if status not in LEFT_STATUSES:
        raise _field_error("status", f"请选择要变更的团籍状态：{'、'.join(LEFT_STATUSES)}。", "bad_status")
    reason = clean_text(reason or "")
    if status == LeagueStatus.LAPSED and reason not in LapseReason.values:
        raise _field_error("reason", f"自行脱团须选择原因：{'、'.join(LapseReason.values)}。", "bad_reason")
    if not reason:
        raise _field_error("reason", "请填写团籍状态变更的原因。", "reason_required")
    if len(reason) > 200:
        raise _field_error("reason", "原因最多 200 字，详细情况请写在情况说明中。")
    return reason


def may_request_change(actor, person: Person) -> bool:
    """The member's branch admin, or its direct superior's (who may also enter members there, P5)."""
    branch = person.branch
    return branch is not None and (access.is_admin_of(actor, branch) or access.is_admin_of_parent(actor, branch))


@transaction.atomic
def status_change_request(*, person: Person, actor, status: str, reason: str, explanation: str = "") -> StatusChange:
    """ST1: ask the branch's direct superior to approve `status` for a member, with a reason."""
    reason = check_change(status=status, reason=reason)
    explanation = (explanation or "").strip()
    if len(explanation) > EXPLANATION_MAX:
        raise _field_error("explanation", f"情况说明最多 {EXPLANATION_MAX} 字。")
    person = _lock(person)
    require_in_league(person, "再申请团籍状态变更")
    branch = person.branch
    if branch is None:
        raise Conflict(f"{person.name}不是团支部的团员，团籍状态变更由其所在团支部申请。", code="no_branch")
    if not may_request_change(actor, person):
        raise NotAllowed(
            f"只有{branch.short_name}的管理员或其直属上级组织的管理员可以申请团籍状态变更。", code="forbidden"
        )
    if branch.parent is None:
        raise Conflict(f"{branch.short_name}没有上级组织，无法审核。", code="no_superior")
    require_no_open_process(person)
    _check_may_leave(person)
    process = engine.process_start(
        kind=Kind.CHANGE, title=f"{person.name}：{status}（{branch.full_name}）", started_by=actor,
        first=engine.Handler(APPROVE_STEP, org=branch.parent), subject_person=person,
        starting_org=access.acting_org(actor, branch), opinion=reason, label=f"申请{status}",
    )  # fmt: skip
    change = StatusChange.objects.create(
        person=person, kind=Kind.CHANGE, to_status=status, status_before=person.league_status, reason=reason,
        explanation=explanation, branch=branch, branch_name=branch.full_name, requested_by=actor, process=process,
    )  # fmt: skip
    _mark_pending(person, status)
    audit_record(actor=actor, verb="申请团籍状态变更", target=person, org=branch,
                 changes={"status": status, "reason": reason})  # fmt: skip
    return change


@transaction.atomic
def overage_request(*, org: Org, actor, person_ids: list[int]) -> list[StatusChange]:
    """ST2's one click for several: 超龄离团 for each listed member of `org`'s 应离团 list; all or nothing."""
    from .selectors import overage_members  # a selector of this app; imported here to keep services first

    if not (access.is_admin_of(actor, org) or access.is_admin_of_parent(actor, org)):
        raise NotAllowed(f"只有{org.short_name}的管理员或其直属上级组织的管理员可以申请超龄离团。", code="forbidden")
    ids = sorted({int(i) for i in person_ids})
    if not ids:
        raise _field_error("person_ids", "请选择要申请超龄离团的团员。", "nobody")
    listed = {p.pk: p for p in overage_members(org).filter(pk__in=ids)}
    errors = [{"person_id": i, "message": "该团员不在本组织的应离团名单中。"} for i in ids if i not in listed]
    done = []
    for pk in ids:
        if pk not in listed:
            continue
        try:
            with transaction.atomic():
                done.append(status_change_request(person=listed[pk], actor=actor, status=LeagueStatus.OVERAGE,
                                                  reason=OVERAGE_REASON))  # fmt: skip
        except (Conflict, Invalid, NotAllowed) as e:
            errors.append({"person_id": pk, "message": f"{listed[pk].name}：{e.message}"})
    if errors:
        shown = "；".join(e["message"] for e in errors[:5]) + ("等" if len(errors) > 5 else "")
        raise Conflict(f"有{len(errors)}人不能申请，未提交任何申请：{shown}", code="overage_refused", errors=errors)
    return done


# --- ST3: restore ----------------------------------------------------------------------------------------------


@transaction.atomic
def restore_request(*, person: Person, actor, branch: Org, reason: str) -> StatusChange:
    """ST3: a branch admin (or its direct superior's) asks to restore a member who left into `branch`."""
    if branch.category != Category.BRANCH:
        raise _field_error("branch_id", "请选择要恢复到的团支部（只能选择团支部）。", "not_a_branch")
    if not (access.is_admin_of(actor, branch) or access.is_admin_of_parent(actor, branch)):
        raise NotAllowed(
            f"只有{branch.short_name}的管理员或其直属上级组织的管理员可以申请恢复到该团支部。", code="forbidden"
        )
    reason = clean_text(reason or "")
    if not reason:
        raise _field_error("reason", "请填写恢复团籍的原因。", "reason_required")
    if len(reason) > 200:
        raise _field_error("reason", "原因最多 200 字。")
    person = _lock(person)
    if not person.has_left:
        raise Conflict(f"{person.name}的团籍状态为正常，无需恢复。", code="not_left")
    require_no_open_process(person)
    process = engine.process_start(
        kind=Kind.RESTORE, title=f"{person.name}：恢复团籍，转入{branch.full_name}", started_by=actor,
        first=engine.Handler(APPROVE_STEP, org=branch.parent), subject_person=person,
        starting_org=access.acting_org(actor, branch), opinion=reason, label="申请恢复团籍",
    )  # fmt: skip
    change = StatusChange.objects.create(
        person=person, kind=Kind.RESTORE, to_status=LeagueStatus.NORMAL, status_before=person.league_status,
        reason=reason, branch=branch, branch_name=branch.full_name, requested_by=actor, process=process,
    )  # fmt: skip
    _mark_pending(person, LeagueStatus.NORMAL)
    audit_record(actor=actor, verb="申请恢复团籍", target=person, org=branch,
                 changes={"branch": branch.full_name, "reason": reason})  # fmt: skip
    return change


# --- the superior's decision -----------------------------------------------------------------------------------


def _fresh(change: StatusChange) -> StatusChange:
    StatusChange.objects.select_for_update().filter(pk=change.pk).values_list("pk").first()
    return StatusChange.objects.select_related("process", "branch", "person").get(pk=change.pk)


def _apply_change(change: StatusChange, person: Person, actor) -> None:
    branch = person.branch
    if branch is None or branch.pk != change.branch_id:
        raise Conflict(f"{person.name}的所在团支部已变更，本申请不能通过；请驳回后由其现所在团支部重新申请。",
                       code="branch_changed")  # fmt: skip
    _check_may_leave(person)
    Cadre.objects.filter(person=person, org=branch).delete()  # branch posts end with the membership (as U3)
    person.league_status, person.left_org, person.branch, person.pending_status = change.to_status, branch, None, ""
    person.save(update_fields=["league_status", "left_org", "branch", "pending_status"])
    audit_record(actor=actor, verb="团籍状态变更", target=person, org=branch,
                 changes={"status": [change.status_before, change.to_status], "reason": change.reason})  # fmt: skip


def _apply_restore(change: StatusChange, person: Person, actor) -> None:
    branch = Org.objects.select_for_update().filter(pk=change.branch_id).first()
    if branch is None or branch.category != Category.BRANCH:
        raise Conflict("所选团支部已不存在，本申请不能通过；请驳回后重新申请。", code="branch_gone")
    before = person.league_status
    person.league_status, person.left_org, person.branch, person.pending_status = LeagueStatus.NORMAL, None, branch, ""
    person.save(update_fields=["league_status", "left_org", "branch", "pending_status"])
    audit_record(actor=actor, verb="恢复团籍", target=person, org=branch,
                 changes={"status": [before, LeagueStatus.NORMAL], "branch": branch.full_name})  # fmt: skip


@transaction.atomic
def status_change_approve(*, change: StatusChange, actor, opinion: str = "") -> StatusChange:
    """The direct superior approves: the member leaves (ST1, ST3) or is restored into the chosen branch (ST3)."""
    change = _fresh(change)
    engine.require_handler(actor, change.process)  # W1 and who handles the step
    person = _lock(change.person)
    if change.kind == Kind.CHANGE:
        require_in_league(person, "再变更团籍状态")
    elif not person.has_left:
        raise Conflict(f"{person.name}的团籍状态已为正常。", code="not_left")
    engine.process_move(process=change.process, actor=actor, action=Action.APPROVE, opinion=opinion,
                        label="审核通过", status=ProcessStatus.APPROVED)  # fmt: skip
    if change.kind == Kind.CHANGE:
        _apply_change(change, person, actor)
        # Whatever else was open for the member (an offered post) ends: their record is read-only now (W4).
        engine.terminate_open(persons=[person], opinion=f"{person.name}已{change.to_status}")
    else:
        _apply_restore(change, person, actor)
    change.refresh_from_db()
    return change


@transaction.atomic
def status_change_reject(*, change: StatusChange, actor, opinion: str) -> StatusChange:
    change = _fresh(change)
    engine.require_handler(actor, change.process)
    opinion = clean_text(opinion or "")
    if not opinion:
        raise _field_error("opinion", "不通过时请填写意见，告诉申请的团组织原因。", "reason_required")
    engine.process_move(process=change.process, actor=actor, action=Action.REJECT, opinion=opinion,
                        status=ProcessStatus.REJECTED)  # fmt: skip
    audit_record(actor=actor, verb=f"{change.kind}未通过", target=change.person, org=change.branch,
                 changes={"status": change.to_status, "opinion": opinion})  # fmt: skip
    change.refresh_from_db()
    return change


@transaction.atomic
def status_change_withdraw(*, change: StatusChange, actor) -> StatusChange:
    change = _fresh(change)
    if change.process.started_by_id != actor.pk:
        raise NotAllowed("只有申请人可以撤回。", code="forbidden")
    engine.process_move(process=change.process, actor=actor, action=Action.WITHDRAW, status=ProcessStatus.WITHDRAWN)
    change.refresh_from_db()
    return change


class StatusFlow(engine.Definition):
    """团籍状态变更 and 恢复团籍: one 上级审核 step; approving it carries out the change."""

    record_model = StatusChange
    record_gone = "该团籍状态申请的记录已不存在。"

    def __init__(self, kind: str):
        self.kind = kind

    def approve(self, process, *, actor, opinion):
        return status_change_approve(change=self.record(process), actor=actor, opinion=opinion).process

    def reject(self, process, *, actor, opinion):
        return status_change_reject(change=self.record(process), actor=actor, opinion=opinion).process

    def withdraw(self, process, *, actor):
        return status_change_withdraw(change=self.record(process), actor=actor).process

    def sync(self, process) -> None:
        change = StatusChange.objects.filter(process=process).first()
        if change is None:
            return
        StatusChange.objects.filter(pk=change.pk).update(status=process.stage(StatusChange.FINAL))
        if not process.is_open:
            Person.objects.filter(pk=change.person_id).update(pending_status="")

    def detail_url(self, process) -> str:
        change = StatusChange.objects.filter(process=process).only("pk").first()
        return reverse("standing:change", args=[change.pk]) if change else ""


for _kind in Kind.values:
    engine.register(StatusFlow(_kind))
