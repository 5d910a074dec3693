"""Every 组织迁移 becomes a process of the approval engine; each recorded event becomes a step (SPEC-2 W6).

The events keep their time, actor, words and note; an open request gets the open step of the superior whose
turn it is. Nothing recorded is lost.
"""

from django.db import migrations

KIND = "组织迁移"
RELEASE, ACCEPT = "待原上级审批", "待新上级审批"
STATUS = {RELEASE: "进行中", ACCEPT: "进行中", "已完成": "已通过", "已驳回": "未通过", "已撤回": "已撤回"}
ACTION = {"已驳回": "不通过", "已撤回": "撤回", "系统终止": "系统终止"}


def _handler(m, stage):
    """(step name, organisation, its name) of the superior who acts in `stage`."""
    if stage == RELEASE:
        return "原上级审批", m.from_parent, m.from_name
    return "新上级审批", m.to_parent, m.to_name


def forward(apps, schema_editor):
    OrgMigration = apps.get_model("orgs", "OrgMigration")
    OrgMigrationEvent = apps.get_model("orgs", "OrgMigrationEvent")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    migrations_ = OrgMigration.objects.filter(process__isnull=True).select_related("org", "from_parent", "to_parent")
    for m in migrations_.order_by("pk"):
        events = list(OrgMigrationEvent.objects.filter(migration=m).order_by("at", "id"))
        last_at = events[-1].at if events else m.created_at
        is_open = m.status in (RELEASE, ACCEPT)
        process = Process.objects.create(
            kind=KIND, title=f"{m.org.full_name} → {m.to_name}"[:200], status=STATUS.get(m.status, "系统终止"),
            subject_org=m.org, subject_name=m.org.full_name, subject_key=f"org:{m.org_id}",
            started_by_id=m.requested_by_id, starting_org=m.org, created_at=m.created_at, updated_at=last_at,
            closed_at=None if is_open else (m.completed_at or last_at),
        )  # fmt: skip
        steps, opened = [], m.created_at
        if not events or events[0].from_status:
            # No recorded application (cannot happen through the services): the request itself is the submission.
            steps.append(Step(name="提交申请", handler_org=m.org, handler_name=m.org.full_name, opened_at=m.created_at,
                              action="提交", label="提交申请", actor_id=m.requested_by_id, at=m.created_at,
                              opinion=m.reason[:200]))  # fmt: skip
        for e in events:
            if not e.from_status:
                name, org, org_name = "提交申请", m.org, m.org.full_name
                action = "提交"
            else:
                name, org, org_name = _handler(m, e.from_status)
                action = ACTION.get(e.to_status, "通过")
            steps.append(Step(name=name, handler_org=org, handler_name=org_name or "", opened_at=opened, action=action,
                              label=e.action[:30], actor_id=e.actor_id, at=e.at, opinion=e.note))  # fmt: skip
            opened = e.at
        if is_open:
            name, org, org_name = _handler(m, m.status)
            steps.append(Step(name=name, handler_org=org, handler_name=org_name or "", opened_at=opened))
        for order, step in enumerate(steps):
            step.process, step.number = process, order
        Step.objects.bulk_create(steps)
        OrgMigration.objects.filter(pk=m.pk).update(process=process)


def backward(apps, schema_editor):
    OrgMigration = apps.get_model("orgs", "OrgMigration")
    OrgMigrationEvent = apps.get_model("orgs", "OrgMigrationEvent")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    for m in OrgMigration.objects.filter(process__isnull=False).order_by("pk"):
        status = ""
        steps = list(Step.objects.filter(process_id=m.process_id).exclude(action="").order_by("number"))
        for i, s in enumerate(steps):
            later = Step.objects.filter(process_id=m.process_id, number=s.number + 1).first()
            to = f"待{later.name}" if later else m.status
            OrgMigrationEvent.objects.create(migration=m, actor_id=s.actor_id, action=s.label or s.action,
                                             from_status=status, to_status=to, note=s.opinion)  # fmt: skip
            status = to
    ids = list(OrgMigration.objects.filter(process__isnull=False).values_list("process_id", flat=True))
    OrgMigration.objects.update(process=None)
    Process.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0013_orgmigration_process"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [migrations.RunPython(forward, backward)]
