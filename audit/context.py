"""The request an audit event belongs to: its client address and request id.

audit.middleware sets them for the duration of each request, so audit_record can stamp every event
without each service being handed the request. Outside a request (management commands, the
background worker) there is none and events carry no address.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    ip: str | None
    request_id: str


current_request: ContextVar[RequestContext | None] = ContextVar("audit_current_request", default=None)
