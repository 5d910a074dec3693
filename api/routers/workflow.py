"""The approval engine through the API (SPEC-2 W, API.md "Approval engine"): 待办, a process, its actions, messages."""

from datetime import datetime

from ninja import Query, Router, Schema

from api.schemas import ERRORS, Id
from orgs import access
from workflow import engine
from workflow.models import Message, Process, Step

router = Router(tags=["审批流程"])
HIDDEN = "其他团组织"


class SubjectOut(Schema):
    type: str
    id: int | None
    name: str


class TodoItemOut(Schema):
    process_id: int
    kind: str
    title: str
    subject: SubjectOut
    step: str
    org_id: int | None
    started_at: datetime
    arrived_at: datetime


class TodoOut(Schema):
    items: list[TodoItemOut]
    count: int


class StepOut(Schema):
    number: int
    name: str
    handler_org_id: int | None
    handler_person_id: int | None
    handler: str
    action: str | None
    label: str | None
    actor: str | None
    at: datetime | None
    opinion: str


class ProcessOut(Schema):
    id: int
    kind: str
    title: str
    status: str
    subject: SubjectOut
    started_at: datetime
    closed_at: datetime | None
    steps: list[StepOut]


class OpinionIn(Schema):
    opinion: str = ""


class MessageOut(Schema):
    id: int
    kind: str
    text: str
    process_id: int | None
    created_at: datetime
    read: bool


class MessagesOut(Schema):
    items: list[MessageOut]
    count: int


class TodoQuery(Schema):
    org_id: Id | None = None


class MessagesQuery(Schema):
    unread: bool = False


def subject_out(process: Process) -> dict:
    if process.subject_person_id is not None or process.subject_org_id is None:
        return {"type": "person", "id": process.subject_person_id, "name": process.subject_name}
    return {"type": "org", "id": process.subject_org_id, "name": process.subject_name}


def _step_out(step: Step, hidden: set[int]) -> dict:
    if step.handler_org_id is not None and step.handler_org_id in hidden:
        # A sending side the viewer may not learn of yet (issue 12 item 7): neither the organisation nor its admins.
        return {"number": step.number, "name": step.name, "handler_org_id": None, "handler_person_id": None,
                "handler": HIDDEN, "action": step.action or None, "label": step.text or None, "actor": None,
                "at": step.at, "opinion": ""}  # fmt: skip
    return {"number": step.number, "name": step.name, "handler_org_id": step.handler_org_id,
            "handler_person_id": step.handler_person_id, "handler": step.handler_name, "action": step.action or None,
            "label": step.text or None, "actor": step.actor.name if step.actor else None, "at": step.at,
            "opinion": step.opinion}  # fmt: skip


def process_out(process: Process, viewer) -> dict:
    hidden = engine.definition_of(process).hidden_org_ids(viewer, process)
    return {
        "id": process.id, "kind": process.kind, "title": process.title, "status": process.status,
        "subject": subject_out(process), "started_at": process.created_at, "closed_at": process.closed_at,
        "steps": [_step_out(s, hidden) for s in engine.process_steps(process)],
    }  # fmt: skip


@router.get("/todo", response={200: TodoOut, **ERRORS})
def todo(request, filters: Query[TodoQuery]):
    """W5: the open steps the caller's organisations (or the caller) must handle, all kinds, newest first."""
    org = access.fetch_org(request.auth, filters.org_id, access.MANAGE) if filters.org_id else None
    steps = engine.todo_steps(request.auth, org=org)
    items = [
        {
            "process_id": s.process_id,
            "kind": s.process.kind,
            "title": s.process.title,
            "subject": subject_out(s.process),
            "step": s.name,
            "org_id": s.handler_org_id,
            "started_at": s.process.created_at,
            "arrived_at": s.opened_at,
        }
        for s in steps[:500]
    ]
    return {"items": items, "count": steps.count() if len(items) == 500 else len(items)}


@router.get("/processes/{int:process_id}", response={200: ProcessOut, **ERRORS})
def process_get(request, process_id: int):
    return process_out(engine.process_get_for_viewer(request.auth, process_id), request.auth)


def _act(request, process_id: int, action: str, opinion: str) -> dict:
    process = engine.process_get_for_viewer(request.auth, process_id)
    process = engine.process_act(process=process, actor=request.auth, action=action, opinion=opinion)
    return process_out(engine.process_get_for_viewer(request.auth, process.pk), request.auth)


@router.post("/processes/{int:process_id}/approve", response={200: ProcessOut, **ERRORS})
def process_approve(request, process_id: int, payload: OpinionIn | None = None):
    return _act(request, process_id, "approve", payload.opinion if payload else "")


@router.post("/processes/{int:process_id}/reject", response={200: ProcessOut, **ERRORS})
def process_reject(request, process_id: int, payload: OpinionIn):
    """不通过: the opinion (the reason shown to the starter) is required."""
    return _act(request, process_id, "reject", payload.opinion)


@router.post("/processes/{int:process_id}/return", response={200: ProcessOut, **ERRORS})
def process_return(request, process_id: int, payload: OpinionIn):
    """退回修改, where the workflow allows it; the opinion is required."""
    return _act(request, process_id, "return", payload.opinion)


@router.post("/processes/{int:process_id}/withdraw", response={200: ProcessOut, **ERRORS})
def process_withdraw(request, process_id: int, payload: OpinionIn | None = None):
    return _act(request, process_id, "withdraw", "")


def _message_out(m: Message) -> dict:
    return {"id": m.id, "kind": m.kind, "text": m.text, "process_id": m.process_id, "created_at": m.created_at,
            "read": m.read_at is not None}  # fmt: skip


@router.get("/messages", response={200: MessagesOut, **ERRORS})
def messages(request, filters: Query[MessagesQuery]):
    """The caller's inbox, newest first; with ?unread=true only the unread ones, and `count` is the unread count."""
    qs = engine.messages_for(request.auth, unread=filters.unread)
    items = [_message_out(m) for m in qs[:200]]
    return {"items": items, "count": qs.count() if len(items) == 200 or filters.unread else len(items)}


@router.post("/messages/{int:message_id}/read", response={200: MessageOut, **ERRORS})
def message_read(request, message_id: int):
    return _message_out(engine.message_read(person=request.auth, message_id=message_id))
