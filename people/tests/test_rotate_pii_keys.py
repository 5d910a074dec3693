"""Key rotation for personal data (issue 8 item 3): `manage.py rotate_pii_keys` with two keys, and --rehash."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from core import pii
from people.models import Person

pytestmark = pytest.mark.django_db
OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


@pytest.fixture
def keys(settings):
    def use(*keys, hash_key=None):
        settings.PII_ENCRYPTION_KEYS = list(keys)
        if hash_key:
            settings.PII_HASH_KEY = hash_key

    return use  # core.pii's ciphers follow the setting


def raw_tokens():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, id_number, mobile FROM {Person._meta.db_table} ORDER BY id")
        return cursor.fetchall()


def test_rotation_re_encrypts_every_row_under_the_new_key(keys, make_person):
    keys(OLD)
    people = [make_person(f"人员{i}", birth=f"200{i}0101", password=None) for i in range(5)]
    expected = {p.pk: (p.id_number, p.mobile) for p in people}
    keys(NEW, OLD)  # step 2: the new key first, the old one still decrypts
    call_command("rotate_pii_keys", batch_size=2)
    keys(NEW)  # step 4: the old key is gone
    for pk, id_token, mobile_token in raw_tokens():
        assert Fernet(NEW.encode()).decrypt(id_token.encode()).decode() == expected[pk][0]
        assert Fernet(NEW.encode()).decrypt(mobile_token.encode()).decode() == expected[pk][1]
    for p in Person.objects.all():
        assert (p.id_number, p.mobile) == expected[p.pk]
        assert Person.objects.by_id_number(p.id_number).get() == p


def test_a_row_no_key_can_decrypt_stops_the_command(keys, make_person):
    keys(OLD)
    make_person("人员", password=None)
    keys(NEW)  # the old key dropped too early
    with pytest.raises(Exception, match="无法用 PII_ENCRYPTION_KEYS"):
        call_command("rotate_pii_keys")


def test_rehash_makes_people_findable_under_a_new_hash_key(keys, make_person):
    keys(OLD, hash_key="old-hash-key")
    person = make_person("人员", password=None)
    keys(OLD, hash_key="new-hash-key")
    assert not Person.objects.by_id_number(person.id_number).exists()
    call_command("rotate_pii_keys", rehash=True)
    found = Person.objects.by_id_number(person.id_number).get()
    assert found.pk == person.pk and found.mobile_hash == pii.keyed_hash(person.mobile)
