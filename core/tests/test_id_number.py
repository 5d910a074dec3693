"""GB 11643 ID numbers (SPEC P1): core.validators.parse_id_number."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.validators import id_check_char, parse_id_number

# The standard's own worked example: check character X.
EXAMPLE_X = "11010519491231002X"
# A valid number with a digit check character (17th digit 3: male).
VALID = "440304199912311237"


def rejection(raw, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        parse_id_number(raw, **kwargs)
    return exc.value.messages[0]


def test_it_accepts_a_valid_number_with_a_digit_check_character():
    parsed = parse_id_number(VALID)
    assert parsed.value == VALID


def test_it_accepts_a_check_character_x():
    assert parse_id_number(EXAMPLE_X).value == EXAMPLE_X


def test_it_accepts_a_lowercase_x_and_returns_it_uppercase():
    assert parse_id_number("11010519491231002x").value == EXAMPLE_X


def test_it_normalises_full_width_digits_and_spaces():
    raw = " １１０１０５ １９４９１２３１ ００２ｘ "
    assert parse_id_number(raw).value == EXAMPLE_X


def test_it_accepts_a_number_excel_turned_into_text_with_inner_spaces():
    assert parse_id_number("440304 19991231 1237").value == VALID


def test_it_derives_the_birth_date():
    assert parse_id_number(EXAMPLE_X).birth_date == dt.date(1949, 12, 31)
    assert parse_id_number(VALID).birth_date == dt.date(1999, 12, 31)


def test_it_derives_male_from_an_odd_17th_digit():
    assert parse_id_number(VALID).gender == "男"


def test_it_derives_female_from_an_even_17th_digit():
    assert parse_id_number(EXAMPLE_X).gender == "女"  # 17th digit 2


def test_the_initial_password_is_the_last_8_characters():
    assert parse_id_number(EXAMPLE_X).initial_password == "1231002X"


def test_it_rejects_an_empty_value():
    assert "请填写身份证号码" in rejection("  ")


def test_it_rejects_a_number_that_is_too_short():
    message = rejection(VALID[:17])
    assert "应为18位" in message
    assert "当前为17位" in message


def test_it_rejects_a_number_that_is_too_long():
    assert "当前为19位" in rejection(VALID + "1")


def test_it_points_a_15_digit_old_number_to_the_18_digit_one():
    assert "15位旧号码" in rejection("440304991231123")


def test_it_rejects_letters_among_the_first_17_characters():
    assert "格式错误" in rejection("4403041999123112A7")


def test_it_rejects_a_check_character_other_than_a_digit_or_x():
    assert "格式错误" in rejection("44030419991231123Y")


def test_it_rejects_an_impossible_date():
    first17 = "32010219990230001"  # 30 February
    message = rejection(first17 + id_check_char(first17))
    assert "19990230" in message
    assert "不是有效日期" in message


def test_it_rejects_month_13():
    first17 = "32010219991301001"
    assert "不是有效日期" in rejection(first17 + id_check_char(first17))


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "32010220300101001"
    message = rejection(first17 + id_check_char(first17), today=dt.date(2026, 11, 1))
    assert "不合理" in message


def test_it_accepts_a_birth_date_of_today():
    first17 = "32010220261101001"
    parsed = parse_id_number(first17 + id_check_char(first17), today=dt.date(2026, 11, 1))
    assert parsed.birth_date == dt.date(2026, 11, 1)


def test_it_rejects_a_birth_year_before_1900():
    first17 = "32010218991231001"
    assert "不合理" in rejection(first17 + id_check_char(first17))


def test_it_rejects_a_wrong_check_digit():
    assert "校验位不正确" in rejection(VALID[:17] + "8")


def test_it_rejects_two_swapped_digits():
    swapped = VALID[:14] + VALID[15] + VALID[14] + VALID[16:]
    assert swapped != VALID
    assert "校验位不正确" in rejection(swapped)


def test_it_rejects_x_where_the_check_digit_is_a_number():
    assert "校验位不正确" in rejection(VALID[:17] + "X")


@pytest.mark.parametrize(
    ("first17", "check"),
    [("11010519491231002", "X"), ("44030419991231123", "7"), ("32010220000101001", "6")],
)
def test_the_check_character_follows_the_iso_7064_weights(first17, check):
    assert id_check_char(first17) == check


def test_control_characters_are_dropped_from_typed_values():
    from core.normalize import clean_text

    assert clean_text("王\x00小明\x07 ") == "王小明"


# Issue 14 (12): the first two digits are a province-level code of GB/T 2260 (or 81–83).


def _with_region(region: str) -> str:
    first17 = f"{region}0102" + "19990101" + "123"
    return first17 + id_check_char(first17)


@pytest.mark.parametrize("region", ["00", "99", "10", "20", "24", "30", "38", "47", "55", "60", "66", "70", "80", "84"])
def test_it_rejects_a_number_from_no_province(region):
    with pytest.raises(ValidationError) as e:
        parse_id_number(_with_region(region))
    assert e.value.code == "id_region" and f"“{region}”" in e.value.messages[0]


@pytest.mark.parametrize("region", ["11", "32", "44", "65", "71", "81", "82", "83"])
def test_it_accepts_every_province_and_the_hk_macao_taiwan_permits(region):
    assert parse_id_number(_with_region(region)).value[:2] == region


def test_it_keeps_obsolete_county_codes_valid():
    # 320111 (南京市浦口区) and 342601 (the former 巢湖市, abolished 2011) are both accepted: only the province is checked.
    for region in ("320111", "342601"):
        first17 = f"{region}19800101123"
        assert parse_id_number(first17 + id_check_char(first17)).value.startswith(region)


def test_it_agrees_with_an_independent_check_over_many_generated_numbers():
    """A brute-force oracle written apart from the validator: every accepted number has a province code."""
    import random

    rng = random.Random(14)
    provinces = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
                 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83}  # fmt: skip
    for _ in range(20_000):
        first17 = f"{rng.randint(0, 99):02d}{rng.randint(0, 9999):04d}19{rng.randint(50, 99)}0{rng.randint(1, 9)}1{rng.randint(0, 9)}{rng.randint(0, 999):03d}"
        number = first17 + id_check_char(first17)
        try:
            parse_id_number(number)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted == (int(first17[:2]) in provinces), number
