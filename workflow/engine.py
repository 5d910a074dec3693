"""The one approval engine (SPEC-2 W1–W5).

A workflow is a `Definition` registered here under its kind: which steps, who
handles each, and what approval, rejection, withdrawal and termination do to
its domain record. The definition's domain service checks the module's own
rules, then moves the process with the functions below, which alone decide
what a process may do (`models.ALLOWED`), record each step (actor, time,
opinion), keep one process open per subject and kind (W3, also a database
constraint), refuse an approver acting on a process they started (W1), and
write the messages (W5) inside the same transaction.

Every move is a conditional UPDATE of the open step from "no action yet", so
of two approvers racing exactly one succeeds; the other gets a Conflict.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from core.exceptions import Conflict, DomainError, Invalid, NotAllowed, NotFound
from core.normalize import clean_text
from orgs import access
from orgs.models import Org, OrgAdmin

from .models import ALLOWED, Action, Message, Process, Status, Step

# --- definitions ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Handler:
    """Who handles a step: an organisation (any of its admins; a 团支部's direct superior too) or one person."""

    name: str
    org: Org | None = None
    person: object | None = None
    label: str = ""  # whom to name when there is neither ("平台运维人员")
    starter_may_act: bool = False  # the step completes the starter's own request (see Step.starter_may_act)

    @property
    def display(self) -> str:
        if self.org is not None:
            return self.org.full_name
        if self.person is not None:
            return self.person.name
        return self.label


class Definition:
    """One workflow. Subclasses name the kind and carry out the actions of the generic API on their domain."""

    kind = ""
    may_return = False  # 退回修改 allowed (W2: "where the module allows it")
    reject_needs_reason = True  # 不通过 needs an opinion (W2); a person declining an offer need not say why
    record_model = None  # the domain record that belongs to a process (its `process` field)
    record_gone = ""  # what to say when that record no longer exists

    def record(self, process: Process):
        """The domain record of `process`; Conflict when it has been deleted meanwhile."""
        found = self.record_model.objects.filter(process=process).first()
        if found is None:
            raise Conflict(self.record_gone, code="process_closed")
        return found

    def approve(self, process: Process, *, actor, opinion: str) -> Process:
        raise Conflict(f"{self.kind}不能在这里审批。", code="action_not_allowed")

    def reject(self, process: Process, *, actor, opinion: str) -> Process:
        raise Conflict(f"{self.kind}不能在这里驳回。", code="action_not_allowed")

    def return_(self, process: Process, *, actor, opinion: str) -> Process:
        raise Conflict(f"{self.kind}不能退回修改；如需修改，请驳回，由发起方重新申请。", code="return_not_allowed")

    def withdraw(self, process: Process, *, actor) -> Process:
        raise Conflict(f"{self.kind}不能撤回。", code="action_not_allowed")

    def sync(self, process: Process) -> None:
        """Bring the domain record's own status in line after a step (a read model for its lists)."""

    def may_handle(self, actor, step: Step) -> bool:
        return handles(actor, step)

    def may_view(self, actor, process: Process) -> bool:
        return default_may_view(actor, process)

    def handler_deleted(self, step: Step, org: Org) -> None:
        """The organisation handling the open step is being deleted (W4): the system ends the process."""
        process_terminate(process=step.process, opinion=f"办理组织{org.full_name}已被删除")

    def detail_url(self, process: Process) -> str:
        """The module's own page for the process, where it has one ("" otherwise)."""
        return ""

    def hidden_org_ids(self, actor, process: Process) -> set[int]:
        """Organisations this viewer may not learn of yet (a 办理转入's sending side, issue 12 item 7)."""
        return set()


REGISTRY: dict[str, Definition] = {}


def register(definition: Definition) -> Definition:
    REGISTRY[definition.kind] = definition
    return definition


def definition_of(process: Process) -> Definition:
    try:
        return REGISTRY[process.kind]
    except KeyError:
        raise Conflict(f"未知的流程类型：{process.kind}。", code="unknown_kind") from None


# --- who may act ----------------------------------------------------------------------------------------------


def subject_key(*, person=None, org: Org | None = None) -> str:
    parts = []
    if org is not None:
        parts.append(f"org:{org.pk}")
    if person is not None:
        parts.append(f"person:{person.pk}")
    return "/".join(parts)


def handles(actor, step: Step) -> bool:
    """The default rule (SPEC §8): the handling person; an admin of the handling organisation or, when that is a
    团支部, of its direct superior; the operator where no organisation handles (the root's own changes)."""
    if not getattr(actor, "is_authenticated", False) or not step.is_open:
        return False
    if step.handler_person_id is not None:
        return step.handler_person_id == actor.pk
    org = step.handler_org
    if org is None:
        return access.is_operator(actor)
    if access.is_admin_of(actor, org):
        return True
    return org.is_branch and access.is_admin_of_parent(actor, org)


def default_may_view(actor, process: Process) -> bool:
    if not getattr(actor, "is_authenticated", False):
        return False
    if access.is_operator(actor) or actor.pk in (process.started_by_id, process.subject_person_id):
        return True
    ids = {s.handler_org_id for s in process.steps.all()} | {process.subject_org_id, process.starting_org_id}
    if any(s.handler_person_id == actor.pk for s in process.steps.all()):
        return True
    return any(access.can_view(actor, o) for o in Org.objects.filter(pk__in=[i for i in ids if i]))


def require_handler(actor, process: Process) -> Step:
    """The open step, if `actor` may act on it: W1 (never on one's own process), then the handler rule."""
    step = open_step(process)
    if step is None or not process.is_open:
        raise Conflict(f"该{process.kind}已{process.status}，不能再办理。", code="process_closed")
    starter = process.started_by_id is not None and process.started_by_id == getattr(actor, "pk", None)
    if starter and not step.starter_may_act:
        raise NotAllowed("不能审批自己发起的流程；请由其他管理员或上级组织审批。", code="own_process")
    if not definition_of(process).may_handle(actor, step):
        raise NotAllowed(f"该流程的“{step.name}”环节由{step.handler_name or '其他组织'}办理。", code="not_your_turn")
    return step


# --- moving a process -----------------------------------------------------------------------------------------


def open_step(process: Process) -> Step | None:
    cached = getattr(process, "_prefetched_objects_cache", {}).get("steps")
    if cached is not None:
        return next((s for s in cached if s.is_open), None)
    return process.steps.select_related("handler_org").filter(action="").first()


def open_process(kind: str, *, person=None, org: Org | None = None) -> Process | None:
    return Process.objects.filter(
        kind=kind, status=Status.OPEN, subject_key=subject_key(person=person, org=org)
    ).first()


def _open_conflict(process: Process | None, kind: str, name: str) -> Conflict:
    what = f"（编号 {process.pk}）" if process else ""
    return Conflict(
        f"{name}已有一个未办结的{kind}流程{what}；请等待办结，或撤回后重新申请。",
        code="process_open",
        errors=[{"process_id": process.pk if process else None, "kind": kind, "message": f"进行中的{kind}流程"}],
    )


def require_none_open(kind: str, *, person=None, org: Org | None = None, name: str = "") -> None:
    """W3: refuse a second process for the same subject and kind, naming the open one."""
    existing = open_process(kind, person=person, org=org)
    if existing is not None:
        raise _open_conflict(existing, kind, name or existing.subject_name)


def _new_step(process: Process, number: int, handler: Handler, now) -> Step:
    return Step.objects.create(
        process=process, number=number, name=handler.name, handler_org=handler.org, handler_person=handler.person,
        handler_name=handler.display[:200], opened_at=now, starter_may_act=handler.starter_may_act,
    )  # fmt: skip


@transaction.atomic
def process_start(
    *,
    kind: str,
    title: str,
    started_by,
    first: Handler | None,
    subject_person=None,
    subject_org: Org | None = None,
    subject_name: str = "",
    starting_org: Org | None = None,
    opinion: str = "",
    label: str = "",
    status: str = Status.OPEN,
    one_open: bool = True,
) -> Process:
    """Start a process: its submission step, then the first handler's open step (or closed at once: `status`)."""
    name = subject_name or (subject_person.name if subject_person else subject_org.full_name if subject_org else "")
    key = subject_key(person=subject_person, org=subject_org)
    if one_open:
        require_none_open(kind, person=subject_person, org=subject_org, name=name)
    now = timezone.now()
    closed = status != Status.OPEN or first is None
    starter = started_by if getattr(started_by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            process = Process.objects.create(
                kind=kind, title=title[:200], status=status if closed else Status.OPEN, subject_person=subject_person,
                subject_org=subject_org, subject_name=name[:200], subject_key=key, started_by=starter,
                starting_org=starting_org, created_at=now, updated_at=now, closed_at=now if closed else None,
            )  # fmt: skip
    except IntegrityError:
        raise _open_conflict(open_process(kind, person=subject_person, org=subject_org), kind, name) from None
    Step.objects.create(
        process=process, number=0, name="提交申请", handler_person=starter, handler_org=starting_org,
        handler_name=(starting_org.full_name if starting_org else starter.name if starter else "")[:200],
        opened_at=now, action=Action.SUBMIT, label=label or Action.SUBMIT, actor=starter, at=now,
        opinion=clean_text(opinion)[:200],
    )  # fmt: skip
    if not closed:
        _new_step(process, 1, first, now)
    _after_move(process, actor=started_by, started=True)
    return process


def _close_step(step: Step, *, actor, action: str, opinion: str, label: str, now) -> None:
    done = Step.objects.filter(pk=step.pk, action="").update(
        action=action, label=(label or action)[:30], actor=actor if getattr(actor, "is_authenticated", False) else None,
        at=now, opinion=clean_text(opinion)[:200],
    )  # fmt: skip
    if not done:
        raise Conflict("该流程刚刚已被他人办理，请刷新后查看。", code="process_moved")


@transaction.atomic
def process_move(
    *,
    process: Process,
    actor,
    action: str,
    opinion: str = "",
    label: str = "",
    then: Handler | None = None,
    status: str = "",
) -> Process:
    """Close the open step with `action`; open the `then` step, or close the process with `status`.

    Callers (a definition's domain service) have checked who may act and the module's rules.
    """
    if not then and not status:
        raise ValueError("process_move needs the next step or the closing status")
    process = Process.objects.select_for_update().get(pk=process.pk)
    if status and status not in ALLOWED.get(process.status, set()):
        raise Conflict(f"该{process.kind}已{process.status}，不能再办理。", code="process_closed")
    step = open_step(process)
    if step is None or not process.is_open:
        raise Conflict(f"该{process.kind}已{process.status}，不能再办理。", code="process_closed")
    now = timezone.now()
    _close_step(step, actor=actor, action=action, opinion=opinion, label=label, now=now)
    fields = {"updated_at": now}
    if then is not None:
        _new_step(process, step.number + 1, then, now)
    else:
        fields.update(status=status, closed_at=now)
    Process.objects.filter(pk=process.pk).update(**fields)
    process = Process.objects.get(pk=process.pk)
    _after_move(process, actor=actor)
    return process


def process_terminate(*, process: Process, opinion: str, status: str = Status.TERMINATED, label: str = "") -> Process:
    """W4: the system ends an open process (the starter is told)."""
    return process_move(process=process, actor=None, action=Action.TERMINATE, opinion=opinion,
                        label=label or Action.TERMINATE, status=status)  # fmt: skip


def terminate_open(*, opinion: str, persons=None, orgs=None, kinds=None, exclude_ids=()) -> int:
    """W4: end every open process of these subject people or organisations (of these kinds, if given)."""
    q = Q()
    if persons:
        q |= Q(subject_person__in=persons)
    if orgs:
        q |= Q(subject_org__in=orgs)
    if not q:
        return 0
    qs = Process.objects.filter(q, status=Status.OPEN).exclude(pk__in=exclude_ids)
    if kinds:
        qs = qs.filter(kind__in=kinds)
    ended = 0
    for process in qs.order_by("pk"):
        try:
            process_terminate(process=process, opinion=opinion)
            ended += 1
        except Conflict:
            continue  # closed meanwhile
    return ended


def auto_return_due(*, kind: str, days: int, now=None) -> int:
    """U3/W4: open processes of `kind` untouched for `days` go back to their starters (已退回)."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    returned = 0
    for process in Process.objects.filter(kind=kind, status=Status.OPEN, updated_at__lt=cutoff).order_by("pk"):
        try:
            with transaction.atomic():
                process_terminate(
                    process=process, opinion=f"{days}天未处理", status=Status.RETURNED, label="超期自动退回"
                )
            returned += 1
        except Conflict:
            continue  # someone acted on it meanwhile
    return returned


# --- the generic actions (API /processes/{id}/…) -----------------------------------------------------------------


def process_act(*, process: Process, actor, action: str, opinion: str = "") -> Process:
    """approve / reject / return / withdraw, carried out by the process's definition."""
    opinion = clean_text(opinion or "")
    definition = definition_of(process)
    if not process.is_open:
        raise Conflict(f"该{process.kind}已{process.status}，不能再办理。", code="process_closed")
    if action == "withdraw":
        return definition.withdraw(process, actor=actor)
    require_handler(actor, process)  # who may act comes first: an outsider learns nothing from a 422
    if (action == "return" or (action == "reject" and definition.reject_needs_reason)) and not opinion:
        what = "驳回" if action == "reject" else "退回修改"
        raise Invalid(f"{what}时请填写意见，告诉发起方原因。", code="reason_required",
                      errors=[{"field": "opinion", "message": "请填写意见。"}])  # fmt: skip
    if action == "approve":
        return definition.approve(process, actor=actor, opinion=opinion)
    if action == "reject":
        return definition.reject(process, actor=actor, opinion=opinion)
    if action == "return":
        if not definition.may_return:
            return Definition.return_(definition, process, actor=actor, opinion=opinion)
        return definition.return_(process, actor=actor, opinion=opinion)
    raise NotFound("未知的操作。", code="not_found")


# --- messages (W5) -----------------------------------------------------------------------------------------------


def handler_people(step: Step) -> set[int]:
    """Who must act on an open step: the person, or the organisation's admins (a 团支部's superior's too)."""
    if step.handler_person_id is not None:
        return {step.handler_person_id}
    org = step.handler_org
    if org is None:
        return set()
    ids = [org.pk] + ([org.parent_id] if org.is_branch and org.parent_id else [])
    return set(OrgAdmin.objects.filter(org_id__in=ids).values_list("person_id", flat=True))


def _after_move(process: Process, *, actor=None, started: bool = False) -> None:
    """Tell those who must act next and the starter (W5); bring the domain record in line."""
    step = open_step(process)
    actor_id = getattr(actor, "pk", None)
    notes: dict[int, Message] = {}
    if step is not None:
        for pk in handler_people(step) - {actor_id, process.started_by_id}:
            notes[pk] = Message(recipient_id=pk, kind=Message.Kind.TODO, process=process,
                                text=f"待办：{process.kind}“{process.title}”等待您（{step.name}）办理。"[:300])  # fmt: skip
    starter = process.started_by_id
    if starter is not None and starter != actor_id and not started:
        if process.is_open:
            text = f"您发起的{process.kind}“{process.title}”已进入“{step.name}”环节。" if step else ""
            kind = Message.Kind.PROGRESS
        else:
            last = process.steps.exclude(action="").order_by("-number").first()
            why = f"（{last.opinion}）" if last and last.opinion else ""
            text, kind = f"您发起的{process.kind}“{process.title}”{process.status}{why}。", Message.Kind.RESULT
        if text:
            notes[starter] = Message(recipient_id=starter, kind=kind, process=process, text=text[:300])
    if notes:
        Message.objects.bulk_create(notes.values())
    definition = REGISTRY.get(process.kind)
    if definition is not None:
        definition.sync(process)


def messages_for(person, *, unread: bool = False) -> QuerySet[Message]:
    qs = Message.objects.filter(recipient=person)
    return qs.filter(read_at__isnull=True) if unread else qs


def unread_count(person) -> int:
    if not getattr(person, "is_authenticated", False):
        return 0
    return Message.objects.filter(recipient=person, read_at__isnull=True).count()


def message_read(*, person, message_id: int) -> Message:
    message = Message.objects.filter(pk=message_id, recipient=person).first()
    if message is None:
        raise NotFound("未找到该消息。", code="message_not_found")
    if message.read_at is None:
        message.read_at = timezone.now()
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=message.read_at)
    return message


def messages_read_all(*, person) -> int:
    return Message.objects.filter(recipient=person, read_at__isnull=True).update(read_at=timezone.now())


# --- 待办 (W5) ----------------------------------------------------------------------------------------------------


def _handled_q(person, org: Org | None = None) -> Q | None:
    """The open steps `person` handles (for one of their organisations if `org` is given)."""
    ids = access.admin_org_ids(person)
    if org is not None:
        if org.pk not in ids:
            return None
        ids = {org.pk}
    q = Q()
    if ids:
        # Their own organisations, and the 团支部 directly below them, looked up first: as a subquery OR-ed with
        # the person's own steps, PostgreSQL scanned every open step of the country (65 ms per page on the
        # province bench); as one list of ids the handler index answers. The list is the request's
        # (orgs.access.admin_child_branches: the menu's count and a page's to-do list share it).
        below = {
            i for i, parent, category in access.admin_child_branches(person) if parent in ids and category in BRANCHES
        }
        q |= Q(handler_org_id__in=sorted(ids | below))
    if org is None:
        q |= Q(handler_person=person)
        if access.is_operator(person):
            q |= Q(handler_org__isnull=True, handler_person__isnull=True)
    return q if q else None


BRANCHES = ("团支部", "待接转团支部")


def todo_steps(person, *, org: Org | None = None) -> QuerySet[Step]:
    """W5: the open steps this person (or their organisation `org`) must handle, newest first, all kinds.

    Processes the person started are left out: they may not act on them (W1).
    """
    if not getattr(person, "is_authenticated", False):
        return Step.objects.none()
    q = _handled_q(person, org)
    if q is None:
        return Step.objects.none()
    return (
        Step.objects.filter(q, action="", process__status=Status.OPEN)
        .filter(~Q(process__started_by=person) | Q(starter_may_act=True))
        .select_related("process", "handler_org")
        .order_by("-opened_at", "-id")
    )


def todo_counts(person) -> dict[str, int]:
    """Open steps per kind, one query (the menu's count)."""
    rows = todo_steps(person).order_by().values("process__kind").annotate(n=Count("id"))
    return {r["process__kind"]: r["n"] for r in rows}


def process_get_for_viewer(actor, process_id) -> Process:
    try:
        process = Process.objects.filter(pk=int(process_id)).select_related("subject_person", "subject_org").first()
    except (TypeError, ValueError):
        process = None
    if process is None or not definition_of(process).may_view(actor, process):
        raise NotFound("未找到该流程，或您无权查看。", code="process_not_found")
    return process


def process_steps(process: Process) -> list[Step]:
    return list(process.steps.select_related("actor", "handler_org").order_by("number", "id"))


__all__ = [
    "REGISTRY", "Action", "Definition", "DomainError", "Handler", "Process", "Status", "Step", "auto_return_due",
    "process_act", "process_move", "process_start", "process_terminate", "register", "require_handler",
    "require_none_open", "terminate_open", "todo_counts", "todo_steps",
]  # fmt: skip
