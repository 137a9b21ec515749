"""Django settings, read from environment variables with safe defaults for the local demo.

SQLite under ``JIXIAO_DATA_DIR`` by default; set ``DATABASE_URL`` for PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from jixiao.importers import MAX_FILE_BYTES as MAX_IMPORT_BYTES
from jixiao.importers import limits as _import_limits

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def envstr(name: str, default: str) -> str:
    """A string setting; an empty variable counts as unset."""
    return os.environ.get(name) or default


def envbool(name: str, default: bool) -> bool:
    """A boolean setting; anything but true/false spellings is a configuration error."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use true or false")


def envint(name: str, default: int) -> int:
    """An integer setting."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: not an integer") from None


def envlist(name: str, default: str) -> list[str]:
    """A comma-separated list setting."""
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parent.parent
# Project-wide templates and static files live in the package, so an installed copy has them.
PACKAGE_DIR = Path(__file__).resolve().parent


def _default_data_dir() -> Path:
    # A checkout keeps its data beside the code; an installed package has no such place.
    root = BASE_DIR if (BASE_DIR / "pyproject.toml").is_file() else Path.cwd()
    return root / "data"


DATA_DIR = Path(envstr("JIXIAO_DATA_DIR", str(_default_data_dir())))


def _generated_secret_key(data_dir: Path) -> str:
    """The key kept in ``DATA_DIR/secret_key``, made (mode 0600) on first use.

    One server needs no configuration this way. Several application servers must share one
    key (``JIXIAO_SECRET_KEY``): each would otherwise make its own, and a session or form
    signed by one would be refused by the others (docs/deploy.md).
    """
    path = data_dir / "secret_key"
    try:
        key = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    data_dir.mkdir(parents=True, exist_ok=True)
    # Written whole under a temporary name, then linked into place: two processes starting at
    # once both end up reading the one key that won, never a half-written file.
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".secret_key.")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(secrets.token_urlsafe(50))
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(tmp, path)
    finally:
        os.unlink(tmp)
    return path.read_text(encoding="ascii").strip()


# The "django-insecure-" prefix makes jixiao.checks refuse such a key when DEBUG is off.
SECRET_KEY = os.environ.get("JIXIAO_SECRET_KEY") or _generated_secret_key(DATA_DIR)
# Off unless asked for: a production server must never show Django's debug pages.
DEBUG = envbool("JIXIAO_DEBUG", False)
ALLOWED_HOSTS = envlist("JIXIAO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("JIXIAO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "rules",
    "jixiao.units",
    "jixiao.accounts",
    "jixiao.access",
    "jixiao.audit",
    "jixiao.targets",
    "jixiao.ledgers",
    "jixiao.metrics",
    "jixiao.scoring",
    "jixiao.rounds",
    "jixiao.workbench",
    "jixiao.surveys",
    "jixiao.publication",
    "jixiao.system",
    "jixiao.api",
    # django-ninja: its Swagger UI page and the files it loads, served from here (no CDN).
    "ninja",
    "jixiao.jobs",
    "jixiao.notifications",
    "jixiao.search",
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    "jixiao.system.middleware.RequestIdMiddleware",
    "jixiao.system.middleware.HeadMiddleware",
    "jixiao.system.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files straight from STATIC_ROOT (compressed, cached for a year by their hashed
    # names), before sessions and the database are touched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jixiao.accounts.middleware.SessionRenewalMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "jixiao.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Turns a locked-out login into the Chinese lockout page (jixiao.accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "jixiao.urls"
WSGI_APPLICATION = "jixiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                # The inbox link's unread count in the header (one query, only when shown).
                "jixiao.notifications.context_processors.inbox",
            ],
        },
    },
]

DATABASE_URL = envstr("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        # Each worker keeps its connection a minute (a new PostgreSQL connection costs more
        # than the login page), checked before reuse in case the server restarted.
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=envint("JIXIAO_DB_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "jixiao.sqlite3"),
            # Each worker keeps its connection: opening one per request, and closing it (the
            # last connection to close checkpoints the WAL) cost more than most pages.
            "CONN_MAX_AGE": envint("JIXIAO_DB_CONN_MAX_AGE", 600),
            "OPTIONS": {
                # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at
                # BEGIN so two writers queue instead of failing with "database is locked".
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                # A writer waits this many seconds for another's transaction (a large import
                # running in the worker) before "database is locked".
                "timeout": envint("JIXIAO_DB_TIMEOUT", 30),
            },
        }
    }

# Pages' expensive parts are cached under the data versions they were computed from
# (jixiao.lib.fragments), so a process-local cache never serves stale data.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "jixiao",
        "OPTIONS": {"MAX_ENTRIES": envint("JIXIAO_CACHE_ENTRIES", 2000)},
    },
    # Counts every server process must share (the survey form's per-address limit): the
    # database, table made by `jixiao migrate` (jixiao.surveys.limits, docs/surveys.md).
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "jixiao_shared_cache",
        "OPTIONS": {"MAX_ENTRIES": 20000},
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The password policy (等保 2.0: 口令复杂度): at least 10 characters of at least 3 of the 4 kinds
# (upper case, lower case, digits, symbols), not like the account's names, not a common
# password, not only digits. The password pages state these rules (jixiao.accounts.passwords).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "jixiao.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "jixiao.accounts.passwords.CharacterKindsValidator", "OPTIONS": {"min_kinds": 3}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(envstr("JIXIAO_STATIC_ROOT", str(DATA_DIR / "static")))
# WhiteNoise scans it at start (and warns when it is missing); collectstatic fills it.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and pre-compressed copies, made by collectstatic (``jixiao serve`` runs it).
    "staticfiles": {"BACKEND": "jixiao.system.static.StaticStorage"},
}

# -- Security: headers, the content security policy, HTTPS behind a proxy (docs/deploy.md) --
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "jixiao.system.views.csrf_failure"
# Pages load scripts, styles and images from this server only; no inline script or style
# (chart data travel as json_script blocks, which are data, not script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}
# JIXIAO_HTTPS=true when the site is reached over HTTPS (nginx terminating TLS, docs/deploy.md):
# cookies only over HTTPS, HSTS, and the proxy's X-Forwarded-Proto trusted to say so. The proxy
# redirects http:// to https:// itself; JIXIAO_SSL_REDIRECT makes Django do it too.
HTTPS = envbool("JIXIAO_HTTPS", False)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = envint("JIXIAO_HSTS_SECONDS", 31536000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
# Browsers' preload list is for public domains, and leaving it takes months: opt in only.
SECURE_HSTS_PRELOAD = HTTPS and envbool("JIXIAO_HSTS_PRELOAD", False)
SECURE_SSL_REDIRECT = envbool("JIXIAO_SSL_REDIRECT", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None

# A request running longer than this many seconds is ended (``jixiao serve`` stops the worker
# serving it and logs the request id); long work is to go to the background later.
REQUEST_TIMEOUT = envint("JIXIAO_REQUEST_TIMEOUT", 60)

AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username or address before its password is tried (django-axes).
    "jixiao.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Object permissions (jixiao.access.perms) for templates' {% has_perm %} and user.has_perm.
    "rules.permissions.ObjectPermissionBackend",
]

# A session ends after this many minutes without a request (等保: idle timeout); every request
# renews it, so an active person is never logged out mid-work.
SESSION_IDLE_MINUTES = envint("JIXIAO_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# Renewed at most once a minute by jixiao.accounts.middleware.SessionRenewalMiddleware.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Login lockout (等保: 登录失败处理, django-axes): this many failed logins in a row lock the
# username, and the address, for JIXIAO_LOGIN_COOLOFF_MINUTES after the last failure. Offices
# behind one NAT address may lock by username only (JIXIAO_LOGIN_LOCKOUT_BY=username). Bureau
# administrators unlock accounts on the account page; the change log records each step.
AXES_FAILURE_LIMIT = envint("JIXIAO_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=envint("JIXIAO_LOGIN_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = envlist("JIXIAO_LOGIN_LOCKOUT_BY", "username,ip_address")
AXES_CLIENT_IP_CALLABLE = "jixiao.lib.actor.client_ip"
AXES_LOCKOUT_CALLABLE = "jixiao.accounts.lockout.locked_out"
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "csrfmiddlewaretoken"]
# The change log records logins; the account pages show attempts (the admin, read-only).
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False

# Behind a TLS-terminating proxy that sets X-Forwarded-For, the change log records the client's
# address from it (docs/deploy.md); off by default, since a client could forge the header.
JIXIAO_TRUST_X_FORWARDED_FOR = envbool("JIXIAO_TRUST_X_FORWARDED_FOR", False)

# Errors are logged with the request id whether or not DEBUG is on (to stderr, and to a file
# when JIXIAO_LOG_FILE is set); the 500 page shows the id so a user can quote it.
LOG_FILE = envstr("JIXIAO_LOG_FILE", "")
LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "jixiao.system.middleware.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "plain",
        },
        **(
            {
                "file": {
                    "class": "logging.handlers.WatchedFileHandler",
                    "filename": LOG_FILE,
                    "filters": ["request_id"],
                    "formatter": "plain",
                    "encoding": "utf-8",
                }
            }
            if LOG_FILE
            else {}
        ),
    },
    "root": {"handlers": ["console", *(["file"] if LOG_FILE else [])], "level": "WARNING"},
    "loggers": {
        # django.request logs every 500 with its traceback; keep it even with DEBUG off.
        "django.request": {"level": "ERROR", "propagate": True},
        "jixiao": {"level": "INFO", "propagate": True},
    },
}

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "workbench:home"
LOGOUT_REDIRECT_URL = "login"

# The public survey form takes at most this many answers per client address per hour
# (counted in the "shared" cache, so across all server processes: docs/surveys.md).
SURVEY_ANSWERS_PER_HOUR = envint("JIXIAO_SURVEY_ANSWERS_PER_HOUR", 30)

# Uploaded documents wait under DATA_DIR/uploads between the preview and the confirmation.
UPLOAD_DIR = DATA_DIR / "uploads"
# Ledger attachments (台账附件) live under MEDIA_ROOT; they are served only through a view that
# checks the login, never as public media.
MEDIA_ROOT = Path(envstr("JIXIAO_MEDIA_ROOT", str(DATA_DIR / "media")))
ATTACHMENT_MAX_BYTES = envint("JIXIAO_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024)

# The API (docs/api.md): records one bulk call takes; unknown tokens from one address within
# 10 minutes before its calls are refused (429).
JIXIAO_API_BULK_MAX = envint("JIXIAO_API_BULK_MAX", 5000)
JIXIAO_API_BAD_TOKEN_LIMIT = envint("JIXIAO_API_BAD_TOKEN_LIMIT", 20)
# Files up to this size are held in memory while a request is read; larger ones are spooled
# to a temporary file. Real target tables are well under it.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Pasted text travels in the request body, which Django caps at this size before any view runs;
# the cap sits a little above the importers' own limit, so the form can refuse an oversized text
# with its Chinese message instead of Django's bare 400. (Uploaded files don't count here;
# the form checks their size against the same limit.)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_IMPORT_BYTES + 1024 * 1024

# Limits every import (target documents, ledger tables) is held to, checked before the work
# (jixiao.importers.limits): the unpacked size and compression ratio of an xlsx/docx, the rows
# and cells of a workbook (paragraphs and table rows of a Word document), the pages of a PDF,
# the time one import may take, and the time LibreOffice may take to convert a .doc.
IMPORT_MAX_UNPACKED_BYTES = envint(
    "JIXIAO_IMPORT_MAX_UNPACKED_BYTES", _import_limits.DEFAULTS.unpacked_bytes
)
IMPORT_MAX_COMPRESSION_RATIO = envint(
    "JIXIAO_IMPORT_MAX_COMPRESSION_RATIO", _import_limits.DEFAULTS.compression_ratio
)
IMPORT_MAX_ROWS = envint("JIXIAO_IMPORT_MAX_ROWS", _import_limits.DEFAULTS.rows)
IMPORT_MAX_CELLS = envint("JIXIAO_IMPORT_MAX_CELLS", _import_limits.DEFAULTS.cells)
IMPORT_MAX_PDF_PAGES = envint("JIXIAO_IMPORT_MAX_PDF_PAGES", _import_limits.DEFAULTS.pdf_pages)
IMPORT_TIME_LIMIT_SECONDS = envint(
    "JIXIAO_IMPORT_TIME_LIMIT_SECONDS", _import_limits.DEFAULTS.seconds
)
DOC_CONVERT_TIMEOUT_SECONDS = envint(
    "JIXIAO_DOC_CONVERT_TIMEOUT_SECONDS", _import_limits.DEFAULTS.doc_convert_seconds
)

# -- Long work in the background (docs/tasks.md) --
# Whole-unit exports (and later imports and recomputations) run as tasks of django-tasks. The
# database backend queues them in our own database, run by ``jixiao worker`` beside the server
# (``./run demo`` starts both); "immediate" runs each task in the request that asks for it.
TASK_BACKEND = envstr("JIXIAO_TASK_BACKEND", "database")
if TASK_BACKEND not in ("database", "immediate"):
    raise ImproperlyConfigured(f"JIXIAO_TASK_BACKEND={TASK_BACKEND!r}: use database or immediate")
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks_db.DatabaseBackend"
            if TASK_BACKEND == "database"
            else "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}
# The files finished jobs produce, served only through a view that checks who asks.
JOB_FILES_DIR = Path(envstr("JIXIAO_JOB_FILES_DIR", str(DATA_DIR / "jobs")))
# Finished jobs' files are deleted after this many days (``jixiao notify daily`` prunes them).
JOB_FILES_DAYS = envint("JIXIAO_JOB_FILES_DAYS", 7)
# A ledger file with more rows than this is imported by the worker, with a progress bar.
LEDGER_IMPORT_JOB_ROWS = envint("JIXIAO_LEDGER_IMPORT_JOB_ROWS", 500)
# A target document upload is read by the worker when it is a picture, a .doc, a scanned PDF
# (OCR) or a PDF of more pages than this; the worker's read may take this many seconds.
TARGET_READ_JOB_PAGES = envint("JIXIAO_TARGET_READ_JOB_PAGES", 3)
TARGET_READ_JOB_SECONDS = envint("JIXIAO_TARGET_READ_JOB_SECONDS", 900)

# -- E-mail of notifications (docs/notifications.md): off unless an SMTP host is set --
EMAIL_HOST = envstr("JIXIAO_EMAIL_HOST", "")
EMAIL_PORT = envint("JIXIAO_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("JIXIAO_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("JIXIAO_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("JIXIAO_EMAIL_TLS", False)
EMAIL_USE_SSL = envbool("JIXIAO_EMAIL_SSL", False)
EMAIL_TIMEOUT = envint("JIXIAO_EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = envstr("JIXIAO_EMAIL_FROM", "jixiao@localhost")
NOTIFY_EMAIL = bool(EMAIL_HOST)
# The address links in e-mails start with (e.g. https://jixiao.example.gov.cn).
SITE_URL = envstr("JIXIAO_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
