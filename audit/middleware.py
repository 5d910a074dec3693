"""Every request's client address and id for the audit trail, and an event for every refused request.

AuditRequestMiddleware sets audit.context for the request, so each event a service records carries
the client address (as django-axes determines it, behind the same proxy settings) and the request
id, which the response also carries in `X-Request-ID` for support.

Once the view has returned, a request is recorded as refused (outcome 拒绝, one event) when a
logged-in caller was refused: a NotAllowed or NotFound was raised while it ran (even if a page caught
it and showed a message), or the answer is 403 or 404 (Http404, PermissionDenied, CSRF). This holds
for every state-changing request (POST, PUT, PATCH, DELETE) on pages and API, and for reads that hand
out personal data in bulk or in full (AUDIT_SENSITIVE_READS: workbook downloads, exports, revealing a
full ID number). The event is written after the view's transaction has rolled back, so it stays.
Anonymous refusals are not recorded (they cannot be attributed, and would let anyone fill the
append-only table); failed logins are counted by django-axes.
"""

import logging
import re
import uuid

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.db import DatabaseError

from core.exceptions import noted_refusals

from .context import RequestContext, current_request
from .models import AuditEvent
from .services import audit_refusal

logger = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
REFUSED_STATUSES = {403, 404}
DEFAULT_SENSITIVE_READS = (r"\.xlsx$", r"/export/", r"reveal", r"/audit")


def _sensitive_read(path: str) -> bool:
    patterns = getattr(settings, "AUDIT_SENSITIVE_READS", DEFAULT_SENSITIVE_READS)
    return any(re.search(p, path) for p in patterns)


class AuditRequestMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = RequestContext(ip=get_client_ip_address(request), request_id=uuid.uuid4().hex)
        refusals: list = []
        request_token, refusals_token = current_request.set(context), noted_refusals.set(refusals)
        try:
            response = self.get_response(request)
            self._record_refusal(request, response, refusals)
        finally:
            current_request.reset(request_token)
            noted_refusals.reset(refusals_token)
        response["X-Request-ID"] = context.request_id
        return response

    def _record_refusal(self, request, response, refusals: list) -> None:
        raised = [e for e in refusals if e.__traceback__ is not None]  # created and raised, not just created
        if not raised and response.status_code not in REFUSED_STATUSES:
            return
        if request.method in SAFE_METHODS and not _sensitive_read(request.path):
            return
        actor = getattr(request, "user", None)
        if not getattr(actor, "is_authenticated", False):
            return
        match = request.resolver_match
        try:
            audit_refusal(
                actor=actor,
                method=request.method,
                path=request.path,
                route=match.view_name if match else "",
                status=response.status_code,
                org=_org_of(match),
                reasons=list(dict.fromkeys((e.code, e.message) for e in raised))[:3],
            )
        except DatabaseError:  # the refusal stands either way; the failure to record it is logged
            logger.exception("could not record a refused request in the audit trail")


def _org_of(match):
    """The organisation a refused request was aimed at, when its URL names one that exists."""
    if match is None:
        return None
    kwargs = match.kwargs
    org_id = kwargs.get("org_id")
    if org_id is None and "pk" in kwargs and "orgs/<int:pk>" in str(match.route):
        org_id = kwargs["pk"]
    if not isinstance(org_id, int):
        return None
    # The event's own foreign key names the organisation model, so audit (below orgs) needs no import of it.
    return AuditEvent.org.field.related_model.objects.filter(pk=org_id).first()
