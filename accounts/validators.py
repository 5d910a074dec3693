"""The password policy (settings.AUTH_PASSWORD_VALIDATORS), with Chinese messages.

Every way a password is set (change, 忘记密码, both registrations, entry with a password) goes through
people.services.validate_new_password, so these rules hold on every path. Besides Django's common-password
and all-digits rules: nothing guessable from the person's own record (the ID number or a long run of it,
the birth date in its usual spellings, the name or its pinyin), and a longer minimum for admins.
"""

import datetime as dt
import itertools
import re

from django.core.exceptions import ValidationError

from core.validators import parse_id_number
from orgs.models import OrgAdmin

# Runs of this many consecutive characters of the ID number may not appear in a password.
ID_RUN = 6
# Separators people type inside dates ("2000-01-01", "2000.1.1", "2000年1月1日").
_DATE_SEPARATORS = re.compile(r"[\s\-./_年月日]")
_NOT_LETTERS = re.compile(r"[^a-z]")
# A pinyin fragment shorter than this (e.g. "li", "wang") is too common to refuse on its own.
MIN_PINYIN = 4
# At most this many readings of a name with several polyphonic characters (单 dan/shan, 曾 zeng/ceng, ...).
MAX_READINGS = 32


def _id_number(user) -> str:
    return (getattr(user, "id_number", "") or "").upper()


class NotIdNumberValidator:
    """Not the ID number, not its last 8 characters (the initial password), and no run of ID_RUN of its characters."""

    def __init__(self, min_run: int = ID_RUN):
        self.min_run = min_run

    def validate(self, password, user=None):
        id_number = _id_number(user)
        if not id_number:
            return
        typed = password.upper()
        if typed == id_number or typed == id_number[-8:]:
            raise ValidationError("新密码不能是身份证号码或其后8位（初始密码）。", code="password_is_id")
        for start in range(len(id_number) - self.min_run + 1):
            if id_number[start : start + self.min_run] in typed:
                raise ValidationError(
                    f"密码不能包含身份证号码中连续{self.min_run}位及以上的字符。", code="password_contains_id"
                )

    def get_help_text(self):
        return f"密码不能是身份证号码或其后8位，也不能包含身份证号码中连续{self.min_run}位及以上的字符。"


def _birth_date(user) -> dt.date | None:
    birth = getattr(user, "birth_date", None)
    if birth:
        return birth
    id_number = _id_number(user)
    if not id_number:
        return None

    try:
        return parse_id_number(id_number).birth_date
    except ValidationError:
        return None


def birth_date_spellings(birth: dt.date) -> set[str]:
    """The ways a birth date is commonly typed into a password, separators removed."""
    y4, y2 = f"{birth.year:04d}", f"{birth.year % 100:02d}"
    m2, d2, m1, d1 = f"{birth.month:02d}", f"{birth.day:02d}", str(birth.month), str(birth.day)
    spellings = {y4 + m2 + d2, y2 + m2 + d2, m2 + d2 + y4, d2 + m2 + y4, m2 + d2 + y2, d2 + m2 + y2}
    spellings |= {y4 + m1 + d1, m1 + d1 + y4, d1 + m1 + y4}  # unpadded: 2000-1-1, 1-1-2000
    return {s for s in spellings if len(s) >= 6}


class BirthDateValidator:
    """No birth date: yyyymmdd, yymmdd, mmddyyyy, ddmmyyyy, mmddyy, ddmmyy, also with separators or unpadded."""

    def validate(self, password, user=None):
        birth = _birth_date(user)
        if birth is None:
            return
        typed = _DATE_SEPARATORS.sub("", password)
        if any(spelling in typed for spelling in birth_date_spellings(birth)):
            raise ValidationError("密码不能包含出生日期。", code="password_contains_birth_date")

    def get_help_text(self):
        return "密码不能包含出生日期（如 20000101、000101、01012000）。"


def name_pinyin_forms(name: str) -> set[str]:
    """The name's pinyin in the orders people type it: 张晓明 → zhangxiaoming, xiaomingzhang, xiaoming.

    Every reading of polyphonic characters counts (up to MAX_READINGS); forms shorter than MIN_PINYIN
    letters are left out as too common.
    """
    # Imported here, not at the top: pypinyin loads its dictionaries on import (1.5 s measured), a cost
    # every process start would pay although only a password check needs it.
    from pypinyin import Style, pinyin

    hanzi = [c for c in name if "\u4e00" <= c <= "\u9fff"]
    if not hanzi:
        return set()
    readings = pinyin("".join(hanzi), style=Style.NORMAL, heteronym=True)
    forms = set()
    for combo in itertools.islice(itertools.product(*readings), MAX_READINGS):
        syllables = [_NOT_LETTERS.sub("", s.lower()) for s in combo]
        surname, given = syllables[0], "".join(syllables[1:])
        forms.add(surname + given)
        if len(syllables) >= 2:
            forms.add(given + surname)
        if len(syllables) >= 3:
            forms.add(given)  # a given name of two or more characters
    return {f for f in forms if len(f) >= MIN_PINYIN}


class NamePinyinValidator:
    """No name: neither in characters nor in pinyin (full name, given name first, or the given name alone)."""

    def validate(self, password, user=None):
        name = (getattr(user, "name", "") or "").strip()
        if not name:
            return
        hanzi = "".join(c for c in name if "\u4e00" <= c <= "\u9fff")
        if len(hanzi) >= 2 and hanzi in password:
            raise ValidationError("密码不能包含姓名。", code="password_contains_name")
        letters = _NOT_LETTERS.sub("", password.lower())
        if any(form in letters for form in name_pinyin_forms(name)):
            raise ValidationError("密码不能包含姓名的拼音。", code="password_contains_name")

    def get_help_text(self):
        return "密码不能包含姓名或姓名的拼音。"


class MinimumLengthValidator:
    """Django's length rule with a Chinese message (its translation of the 5.x wording is missing)."""

    def __init__(self, min_length: int = 8):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短，至少需要{self.min_length}个字符。", code="password_too_short")

    def get_help_text(self):
        return f"密码至少需要{self.min_length}个字符。"


def is_admin_for_password(user) -> bool:
    """An admin (any orgs.OrgAdmin post), or someone becoming one: admin registration sets
    `password_policy_admin` on the person before the password is checked."""
    flag = getattr(user, "password_policy_admin", None)
    if flag is not None:
        return bool(flag)
    if user is None or not getattr(user, "pk", None):
        return False

    return OrgAdmin.objects.filter(person_id=user.pk).exists()


class AdminMinimumLengthValidator:
    """Admins (people holding any 管理员 post) need a longer password."""

    def __init__(self, min_length: int = 12):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length and is_admin_for_password(user):
            raise ValidationError(f"组织管理员的密码至少需要{self.min_length}个字符。", code="admin_password_too_short")

    def get_help_text(self):
        return f"组织管理员的密码至少需要{self.min_length}个字符。"
