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


class PersonOut(Schema):
    """A person as read back (API.md `person`). ID number and mobile are masked unless the
    reader manages the record (people.access.sees_full_id)."""

    id: int
    name: str
    id_number: str
    gender: str
    birth_date: str
    ethnicity: str
    political_status: str
    league_join_date: str | None
    education: str
    occupation: str
    mobile: str
    email: str
    complete: bool
    verified: bool
    registered: bool


def person_out(person, *, full: bool) -> dict:
    from core import pii

    return {
        "id": person.id,
        "name": person.name,
        "id_number": person.id_number if full else pii.mask_id_number(person.id_number),
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "league_join_date": person.league_join_date.strftime("%Y-%m") if person.league_join_date else None,
        "education": person.education,
        "occupation": person.occupation,
        "mobile": person.mobile if full else pii.mask_mobile(person.mobile),
        "email": person.email,
        "complete": person.complete,
        "verified": person.verified,
        "registered": person.registered,
    }
