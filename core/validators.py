"""ID numbers (GB 11643) and Chinese mobile numbers.

Each parser takes what a person typed or Excel held, returns the canonical
value, and raises ValidationError with a Chinese message that says what is
wrong and how to fix it.
"""

import datetime as dt
import operator
import re
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError

from core.normalize import clean_code

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# The first two digits: a province-level code of GB/T 2260, or 81/82/83 (residence permits of Hong Kong,
# Macao and Taiwan residents). Deeper digits are not checked: old ID numbers carry county codes that
# have since been abolished and stay valid for life.
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83",
})  # fmt: skip


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    gender: str  # "男" / "女"

    @property
    def initial_password(self) -> str:
        """SPEC P7: imported people start with the last 8 characters."""
        return self.value[-8:]


def id_check_char(first17: str) -> str:
    if len(first17) != len(ID_WEIGHTS):
        raise ValueError("an ID number's check character is computed from its first 17 digits")
    total = sum(map(operator.mul, map(int, first17), ID_WEIGHTS))  # every row of an import: no Python loop
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(raw: object, *, today: dt.date | None = None) -> IdNumber:
    return _parse_id_number(clean_code(raw).upper(), today or dt.date.today())


# The member import parses each ID number twice (the row's check, then the fields derived from it for the
# insert): recent answers are kept, keyed on the day. A refusal is raised anew each time.
@lru_cache(maxsize=4096)
def _parse_id_number(value: str, today: dt.date) -> IdNumber:
    if not value:
        raise ValidationError("请填写身份证号码。", code="id_required")
    if len(value) != 18:
        raise ValidationError(
            f"身份证号码应为18位，当前为{len(value)}位；请核对是否漏填或多填（15位旧号码请换用18位新号码）。",
            code="id_length",
        )
    if not ID_PATTERN.match(value):
        raise ValidationError("身份证号码格式错误：前17位必须是数字，最后一位是数字或X。", code="id_format")
    if value[:2] not in PROVINCE_CODES:
        raise ValidationError(
            f"身份证号码的前两位“{value[:2]}”不是有效的省级行政区划代码（如北京11、江苏32、广东44），请核对第1、2位。",
            code="id_region",
        )
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            f"身份证号码中的出生日期 {value[6:14]} 不是有效日期，请核对第7至14位。", code="id_birth_date"
        ) from None
    if birth > today or birth.year < 1900:
        raise ValidationError(
            f"身份证号码中的出生日期 {birth:%Y-%m-%d} 不合理，请核对第7至14位。", code="id_birth_date"
        )
    if id_check_char(value[:17]) != value[17]:
        raise ValidationError(
            "身份证号码校验位不正确，请逐位核对号码（常见原因：输错一位或两位顺序颠倒）。",
            code="id_checksum",
        )
    gender = "男" if int(value[16]) % 2 else "女"
    return IdNumber(value=value, birth_date=birth, gender=gender)


def parse_mobile(raw: object) -> str:
    value = clean_code(raw)
    if value.startswith("+86"):
        value = value[3:]
    value = value.replace("-", "")
    if not value:
        raise ValidationError("请填写手机号码。", code="mobile_required")
    if not MOBILE_PATTERN.match(value):
        raise ValidationError(
            "手机号码应为11位数字、以13至19开头，例如 13812345678；请勿填写座机或带分机号。",
            code="mobile_format",
        )
    return value


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def validate_mobile(value: str) -> None:
    parse_mobile(value)
