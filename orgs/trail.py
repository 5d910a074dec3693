"""Reading the audit trail: an organisation's own events and those of everything below it, newest first."""

from django.db.models import QuerySet

from audit.models import AuditEvent

from .models import Org


def org_events(org: Org, *, verb: str = "") -> QuerySet[AuditEvent]:
    qs = AuditEvent.objects.filter(Org.subtree_q(org.path, prefix="org__"))
    if verb:
        qs = qs.filter(verb=verb)
    return qs.select_related("actor", "org").order_by("-at", "-id")


def org_verbs(org: Org) -> list[str]:
    """The verbs that occur in the organisation's trail, for the filter."""
    return sorted(
        AuditEvent.objects.filter(Org.subtree_q(org.path, prefix="org__")).values_list("verb", flat=True).distinct()
    )
