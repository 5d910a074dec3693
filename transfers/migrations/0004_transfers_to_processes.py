"""Every 组织关系转接 becomes a process of the approval engine; each recorded event becomes a step (SPEC-2 W6).

The events keep their time, actor, words and note; an open request gets the open step of the side whose turn
it is, and the process's last move is the request's (auto-return reads it). Batches of 1,000 requests.
"""

from django.db import migrations

KIND = "组织关系转接"
SENDER, RECEIVER, ASSIGN = "待转出方审批", "待转入方审批", "待分配团支部"
OPEN = (SENDER, RECEIVER, ASSIGN)
STATUS = {"已完成": "已通过", "已驳回": "未通过", "已撤回": "已撤回", "已退回": "已退回"}
ACTION = {"已驳回": "不通过", "已撤回": "撤回", "已退回": "系统终止"}
BATCH = 1000


def _handler(t, stage):
    """(step name, organisation id, its name) of the side that acts in `stage`."""
    if stage == SENDER:
        return "转出方审批", t.from_branch_id, t.from_name
    if stage == RECEIVER:
        return "转入方审批", t.to_org_id, t.to_name
    return "分配团支部", t.to_org_id, t.to_name


def _starting_org(t):
    return {"办理转出": (t.from_branch_id, t.from_name), "办理转入": (t.to_org_id, t.to_name)}.get(t.kind, (None, ""))


def _convert(apps, chunk):
    TransferEvent = apps.get_model("transfers", "TransferEvent")
    TransferRequest = apps.get_model("transfers", "TransferRequest")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    events = {}
    for e in TransferEvent.objects.filter(transfer__in=chunk).select_related("actor").order_by("at", "id"):
        events.setdefault(e.transfer_id, []).append(e)
    processes = []
    for t in chunk:
        mine = events.get(t.pk, [])
        is_open = t.status in OPEN
        last_at = mine[-1].at if mine else t.updated_at
        start_org, _ = _starting_org(t)
        processes.append(Process(
            kind=KIND, title=f"{t.person.name}（{t.kind}）转入{t.to_name}"[:200],
            status="进行中" if is_open else STATUS.get(t.status, "系统终止"), subject_person_id=t.person_id,
            subject_name=t.person.name, subject_key=f"person:{t.person_id}", started_by_id=t.created_by_id,
            starting_org_id=start_org, created_at=t.created_at, updated_at=t.updated_at,
            closed_at=None if is_open else (t.completed_at or last_at),
        ))  # fmt: skip
    Process.objects.bulk_create(processes)
    steps = []
    for t, process in zip(chunk, processes, strict=True):
        mine = events.get(t.pk, [])
        rows, opened = [], t.created_at
        start_org, start_name = _starting_org(t)
        if not mine or mine[0].from_status:
            # No recorded submission (cannot happen through the services): the request itself is the submission.
            rows.append(Step(name="提交申请", handler_org_id=start_org, handler_name=start_name, opened_at=t.created_at,
                             action="提交", label=f"提交（{t.kind}）", actor_id=t.created_by_id, at=t.created_at))  # fmt: skip
        for e in mine:
            if not e.from_status:
                name, org_id, org_name, action = "提交申请", start_org, start_name, "提交"
                person_id = e.actor_id
            else:
                name, org_id, org_name = _handler(t, e.from_status)
                action, person_id = ACTION.get(e.to_status, "通过"), None
            rows.append(Step(name=name, handler_org_id=org_id, handler_person_id=person_id,
                             handler_name=(org_name or (e.actor.name if e.actor else ""))[:200], opened_at=opened,
                             action=action, label=e.action[:30], actor_id=e.actor_id, at=e.at, opinion=e.note))  # fmt: skip
            opened = e.at
        if t.status in OPEN:
            name, org_id, org_name = _handler(t, t.status)
            rows.append(Step(name=name, handler_org_id=org_id, handler_name=org_name[:200], opened_at=opened))
        for step in rows:
            # As transfers.services opens it: assigning the branch completes the receiving committee's own part,
            # so the starter of a 办理转入 may do it (W1 does not apply).
            step.starter_may_act = step.name == "分配团支部"
        for order, step in enumerate(rows):
            step.process, step.number = process, order
        steps.extend(rows)
        t.process = process
    Step.objects.bulk_create(steps, batch_size=BATCH)
    TransferRequest.objects.bulk_update(chunk, ["process"], batch_size=BATCH)


def forward(apps, schema_editor):
    TransferRequest = apps.get_model("transfers", "TransferRequest")
    last = 0
    while True:
        chunk = list(
            TransferRequest.objects.filter(process__isnull=True, pk__gt=last)
            .select_related("person")
            .order_by("pk")[:BATCH]
        )
        if not chunk:
            break
        _convert(apps, chunk)
        last = chunk[-1].pk


def backward(apps, schema_editor):
    TransferRequest = apps.get_model("transfers", "TransferRequest")
    TransferEvent = apps.get_model("transfers", "TransferEvent")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    for t in TransferRequest.objects.filter(process__isnull=False).order_by("pk"):
        steps = list(Step.objects.filter(process_id=t.process_id).order_by("number"))
        status = ""
        for i, s in enumerate(steps):
            if not s.action:
                break
            later = steps[i + 1] if i + 1 < len(steps) else None
            to = f"待{later.name}" if later else t.status
            TransferEvent.objects.create(transfer=t, actor_id=s.actor_id, action=s.label or s.action,
                                         from_status=status, to_status=to, note=s.opinion)  # fmt: skip
            status = to
    ids = list(TransferRequest.objects.filter(process__isnull=False).values_list("process_id", flat=True))
    TransferRequest.objects.update(process=None)
    Process.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0003_transferrequest_process"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [migrations.RunPython(forward, backward)]
