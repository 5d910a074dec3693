"""Two-step verification (两步验证) for admins: TOTP authenticators and one-time recovery codes (django-otp).

Who must use it is a setting: ADMIN_TOTP_REQUIRED for committee admins (admins of any organisation that is
not a 团支部 or 待接转团支部), BRANCH_ADMIN_TOTP_REQUIRED for branch admins. Anyone who has set up an
authenticator uses it at every login, required or not. The pages (accounts.views) and the API login
(POST /api/v1/auth/login with `otp`) both ask `login_step` what the password step must be followed by.

Recovery codes are stored as a keyed hash (core.pii.keyed_hash), never in plain text: django-otp's static
tokens hold the first 16 characters of the hash, and a typed code is hashed before it is compared.
django-otp throttles wrong codes per device (each failure doubles the wait) and refuses a TOTP code that
was already used.
"""

import base64
import secrets
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django.db import transaction
from django_otp import verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.services import audit_record
from core import pii
from core.exceptions import DomainError, Invalid, NotAllowed
from orgs.models import OrgAdmin
from orgs.rules import BRANCHES

from .backends import LoginFailed

VERIFY = "verify"  # has an authenticator: the code comes next
ENROL = "enrol"  # must have one and has none: set it up first
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: copied by hand
RECOVERY_LENGTH = 10
DEVICE_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"

WRONG_CODE = "动态验证码或恢复码不正确，或已使用过。请输入身份验证器上当前显示的6位数字，或一个未用过的恢复码。"


def admin_kinds(person) -> tuple[bool, bool]:
    """(committee admin, branch admin): which admin posts the person holds. One query."""
    categories = set(OrgAdmin.objects.filter(person_id=person.pk).values_list("org__category", flat=True))
    return bool(categories - BRANCHES), bool(categories & BRANCHES)


def required_for(person) -> bool:
    if not (settings.ADMIN_TOTP_REQUIRED or settings.BRANCH_ADMIN_TOTP_REQUIRED):
        return False
    committee, branch = admin_kinds(person)
    return (committee and settings.ADMIN_TOTP_REQUIRED) or (branch and settings.BRANCH_ADMIN_TOTP_REQUIRED)


def totp_device(person, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user_id=person.pk, confirmed=confirmed).order_by("-id").first()


def has_device(person) -> bool:
    return TOTPDevice.objects.filter(user_id=person.pk, confirmed=True).exists()


def login_step(person) -> str | None:
    """What must follow a correct password: VERIFY (a code), ENROL (set up an authenticator) or nothing."""
    if has_device(person):
        return VERIFY
    if required_for(person):
        return ENROL
    return None


def _recovery_hash(code: str) -> str:
    typed = "".join(c for c in (code or "").lower() if c.isalnum())
    return pii.keyed_hash("otp-recovery:" + typed)[:16]


def verify(person, code: str):
    """The device that accepts `code` (an authenticator code, or a recovery code, used up), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code:
        return None
    totp = totp_device(person)
    if totp is None:
        return None
    if code.isdigit() and len(code) == totp.digits:
        return verify_token(person, totp.persistent_id, code)
    static = StaticDevice.objects.filter(user_id=person.pk, confirmed=True).first()
    if static is None:
        return None
    device = verify_token(person, static.persistent_id, _recovery_hash(code))
    if device is not None:
        audit_record(actor=person, verb="使用两步验证恢复码", target=person, changes={"left": device.token_set.count()})
    return device


# --- setting up an authenticator --------------------------------------------------------------------


def enrolment_device(person) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so the page can be reloaded."""
    device = totp_device(person, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=person, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as typed into an authenticator app by hand: base32 in groups of four."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def otpauth_uri(device: TOTPDevice, person) -> str:
    """otpauth://totp/智慧团建:姓名?secret=… for scanning; no ID number in it."""
    issuer = settings.OTP_TOTP_ISSUER
    label = quote(f"{issuer}:{person.name}")
    params = urlencode(
        {"secret": base64.b32encode(device.bin_key).decode().rstrip("="), "issuer": issuer, "algorithm": "SHA1",
         "digits": device.digits, "period": device.step},
        quote_via=quote,
    )  # fmt: skip
    return f"otpauth://totp/{label}?{params}"


def qr_svg_data_uri(uri: str) -> str:

    return segno.make(uri, error="m").svg_data_uri(scale=4, border=2)


def recovery_codes_issue(person) -> list[str]:
    """A fresh set of RECOVERY_CODES one-time codes, replacing the old set; shown once, stored hashed."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]
    StaticDevice.objects.filter(user_id=person.pk).delete()
    device = StaticDevice.objects.create(user=person, name=RECOVERY_NAME, confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=_recovery_hash(c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


@transaction.atomic
def enrol_confirm(person, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator being set up with one code from it; it replaces any earlier one.
    Returns the device and the new recovery codes (to be shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user_id=person.pk, confirmed=False).order_by("-id").first()
    code = (code or "").strip().replace(" ", "")
    if device is None or not (code.isdigit() and device.verify_token(code)):
        raise Invalid(
            "验证码不正确：请在身份验证器中添加上面的密钥后，输入它当前显示的6位数字（注意手机时间须准确）。",
            code="otp_invalid",
            errors=[{"field": "code", "message": "验证码不正确。"}],
        )
    TOTPDevice.objects.filter(user_id=person.pk).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = recovery_codes_issue(person)
    audit_record(actor=person, verb="启用两步验证", target=person)
    return device, codes


@transaction.atomic
def recovery_codes_renew(person) -> list[str]:
    if not has_device(person):
        raise Invalid("请先启用两步验证。", code="otp_not_enabled")
    codes = recovery_codes_issue(person)
    audit_record(actor=person, verb="重新生成两步验证恢复码", target=person)
    return codes


def recovery_codes_left(person) -> int:
    return StaticToken.objects.filter(device__user_id=person.pk, device__confirmed=True).count()


@transaction.atomic
def disable(person, *, password: str) -> None:
    """Remove the authenticator and the recovery codes: only where the settings do not require them, and only
    with the current password."""
    if required_for(person):
        raise NotAllowed(
            "您担任的管理员职务要求使用两步验证，不能停用；更换手机请使用“更换身份验证器”。", code="otp_required"
        )
    if not person.check_password(password or ""):
        raise Invalid(
            "登录密码不正确。", code="wrong_password", errors=[{"field": "password", "message": "登录密码不正确。"}]
        )
    TOTPDevice.objects.filter(user_id=person.pk).delete()
    StaticDevice.objects.filter(user_id=person.pk).delete()
    audit_record(actor=person, verb="停用两步验证", target=person)


# --- the API login ------------------------------------------------------------------------------------


class OtpRequired(DomainError):
    status = 401
    code = "otp_required"


OTP_MISSING = "该账号已启用两步验证：请在 otp 字段填写身份验证器上当前的6位动态验证码，或一个未用过的恢复码。"
ENROL_FIRST = (
    "您担任的管理员职务要求两步验证，但尚未绑定身份验证器：请先在网页登录，按提示绑定身份验证器并保存恢复码，"
    "然后在 otp 字段填写动态验证码登录接口。"
)


def login_second_step(person, code: str | None):
    """After a correct password on the API: the device that verified `code`, or None when none is needed.
    401 otp_required when a code is needed and missing (or an authenticator must first be set up on the
    pages), 401 login_failed when it is wrong. No token is issued in either case."""

    step = login_step(person)
    if step is None:
        return None
    if step == ENROL:
        raise OtpRequired(ENROL_FIRST)
    if not (code or "").strip():
        raise OtpRequired(OTP_MISSING)
    device = verify(person, code)
    if device is None:
        raise LoginFailed(WRONG_CODE)
    return device
