"""Reads from the standby, writes to the primary, and read-your-writes (issue 15, item 2).

With DATABASE_REPLICA_URL set (config/settings.py), the aliases in REPLICAS name PostgreSQL
hot standbys fed by streaming replication. Nothing reads from them unless asked:

- a view that shows statistics, a list or an export is decorated with `@replica_view`;
- the export worker wraps the writing of a file in `reads_from_replica(at_least=primary_lsn())`.

Inside such a block `ReplicaRouter` sends the ORM's reads to a standby, except:

- inside a transaction on the primary (what a transaction reads must be what it writes);
- the tables that decide who is asking (sessions, tokens, login throttling), always on the primary;
- when the standby has not yet replayed what this user last wrote.

What the asker may see is decided on the primary too: before a view's reads move to a standby, the
apps' access loaders (`register_access_loader`; orgs registers the organisations a person administers)
run on the primary, so an admin whose post was just taken away is refused at once, however far the
standby lags.

Read-your-writes: `ReadYourWritesMiddleware` notices any statement that changes data during a
request (an execute wrapper on the primary's connection) and, when the response is ready, stores the
primary's WAL position (`pg_current_wal_insert_lsn()`: everything written so far, flushed or not) in the shared cache under the user's id. Before a
block reads from a standby it asks the standby whether it has replayed that position
(`pg_last_wal_replay_lsn()`); if not, or if the standby does not answer, the block reads from the
primary. So a user who saves a form and reloads sees the change on whichever app server answers,
however far the standby lags; everyone else may see statistics a moment old. The one extra query per
block doubles as the standby's health check: a standby that is down is skipped for
REPLICA_RETRY_SECONDS and the pages keep working on the primary.
"""

import contextvars
import functools
import logging
import random
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

PRIMARY = "default"
# Tables whose rows decide who is asking, read before any view runs and written on most requests:
# never read from a standby, and writing them does not pin the user to the primary.
BOOKKEEPING_APPS = {"sessions", "axes", "otp_totp", "otp_static", "django_tasks_db"}
BOOKKEEPING_TABLES = ("django_session", "accounts_apitoken", "axes_")
PIN_KEY = "replica-pin:{}"
WRITES = ("INSERT", "UPDATE", "DELETE", "COPY", "MERGE")  # COPY: the member import's bulk insert on PostgreSQL

OUTSIDE = object()  # not inside a replica block (inside one, None means "this block reads from the primary")
_reading_from = contextvars.ContextVar("reading_from", default=OUTSIDE)  # the standby alias of this block, or None
_wrote = contextvars.ContextVar("wrote", default=None)  # a one-item list, set while a request is watched
_down_until: dict[str, float] = {}  # alias → monotonic time before which it is not tried again (this process)
_access_loaders = []  # callables(request) run on the primary before a view's reads move to a standby


def register_access_loader(loader) -> None:
    """`loader(request)` loads (and caches on the request's person) what decides access, from the primary.
    Apps above core register theirs in AppConfig.ready(), so this module imports none of them."""
    _access_loaders.append(loader)


def replicas() -> list[str]:
    return list(settings.DATABASE_REPLICAS)


class ReplicaRouter:
    """Reads inside a replica block go to its standby; every write, and everything else, to the primary."""

    def db_for_read(self, model, **hints):
        alias = _reading_from.get()
        if (
            alias is None
            or alias is OUTSIDE
            or model._meta.app_label in BOOKKEEPING_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return alias

    def db_for_write(self, model, **hints):
        # Explicit, not None: an object read from a standby carries that alias and would otherwise be saved there.
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the standbys are copies of the primary

    def allow_migrate(self, db, app_label, **hints):
        return db == PRIMARY


def primary_lsn() -> str | None:
    """The primary's current WAL position; None where there is no standby (SQLite, or none configured)."""
    if not replicas():
        return None
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return cursor.fetchone()[0]


def _caught_up(alias: str, lsn: str | None) -> bool:
    """Whether the standby answers and has replayed `lsn`; a standby that does not answer rests a while."""
    if _down_until.get(alias, 0) > time.monotonic():
        return False
    try:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn or "0/0"])
            return bool(cursor.fetchone()[0])
    except DatabaseError:
        rest = settings.REPLICA_RETRY_SECONDS
        logger.warning("standby %s does not answer; reading from the primary for %s s", alias, rest)
        _down_until[alias] = time.monotonic() + rest
        connections[alias].close()
        return False


def choose(*, user_id=None, at_least: str | None = None) -> str | None:
    """A standby that has replayed what this user last wrote (and `at_least`), or None for the primary."""
    candidates = replicas()
    if not candidates:
        return None
    lsns = [lsn for lsn in (at_least, cache.get(PIN_KEY.format(user_id)) if user_id else None) if lsn]
    needed = max(lsns, key=_lsn_number) if lsns else None
    random.shuffle(candidates)
    return next((alias for alias in candidates if _caught_up(alias, needed)), None)


def _lsn_number(lsn: str) -> int:
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


@contextmanager
def reads_from_replica(*, user_id=None, at_least: str | None = None):
    """Within the block the ORM reads from a standby when one is fresh enough; yields its alias or None."""
    if _reading_from.get() is not OUTSIDE:  # already inside a block: keep its choice, primary included
        yield _reading_from.get()
        return
    alias = choose(user_id=user_id, at_least=at_least)
    token = _reading_from.set(alias)
    try:
        yield alias
    finally:
        _reading_from.reset(token)


def replica_view(view):
    """A page or API operation that shows statistics, a list or an export: its reads may come from a standby.

    Only for GET: a POST reads what it is about to change from the primary.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not replicas():
            return view(request, *args, **kwargs)
        for load in _access_loaders:
            load(request)
        user = getattr(request, "user", None)
        with reads_from_replica(user_id=getattr(user, "pk", None)):
            return view(request, *args, **kwargs)

    return wrapper


def _notice_writes(execute, sql, params, many, context):
    wrote = _wrote.get()
    if wrote is not None and not wrote[0]:
        head = sql.lstrip()[:6].upper()
        if head.startswith(WRITES) and not any(t in sql for t in BOOKKEEPING_TABLES):
            wrote[0] = True
    return execute(sql, params, many, context)


class ReadYourWritesMiddleware:
    """After a request that changed data, remember the primary's WAL position for its user (shared cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replicas():
            return self.get_response(request)
        token = _wrote.set([False])
        try:
            with connections[PRIMARY].execute_wrapper(_notice_writes):
                response = self.get_response(request)
            user = getattr(request, "user", None)
            if _wrote.get()[0] and getattr(user, "pk", None):
                cache.set(PIN_KEY.format(user.pk), primary_lsn(), settings.REPLICA_PIN_SECONDS)
        finally:
            _wrote.reset(token)
        return response
