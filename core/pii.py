"""Personal data at rest: encryption, keyed look-up hashes and masking.

ID numbers and mobiles are stored encrypted (Fernet, keys from the
environment; the first key encrypts, every key decrypts, so keys rotate by
prepending a new one and re-saving rows). Look-up never decrypts: a keyed
HMAC of the canonical value is stored beside the ciphertext and indexed.
"""

import base64
import hashlib
import hmac
import os
import struct
import threading
import time
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

_BLOCK = 16  # AES block size, bytes


class _Keyring:
    """The ciphers of one PII_ENCRYPTION_KEYS list, set up once (see `_keyring`).

    Decryption is MultiFernet's: every key is tried. Encryption writes the same Fernet token
    (version, time, IV, AES-128-CBC ciphertext, HMAC-SHA256) under the first key, without
    Fernet's per-value set-up: `Fernet.encrypt` builds a new CBC cipher context for every value
    (about half of its cost, a fifth of a large import). Here the key schedule is made once
    into an ECB context, which has no state between blocks, and the CBC chaining is done
    over it (each plaintext block XOR the previous ciphertext block, the first with a fresh
    random IV, as Fernet does); the HMAC starts from the signing key's prepared state.
    `core.tests.test_pii` checks that Fernet itself decrypts what this writes.
    """

    def __init__(self, keys: tuple[str, ...]):
        fernets = [Fernet(key.strip().encode()) for key in keys]
        self.fernet = MultiFernet(fernets)
        first = base64.urlsafe_b64decode(keys[0].strip().encode())
        self._signing = hmac.new(first[:_BLOCK], digestmod=hashlib.sha256)
        self._aes = algorithms.AES(first[_BLOCK:])
        self._local = threading.local()  # a cipher context is not to be shared between threads

    def encrypt(self, data: bytes) -> bytes:
        ecb = getattr(self._local, "ecb", None)
        if ecb is None:
            ecb = self._local.ecb = Cipher(self._aes, modes.ECB()).encryptor()
        fill = _BLOCK - len(data) % _BLOCK
        padded = data + bytes([fill]) * fill  # PKCS7, as Fernet pads
        iv = os.urandom(_BLOCK)
        previous = int.from_bytes(iv, "big")
        blocks = []
        for start in range(0, len(padded), _BLOCK):
            block = int.from_bytes(padded[start : start + _BLOCK], "big") ^ previous
            encrypted = ecb.update(block.to_bytes(_BLOCK, "big"))
            previous = int.from_bytes(encrypted, "big")
            blocks.append(encrypted)
        parts = b"\x80" + struct.pack(">Q", int(time.time())) + iv + b"".join(blocks)
        signature = self._signing.copy()
        signature.update(parts)
        return base64.urlsafe_b64encode(parts + signature.digest())


# The ciphers and the hash state of the current settings, made at first use. Reading the settings on every
# value costs as much as the hash itself; in production they never change while a process runs, and tests
# change them through override_settings, whose signal empties this.
_prepared: dict = {}


@receiver(setting_changed)
def _forget_keys(*, setting, **kwargs):
    if setting in ("PII_ENCRYPTION_KEYS", "PII_HASH_KEY"):
        _prepared.clear()


def _keyring() -> _Keyring:
    keyring = _prepared.get("keyring")
    if keyring is None:
        keyring = _prepared["keyring"] = _Keyring(tuple(settings.PII_ENCRYPTION_KEYS))
    return keyring


def _fernet() -> MultiFernet:
    return _keyring().fernet


def encrypt(value: str) -> str:
    return _keyring().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("无法解密个人信息：加密密钥不匹配（检查 PII_ENCRYPTION_KEYS）") from None


def keyed_hash(value: str) -> str:
    # The HMAC state after the key is prepared once and copied for each value.
    prepared = _prepared.get("hash")
    if prepared is None:
        prepared = _prepared["hash"] = hmac.new(settings.PII_HASH_KEY.encode(), digestmod=hashlib.sha256)
    state = prepared.copy()
    state.update(value.encode())
    return state.hexdigest()


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
