"""Login by ID number (SPEC P1, P7).

The user's natural key is the keyed hash of the ID number, so neither the
session nor axes' attempt log ever stores an ID number. A person still on
the initial password (P7) logs in with the last 8 characters of their ID
number, checked against the decrypted number, and must then change it.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.backends import BaseBackend
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from core import pii
from core.exceptions import DomainError
from core.normalize import clean_code
from people.models import AccountState, Person


def normalized_id(raw) -> str:
    return clean_code(raw).upper()


def axes_username(request, credentials: dict) -> str:
    raw = credentials.get("id_number") or credentials.get("username") or ""
    return pii.keyed_hash(normalized_id(raw))


class IdNumberBackend(BaseBackend):
    def authenticate(self, request, id_number=None, password=None, **kwargs):
        if not id_number or password is None:
            return None
        person = Person.objects.filter(id_hash=pii.keyed_hash(normalized_id(id_number))).first()
        if person is None:
            # Spend the time a real check would, so timing does not reveal unknown IDs.
            Person().set_password(password)
            return None
        if not person.is_active:
            return None
        if person.account_state == AccountState.INITIAL:
            # The initial password is no secret (the last 8 of the ID number): it works only for a
            # limited time after the record was entered; after that the admin issues a reset code.
            fresh = person.created_at >= timezone.now() - timedelta(days=settings.INITIAL_PASSWORD_DAYS)
            ok = fresh and constant_time_compare(password.upper(), person.id_number[-8:])
        elif person.account_state == AccountState.ACTIVE:
            ok = person.check_password(password)
        else:
            ok = False
        return person if ok else None

    def get_user(self, user_id):
        person = Person.objects.filter(pk=user_id, is_active=True).first()
        return person


class LoginFailed(DomainError):
    status = 401
    code = "login_failed"
