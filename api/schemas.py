from ninja import Schema


class ErrorItem(Schema):
    field: str | None = None
    row: int | None = None
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[ErrorItem] = []


def error_responses(*statuses: int) -> dict:
    return {s: ErrorOut for s in statuses}


# Every authenticated endpoint can answer these.
COMMON_ERRORS = error_responses(400, 401, 403, 422)
