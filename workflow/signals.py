"""W4: the system ends the open processes of a deleted person or organisation, with a message to their starters.

Lower apps (people, orgs) know nothing of the engine; it listens for their deletions.
"""

from .engine import REGISTRY, terminate_open
from .models import Status, Step


def person_deleted(sender, instance, **kwargs):
    terminate_open(persons=[instance], opinion=f"{instance.name}的记录已被删除")


def org_deleted(sender, instance, **kwargs):
    terminate_open(orgs=[instance], opinion=f"{instance.full_name}已被删除")
    # Open steps this organisation was to handle: the workflow moves them on (a transfer follows its member
    # to the 待接转团支部) or the system ends the process.
    steps = Step.objects.filter(handler_org=instance, action="", process__status=Status.OPEN).select_related("process")
    for step in steps:
        definition = REGISTRY.get(step.process.kind)
        if definition is not None:
            definition.handler_deleted(step, instance)
