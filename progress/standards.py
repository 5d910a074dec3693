"""The completion standards of 进度监督 (SPEC S1–S4), in one place.

S1 an organisation's information is complete: `orgs.completeness` (its O1
   fields, and a secretary who has registered and has a mobile number).
S2 a committee has completed cadre entry: at least 2 cadres whose personal
   information is complete. Committees here are 基层团委, 团工委, 团总支 and also
   团的领导机关: a leading body is a 团委 (团省委, 团市委 …), enters its own cadres
   through 团干部列表 like any committee (seed 000 §三.2: "团的领导机关／团委／团工委
   ／团总支管理员前往团干部列表确认"), and its admins must be its cadres (C5).
S3 a 团支部 has completed member entry: at least 3 of its members or cadres
   have complete personal information (each person once).
S4 a person counts as entered when their required personal fields (P10) are
   complete, verified or not: the stored `Person.complete`.

What counts in the totals: every organisation except the system category
待接转团支部 (a holding place for members between branches, with no
information to fill in and no entry to complete); its members do count as
members. Branches are the 团支部 only.
"""

from types import SimpleNamespace

from orgs import completeness
from orgs.rules import Category
from people.models import AccountState

CADRES_REQUIRED = 2  # S2
ENTERED_REQUIRED = 3  # S3
COMMITTEE_CATEGORIES = frozenset({Category.LEADING, Category.PRIMARY, Category.WORKING, Category.GENERAL})


def counts_as_org(category: str) -> bool:
    return category != Category.PENDING


def is_committee(category: str) -> bool:
    return category in COMMITTEE_CATEGORIES


def is_branch(category: str) -> bool:
    return category == Category.BRANCH


def person_complete(person) -> bool:
    """S4."""
    return bool(person.complete)


def org_info_complete(org) -> bool:
    """S1, for an Org instance."""
    return completeness.is_complete(org)


# The Org columns (and the secretary's two) that S1 reads, for bulk evaluation without loading objects.
ORG_VALUES = (
    "id",
    "path",
    *sorted({f for fields in completeness.REQUIRED_BY_CATEGORY.values() for f in fields if f != "secretary"}),
    "secretary_id",
    "secretary__account_state",
    "secretary__mobile_hash",
)


def org_info_complete_values(row: dict) -> bool:
    """S1 for a `values(*ORG_VALUES)` row: the same `orgs.completeness` rules, on plain values.

    The mobile is stored encrypted; its keyed hash is non-empty exactly when a mobile is set.
    """
    secretary = None
    if row["secretary_id"] is not None:
        secretary = SimpleNamespace(
            registered=row["secretary__account_state"] == AccountState.ACTIVE,
            mobile=bool(row["secretary__mobile_hash"]),
        )
    org = SimpleNamespace(**{k: v for k, v in row.items() if "__" not in k}, secretary=secretary)
    return not completeness.missing_fields(org)


def cadre_entry_complete(category: str, complete_cadres: int) -> bool:
    """S2."""
    return is_committee(category) and complete_cadres >= CADRES_REQUIRED


def member_entry_complete(category: str, entered: int) -> bool:
    """S3: `entered` counts each complete member or cadre of the branch once."""
    return is_branch(category) and entered >= ENTERED_REQUIRED
