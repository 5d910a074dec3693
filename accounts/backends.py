"""Login by ID number (SPEC P1, P7).

The user's natural key is the keyed hash of the ID number, so neither the
session nor axes' attempt log ever stores an ID number. A person still on
the initial password (P7) logs in with the last 8 characters of their ID
number, checked against the decrypted number, and must then change it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core import pii
from core.exceptions import DomainError
from core.normalize import clean_code
from people.models import AccountState, Person


def normalized_id(raw) -> str:
    return clean_code(raw).upper()


def id_number_key(raw) -> str:
    """The keyed hash of an ID number as typed: what throttles count by, never the number itself."""
    return pii.keyed_hash(normalized_id(raw))


def axes_username(request, credentials: dict) -> str:
    return id_number_key(credentials.get("id_number") or credentials.get("username") or "")


def spend_password_hash(password: str) -> None:
    """The work of one password check, for a refusal that needs none, so timing does not tell them apart."""
    make_password(password)


class IdNumberBackend(BaseBackend):
    def authenticate(self, request, id_number=None, password=None, **kwargs):
        if not id_number or password is None:
            return None
        if request is not None:
            request.password_checked = True  # accounts.services.login_check: no second hash needed
        person = Person.objects.filter(id_hash=id_number_key(id_number)).first()
        if (
            person is None
            or not person.is_active
            or person.account_state not in (AccountState.INITIAL, AccountState.ACTIVE)
        ):
            # Unknown, deactivated or without an account: the time a real check takes, and no hint.
            spend_password_hash(password)
            return None
        if person.account_state == AccountState.INITIAL:
            # The initial password is no secret (the last 8 of the ID number): it works only for a
            # limited time after the record was entered; after that the admin issues a reset code.
            spend_password_hash(password)  # compared in plain text, so an expired one would answer faster
            fresh = person.created_at >= timezone.now() - timedelta(days=settings.INITIAL_PASSWORD_DAYS)
            ok = fresh and constant_time_compare(password.upper(), person.id_number[-8:])
        else:
            ok = person.check_password(password)
        return person if ok else None

    def get_user(self, user_id):
        person = Person.objects.filter(pk=user_id, is_active=True).first()
        return person


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"
