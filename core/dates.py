"""Calendar arithmetic the league rules use ("founded 6 months before", "joined a year before", "15 months")."""

import datetime as dt

from django.utils import timezone

from .exceptions import Invalid


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` earlier (the month's last day where it has fewer days)."""
    return months_after(day, -months)


def months_after(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it has fewer days)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month + 1, d)
        except ValueError:
            continue
    raise ValueError(day)


def year_or_current(text) -> int:
    """A page's ?year=: a year from 2000 to 2100, else this year."""
    try:
        year = int(text)
    except (TypeError, ValueError):
        return timezone.localdate().year
    return year if 2000 <= year <= 2100 else timezone.localdate().year


def year_param(value) -> int:
    """A yearly module's year (an export's parameter): refused with a Chinese message unless a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Invalid("请指定年度，例如 2026。", code="invalid") from None


def check_window(year: int, starts_on: dt.date, ends_on: dt.date) -> None:
    """A yearly round's year and window (对标定级, 两制): a four-digit year, the end not before the start."""
    if not 2000 <= year <= 2100:
        raise Invalid("年度应为四位年份，例如 2026。", code="invalid",
                      errors=[{"field": "year", "message": "年度应为四位年份，例如 2026。"}])  # fmt: skip
    if ends_on < starts_on:
        raise Invalid("截止日期不能早于开始日期。", code="invalid",
                      errors=[{"field": "ends_on", "message": "截止日期不能早于开始日期。"}])  # fmt: skip
