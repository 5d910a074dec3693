"""Personal data at rest (core.pii): encrypted columns, keyed look-up, masking."""

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
