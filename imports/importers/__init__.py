"""The importers declared on the framework (imports.importer): members, cadres, child organisations.

Each supplies its template, a row check that is its service's own check, and the decide and apply steps;
`cells` turns a template row's personal cells into what the person checks take.
"""

from core.exceptions import DomainError
from core.normalize import clean_text
from excel import readers
from excel.readers import Column
from imports.importer import Unique
from people.choices import EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus

_PERSON_COLUMNS = {
    c.key: c
    for c in (
        Column("name", "姓名", width=12), Column("id_number", "身份证号码", width=24),
        Column("political_status", "政治面貌", width=14), Column("league_join_date", "入团年月（如2017-09）", width=20),
        Column("development_number", "发展团员编号（2017年起入团必填）", required=False, width=26),
        Column("ethnicity", "民族", required=False, width=12), Column("education", "学历", required=False, width=14),
        Column("occupation", "职业", required=False, width=14), Column("mobile", "手机号码", required=False, width=16),
        Column("email", "电子邮箱（可选）", required=False, width=26),
    )
}  # fmt: skip
# The drop-downs of the personal columns (people.choices).
PERSON_CHOICES = {
    "political_status": PoliticalStatus.values, "ethnicity": ETHNICITIES, "education": EDUCATIONS,
    "occupation": OCCUPATIONS,
}  # fmt: skip


def person_columns(*keys: str) -> tuple[Column, ...]:
    """The template columns of a person's fields, the same in every template that enters people."""
    return tuple(_PERSON_COLUMNS[k] for k in keys)


# A person appears once in a file (members, cadres).
PERSON_UNIQUE = (
    Unique("id_number", "与第{row}行的身份证号码重复，同一人只能填写一行。请删除重复的行。"),
    Unique("development_number", "发展团员编号“{value}”与第{row}行重复，发展团员编号不能重复。请核对。"),
)

# Cells Excel stores in its own ways, turned into what people.validation reads; refused when they cannot be.
_CONVERTERS = {
    "id_number": readers.id_number_cell,
    "league_join_date": readers.month_cell,
    "party_applied_on": lambda v: readers.month_cell(v, label="递交入党申请书年月"),
}


def person_cells(raw: dict) -> tuple[dict, dict]:
    """(values for people.validation, {field: message} of the cells refused as Excel holds them)."""
    data = dict(raw)
    data["political_status"] = "".join(clean_text(raw.get("political_status")).split())
    refused = {}
    for field, convert in _CONVERTERS.items():
        if field in raw:
            try:
                data[field] = convert(raw[field])
            except DomainError as e:
                refused[field] = e.message
    return data, refused


def row_message(refused: dict, errors: list[dict], *extra: str) -> str:
    """One row's message: the refused cells first, then the checks' own words (each once)."""
    messages = [*refused.values(), *(e["message"] for e in errors if e["field"] not in refused), *extra]
    return "".join(dict.fromkeys(messages))


def position_cell(value: object) -> str:
    return "".join(clean_text(value).split())
