"""Settings for 智慧团建, driven by the environment.

Development runs with zero configuration (SQLite in the repository root,
DEBUG on, throw-away keys). Production sets DEBUG=0 and supplies every secret;
the helpers below fail loudly on a malformed value instead of guessing.
"""

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or sys.argv[1:2] == ["test"]


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0/true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from None


def env_secret(name: str, dev_default: str) -> str:
    """A secret from the environment; a fixed development value only while DEBUG is on."""
    value = os.environ.get(name, "")
    if value:
        return value
    if DEBUG or TESTING:
        return dev_default
    raise ImproperlyConfigured(f"{name} must be set when DEBUG is off")


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_secret("SECRET_KEY", "dev-only-secret-key-do-not-use-in-production")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

# Personal data (ID numbers, mobiles) is encrypted with the first key of
# PII_ENCRYPTION_KEYS; older keys after it still decrypt, so keys can be rotated.
# PII_HASH_KEY keys the look-up hash; changing it requires re-hashing every row.
PII_ENCRYPTION_KEYS = env_secret("PII_ENCRYPTION_KEYS", "ZGV2LW9ubHktcGlpLWtleS0wMDAwMDAwMDAwMDAwMDA=").split(",")
PII_HASH_KEY = env_secret("PII_HASH_KEY", "dev-only-pii-hash-key")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "csp",
    "treebeard",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "core",
    "audit",
    "people",
    "orgs",
    "workflow",  # the approval engine (SPEC-2 W): above people and orgs, below transfers
    "orgchanges",  # 管理员变更, 组织迁移, 删除组织: processes and rules over orgs, people and transfers
    "exports",  # the export engine: below the apps whose data it exports (they register their kinds)
    "imports",
    "accounts",
    "api",
    "demo",
    "transfers",
    "progress",
    "rating",  # 对标定级 (SPEC-2 DJ): above progress (its 空壳团支部 list), below the demo
    "evaluation",  # 两制 (SPEC-2 EV, RG): 团员教育评议 and 团籍注册
    "standing",  # 团籍状态 (SPEC-2 ST): status changes, 应离团, 离团团员, 恢复团籍
    "graduates",  # 毕业生 (SPEC-2 GR): graduation marks, 毕业生团组织, bulk 毕业转出
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "core.proxy.ClientAddressMiddleware",  # behind nginx: the client's address from PROXY_CLIENT_ADDRESS_HEADER
    "django.middleware.security.SecurityMiddleware",
    "core.operator_site.OperatorSiteMiddleware",  # /operator/ only where OPERATOR_SITE_ENABLED (and OPERATOR_HOSTS)
    "csp.middleware.CSPMiddleware",
    "core.upload_limit.UploadLimitMiddleware",  # an oversized body is refused before anything reads it
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.replicas.ReadYourWritesMiddleware",  # with standbys: a user's reads wait for their own last write
    "core.no_store.NoStoreMiddleware",  # Cache-Control: no-store for logged-in pages and the API
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.SessionGuardMiddleware",  # idle and absolute session limits, two-step check
    "accounts.middleware.ForcePasswordChangeMiddleware",
    "axes.middleware.AxesMiddleware",
    "audit.middleware.AuditRequestMiddleware",  # client address and request id of audit events; refusals
    "core.error_pages.ErrorPageMiddleware",  # Http404 / PermissionDenied of pages → the Chinese page, DEBUG too
    "core.middleware.DomainErrorMiddleware",  # a page's uncaught NotFound → 404, NotAllowed → 403 (one place)
]
CSRF_FAILURE_VIEW = "core.error_pages.csrf_failure"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "orgs.context_processors.admin_orgs_context",
                "workflow.context_processors.inbox",
            ],
            # {% url %} answered from memory after the first time (core/templatetags/cached_url.py says why).
            "builtins": ["core.templatetags.cached_url"],
        },
    },
]

# SQLite is the embedded default. IMMEDIATE transactions take the write lock
# at BEGIN, so two transactions racing for the same row serialise instead of
# failing half-way; WAL lets readers continue during a write.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# Hot standbys (issue 15): DATABASE_REPLICA_URL, comma-separated, names PostgreSQL streaming replicas.
# core.replicas.ReplicaRouter sends the reads of statistics, lists and exports there, every write and
# everything else to the primary, and keeps read-your-writes (REPLICA_PIN_SECONDS: how long a user's
# last write position is remembered; REPLICA_RETRY_SECONDS: how long a standby that did not answer rests).
for _n, _url in enumerate(u for u in os.environ.get("DATABASE_REPLICA_URL", "").split(",") if u.strip()):
    DATABASES[f"replica{_n or ''}"] = dj_database_url.parse(
        _url.strip(), conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
DATABASE_REPLICAS = [alias for alias in DATABASES if alias.startswith("replica")]  # what core.replicas reads from
DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 600)
REPLICA_RETRY_SECONDS = env_int("REPLICA_RETRY_SECONDS", 10)
if len(DATABASES) > 1 and any(db["ENGINE"] != "django.db.backends.postgresql" for db in DATABASES.values()):
    raise ImproperlyConfigured(
        "DATABASE_REPLICA_URL needs PostgreSQL for DATABASE_URL and every replica (streaming replication); "
        "SQLite has no standby. Unset DATABASE_REPLICA_URL or point both at PostgreSQL."
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not the shared in-memory database, so race tests see real SQLite locking.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getpid()}.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.IdNumberBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "orgs:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.NotIdNumberValidator"},  # nor 6+ consecutive characters of it
    {"NAME": "accounts.validators.BirthDateValidator"},
    {"NAME": "accounts.validators.NamePinyinValidator"},
    {"NAME": "accounts.validators.AdminMinimumLengthValidator", "OPTIONS": {"min_length": 12}},
]
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2idHasher",  # why these settings: accounts/hashers.py
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",  # hashes made before; upgraded at the next login
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Login throttling (django-axes). The username handed to axes is the keyed
# hash of the ID number, so no ID number lands in its tables.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
# Off: axes would clear the address's failures too, a fresh budget per own login (issue 12, item 5);
# accounts.services.login_check clears only the failures against the account that logged in.
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
# Form fields axes masks before it stores or logs a failed attempt (it knows only username and
# password); audit.login_attempts also drops the stored form data altogether (issue 12, item 2).
AXES_SENSITIVE_PARAMETERS = [
    "username", "ip_address", "id_number", "mobile", "old_password", "new_password", "new_password2",
    "password2", "reset_code", "code", "csrfmiddlewaretoken",
]  # fmt: skip

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # also an absolute limit from login (accounts.middleware)
# A browser session unused this long ends (0: no idle limit); API tokens expire after the same idle time.
SESSION_IDLE_TIMEOUT_MINUTES = env_int("SESSION_IDLE_TIMEOUT_MINUTES", 30)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# Where the cookies are Secure (production), the __Host- prefix binds them to this exact host: the browser
# accepts them only over HTTPS, with path "/" and no Domain, so a sibling subdomain can neither set nor
# overwrite them (session fixation, CSRF token planting). SESSION_COOKIE_PATH/CSRF_COOKIE_PATH stay "/",
# SESSION_COOKIE_DOMAIN/CSRF_COOKIE_DOMAIN stay unset, as the prefix requires.
if SESSION_COOKIE_SECURE:
    SESSION_COOKIE_NAME = "__Host-sessionid"
if CSRF_COOKIE_SECURE:
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# The operator site (/operator/, Django's admin): off unless set; OPERATOR_HOSTS (comma-separated) limits
# it further to requests addressed to those hosts (core/operator_site.py).
OPERATOR_SITE_ENABLED = env_bool("OPERATOR_SITE_ENABLED", False)
OPERATOR_HOSTS = [h.strip().lower() for h in os.environ.get("OPERATOR_HOSTS", "").split(",") if h.strip()]
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in production: redirect, HSTS; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not (DEBUG or TESTING))
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if (DEBUG or TESTING) else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
# Behind a reverse proxy that sets this header to the connecting address (deploy/nginx.conf: X-Real-IP), it is
# the client's address for throttling and the audit trail (core/proxy.py). Never set it without such a proxy.
PROXY_CLIENT_ADDRESS_HEADER = os.environ.get("PROXY_CLIENT_ADDRESS_HEADER", "")
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts and styles only from our own static files;
# templates carry no inline script (static/js/app.js wires behaviour by data attributes).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],  # progress bars set their width inline
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Rate limits (django-ratelimit) on guessable codes, per address, per account and for the whole site.
RATELIMIT_CODES_PER_IP = os.environ.get("RATELIMIT_CODES_PER_IP", "20/h")
RATELIMIT_CODES_GLOBAL = os.environ.get("RATELIMIT_CODES_GLOBAL", "2000/h")
# Per account: reset codes per ID number (by its keyed hash), registration codes per organisation.
RATELIMIT_CODES_PER_ACCOUNT = os.environ.get("RATELIMIT_CODES_PER_ACCOUNT", "10/h")
# Registration codes count RATELIMIT_CODES_PER_ACCOUNT per (organisation, address block), so junk from one
# place does not lock the rightful registrant out; this much higher ceiling holds per organisation.
RATELIMIT_CODES_PER_ORG = os.environ.get("RATELIMIT_CODES_PER_ORG", "100/h")
# Failed logins (core.ratelimits): per address block (IPv4 /24, IPv6 /64), and site-wide; over the
# site-wide level a block may have only RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK failures in its window.
RATELIMIT_LOGIN_FAILURES_PER_BLOCK = os.environ.get("RATELIMIT_LOGIN_FAILURES_PER_BLOCK", "30/15m")
RATELIMIT_LOGIN_FAILURES_GLOBAL = os.environ.get("RATELIMIT_LOGIN_FAILURES_GLOBAL", "600/m")
RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK = env_int("RATELIMIT_LOGIN_FAILURES_PER_BLOCK_UNDER_ATTACK", 3)
RATELIMIT_ENABLE = env_bool("RATELIMIT_ENABLE", not TESTING)  # tests switch it on where they test it

# Two-step verification (accounts.otp, django-otp): required for committee admins (admins of an organisation
# that is not a 团支部/待接转团支部) outside DEBUG, optional for branch admins. Tests turn it on where they test it.
ADMIN_TOTP_REQUIRED = env_bool("ADMIN_TOTP_REQUIRED", not (DEBUG or TESTING))
BRANCH_ADMIN_TOTP_REQUIRED = env_bool("BRANCH_ADMIN_TOTP_REQUIRED", False)
OTP_TOTP_ISSUER = "智慧团建"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True  # operators do not see authenticator secrets in /operator/

# League rules that are settings (SPEC C4, U3, P8).
JOIN_AGE_CUTOFF = os.environ.get("JOIN_AGE_CUTOFF", "2016-09-01")
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 12)
# P7: the initial password (last 8 of the ID number) stops working this many days after entry.
INITIAL_PASSWORD_DAYS = env_int("INITIAL_PASSWORD_DAYS", 30)
# U3: a transfer request nobody has acted on for this many days returns to its maker.
TRANSFER_AUTO_RETURN_DAYS = env_int("TRANSFER_AUTO_RETURN_DAYS", 10)
# SPEC-2 EV2/RG2 (两制): Party members who keep 团籍 are evaluated only if EVAL_PARTY_MEMBERS; members who joined
# fewer than EVAL_NEW_MEMBER_MONTHS before the round starts are not evaluated; Party members register anyway
# if REGISTER_PARTY_MEMBERS.
EVAL_PARTY_MEMBERS = env_bool("EVAL_PARTY_MEMBERS", False)
EVAL_NEW_MEMBER_MONTHS = env_int("EVAL_NEW_MEMBER_MONTHS", 12)
REGISTER_PARTY_MEMBERS = env_bool("REGISTER_PARTY_MEMBERS", True)
# S6: while on, admins whose direct subordinates have not completed their information see a summary at login.
SUBORDINATE_ENTRY_PHASE = env_bool("SUBORDINATE_ENTRY_PHASE", True)

# Request bodies: anything above UPLOAD_MAX_BYTES is refused (413) before it is read, so a huge
# upload never reaches /tmp; the largest legitimate upload is an import file of 10 MB
# (excel.readers.MAX_UPLOAD_BYTES) plus its multipart framing. Uploads above 2.5 MB go to a
# temporary file instead of memory; form fields (not files) may total 2.5 MB.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 12 * 1024 * 1024)
# Files each admin may upload per hour (import pages and API; 0: no limit). Checked with the rate limits
# above (RATELIMIT_ENABLE), refused with 429 (core.upload_limit.charge_upload).
UPLOAD_QUOTA_PER_HOUR = env_int("UPLOAD_QUOTA_PER_HOUR", 60)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Background imports (API.md): files above IMPORT_BACKGROUND_ROWS rows run in a worker
# (`manage.py db_worker`, started by `make run`); tests run tasks immediately.
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 500)
# Exports (issue 14, item 3): above EXPORT_BACKGROUND_ROWS rows an export is written by the worker and
# downloaded from its job page; the file is kept EXPORT_KEEP_HOURS hours.
EXPORT_BACKGROUND_ROWS = env_int("EXPORT_BACKGROUND_ROWS", 20000)
EXPORT_KEEP_HOURS = env_int("EXPORT_KEEP_HOURS", 24)
# Scheduled jobs (core.scheduler) run once per SCHEDULER_INTERVAL_SECONDS across all workers; a running job
# silent for STALE_JOB_SECONDS lost its worker and is queued again (core.background.resume_stale).
SCHEDULER_INTERVAL_SECONDS = env_int("SCHEDULER_INTERVAL_SECONDS", 300)
STALE_JOB_SECONDS = env_int("STALE_JOB_SECONDS", 120)
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING or env_bool("TASKS_IMMEDIATE", False)
        else "django_tasks_db.DatabaseBackend"
    }
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not (DEBUG or TESTING)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Several processes (gunicorn workers, app servers, background workers) must share the cache: the rate-limit
# counters, the login-failure counts and read-your-writes live there, and a per-process cache would let each
# process count on its own (four workers, four times every limit). So production needs REDIS_URL, unless the
# operator states that exactly one process serves (SINGLE_PROCESS=1; deploy/gunicorn.conf.py then refuses
# more than one worker). Uploaded import files and finished exports are in the database, which every node
# reaches; nothing a request writes stays on one machine's disk.
SINGLE_PROCESS = env_bool("SINGLE_PROCESS", False)
if not (DEBUG or TESTING) and not os.environ.get("REDIS_URL") and not SINGLE_PROCESS:
    raise ImproperlyConfigured(
        "REDIS_URL must be set when DEBUG is off: rate limits, login throttling and read-your-writes need a cache "
        "shared by every process (e.g. REDIS_URL=redis://127.0.0.1:6379/0). A deployment of exactly one process "
        "may set SINGLE_PROCESS=1 instead."
    )
if SINGLE_PROCESS and len(DATABASES) > 1:
    raise ImproperlyConfigured("SINGLE_PROCESS=1 with DATABASE_REPLICA_URL: read-your-writes needs REDIS_URL.")

CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Every handler masks ID numbers and mobiles in every record (core.logging.MaskPersonalData);
# Django's own loggers go to the same handler instead of their unfiltered defaults.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_personal_data": {"()": "core.logging.MaskPersonalData"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["mask_personal_data"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
