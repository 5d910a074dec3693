"""Rate limits on guessing: registration codes and password reset codes (issue 8).

django-ratelimit counts in the cache (Redis when REDIS_URL is set, shared by
every process; local memory in the embedded default). Each attempt counts
per client address, per account (whose code is tried) and site-wide, so
neither many addresses against one account nor a slow spray across accounts
gets far. A limited caller gets one Chinese message and status 429, or the
caller's own `refusal` where a refusal must not say why (password reset).
"""

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited

from core.exceptions import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def check_code_attempt(request, group: str, *, account: str, refusal: DomainError | None = None) -> None:
    """Count one attempt at a code in `group`; refuse when the address, the account or the site is over its limit.

    `account` names whose code is tried: the keyed hash of an ID number (never the number) or an
    organisation's id. `refusal` replaces the 429 where every failure must get one answer.
    """
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return
    over_ip = is_ratelimited(request, group=group, key="ip", rate=settings.RATELIMIT_CODES_PER_IP, increment=True)
    over_account = is_ratelimited(
        request, group=group, key=lambda g, r: account, rate=settings.RATELIMIT_CODES_PER_ACCOUNT, increment=True
    )
    over_all = is_ratelimited(
        request, group=group, key=lambda g, r: "all", rate=settings.RATELIMIT_CODES_GLOBAL, increment=True
    )
    if over_ip or over_account or over_all:
        raise refusal or RateLimited("尝试次数过多，请稍后再试。如确需帮助，请联系上级组织管理员。")


def _login_failures(request, *, increment: bool) -> bool:
    """True when the failures counted so far reach the site-wide limit."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    usage = get_usage(
        request, group="login-failures", key=lambda g, r: "all", rate=settings.RATELIMIT_LOGIN_FAILURES_GLOBAL,
        increment=increment,
    )  # fmt: skip
    return usage is not None and usage["count"] >= usage["limit"]


def login_failures_over_limit(request) -> bool:
    """Whether failed logins site-wide have reached their limit (checked before every login)."""
    return _login_failures(request, increment=False)


def count_login_failure(request) -> None:
    _login_failures(request, increment=True)
