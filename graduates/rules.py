"""The dates and words of 毕业生 (SPEC-2 GR), read by the services, the job and the pages alike."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError

from core.exceptions import Invalid
from people.validation import parse_year_month

from .models import Flag, NoDateReason

DEFAULT_SWITCH_DATE = "06-01"
SEASON_END = (7, 31)  # GR3/GR6: the graduation season ends on 31 July
# GR5: flagged members who do not leave with their class.
STAYING = (Flag.DELAYED, Flag.TEACHER)


def switch_day(year: int) -> dt.date:
    """GR2: the day of `year` on which marked branches become 毕业生团组织 (settings.GRADUATION_SWITCH_DATE, MM-DD)."""
    text = getattr(settings, "GRADUATION_SWITCH_DATE", "") or DEFAULT_SWITCH_DATE
    month, day = (int(part) for part in text.split("-"))
    return dt.date(year, month, day)


def season_end(year: int) -> dt.date:
    return dt.date(year, *SEASON_END)


def season_over(year: int, today: dt.date) -> bool:
    """After 31 July of `year`: 毕业学生流动团员 may be flagged (GR3), emptied 毕业生团组织 are cleaned up (GR6)."""
    return today > season_end(year)


def check_year(year: int) -> int:
    """A graduation year asked for (a page's or the API's path): four digits, refused in Chinese otherwise."""
    if not 2000 <= year <= 2100:
        raise field_error("year", "毕业年份应为2000至2100之间的四位年份，例如 2026。")
    return year


def field_error(field: str, message: str, code: str = "invalid") -> Invalid:
    return Invalid(message, code=code, errors=[{"field": field, "message": message}])


def parse_expected(raw: object, *, today: dt.date) -> tuple[int, int]:
    """预计毕业年月 as typed or as Excel holds it (2027-06, 2027.06, 2027年6月, a date): (year, month)."""
    try:
        month = parse_year_month(raw)
    except ValidationError:
        raise field_error(
            "expected", f"预计毕业年月“{raw}”无法识别，请按“{today.year + 1}-06”的格式填写年和月。"
        ) from None
    if month.year < today.year or month.year > today.year + 10:
        raise field_error(
            "expected", f"预计毕业年月应在{today.year}年至{today.year + 10}年之间（填写的是{month:%Y-%m}）。"
        )
    return month.year, month.month


def check_mark(expected: object, no_date_reason: str, *, today: dt.date) -> tuple[int | None, int | None, str]:
    """GR1: a date or a reason, exactly one of them: (year, month, reason)."""
    has_date = expected not in (None, "")
    if has_date == bool(no_date_reason):
        raise field_error(
            "expected",
            "请填写预计毕业年月，或（没有毕业时间的）选择无毕业时间原因：教师支部或混合支部，二者只填一项。",
            "date_or_reason",
        )
    if not has_date:
        if no_date_reason not in NoDateReason.values:
            raise field_error(
                "no_date_reason", f"无毕业时间原因只能是{'、'.join(NoDateReason.values)}之一。", "bad_reason"
            )
        return None, None, no_date_reason
    year, month = parse_expected(expected, today=today)
    return year, month, ""
