"""The one error type services raise for a broken league rule.

Views show `message` to the admin; the API turns it into the error body of
API.md with `status`. Messages are Chinese and say what is wrong and how to fix it.
"""


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, errors: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.errors = errors or []


class NotAllowed(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Invalid(DomainError):
    status = 422
    code = "invalid"
