from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from core.exceptions import Invalid
from excel.workbooks import XLSX_CONTENT_TYPE
from people.queries import person_numbers

# Every id is a BigAutoField: 1 .. 2^63-1. A larger number in a request used to reach the database (a 500 on
# SQLite, which cannot bind it; issue 12 item 16); it is now refused as invalid input (422).
MAX_ID = 2**63 - 1
ID_RANGE_MESSAGE = f"编号超出范围：编号是 1 到 {MAX_ID} 之间的整数，请核对后重试"


def _id_in_range(value: int) -> int:
    if not 1 <= value <= MAX_ID:
        raise PydanticCustomError("id_range", ID_RANGE_MESSAGE)
    return value


# An id in a request body or query: `person_ids: list[Id]`, `branch_id: Id`.
Id = Annotated[int, AfterValidator(_id_in_range), Field(json_schema_extra={"minimum": 1, "maximum": MAX_ID})]


def check_ids(values: dict) -> None:
    """Path and query parameters named `id` or `*_id` in the same range (api.api applies this to every operation)."""
    bad = [
        name
        for name, value in values.items()
        if (name == "id" or name.endswith("_id"))
        and isinstance(value, int)
        and not isinstance(value, bool)
        and not 1 <= value <= MAX_ID
    ]
    if bad:
        raise Invalid(
            f"{'、'.join(bad)}：{ID_RANGE_MESSAGE}。",
            code="invalid",
            errors=[{"field": name, "message": ID_RANGE_MESSAGE} for name in bad],
        )


class ErrorItem(Schema):
    field: str | None = None
    row: int | None = None
    process_id: int | None = None  # 409 process_open: the open process (SPEC-2 W3)
    kind: str | None = None
    message: str


class ErrorOut(Schema):
    code: str
    message: str
    errors: list[ErrorItem] = []


def error_responses(*statuses: int) -> dict:
    return {s: ErrorOut for s in statuses}


# Every authenticated endpoint can answer these.
COMMON_ERRORS = error_responses(400, 401, 403, 422)
# An endpoint on one object: also not found (or not visible to the caller) and conflict with its state.
ERRORS = {**COMMON_ERRORS, 404: ErrorOut, 409: ErrorOut}


def xlsx_doc(description: str = "Excel 工作簿（.xlsx）") -> dict:
    """`openapi_extra` of an operation whose 200 answer is a workbook. The int key, as `response=` declares
    statuses: a "200" beside a declared 200 would be a second key and break /api/v1/docs (issue 14, item 10)."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {XLSX_CONTENT_TYPE: binary}}}}


class PersonOut(Schema):
    """A person as read back (API.md `person`). ID number and mobile are masked for every reader but the
    person (people.queries); whoever manages the record reveals them with `POST …/people/{id}/reveal`."""

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
    league_status: str  # 团籍状态 (SPEC-2 ST1): 正常 or how the member left
    pending_status: str | None  # the status awaiting approval (正常 for a restore), or null


def person_out(person, *, viewer) -> dict:
    """The person as `viewer` reads them: ID number and mobile as people.queries shows them (masked but to oneself)."""

    numbers = person_numbers(viewer=viewer, person=person)
    return {
        "id": person.id,
        "name": person.name,
        "id_number": numbers.id_number,
        "gender": person.gender,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "political_status": person.political_status,
        "league_join_date": person.league_join_date.strftime("%Y-%m") if person.league_join_date else None,
        "education": person.education,
        "occupation": person.occupation,
        "mobile": numbers.mobile,
        "email": person.email,
        "complete": person.complete,
        "verified": person.verified,
        "registered": person.registered,
        "league_status": person.league_status,
        "pending_status": person.pending_status or None,
    }


class PersonRecordOut(PersonOut):
    """A person's record: the basic fields and the ones P11 keeps beside them (as `record_out` reads them)."""

    development_number: str | None
    party_applied_on: str | None


def record_out(person, *, viewer) -> dict:
    return {
        **person_out(person, viewer=viewer),
        "development_number": person.development_number,
        "party_applied_on": person.party_applied_on.strftime("%Y-%m") if person.party_applied_on else None,
    }


class RecordPatchIn(Schema):
    """A personal record's fields (P10, P11); only the ones sent change. Who may change which is the services'
    rule (people.profile): the person their own, the branch admin the ones P11 reserves too."""

    ethnicity: str | None = None
    political_status: str | None = None
    education: str | None = None
    occupation: str | None = None
    mobile: str | None = None
    email: str | None = None
    party_applied: bool | None = None
    party_applied_on: str | None = None
    name: str | None = None
    id_number: str | None = None
    league_join_date: str | None = None
    development_number: str | None = None

    def changes(self) -> dict:
        """The fields sent, as the services take them: null empties a field (party_applied keeps its null)."""
        return {k: ("" if v is None and k != "party_applied" else v) for k, v in self.dict(exclude_unset=True).items()}
