"""Checking personal fields as they arrive from forms, the API and Excel (SPEC P1, P6, P10, C4).

`clean_person_fields` returns clean values plus a list of field-level
Chinese messages; it touches no database, so imports can validate a whole
file before writing anything.
"""

import datetime as dt
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.normalize import clean_code, clean_text
from core.validators import parse_id_number, parse_mobile

from .choices import EDUCATIONS, ETHNICITIES, OCCUPATIONS, PoliticalStatus

FIELD_LABELS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "ethnicity": "民族",
    "political_status": "政治面貌",
    "league_join_date": "入团年月",
    "education": "学历",
    "occupation": "职业",
    "mobile": "手机号码",
    "email": "电子邮箱",
    "development_number": "发展团员编号",
    "party_applied_on": "递交入党申请书年月",
}
MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-./年](\d{1,2})月?(?:[-./]\d{1,2}日?)?$"),
    re.compile(r"^(\d{4})(\d{2})(?:\d{2})?$"),
]


def parse_year_month(raw: object) -> dt.date:
    """入团年月 as Excel really holds it: a date, 2017.09, 2017-9, 201709, 2017年9月."""
    if isinstance(raw, dt.datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    text = clean_code(raw)
    for pattern in MONTH_PATTERNS:
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            if 1 <= month <= 12 and 1900 <= year <= 2100:
                return dt.date(year, month, 1)
    raise ValidationError(f"入团年月“{text}”无法识别，请按“2017-09”的格式填写年和月。")


def join_age_cutoff() -> dt.date:
    return _iso_date(settings.JOIN_AGE_CUTOFF)


@lru_cache(maxsize=8)
def _iso_date(text: str) -> dt.date:
    # Asked for every row of an import; keyed on the setting's text, so a changed setting is read anew.
    return dt.date.fromisoformat(text)


def check_join_date(join: dt.date, birth: dt.date, *, today: dt.date | None = None) -> None:
    """C4 and P10: at least 13 at joining (12 before the cut-off date); not in the future."""
    today = today or dt.date.today()
    if join > today.replace(day=1):
        raise ValidationError("入团年月不能晚于当前月份。")
    cutoff = join_age_cutoff()
    min_age = 12 if join < cutoff else 13
    # Joining in a month counts if the birthday falls in or before that month.
    age = join.year - birth.year - (join.month < birth.month)
    if age < min_age:
        raise ValidationError(
            f"入团时年龄不足{min_age}周岁（出生于{birth:%Y年%m月}，入团年月{join:%Y年%m月}）："
            f"{cutoff:%Y年%m月%d日}以后入团须年满13周岁，之前须年满12周岁。请核对入团年月或身份证号码。"
        )


POLITICAL_STATUSES = tuple(PoliticalStatus.values)  # computed once: the enum rebuilds the list on every call

DEVELOPMENT_NUMBER_FROM = dt.date(2017, 1, 1)
DEVELOPMENT_NUMBER_HELP = "12位，前4位为入团年份；2017年1月起入团的必填，之前入团的可不填。全国唯一。"
DEVELOPMENT_NUMBER_LENGTH = 12
DEVELOPMENT_NUMBER_PATTERN = re.compile(r"^[0-9A-Z]+$")
# The live system accepts a 2017 number for a 2018 join and the other way round (P11).
DEVELOPMENT_YEAR_TWINS = {2017: {2017, 2018}, 2018: {2017, 2018}}


def check_development_number(number: object, join_date: dt.date | None) -> str | None:
    """P11: the 发展团员编号 that goes with a 入团年月, cleaned; None when there is none.

    Joined on or after 2017-01-01: required, exactly 12 characters, the first
    4 digits the join year (2017 and 2018 stand for each other). Joined
    before: optional, and if given it starts with the join year. Uniqueness
    is nationwide and needs the database: the caller checks it.
    """
    value = clean_code(number).upper() or None
    if join_date is None:
        if value:
            raise ValidationError("请先填写入团年月，发展团员编号须与入团年份对应。")
        return None
    if join_date >= DEVELOPMENT_NUMBER_FROM and not value:
        raise ValidationError(f"{join_date:%Y年%m月}入团的团员须填写发展团员编号（2017年1月起入团的均须填写）。")
    if value is None:
        return None
    if not DEVELOPMENT_NUMBER_PATTERN.match(value):
        raise ValidationError(f"发展团员编号“{value}”只能由数字和字母组成，请核对。")
    if len(value) > DEVELOPMENT_NUMBER_LENGTH or (
        join_date >= DEVELOPMENT_NUMBER_FROM and len(value) != DEVELOPMENT_NUMBER_LENGTH
    ):
        raise ValidationError(f"发展团员编号应为{DEVELOPMENT_NUMBER_LENGTH}位，当前为{len(value)}位，请核对。")
    years = DEVELOPMENT_YEAR_TWINS.get(join_date.year, {join_date.year})
    prefix = value[:4]
    if not (prefix.isdigit() and int(prefix) in years):  # ASCII only, by the pattern above
        expected = "或".join(str(y) for y in sorted(years))
        raise ValidationError(
            f"发展团员编号“{value}”的前4位应为入团年份{expected}（入团年月{join_date:%Y年%m月}），请核对编号或入团年月。"
        )
    return value


def check_party_applied_on(raw: object, *, birth: dt.date | None) -> dt.date | None:
    """递交入党申请书年月: a month, not after the current one nor before the birth month; None when blank."""
    if not clean_text(raw) and not isinstance(raw, dt.date):
        return None
    try:
        month = parse_year_month(raw)
    except ValidationError:
        raise ValidationError(
            f"递交入党申请书年月“{clean_code(raw)}”无法识别，请按“2020-09”的格式填写年和月。"
        ) from None
    if month > dt.date.today().replace(day=1):
        raise ValidationError("递交入党申请书年月不能晚于当前月份。")
    if birth and month < birth.replace(day=1):
        raise ValidationError("递交入党申请书年月不能早于出生年月，请核对。")
    return month


def clean_person_fields(data: dict, *, required: tuple[str, ...] = ("name", "id_number")) -> tuple[dict, list[dict]]:
    """Clean the fields present in `data`; 递交入党申请书年月 is checked against the birth date in the ID number."""
    clean: dict = {}
    errors: list[dict] = []

    def fail(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    for field in required:
        if not clean_text(data.get(field)):
            fail(field, f"请填写{FIELD_LABELS[field]}。")
    if errors:
        return _with_development_number(data, clean, errors)

    if "name" in data:
        name = clean_text(data.get("name"))
        if name and len(name) > 50:
            fail("name", "姓名不能超过50个字。")
        clean["name"] = name
    birth = None
    if data.get("id_number"):
        try:
            parsed = parse_id_number(data["id_number"])
            clean["id_number"] = parsed.value
            birth = parsed.birth_date
        except ValidationError as e:
            fail("id_number", e.messages[0])
    for field, options in (("ethnicity", ETHNICITIES), ("education", EDUCATIONS), ("occupation", OCCUPATIONS)):
        if field in data:
            value = clean_text(data.get(field))
            if value and value not in options:
                fail(field, f"{FIELD_LABELS[field]}“{value}”不在可选范围内，请从下拉列表中选择。")
            clean[field] = value
    if "political_status" in data:
        value = clean_text(data.get("political_status"))
        if value and value not in POLITICAL_STATUSES:
            fail("political_status", f"政治面貌只能是：{'、'.join(POLITICAL_STATUSES)}。")
        clean["political_status"] = value
    if "mobile" in data:
        if clean_text(data.get("mobile")):
            try:
                clean["mobile"] = parse_mobile(data["mobile"])
            except ValidationError as e:
                fail("mobile", e.messages[0])
        else:
            clean["mobile"] = ""
    if "email" in data:
        email = clean_text(data.get("email"))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                fail("email", f"电子邮箱“{email}”格式不正确，例如 name@example.com。")
        clean["email"] = email
    if "league_join_date" in data:
        if clean_text(data.get("league_join_date")) or isinstance(data.get("league_join_date"), dt.date):
            try:
                join = parse_year_month(data["league_join_date"])
                if birth:
                    check_join_date(join, birth)
                clean["league_join_date"] = join
            except ValidationError as e:
                fail("league_join_date", e.messages[0])
        else:
            clean["league_join_date"] = None
    if "party_applied_on" in data:
        try:
            clean["party_applied_on"] = check_party_applied_on(data["party_applied_on"], birth=birth)
        except ValidationError as e:
            fail("party_applied_on", e.messages[0])
    return _with_development_number(data, clean, errors)


def _with_development_number(data: dict, clean: dict, errors: list[dict]) -> tuple[dict, list[dict]]:
    """发展团员编号 (P11), when the input has the field: checked against the 入团年月 just cleaned.

    Nothing is said when the join date itself failed: its own message comes first. Uniqueness needs
    the database: people.services.require_development_number_free.
    """
    if "development_number" in data and not any(e["field"] == "league_join_date" for e in errors):
        try:
            clean["development_number"] = check_development_number(
                data["development_number"], clean.get("league_join_date")
            )
        except ValidationError as e:
            errors.append({"field": "development_number", "message": e.messages[0]})
            clean["development_number"] = None
    elif "development_number" in data:
        clean["development_number"] = None
    return clean, errors
