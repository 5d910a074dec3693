"""Entering a person (SPEC P1, P7, P10, C4): people.services.person_create."""

import datetime as dt

import pytest

from conftest import PASSWORD, make_id_number
from core.exceptions import Conflict, Invalid
from people import services
from people.models import AccountState, Person


def data(**fields):
    base = {
        "name": "王小明",
        "id_number": make_id_number("20000315"),
        "ethnicity": "汉族",
        "political_status": "团员",
        "league_join_date": "2013-09",
        "education": "大学本科",
        "occupation": "学生",
        "mobile": "13812345678",
    }
    base.update(fields)
    return base


def test_it_derives_birth_date_and_gender_from_the_id_number(db):
    male = services.person_create(data=data(id_number=make_id_number("20000315", serial=1)))  # 17th digit 1
    female = services.person_create(data=data(id_number=make_id_number("20000315", serial=2)))  # 17th digit 2
    assert male.birth_date == dt.date(2000, 3, 15)
    assert (male.gender, female.gender) == ("男", "女")


def test_a_complete_record_is_marked_complete(db):
    assert services.person_create(data=data()).complete is True


def test_a_record_without_a_mobile_is_incomplete(db):
    person = services.person_create(data=data(mobile=""))
    assert person.complete is False
    assert person.missing_fields() == ["mobile"]


def test_an_imported_person_starts_on_the_initial_password(db):
    person = services.person_create(data=data())
    assert person.account_state == AccountState.INITIAL
    assert person.must_change_password is True
    assert person.has_usable_password() is False


def test_a_registering_person_chooses_their_password(db):
    person = services.person_create(data=data(), password=PASSWORD, account_state=AccountState.ACTIVE)
    assert person.account_state == AccountState.ACTIVE
    assert person.check_password(PASSWORD)
    assert person.registered_at is not None


def test_it_refuses_a_second_record_for_the_same_id_number(db):
    id_number = "11010519491231002X"
    services.person_create(data=data(id_number=id_number, league_join_date="1963-09"))
    with pytest.raises(Conflict) as exc:
        services.person_create(data=data(name="另一人", id_number=" 110105 19491231 002x", league_join_date="1963-09"))
    assert exc.value.code == "person_exists"
    assert exc.value.status == 409
    assert Person.objects.count() == 1


def test_it_refuses_an_invalid_id_number_with_a_field_error(db):
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(id_number="110105194912310021"))
    assert exc.value.status == 422
    assert [e["field"] for e in exc.value.errors] == ["id_number"]
    assert "校验位" in exc.value.errors[0]["message"]
    assert not Person.objects.exists()


def test_it_collects_every_field_error_at_once(db):
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(mobile="12345", ethnicity="火星族", political_status="群众"))
    assert {e["field"] for e in exc.value.errors} == {"mobile", "ethnicity", "political_status"}


def test_it_requires_name_and_id_number(db):
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(name=" ", id_number=""))
    assert {e["field"] for e in exc.value.errors} == {"name", "id_number"}


@pytest.mark.parametrize("raw", ["2013.09", "2013-9", "201309", "2013年9月", dt.date(2013, 9, 17)])
def test_the_join_month_is_read_as_excel_holds_it(db, raw):
    person = services.person_create(data=data(league_join_date=raw))
    assert person.league_join_date == dt.date(2013, 9, 1)


def test_joining_at_12_before_the_cutoff_is_allowed(db):
    # Born 2000-03; joining 2012-09 is at 12, before 2016-09-01.
    person = services.person_create(data=data(league_join_date="2012-09"))
    assert person.league_join_date == dt.date(2012, 9, 1)


def test_joining_at_11_is_refused(db):
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(league_join_date="2011-09"))
    assert exc.value.errors[0]["field"] == "league_join_date"
    assert "年龄不足12周岁" in exc.value.errors[0]["message"]


def test_joining_at_12_after_the_cutoff_is_refused(db):
    born_2005 = make_id_number("20050315")
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(id_number=born_2005, league_join_date="2017-09"))
    assert "年龄不足13周岁" in exc.value.errors[0]["message"]


def test_joining_at_13_after_the_cutoff_is_allowed(db):
    born_2004 = make_id_number("20040315")
    assert services.person_create(data=data(id_number=born_2004, league_join_date="2017-09")).pk


def test_the_cutoff_date_is_a_setting(db, settings):
    settings.JOIN_AGE_CUTOFF = "2017-01-01"
    born_2004 = make_id_number("20041015")
    # 2016-10 is at 12: allowed with the 2017-01-01 cut-off, not with the seed's 2016-09-01.
    person = services.person_create(data=data(id_number=born_2004, league_join_date="2016-10"))
    assert person.league_join_date == dt.date(2016, 10, 1)


def test_a_join_month_in_the_future_is_refused(db):
    next_year = dt.date.today().year + 1
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(league_join_date=f"{next_year}-01"))
    assert "不能晚于当前月份" in exc.value.errors[0]["message"]


def test_a_weak_password_is_refused_and_nothing_is_saved(db):
    with pytest.raises(Invalid) as exc:
        services.person_create(data=data(), password="12345678", account_state=AccountState.ACTIVE)
    assert exc.value.code == "weak_password"
    assert not Person.objects.exists()
