"""One-time codes: 管理员注册码 (SPEC C1, orgs.codes) and 重置密码验证码 (P8, accounts.reset).

A code is 8 characters from `secrets` (a cryptographic source), case-sensitive (C1), drawn from
digits and letters without the look-alikes 0/O/o and 1/l/I/i, so it can be read aloud or copied by
hand. Only a keyed hash is stored (core.pii.keyed_hash), so a database dump reveals none; the plain
code exists once, in the answer to the admin who issued it. A row is live while it is unused, not
replaced by a newer code, not expired and (where wrong tries are counted) not worn out by them.

The models stay in their apps (orgs.RegistrationCode, accounts.PasswordResetCode) with the same
fields: code_hash, expires_at, used_at, replaced_at, and failed_attempts where tries are counted.

Compatibility: registration codes were hashed as "regcode:" + code, exactly as now. Reset codes were
upper-case only and compared without regard to case ("reset:" + CODE.upper()); new reset codes are
hashed under another prefix, so the old, case-blind comparison can only ever match a code issued
before the change (live two days at most) and every new code is compared case-sensitively.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from . import pii

# Digits and letters without 0 O o 1 l I i.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz"
LOOK_ALIKES = "0Oo1lIi"
LENGTH = 8


@dataclass(frozen=True)
class Kind:
    """One kind of code: its hash prefix, how long it lives, how many wrong tries void it."""

    purpose: str
    valid: timedelta
    max_wrong_tries: int | None = None
    legacy: Callable[[str], str] | None = None  # the hash input of codes issued before issue 13, if it differs


REGISTRATION = Kind("regcode", timedelta(days=20))
RESET = Kind("pwreset", timedelta(days=2), max_wrong_tries=5, legacy=lambda code: "reset:" + code.upper())


class State:
    LIVE = "live"
    USED = "used"
    REPLACED = "replaced"
    EXPIRED = "expired"
    WORN_OUT = "worn_out"  # too many wrong tries while it was live


@dataclass
class Issued:
    code: str
    code_hash: str
    expires_at: datetime


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def clean(code: str) -> str:
    """What the person typed, without surrounding spaces; the case is kept (C1)."""
    return (code or "").strip()


def code_hash(kind: Kind, code: str) -> str:
    return pii.keyed_hash(f"{kind.purpose}:{clean(code)}")


def candidate_hashes(kind: Kind, code: str) -> list[str]:
    """The stored hashes `code` may match: the current one, and a code's issued before the change."""
    hashes = [code_hash(kind, code)]
    if kind.legacy is not None:
        hashes.append(pii.keyed_hash(kind.legacy(clean(code))))
    return hashes


def matches(kind: Kind, stored_hash: str, code: str) -> bool:
    """Whether `code` is the code stored as `stored_hash` (constant time for each candidate)."""
    found = False
    for candidate in candidate_hashes(kind, code):
        found |= constant_time_compare(stored_hash, candidate)
    return found


def issue(kind: Kind, count: int, *, now: datetime | None = None) -> list[Issued]:
    """`count` fresh codes with their hashes and expiry; the caller stores the rows."""
    expires = (now or timezone.now()) + kind.valid
    issued = []
    for _ in range(count):
        code = new_code()
        issued.append(Issued(code=code, code_hash=code_hash(kind, code), expires_at=expires))
    return issued


def issue_for(kind: Kind, model, owner_field: str, owners: list, actor, *, now: datetime | None = None) -> list[Issued]:
    """A new code for each of `owners`, stored as a `model` row under `owner_field` and replacing each one's unused
    code: two queries however many owners there are. The plain codes come back in the order of `owners`."""
    now = now or timezone.now()
    replace_unused(model.objects.filter(**{f"{owner_field}__in": [o.pk for o in owners]}), now=now)
    codes = issue(kind, len(owners), now=now)
    model.objects.bulk_create(
        model(**{owner_field: owner}, code_hash=c.code_hash, expires_at=c.expires_at, created_by=actor)
        for owner, c in zip(owners, codes, strict=True)
    )
    return codes


def expiry_text(expires_at: datetime) -> str:
    """A code's expiry as the workbooks print it: local time, to the minute."""
    return f"{timezone.localtime(expires_at):%Y-%m-%d %H:%M}"


def unused_q() -> Q:
    """Rows a new code replaces: not used and not replaced yet (expired ones included, they stay void)."""
    return Q(used_at__isnull=True, replaced_at__isnull=True)


def live_q(kind: Kind, *, now: datetime | None = None) -> Q:
    """Rows whose code still works now."""
    q = unused_q() & Q(expires_at__gt=now or timezone.now())
    if kind.max_wrong_tries is not None:
        q &= Q(failed_attempts__lt=kind.max_wrong_tries)
    return q


def replace_unused(queryset, *, now: datetime | None = None) -> None:
    """Void the unused codes among `queryset`: a newer one replaces them."""
    queryset.filter(unused_q()).update(replaced_at=now or timezone.now())


def count_live(queryset, kind: Kind, *, now: datetime | None = None) -> int:
    """How many codes among `queryset` work now: what a bulk regeneration would replace."""
    return queryset.filter(live_q(kind, now=now)).count()


def state(kind: Kind, row, *, now: datetime | None = None) -> str:
    """Why a stored code does or does not work now (State)."""
    if row.used_at:
        return State.USED
    if row.replaced_at:
        return State.REPLACED
    if row.expires_at <= (now or timezone.now()):
        return State.EXPIRED
    if kind.max_wrong_tries is not None and row.failed_attempts >= kind.max_wrong_tries:
        return State.WORN_OUT
    return State.LIVE


def count_wrong_try(model, pk: int) -> None:
    """One more wrong code tried while the row `pk` was live (atomic, so concurrent tries all count)."""
    model.objects.filter(pk=pk).update(failed_attempts=F("failed_attempts") + 1)
