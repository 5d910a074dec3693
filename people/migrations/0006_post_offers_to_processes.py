"""Every 任职确认 becomes a process of the approval engine with its timeline (SPEC-2 W6).

The offer is step 0 (提交申请, by the offering admin for the offering organisation); the person's answer
step 1 (本人确认), open while the offer waits. Nothing recorded is lost: who offered and when, who
accepted, declined or withdrew it and when. An open offer also tells the person in their inbox.
"""

from django.db import migrations

KIND = "任职确认"
STATUS = {"待确认": "进行中", "已确认": "已通过", "已拒绝": "未通过", "已撤回": "已撤回"}
ACTION = {"已确认": "通过", "已拒绝": "不通过", "已撤回": "撤回"}
LABEL = {"已拒绝": "拒绝任职", "已撤回": "撤回任职确认"}


def title(offer):
    secretary = "（团组织书记）" if offer.secretary else ""
    return f"{offer.person.name}任{offer.org.short_name}{offer.position}{secretary}"[:200]


def forward(apps, schema_editor):
    PostOffer = apps.get_model("people", "PostOffer")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    Message = apps.get_model("workflow", "Message")
    rows = PostOffer.objects.filter(process__isnull=True).select_related("person", "org", "offered_by", "decided_by")
    for offer in rows.order_by("pk"):
        person, org, starter = offer.person, offer.org, offer.offered_by
        decided = offer.status != "待确认"
        ended_at = offer.decided_at or offer.updated_at
        process = Process.objects.create(
            kind=KIND, title=title(offer), status=STATUS.get(offer.status, "系统终止"), subject_person=person,
            subject_org=org, subject_name=person.name[:200], subject_key=f"org:{org.pk}/person:{person.pk}",
            started_by=starter, starting_org=org, created_at=offer.created_at,
            updated_at=ended_at if decided else offer.updated_at, closed_at=ended_at if decided else None,
        )  # fmt: skip
        Step.objects.create(
            process=process, number=0, name="提交申请", handler_person=starter, handler_org=org,
            handler_name=org.full_name[:200], opened_at=offer.created_at, action="提交", label="提交", actor=starter,
            at=offer.created_at,
        )  # fmt: skip
        step = Step(
            process=process, number=1, name="本人确认", handler_person=person, handler_name=person.name[:200],
            opened_at=offer.created_at,
        )  # fmt: skip
        if decided:
            step.action = ACTION.get(offer.status, "系统终止")
            by_self = offer.decided_by_id == person.pk
            step.label = LABEL.get(offer.status) or ("本人接受任职" if by_self else "所在组织确认任职")
            step.actor, step.at = offer.decided_by, ended_at
        else:
            note = Message.objects.create(recipient=person, kind="待办", process=process,
                                          text=f"待办：{KIND}“{process.title}”等待您（本人确认）办理。"[:300])  # fmt: skip
            Message.objects.filter(pk=note.pk).update(created_at=offer.created_at)
        step.save()
        PostOffer.objects.filter(pk=offer.pk).update(process=process)


def backward(apps, schema_editor):
    PostOffer = apps.get_model("people", "PostOffer")
    Process = apps.get_model("workflow", "Process")
    Step = apps.get_model("workflow", "Step")
    for offer in PostOffer.objects.filter(process__isnull=False).order_by("pk"):
        answer = Step.objects.filter(process_id=offer.process_id, number=1).exclude(action="").first()
        if answer is not None:
            PostOffer.objects.filter(pk=offer.pk).update(decided_by=answer.actor, decided_at=answer.at)
    ids = list(PostOffer.objects.filter(process__isnull=False).values_list("process_id", flat=True))
    PostOffer.objects.update(process=None)
    Process.objects.filter(pk__in=ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0005_postoffer_process"),
        ("workflow", "0001_process_step_message"),
    ]

    operations = [migrations.RunPython(forward, backward)]
