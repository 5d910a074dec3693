from django.db import models

from core import pii

from .models import AuditEvent

# Values under these keys are masked before they are stored.
PII_KEYS = {"id_number": pii.mask_id_number, "mobile": pii.mask_mobile, "secretary_mobile": pii.mask_mobile}
SECRET_KEYS = {"password", "code", "reset_code", "token"}


def redact(changes: dict) -> dict:
    out = {}
    for key, value in changes.items():
        if key in SECRET_KEYS:
            out[key] = "***"
        elif key in PII_KEYS and isinstance(value, str):
            out[key] = PII_KEYS[key](value)
        elif isinstance(value, (list, tuple)) and len(value) == 2 and key in PII_KEYS:
            out[key] = [PII_KEYS[key](v or "") for v in value]
        elif isinstance(value, dict):
            out[key] = redact(value)
        else:
            out[key] = value if isinstance(value, (str, int, float, bool, type(None), list)) else str(value)
    return out


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model,
    org=None,
    changes: dict | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        verb=verb,
        target_type=target._meta.model_name,
        target_id=str(target.pk),
        target_label=str(target)[:200],
        org=org,
        changes=redact(changes or {}),
    )


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
