"""Personal data at rest (core.pii): encrypted columns, keyed look-up, masking."""

import hashlib
import hmac

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from conftest import make_id_number
from core import pii
from people.models import Person


def test_it_masks_an_id_number_keeping_region_and_last_four():
    assert pii.mask_id_number("11010519491231002X") == "110105********002X"


def test_it_masks_a_mobile_keeping_the_first_three_and_last_four():
    assert pii.mask_mobile("13812345678") == "138****5678"


def test_masking_an_empty_value_gives_an_empty_string():
    assert pii.mask_id_number("") == ""
    assert pii.mask_mobile("") == ""


def test_encryption_round_trips_and_is_not_plain_text():
    token = pii.encrypt("13812345678")
    assert "13812345678" not in token
    assert pii.decrypt(token) == "13812345678"


def test_the_database_never_holds_a_plain_id_number_or_mobile(make_person):
    person = make_person("张三", mobile="13912345678")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, mobile, id_hash FROM people_person WHERE id = %s", [person.pk])
        raw_id, raw_mobile, id_hash = cursor.fetchone()
    assert person.id_number not in raw_id
    assert "13912345678" not in raw_mobile
    assert person.id_number not in id_hash
    assert Person.objects.get(pk=person.pk).id_number == person.id_number


def test_a_person_is_found_by_id_number_through_the_keyed_hash(make_person):
    person = make_person("李四")
    assert list(Person.objects.by_id_number(person.id_number)) == [person]
    assert not Person.objects.by_id_number(make_id_number()).exists()


def test_fernet_itself_decrypts_what_encrypt_writes_under_the_first_key(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [first, second]
    for value in ("", "1", "13812345678", "11010519491231002X", "一二三四五六七八", "x" * 16, "y" * 47):
        token = pii.encrypt(value)
        assert Fernet(first.encode()).decrypt(token.encode()).decode() == value
        assert pii.decrypt(token) == value
    assert pii.encrypt("13812345678") != pii.encrypt("13812345678")  # a fresh IV each time


def test_the_ciphers_follow_the_setting(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.PII_ENCRYPTION_KEYS = [old]
    token = pii.encrypt("13812345678")
    settings.PII_ENCRYPTION_KEYS = [new, old]  # rotation: the new key encrypts, the old one still decrypts
    assert pii.decrypt(token) == "13812345678"
    assert Fernet(new.encode()).decrypt(pii.encrypt("13912345678").encode()) == b"13912345678"
    settings.PII_ENCRYPTION_KEYS = [new]
    with pytest.raises(ValueError, match="PII_ENCRYPTION_KEYS"):
        pii.decrypt(token)


def test_the_keyed_hash_follows_the_setting(settings):
    settings.PII_HASH_KEY = "one"
    one = pii.keyed_hash("13812345678")
    assert one == hmac.new(b"one", b"13812345678", hashlib.sha256).hexdigest()
    settings.PII_HASH_KEY = "two"
    assert pii.keyed_hash("13812345678") != one
