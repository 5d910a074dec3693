"""Rate limits on guessing: logins, registration and reset codes, ID-number look-ups (issues 8 and 12).

django-ratelimit counts in the cache (Redis when REDIS_URL is set, shared by
every process; local memory in the embedded default). A limited caller gets
one Chinese message and status 429, or the caller's own `refusal` where a
refusal must not say why (password reset).

No counter is a switch that one client can flip for everyone (issue 12):
- an attempt refused by one counter is not counted by the counters after it, so refusals of an address
  that is already over its limit never reach the per-account or site-wide counts;
- clients are also counted by address block (IPv4 /24, IPv6 /64), since one holder of a block has
  every address in it;
- the site-wide count of failed logins refuses nobody by itself: over its level, each address block
  gets a much smaller budget of failures (RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK), so a spray
  is slowed down while a right password from a block that has not been failing still logs in.
"""

import ipaddress

from django.conf import settings
from django_ratelimit.core import get_usage, is_ratelimited

from core.exceptions import DomainError


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


TOO_MANY = "尝试次数过多，请稍后再试。如确需帮助，请联系上级组织管理员。"


def _enabled() -> bool:
    return getattr(settings, "RATELIMIT_ENABLE", True)


def address_block(request) -> str:
    """The client's address block: its IPv4 /24 or IPv6 /64 network (an IPv4-mapped IPv6 address as IPv4)."""
    raw = request.META.get("REMOTE_ADDR") or ""
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return "unknown"
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _count(request, group: str, key, rate: str) -> bool:
    """Count one attempt for `key` (a value, or "ip"); True when it is over `rate`."""
    key_fn = key if key == "ip" else (lambda g, r: key)
    return is_ratelimited(request, group=group, key=key_fn, rate=rate, increment=True)


def check_code_attempt(
    request, group: str, *, account: str, refusal: DomainError | None = None, per_block: bool = False
) -> None:
    """Count one attempt at a code in `group`; refuse when the address, the account or the site is over its limit.

    `account` names whose code is tried: the keyed hash of an ID number (never the number) or an
    organisation's id. `refusal` replaces the 429 where every failure must get one answer.
    `per_block`: the account's limit (RATELIMIT_CODES_PER_ACCOUNT) counts per address block, and the
    account as a whole has only the much higher ceiling RATELIMIT_CODES_PER_ORG, so junk attempts from
    one place slow that place down instead of locking the rightful user out (registration codes).
    The counters are checked in order and an attempt refused by one is not counted by the next.
    """
    if not _enabled():
        return
    counters = [("ip", settings.RATELIMIT_CODES_PER_IP)]
    if per_block:
        counters += [
            (f"{account}|{address_block(request)}", settings.RATELIMIT_CODES_PER_ACCOUNT),
            (account, settings.RATELIMIT_CODES_PER_ORG),
        ]
    else:
        counters.append((account, settings.RATELIMIT_CODES_PER_ACCOUNT))
    counters.append(("all", settings.RATELIMIT_CODES_GLOBAL))
    for key, rate in counters:
        if _count(request, group, key, rate):
            raise refusal or RateLimited(TOO_MANY)


# --- failed logins ---------------------------------------------------------------------------------


def _usage(request, group: str, key: str, rate: str, *, increment: bool) -> dict | None:
    return get_usage(request, group=group, key=lambda g, r: key, rate=rate, increment=increment)


def _block_failures(request, *, increment: bool) -> dict | None:
    rate = settings.RATELIMIT_LOGIN_FAILURES_PER_BLOCK
    return _usage(request, "login-failures-block", address_block(request), rate, increment=increment)


def _site_failures(request, *, increment: bool) -> dict | None:
    rate = settings.RATELIMIT_LOGIN_FAILURES_GLOBAL
    return _usage(request, "login-failures", "all", rate, increment=increment)


def login_refused_for_block(request) -> bool:
    """Checked before every login: True when the client's address block has used its failures.

    A block's budget is RATELIMIT_LOGIN_FAILURES_PER_BLOCK; while failed logins site-wide are over
    RATELIMIT_LOGIN_FAILURES_GLOBAL, only RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK of them.
    A block without failures is never refused here, however many other blocks fail.
    """
    if not _enabled():
        return False
    block = _block_failures(request, increment=False)
    if block is None or block["count"] == 0:
        return False
    if block["count"] >= block["limit"]:
        return True
    site = _site_failures(request, increment=False)
    under_attack = site is not None and site["count"] >= site["limit"]
    return under_attack and block["count"] >= settings.RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK


def count_login_failure(request) -> None:
    """Count a failed login whose password was checked (never a refusal that checked none)."""
    if not _enabled():
        return
    _block_failures(request, increment=True)
    _site_failures(request, increment=True)
