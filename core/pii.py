"""Personal data at rest: encryption, keyed look-up hashes and masking.

ID numbers and mobiles are stored encrypted (Fernet, keys from the
environment; the first key encrypts, every key decrypts, so keys rotate by
prepending a new one and re-saving rows). Look-up never decrypts: a keyed
HMAC of the canonical value is stored beside the ciphertext and indexed.
"""

import hashlib
import hmac
from dataclasses import dataclass
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.strip().encode()) for key in settings.PII_ENCRYPTION_KEYS])


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("无法解密个人信息：加密密钥不匹配（检查 PII_ENCRYPTION_KEYS）") from None


def keyed_hash(value: str) -> str:
    return hmac.new(settings.PII_HASH_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:]


@dataclass(frozen=True)
class Numbers:
    """A person's ID number and mobile as one reader may see them: masked, or in full (`full`)."""

    person_id: int
    name: str
    id_number: str
    mobile: str
    full: bool


def numbers_of(person, *, full: bool) -> Numbers:
    """The one place that builds what a reader sees of a person's numbers. Who may see them in full is the
    apps' rule (people.queries for people, orgs.queries for an organisation's secretary); they decide
    `full` and audit a reveal, this masks."""
    return Numbers(
        person_id=person.pk,
        name=person.name,
        id_number=person.id_number if full else mask_id_number(person.id_number),
        mobile=person.mobile if full else mask_mobile(person.mobile),
        full=full,
    )


class EncryptedTextField(models.TextField):
    """A text column holding Fernet ciphertext; Python code sees plain text."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
