"""The one error type services raise for a broken league rule.

Views show `message` to the admin; the API turns it into the error body of
API.md with `status`. Messages are Chinese and say what is wrong and how to fix it.

A refusal (NotAllowed, NotFound) raised while a request runs is noted in
`noted_refusals`, which audit.middleware sets for each request, so the request
is audited as refused even when a page catches the error and shows it as a message.
"""

from contextvars import ContextVar

# The refusals created during the current request (audit.middleware keeps those actually raised).
noted_refusals: ContextVar[list | None] = ContextVar("noted_refusals", default=None)
NOTED_REFUSALS_MAX = 20


class DomainError(Exception):
    """A broken rule: `message` for the person, `code` and `status` for the API's error body.

    A subclass names its status and default code in its class line, `class Conflict(DomainError, status=409,
    code="conflict")`; a raise may give a more precise `code`.
    """

    status = 400
    code = "bad_request"

    def __init_subclass__(cls, *, status: int | None = None, code: str | None = None, **kwargs):
        super().__init_subclass__(**kwargs)
        if status is not None:
            cls.status = status
        if code is not None:
            cls.code = code

    def __init__(self, message: str, *, code: str | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or []


class _Refusal(DomainError):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        noted = noted_refusals.get()
        if noted is not None and len(noted) < NOTED_REFUSALS_MAX:
            noted.append(self)


class NotAllowed(_Refusal, status=403, code="forbidden"): ...


class NotFound(_Refusal, status=404, code="not_found"): ...


class Conflict(DomainError, status=409, code="conflict"): ...


class Invalid(DomainError, status=422, code="invalid"): ...


def join_messages(messages) -> str:
    """Several field messages as one sentence: "A；B。", never "A。；B。" (issue 14, item 11)."""
    parts = [m.strip().rstrip("。；") for m in messages if m and m.strip()]
    return "；".join(parts) + ("。" if parts else "")
