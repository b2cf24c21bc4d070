"""Settings of the Jiaxian investment pipeline: the only settings module.

Everything that differs between machines comes from the environment, read by the
small helpers below, which refuse nonsense with ``ImproperlyConfigured`` instead of
guessing. Debug is off unless DJANGO_DEBUG asks for it; with it off, a missing
DJANGO_SECRET_KEY stops the server's start with a message that says what to set (maintenance
commands such as ``check`` and ``migrate`` still run).
Without DATABASE_URL the database is an SQLite file in the project folder.

With debug off the secure values are the defaults (HTTPS redirect, secure cookies, HSTS for a
year), so that ``manage.py check --deploy`` is clean with only DJANGO_SECRET_KEY and
DJANGO_ALLOWED_HOSTS set; each can be relaxed through the environment (docs/operations.md, "Deployment").
"""

import json
import os
import re
import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envbool(name: str, default: bool) -> bool:
    """Read a yes/no variable; anything but the usual spellings is an error."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}.")


def envlist(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list, dropping blanks."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envint(name: str, default: int, *, minimum: int = 0) -> int:
    """Read a whole number of at least ``minimum``; anything else is an error naming the variable."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip()
    if not (value.isascii() and value.isdigit()) or int(value) < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}; got {raw!r}.")
    return int(value)


_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")


def envrate(name: str, default: str) -> str:
    """Read a DRF rate such as ``2000/hour`` (a number of requests per second, minute, hour or day)."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().replace(" ", "")
    if not _RATE.match(value):
        raise ImproperlyConfigured(f"{name} must be a rate such as 100/hour or 10/minute; got {raw!r}.")
    return value


# Off unless asked: ``make run`` and ``make test`` ask (DJANGO_DEBUG=1), a deployment does not.
DEBUG = envbool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# With debug off and no key, the maintenance commands (check, makemigrations, migrate) still run on
# a bare checkout with a throwaway key of this process; serving refuses to start (jiaxian.serving:
# the WSGI and ASGI entry points) and `check --deploy` reports it, both naming the variable.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if SECRET_KEY_MISSING:
    SECRET_KEY = secrets.token_urlsafe(50)
elif not SECRET_KEY:
    # Only ever used with debug on, on a developer's machine.
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])

INSTALLED_APPS = [
    "jiaxian",  # the project's own system checks (jiaxian.serving)
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",  # the system checks of CONTENT_SECURITY_POLICY
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "import_export",  # the ledgers' import in the admin (jiaxian/resources.py)
    "projects",
    "investment",
]

# What the plumbing beneath the apps asks of them (jiaxian never imports an app): who may edit
# which record, the department rule (jiaxian/access.py), for the admin, the API and the import;
# and the model that keeps an import's upload for its confirmation (jiaxian/admin.py).
LEDGER_ACCESS_RULE = "projects.access"
LEDGER_IMPORT_UPLOAD_MODEL = "projects.ImportUpload"
# Django's authentication by password, the signed-in user loaded with the count of their unread
# notifications in the same query (the bell of every admin page).
AUTHENTICATION_BACKENDS = ["investment.notifications.NotifiedModelBackend"]

# The county's prefix of a supervision order's number, as its letters read: 郏督〔2023〕12号.
SUPERVISION_ORDER_PREFIX = os.environ.get("SUPERVISION_ORDER_PREFIX", "郏督")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so that the static files carry the policy too: every response does.
    "csp.middleware.CSPMiddleware",
    # Static files straight from the app server (gunicorn), before anything else touches the request.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A database outage is a 503 (JSON under /api/), not a 500 (jiaxian.outage).
    "jiaxian.outage.DatabaseOutageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "jiaxian.urls"

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
            ],
        },
    },
]

WSGI_APPLICATION = "jiaxian.wsgi.application"

# SQLite in the project folder when DATABASE_URL is unset, so a fresh checkout just works.
DEFAULT_SQLITE_PATH = BASE_DIR / "db.sqlite3"
try:
    DATABASES = {
        "default": dj_database_url.config(
            env="DATABASE_URL",
            default=f"sqlite:///{DEFAULT_SQLITE_PATH}",
            conn_max_age=60,
            conn_health_checks=True,
        )
    }
except ValueError as exc:  # dj-database-url's word for an unknown scheme
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL I understand: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a plan when its estimated cost is high, which the pages over a
    # city's ledgers always are; the compiling costs more than it saves on these short queries
    # (the dashboard at city scale: 2.4 s with it, 1.0 s without; docs/operations.md). A
    # DATABASE_URL that sets its own ?options= keeps them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", "").strip() or BASE_DIR / "staticfiles")
# WhiteNoise serves the static files. With debug off they are collected (``collectstatic``) with
# hashed names and compressed copies, cacheable forever; with debug on (``make run``, the tests)
# they are found in the apps as they are, so that nothing needs collecting.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", "").strip() or BASE_DIR / "media")
# The largest attachment (MB) and the most pixels an attached image may declare (decompression bombs).
ATTACHMENT_MAX_MB = envint("DJANGO_ATTACHMENT_MAX_MB", 20, minimum=1)
ATTACHMENT_MAX_PIXELS = envint("DJANGO_ATTACHMENT_MAX_PIXELS", 50_000_000, minimum=1)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Attachments (jiaxian/uploads.py): private, under DJANGO_MEDIA_ROOT and never under a public
    # URL (downloads go through a view that checks the record's permission). Any storage class, a
    # django-storages one for several app servers, by DJANGO_ATTACHMENT_STORAGE and its options as
    # JSON in DJANGO_ATTACHMENT_STORAGE_OPTIONS (docs/attachments.md).
    "attachments": {
        "BACKEND": os.environ.get("DJANGO_ATTACHMENT_STORAGE", "").strip()
        or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": json.loads(os.environ["DJANGO_ATTACHMENT_STORAGE_OPTIONS"])
        if os.environ.get("DJANGO_ATTACHMENT_STORAGE_OPTIONS", "").strip()
        else {"location": str(MEDIA_ROOT), "file_permissions_mode": 0o640, "directory_permissions_mode": 0o750},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- HTTPS and browser protections ------------------------------------------------------------
# Secure by default with debug off; each can be relaxed through the environment, for instance
# behind a proxy that terminates TLS (DJANGO_SECURE_PROXY_SSL_HEADER=1) or, for a plain-HTTP
# test server, DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SESSION_COOKIE_SECURE=0 DJANGO_CSRF_COOKIE_SECURE=0
# DJANGO_HSTS_SECONDS=0.
SECURE_SSL_REDIRECT = envbool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = envbool("DJANGO_SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("DJANGO_CSRF_COOKIE_SECURE", not DEBUG)
# A year of HTTPS-only once a browser has seen the site (0 turns HSTS off).
SECURE_HSTS_SECONDS = envint("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
# Preloading puts a whole registrable domain (a county's gov.cn domain, not this app's host)
# into the browsers' built-in lists for months: a decision for that domain's owner, not a default
# of one app. Off unless asked, and Django's reminder (security.W021) silenced while it is off.
SECURE_HSTS_PRELOAD = envbool("DJANGO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto: trust it (only then: a client
# could send the header itself).
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if envbool("DJANGO_SECURE_PROXY_SSL_HEADER", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The Content-Security-Policy of every response (django-csp): scripts, styles, fonts, frames and
# requests only from this host, and no inline script, inline style or style attribute at all
# (our pages keep their CSS and scripts in static files), so that markup injected past the escaping
# could neither run nor load anything. Swagger UI's icons are data: images. No page may be framed
# or post a form elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Origins (scheme included: https://invest.example.gov.cn) allowed to post forms, when they differ
# from the host the request names, for instance behind a proxy that rewrites it.
CSRF_TRUSTED_ORIGINS = envlist("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# The throttles' counters (API rates, failed logins). Process memory by default: with several
# gunicorn workers each counts on its own; a shared cache counts for all: the database's
# (DJANGO_CACHE_BACKEND django.core.cache.backends.db.DatabaseCache, DJANGO_CACHE_LOCATION a table
# name, made by `manage.py createcachetable`) serves several app servers, as Redis would.
CACHES = {
    "default": {
        "BACKEND": os.environ.get("DJANGO_CACHE_BACKEND", "").strip()
        or "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": os.environ.get("DJANGO_CACHE_LOCATION", "").strip() or "jiaxian",
    }
}

# Failed logins (the admin's login and POST /api/token/, counted together by jiaxian.logins): after
# this many failures for one username from one address within the window, the login is refused
# (even with the right password) until the window ends.
LOGIN_FAILURE_LIMIT = envint("DJANGO_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_MINUTES = envint("DJANGO_LOGIN_FAILURE_MINUTES", 15, minimum=1)

# How many proxies of our own stand before the app servers, each appending to X-Forwarded-For the
# address it was reached from. 0: the header is the client's say and is ignored (the socket's
# address counts); N: the N-th address from its right is the client (jiaxian.clients). Every
# throttle and the login lockout count clients by it.
TRUSTED_PROXY_COUNT = envint("DJANGO_TRUSTED_PROXY_COUNT", 0)

# The deepest nesting of arrays and objects a JSON body may have; deeper is a 400 before it is
# decoded (Python's decoder recurses per level). No record of the API nests beyond 3.
JSON_MAX_DEPTH = envint("DJANGO_JSON_MAX_DEPTH", 64, minimum=1)

# History is read, never reverted from the admin: a correction is a new change, by someone.
SIMPLE_HISTORY_REVERT_DISABLED = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["jiaxian.api_defaults.ModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter's, refusing a parameter nothing reads (a misspelt filter) with a 400.
        "jiaxian.api_defaults.FilterBackend",
        # An unknown ?ordering= field is a 400, not silently ignored.
        "jiaxian.api_defaults.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "jiaxian.api_defaults.PageNumberPagination",
    "DEFAULT_SCHEMA_CLASS": "jiaxian.api.AutoSchema",
    # The API speaks JSON only: form encodings carry no types ("0" for false, "5" for 5). Its
    # parser refuses a body nested deeper than JSON_MAX_DEPTH (a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": ["jiaxian.parsers.JSONParser"],
    # Amounts stay decimal strings in JSON: money never becomes a float.
    "COERCE_DECIMAL_TO_STRING": True,
    # Rate limits, per user (or per address without one); the throttles read the rates at each
    # request. ``token`` is the token endpoint's, per address: it takes passwords.
    "DEFAULT_THROTTLE_CLASSES": [
        "jiaxian.throttling.UserRateThrottle",
        "jiaxian.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": envrate("DJANGO_THROTTLE_USER", "2000/hour"),
        "anon": envrate("DJANGO_THROTTLE_ANON", "100/hour"),
        "token": envrate("DJANGO_THROTTLE_TOKEN", "10/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Jiaxian investment pipeline API",
    "DESCRIPTION": (
        "Key projects, special-bond reserves and investment-attraction projects of Jiaxian County, "
        "with the year's targets. Amounts are decimal strings in 万元 (ten thousand yuan); ratios have "
        "four places. Every record carries a version: send it back (If-Match or the version field) "
        "and a stale update is refused with 412."
    ),
    "VERSION": "1",
    # English whatever the active language (jiaxian.api.SchemaGenerator).
    "DEFAULT_GENERATOR_CLASS": "jiaxian.api.SchemaGenerator",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Enums named for their model where two share a field name ("stage"), so that a new one
    # never renames an existing one under a client.
    "ENUM_NAME_OVERRIDES": {
        "StageEnum": "investment.choices.TargetEnterpriseStageChoices",
        "SupervisionOrderStageEnum": "investment.choices.SupervisionOrderStageChoices",
        "SupervisionOrderLevelEnum": "investment.choices.SupervisionOrderLevelChoices",
        "OrderReplyDecisionEnum": "investment.choices.OrderReplyDecisionChoices",
        "RankingUnitEnum": "investment.choices.RankingUnitChoices",
        "AttachmentKindEnum": "projects.choices.AttachmentKindChoices",
        # The review stage of every reviewed record (progress reports, indicator values): the
        # name the schema gave it while progress reports alone had it.
        "ProgressReportStageEnum": "projects.choices.ReviewStageChoices",
        "IndicatorAreaEnum": "projects.choices.IndicatorAreaChoices",
        "IndicatorComparisonEnum": "projects.choices.IndicatorComparisonChoices",
        "IndicatorAccumulationEnum": "projects.choices.IndicatorAccumulationChoices",
        "IndicatorFrequencyEnum": "projects.choices.IndicatorFrequencyChoices",
    },
}

# Clerks paste long ledgers into the admin; Django's default of 1,000 fields is too few
# for a year's table of 60+ projects with inlines.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# What one import may read (jiaxian/importing.py; each error names its setting): the uploaded
# file; each zip member (an .xlsx's sheet XML, a CSV of the export's zip) as the archive's
# directory states its size, checked before anything is inflated: the reader holds a sheet in
# memory, about 2.5 MB per MB of sheet XML (measured: docs/benchmarks.md, "The import's memory"); rows; columns.
IMPORT_MAX_UPLOAD_MB = envint("IMPORT_MAX_UPLOAD_MB", 20, minimum=1)
IMPORT_MAX_MEMBER_MB = envint("IMPORT_MAX_MEMBER_MB", 100, minimum=1)
IMPORT_MAX_ROWS = envint("IMPORT_MAX_ROWS", 200_000, minimum=1)
IMPORT_MAX_COLUMNS = envint("IMPORT_MAX_COLUMNS", 200, minimum=1)

# The county named at the head of the quarterly compliance export and in its file names.
COUNTY_NAME = os.environ.get("JIAXIAN_COUNTY_NAME", "").strip() or "郏县"

# --- The key projects published as OC4IDS (projects/oc4ids.py; docs/oc4ids.md) -------------------
# The publisher named in every package; the project id prefix (oc4ids-<prefix>-…), six lowercase
# letters or digits, checked at start (projects.E001); the region of every project's location.
OC4IDS_PUBLISHER_NAME = os.environ.get("OC4IDS_PUBLISHER_NAME", "").strip() or f"{COUNTY_NAME}发展和改革委员会"
OC4IDS_ID_PREFIX = os.environ.get("OC4IDS_ID_PREFIX", "").strip() or "jxdrc0"
OC4IDS_REGION = os.environ.get("OC4IDS_REGION", "").strip() or "河南省平顶山市郏县"
# Anonymous readers get the package only when this is on, and then without the private fields
# (paths in the package, '/' between keys; by default people's names and phone numbers).
OC4IDS_PUBLIC = envbool("OC4IDS_PUBLIC", False)
OC4IDS_PRIVATE_FIELDS = envlist("OC4IDS_PRIVATE_FIELDS", ["parties/people/name", "parties/people/telephone"])

# --- E-mail (the reminders: investment.notifications; docs/notifications.md) ------------------
# DJANGO_EMAIL_URL in one variable (smtp://user:password@host:port, smtp+tls:// for STARTTLS,
# smtp+ssl:// for TLS from the start, console:// to print them), else the usual variables one by
# one. Without either, the console in debug and SMTP on localhost:25 otherwise.
_EMAIL_SCHEMES = {"smtp": (25, False, False), "smtp+tls": (587, True, False), "smtp+ssl": (465, False, True)}
_SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
_CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


def email_url_settings(raw: str) -> dict[str, object]:
    """The e-mail settings that a ``DJANGO_EMAIL_URL`` says; an unknown scheme, a port that is
    not a number or an SMTP address without a host is an error naming the variable. The user
    and password are percent-decoded (an ``@`` in a password is ``%40``)."""
    parts = urlsplit(raw.strip())
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": _CONSOLE_BACKEND}
    if scheme not in _EMAIL_SCHEMES:
        raise ImproperlyConfigured(
            f"DJANGO_EMAIL_URL must start with smtp://, smtp+tls://, smtp+ssl:// or console://; got {raw!r}."
        )
    default_port, use_tls, use_ssl = _EMAIL_SCHEMES[scheme]
    try:
        port = parts.port or default_port
    except ValueError as exc:
        raise ImproperlyConfigured(f"DJANGO_EMAIL_URL has a port that is not a number: {raw!r}.") from exc
    if not parts.hostname:
        raise ImproperlyConfigured(f"DJANGO_EMAIL_URL names no host: {raw!r}.")
    return {
        "EMAIL_BACKEND": _SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


def email_settings(debug: bool) -> dict[str, object]:
    """The e-mail settings from the environment (the module's globals take them)."""
    url = os.environ.get("DJANGO_EMAIL_URL", "").strip()
    if url:
        return email_url_settings(url)
    host = os.environ.get("DJANGO_EMAIL_HOST", "").strip()
    use_tls = envbool("DJANGO_EMAIL_USE_TLS", False)
    use_ssl = envbool("DJANGO_EMAIL_USE_SSL", False)
    if use_tls and use_ssl:
        raise ImproperlyConfigured("DJANGO_EMAIL_USE_TLS and DJANGO_EMAIL_USE_SSL exclude each other: set one.")
    return {
        "EMAIL_BACKEND": _CONSOLE_BACKEND if debug and not host else _SMTP_BACKEND,
        "EMAIL_HOST": host or "localhost",
        "EMAIL_PORT": envint("DJANGO_EMAIL_PORT", 465 if use_ssl else 587 if use_tls else 25, minimum=1),
        "EMAIL_HOST_USER": os.environ.get("DJANGO_EMAIL_HOST_USER", ""),
        "EMAIL_HOST_PASSWORD": os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", ""),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }


globals().update(email_settings(DEBUG))
# A mail server that does not answer fails the try (retried on the next run), not the run.
EMAIL_TIMEOUT = envint("DJANGO_EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "").strip() or "webmaster@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_SUBJECT_PREFIX = f"[{COUNTY_NAME}] "
# The address the links of e-mails and robot messages start with (https://invest.example.gov.cn);
# empty, they carry the page's path alone.
SITE_URL = os.environ.get("JIAXIAN_SITE_URL", "").strip().rstrip("/")
# How many times a reminder is tried by e-mail, or posted to a robot, before it is given up.
REMINDER_MAX_ATTEMPTS = envint("REMINDER_MAX_ATTEMPTS", 5, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
