"""Mainland mobile numbers (SPEC P10): core.validators.parse_mobile."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import parse_mobile


@pytest.mark.parametrize("prefix", ["13", "14", "15", "16", "17", "18", "19"])
def test_it_accepts_11_digits_starting_13_to_19(prefix):
    number = prefix + "812345678"
    assert parse_mobile(number) == number


@pytest.mark.parametrize(
    "raw",
    [
        "+8613812345678",
        "+86 138 1234 5678",
        " 138 1234 5678 ",
        "138-1234-5678",
        "１３８１２３４５６７８",
        13812345678.0,
    ],
)
def test_it_normalises_what_people_type_or_excel_holds(raw):
    assert parse_mobile(raw) == "13812345678"


def test_it_asks_for_a_missing_number():
    with pytest.raises(ValidationError) as exc:
        parse_mobile("")
    assert "请填写手机号码" in exc.value.messages[0]


@pytest.mark.parametrize(
    "raw",
    [
        "12812345678",  # second digit 2
        "10812345678",
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits
        "02583331234",  # a landline
        "025-8333-1234",
        "8613812345678",  # country code without +
        "1381234567a",
        "23812345678",
    ],
)
def test_it_rejects_a_malformed_number_in_chinese(raw):
    with pytest.raises(ValidationError) as exc:
        parse_mobile(raw)
    assert "手机号码应为11位数字" in exc.value.messages[0]
