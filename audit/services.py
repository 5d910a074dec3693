from django.db import models

from core import pii
from core.logging import mask_text

from .context import current_request
from .models import AuditEvent, Outcome

# Values under these keys are masked before they are stored.
PII_KEYS = {"id_number": pii.mask_id_number, "mobile": pii.mask_mobile, "secretary_mobile": pii.mask_mobile}
SECRET_KEYS = {"password", "code", "reset_code", "token"}


def redact(changes: dict) -> dict:
    """Mask personal data and hide secrets at any depth of a change record."""
    return {key: _redact_value(key, value) for key, value in changes.items()}


def _redact_value(key: str, value):
    if key in SECRET_KEYS:
        return "***"
    if isinstance(value, dict):
        return redact(value)
    if isinstance(value, (list, tuple)):
        return [_redact_value(key, v) for v in value]
    if key in PII_KEYS and isinstance(value, str):
        return PII_KEYS[key](value)
    if isinstance(value, (str, int, float, bool, type(None))):
        return value
    return str(value)


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    org=None,
    changes: dict | None = None,
    outcome: str = Outcome.SUCCESS,
) -> AuditEvent:
    """One event, stamped with the current request's client address and id (audit.context)."""
    request = current_request.get()
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        org=org,
        changes=redact(changes or {}),
        outcome=outcome,
        ip=request.ip if request else None,
        request_id=request.request_id if request else "",
    )


REFUSED_VERB = "请求被拒绝"


def audit_refusal(*, actor, method: str, path: str, route: str, status: int, org=None, reasons=()) -> AuditEvent:
    """A refused request (outcome 拒绝): what was asked (method and path, which never hold personal data),
    the answer's status and the refusals' codes and messages (personal data masked)."""
    request = current_request.get()
    return AuditEvent.objects.create(
        actor=actor,
        verb=REFUSED_VERB,
        target_type="request",
        target_id=route[:40],
        target_label=f"{method} {path}"[:200],
        org=org,
        changes=redact(
            {"status": status, "reasons": [{"error": code, "message": mask_text(message)} for code, message in reasons]}
        ),
        outcome=Outcome.REFUSED,
        ip=request.ip if request else None,
        request_id=request.request_id if request else "",
    )


ID_VIEW_VERB = "查看身份证号码"


def audit_id_numbers_shown(*, actor, org, count: int, where: str) -> None:
    """One event per page or API answer that showed other people's full ID numbers: how many and where, never the numbers."""
    if count and getattr(actor, "is_authenticated", False):
        audit_record(actor=actor, verb=ID_VIEW_VERB, target=org, org=org, changes={"count": count, "where": where})


def diff(instance: models.Model, fields: list[str], new_values: dict) -> dict:
    """{field: [old, new]} for the fields whose value changes."""
    out = {}
    for field in fields:
        if field in new_values:
            old = getattr(instance, field)
            new = new_values[field]
            if old != new:
                out[field] = [_plain(old), _plain(new)]
    return out


def _plain(value):
    if isinstance(value, models.Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
