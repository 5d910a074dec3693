"""Every 管理员变更 becomes a process of the approval engine with its timeline (SPEC-2 W6).

The request's submission is step 0; the superior's (or the operator's) decision step 1, open while the
request waits. Nothing recorded is lost: who asked and when, who decided, when and with what note.
"""

from django.db import migrations

KIND = "管理员变更"
STATUS = {"pending": "进行中", "approved": "已通过", "rejected": "未通过"}
ACTION = {"approved": "通过", "rejected": "不通过"}
VERB = {"add": "添加管理员", "revoke": "撤销管理员"}


def forward(apps, schema_editor):
    AdminChange = apps.get_model("orgs", "AdminChange")
    Org = apps.get_model("orgs", "Org")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    for change in AdminChange.objects.filter(process__isnull=True).select_related(
        "org", "person", "requested_by", "decided_by"
    ).order_by("pk"):
        org, person, starter = change.org, change.person, change.requested_by
        decided = change.status != "pending"
        ended_at = change.decided_at or change.updated_at
        process = Process.objects.create(
            kind=KIND, title=f"{VERB.get(change.action, change.action)}：{person.name}（{org.short_name}）"[:200],
            status=STATUS.get(change.status, "系统终止"), subject_person=person, subject_org=org,
            subject_name=person.name, subject_key=f"org:{org.pk}/person:{person.pk}", started_by=starter,
            starting_org=org, created_at=change.created_at, updated_at=ended_at if decided else change.updated_at,
            closed_at=ended_at if decided else None,
        )  # fmt: skip
        Step.objects.create(
            process=process, number=0, name="提交申请", handler_person=starter, handler_org=org,
            handler_name=org.full_name, opened_at=change.created_at, action="提交", label="提交", actor=starter,
            at=change.created_at,
        )  # fmt: skip
        parent = Org.objects.filter(pk=org.parent_id).first() if org.parent_id else None
        step = Step(
            process=process, number=1, name="上级组织审批" if parent else "平台运维人员审批", handler_org=parent,
            handler_name=parent.full_name if parent else "平台运维人员", opened_at=change.created_at,
        )  # fmt: skip
        if decided:
            step.action = ACTION.get(change.status, "系统终止")
            step.label = "驳回" if change.status == "rejected" else step.action
            step.actor, step.at, step.opinion = change.decided_by, ended_at, change.note
        step.save()
        AdminChange.objects.filter(pk=change.pk).update(process=process)


def backward(apps, schema_editor):
    AdminChange = apps.get_model("orgs", "AdminChange")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    for change in AdminChange.objects.filter(process__isnull=False).order_by("pk"):
        decision = Step.objects.filter(process_id=change.process_id, number=1).exclude(action="").first()
        if decision is not None:
            AdminChange.objects.filter(pk=change.pk).update(
                decided_by=decision.actor, decided_at=decision.at, note=decision.opinion
            )
    ids = list(AdminChange.objects.filter(process__isnull=False).values_list("process_id", flat=True))
    AdminChange.objects.update(process=None)
    Process.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0010_adminchange_process"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [migrations.RunPython(forward, backward)]
