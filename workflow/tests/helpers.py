"""Test helpers: lengthen a process's timeline without moving it (query-count tests grow timelines)."""

from django.utils import timezone

from workflow.models import Action, Step


def add_remarks(process, actors, count: int, *, label: str = "备注") -> None:
    """`count` closed steps before the open one (or at the end), with actors taken in turn and notes 第i条."""
    steps = list(process.steps.order_by("number"))
    open_step = next((s for s in steps if s.is_open), None)
    last = max(s.number for s in steps if not s.is_open)
    if open_step is not None:
        Step.objects.filter(pk=open_step.pk).update(number=last + count + 1)
    now = timezone.now()
    Step.objects.bulk_create(
        Step(process=process, number=last + 1 + i, name="备注", handler_name="", opened_at=now, action=Action.APPROVE,
             label=label, actor=actors[i % len(actors)] if actors else None, at=now, opinion=f"第{i}条")
        for i in range(count)
    )  # fmt: skip
