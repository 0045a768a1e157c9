"""Settings for the provincial COVID-19 technology rollout product.

Every setting that differs between machines comes from an environment variable. Defaults are the
development ones: SQLite and a file-system broker under ``var/``, so ``make run`` needs no server.
Nonsense values fail loudly at start-up rather than quietly doing something else.
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None


def env_seconds(name: str, default: float) -> float:
    """A duration in seconds, fractions allowed (e.g. 0.5); more than 0, at most 60."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 < value <= 60:
        raise ImproperlyConfigured(f"{name} must be more than 0 and at most 60 seconds, got {raw!r}")
    return value


def env_time(name: str, default: str) -> time:
    raw = os.environ.get(name) or default
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a time like 06:30, got {raw!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_rate(name: str, default: str) -> str:
    """A rate limit like "60/m" (count per s, m, h or d)."""
    raw = os.environ.get(name) or default
    count, _slash, unit = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or unit not in {"s", "m", "h", "d"}:
        raise ImproperlyConfigured(f"{name} must be a rate like 60/m, got {raw!r}")
    return raw


def env_positive_int(name: str, default: int) -> int:
    value = env_int(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a positive integer, got {value}")
    return value


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DJANGO_DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")
    # Development only: a fixed, obviously insecure key so sessions survive restarts.
    SECRET_KEY = "django-insecure-development-key-only-for-local-use-0123456789"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# Absolute base used in links that leave the site (QR codes, e-mails): e.g. https://covid.laocai.gov.vn
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000").rstrip("/")
# In production a SITE_URL on this machine is an error (system check rollout.E001) and posters refuse to print.
REQUIRE_PUBLIC_SITE_URL = env_bool("REQUIRE_PUBLIC_SITE_URL", not DEBUG)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "rollout",
    "venues",
    "platforms",
    "checkpoints",
    "dashboard",
    "tracing",
    "reports",
]

MIDDLEWARE = [
    # Outermost, so every answer carries the policies: pages, API, the 503 and 500 pages, redirects.
    "csp.middleware.CSPMiddleware",
    "rollout.middleware.PermissionsPolicyMiddleware",
    # Turns a view's "database unavailable" error into a 503 page, with DEBUG on too (rollout/outage.py).
    "rollout.outage.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the path or the query string: a NUL in a search would reach PostgreSQL.
    "rollout.middleware.ControlCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Each request starts with nothing written: its reads may use the replica until it writes (dbrouter).
    "rollout.dbrouter.ReplicaRequestMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "rollout.urls"
WSGI_APPLICATION = "rollout.wsgi.application"

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
                "rollout.navigation.navigation",
                "rollout.context_processors.home_province_context",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'rollout.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        # A connection that died with a PostgreSQL restart is replaced, not reused.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite serialises writers; a short busy timeout lets web and worker share the file.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    # A database host that drops packets would otherwise hold a request until the worker is killed
    # (libpq waits forever by default); a short wait lets the "try again" page answer instead.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
# A streaming read replica (optional): the dashboards, exports and list builds read from it while it is up
# and close enough behind (rollout/dbrouter.py); everything else, and every write, uses the primary.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
    # A replica that does not answer costs one short wait per REPLICA_RETRY_SECONDS, then the primary serves.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_REPLICA_CONNECT_TIMEOUT", 1)
    # Tests read the test database through it (no second test database to build).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["rollout.dbrouter.ReplicaRouter"]
# Reads go back to the primary while the replica is this far behind (seconds); checked at most every
# REPLICA_CHECK_SECONDS per process, and after a failure the replica is left alone REPLICA_RETRY_SECONDS.
REPLICA_MAX_LAG_SECONDS = env_seconds("REPLICA_MAX_LAG_SECONDS", 10)
REPLICA_CHECK_SECONDS = env_seconds("REPLICA_CHECK_SECONDS", 2)
REPLICA_RETRY_SECONDS = env_seconds("REPLICA_RETRY_SECONDS", 10)

# While the database is down or restarting, pages and the API answer 503 with this Retry-After (seconds).
DATABASE_UNAVAILABLE_RETRY_AFTER = env_int("DATABASE_UNAVAILABLE_RETRY_AFTER", 10)
if DATABASE_UNAVAILABLE_RETRY_AFTER < 1:
    raise ImproperlyConfigured("DATABASE_UNAVAILABLE_RETRY_AFTER must be at least 1 second")

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and parallel demo builders share the file: take the write lock when a transaction
    # starts, so a reader upgrading to writer waits (busy timeout) instead of failing "database is locked".
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "rollout.User"

# --- Cache ------------------------------------------------------------------------------------

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "rollout",
            # Every public check-in asks the cache (rate limits, the repeat mark); a Redis that does not
            # answer must cost it a fraction of a second, not hang it (redis-py waits forever by default).
            # rollout.ratelimit then skips Redis for a while and counts in the process instead.
            "OPTIONS": {
                "socket_connect_timeout": env_seconds("REDIS_CONNECT_TIMEOUT", 0.25),
                "socket_timeout": env_seconds("REDIS_TIMEOUT", 0.5),
            },
        }
    }
else:
    # A file cache is shared by every process on the machine (rate limits need that).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Authentication ---------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# Invitation links (set-password) stay valid for three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Lockout after repeated failed logins, per username and IP together, so one attacker cannot lock
# every officer out from one address, and one officer's typos do not block a shared office IP.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lockout page with the minutes to wait and a Retry-After header (axes' own gives neither).
AXES_LOCKOUT_CALLABLE = "rollout.views.errors.locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "rollout.http.client_ip"
# Number of trusted reverse proxies in front of the app (X-Forwarded-For hops to skip).
PROXY_COUNT = env_int("PROXY_COUNT", 0)

SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# Django's own CSRF page is English and technical: ours says what to do, in Vietnamese.
CSRF_FAILURE_VIEW = "rollout.views.errors.csrf_failure"

# --- Security (production) --------------------------------------------------------------------

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): scripts and styles from our own files only, no inline code, no
# handler attributes, no style attributes. QR codes are inline SVG or data: images. A view that needs more
# says so with csp.decorators.csp_update (none does today: the QR scanner, jsQR, is plain JavaScript).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Permissions-Policy (rollout.middleware): every feature is off; the staff scan pages turn the camera on for
# this site only (rollout.middleware.allow_features("camera")).
PERMISSIONS_POLICY_DENIED = [
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Container and load-balancer health checks call plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# dd/mm/yyyy everywhere, in both languages.
FORMAT_MODULE_PATH = ["rollout.formats"]

# --- Static and media files -------------------------------------------------------------------

STATIC_URL = "/static/"
# Where collectstatic writes (the image builds it in the source tree; a test collects into a folder of its own).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Generated files (daily lists, roll-ups, exports). Never served directly: every download goes
# through a view that checks scope and writes an audit event.
PRIVATE_FILES_ROOT = Path(os.environ.get("PRIVATE_FILES_ROOT", VAR_DIR / "files"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads larger than this are refused before parsing (XLSX imports).
MAX_UPLOAD_BYTES = env_int("MAX_UPLOAD_BYTES", 10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# Imports (accounts, adoption figures, arrivals): every upload is bounded before it is read. Rows of data
# per file (the header row not counted), checked while the sheet is streamed, so a 200,000-row file is
# refused after reading the first rows over the limit, never held whole.
IMPORT_MAX_ROWS = {
    "accounts": env_positive_int("IMPORT_MAX_ROWS_ACCOUNTS", 2_000),
    "adoption": env_positive_int("IMPORT_MAX_ROWS_ADOPTION", 5_000),
    "arrivals": env_positive_int("IMPORT_MAX_ROWS_ARRIVALS", 20_000),
}
IMPORT_MAX_COLUMNS = env_positive_int("IMPORT_MAX_COLUMNS", 64)
IMPORT_MAX_SHEETS = env_positive_int("IMPORT_MAX_SHEETS", 30)
# Files with more rows than this are read (and, once confirmed, stored) by a worker, with a progress page.
IMPORT_BACKGROUND_ROWS = env_positive_int("IMPORT_BACKGROUND_ROWS", 2_000)
# An uploaded file and its checked rows wait this long for the confirmation at most (it holds personal data).
IMPORT_JOB_KEEP_HOURS = env_positive_int("IMPORT_JOB_KEEP_HOURS", 48)

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Sở TT&TT <no-reply@localhost>")

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),  # else "control/" in the working directory
        "store_processed": False,
    }
    # kombu's file transport fails (and the worker exits) when its folders are missing, as on a fresh clone.
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    # The file-system transport has no fan-out exchange for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # How long an unacknowledged task waits before another worker gets it. The outbox's sweep
        # re-sends the work of a dead worker long before this (WORKER_LOST_SECONDS).
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600),
        # A broker that does not answer must not hold a web request: sending gives up quickly and
        # the follow-up waits in the outbox.
        "socket_connect_timeout": env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2),
        "socket_timeout": env_int("CELERY_BROKER_SOCKET_TIMEOUT", 5),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The worker reconnects for as long as the broker is away, rather than exit after 100 tries.
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECT_TIMEOUT", 2)
# Job outcomes live in our own JobRun table (jobs panel); Celery keeps no results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# Queues, one per kind of work, so a slow export never delays an invitation or a dashboard bump. In
# production each has its own worker pool (docker-compose: worker-mail, worker-exports, …); `make run`'s
# single worker and the test worker listen on all of them. Every task is routed here, by name, and only
# here (a test fails on a task without a route). Priority: the shared worker takes higher-priority
# messages first (Redis counts 0 as the highest; steps 0, 3, 6, 9). Time limits are per task of the
# queue: the soft one raises in the task (the outbox retries it later), the hard one kills the process.
CELERY_QUEUE_LIMITS: dict[str, dict[str, int]] = {
    # queue: priority, soft and hard time limits (seconds)
    "mail": {"priority": 0, "soft_time_limit": 60, "time_limit": 120},
    "figures": {"priority": 3, "soft_time_limit": 600, "time_limit": 900},
    "default": {"priority": 3, "soft_time_limit": 3 * 3600, "time_limit": 4 * 3600},
    "imports": {"priority": 6, "soft_time_limit": 900, "time_limit": 1200},
    "exports": {"priority": 9, "soft_time_limit": 1800, "time_limit": 2400},
}
CELERY_TASK_QUEUE_OF: dict[str, str] = {
    "rollout.tasks.outbox_sweep_task": "default",
    "rollout.tasks.personal_data_purge_task": "default",
    "rollout.tasks.partitions_ahead_task": "default",
    "rollout.tasks.backup_task": "default",
    "rollout.tasks.import_job_task": "imports",
    "rollout.tasks.invitation_send_task": "mail",
    "checkpoints.tasks.daily_list_notify_task": "mail",
    "tracing.tasks.tracing_list_notify_task": "mail",
    "platforms.tasks.vaccination_reminders_send_task": "mail",
    "reports.tasks.weekly_reminders_send_task": "mail",
    "reports.tasks.reminder_email_send_task": "mail",
    "reports.tasks.report_returned_email_task": "mail",
    "checkpoints.tasks.daily_lists_build_task": "exports",
    "checkpoints.tasks.daily_list_refresh_task": "exports",
    "reports.tasks.weekly_rollups_due_task": "exports",
    "reports.tasks.weekly_rollup_build_task": "exports",
    "reports.tasks.report_document_build_task": "exports",
    "dashboard.tasks.daily_stats_bump_task": "figures",
    "dashboard.tasks.daily_stats_refresh_today_task": "figures",
    "dashboard.tasks.daily_stats_recompute_task": "figures",
    # Imports run in the background under names ending in _import_task (any app).
    "*_import_task": "imports",
}
CELERY_TASK_DEFAULT_QUEUE = "default"
# Declared, so a worker started without -Q consumes all of them; each with an exchange and routing key of
# its own (a queue declared by name alone binds to the default exchange's key and gets every message).
CELERY_TASK_QUEUES = [Queue(name, Exchange(name), routing_key=name) for name in CELERY_QUEUE_LIMITS]
CELERY_TASK_ROUTES = {
    task: {"queue": queue, "priority": CELERY_QUEUE_LIMITS[queue]["priority"]}
    for task, queue in CELERY_TASK_QUEUE_OF.items()
}
# Each task takes its queue's time limits (rollout.celery.QueueLimits reads the two tables above).
CELERY_TASK_ANNOTATIONS = ["rollout.celery.QueueLimits"]


# The outbox (rollout/outbox.py): follow-ups wait in the database while the broker is away; beat's
# sweep sends what is due, and gives the work of a worker that stopped sending heartbeats to another.
OUTBOX_SWEEP_SECONDS = env_positive_int("OUTBOX_SWEEP_SECONDS", 10)
OUTBOX_RESEND_SECONDS = env_positive_int("OUTBOX_RESEND_SECONDS", 300)
OUTBOX_MAX_ATTEMPTS = env_positive_int("OUTBOX_MAX_ATTEMPTS", 6)
OUTBOX_RETRY_BASE_SECONDS = env_positive_int("OUTBOX_RETRY_BASE_SECONDS", 30)
OUTBOX_RETRY_MAX_SECONDS = env_positive_int("OUTBOX_RETRY_MAX_SECONDS", 900)
OUTBOX_KEEP_DAYS = env_positive_int("OUTBOX_KEEP_DAYS", 7)
HEARTBEAT_SECONDS = env_positive_int("HEARTBEAT_SECONDS", 10)
WORKER_LOST_SECONDS = env_positive_int("WORKER_LOST_SECONDS", 60)
if WORKER_LOST_SECONDS < 2 * HEARTBEAT_SECONDS:
    raise ImproperlyConfigured("WORKER_LOST_SECONDS must be at least twice HEARTBEAT_SECONDS")
# Province admins see a banner when the background service has been silent this long.
BACKGROUND_STALE_MINUTES = env_positive_int("BACKGROUND_STALE_MINUTES", 5)

CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "outbox-sweep": {"task": "rollout.tasks.outbox_sweep_task", "schedule": timedelta(seconds=OUTBOX_SWEEP_SECONDS)},
}

# --- Product settings -------------------------------------------------------------------------

HOME_PROVINCE_CODE = env_int("HOME_PROVINCE_CODE", 10)  # 10 = Lào Cai
DEMO_PASSWORD = os.environ.get("DEMO_PASSWORD", "laocai-demo-2021")

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Token first: DRF takes the WWW-Authenticate header from the first class, so a call without (or with
    # bad) credentials gets 401 "WWW-Authenticate: Token" rather than a bare 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rollout.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PAGINATION_CLASS": "rollout.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "rollout.errors.api_exception_handler",
    "DEFAULT_THROTTLE_RATES": {},
}
SPECTACULAR_SETTINGS: dict = {
    "TITLE": "Rollout API",
    "DESCRIPTION": "Provincial COVID-19 technology rollout: units, venues, checkpoints, lists, reports.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The schema maps every resource: for signed-in callers (session or token) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every error status an operation can answer, in the API's error shape (rollout/api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "rollout.api_schema.error_responses_hook",
    ],
}

# One OpenAPI name for a choice set used by several fields (tests before and at the checkpoint).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "TestKindEnum": "checkpoints.models.TestKind",
        "TestResultEnum": "checkpoints.models.TestResult",
        "CandidateStatusEnum": "tracing.models.CandidateStatus",
    }
)

# --- Logging ----------------------------------------------------------------------------------
# Personal data (names, phones, ID numbers) never goes to logs: log ids and counts only.

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Personal data and its retention (SPEC §9) ------------------------------------------------

# Personal data (check-ins, arrivals, declarations, lists) is kept this many days. The daily aggregates are
# never rebuilt for a day older than this: its raw rows may be gone, and the aggregates are what remains.
PERSONAL_DATA_RETENTION_DAYS = env_int("PERSONAL_DATA_RETENTION_DAYS", 21)
# Nightly, at this local time, personal data older than the retention is deleted.
PERSONAL_DATA_PURGE_AT = env_time("PERSONAL_DATA_PURGE_AT", "02:00")
CELERY_BEAT_SCHEDULE["purge-personal-data"] = {
    "task": "rollout.tasks.personal_data_purge_task",
    "schedule": crontab(hour=PERSONAL_DATA_PURGE_AT.hour, minute=PERSONAL_DATA_PURGE_AT.minute),
}
# On PostgreSQL check-ins and arrivals are partitioned by local day (rollout.partitions): every night the
# partitions of the kept days and of this many days ahead are made sure of, an hour before the purge.
PARTITIONS_AHEAD_DAYS = env_positive_int("PARTITIONS_AHEAD_DAYS", 7)
CELERY_BEAT_SCHEDULE["partitions-ahead"] = {
    "task": "rollout.tasks.partitions_ahead_task",
    "schedule": crontab(hour=(PERSONAL_DATA_PURGE_AT.hour - 1) % 24, minute=PERSONAL_DATA_PURGE_AT.minute),
}

# --- Backups ------------------------------------------------------------------------------------

# Nightly at this local time (after the purge, so a backup holds nothing it just deleted): the database
# (pg_dump custom format; on SQLite a copy by its backup API) and the private files, into BACKUP_DIR. A
# backup holds personal data: backups older than PERSONAL_DATA_RETENTION_DAYS are deleted by each run.
BACKUP_DIR = Path(os.environ.get("BACKUP_DIR", VAR_DIR / "backups"))
BACKUP_AT = env_time("BACKUP_AT", "03:00")
# Where pg_dump and pg_restore are, when not on the PATH (their major version must not be below the server's).
PG_BIN = os.environ.get("PG_BIN", "")
CELERY_BEAT_SCHEDULE["backup"] = {
    "task": "rollout.tasks.backup_task",
    "schedule": crontab(hour=BACKUP_AT.hour, minute=BACKUP_AT.minute),
}

# --- Venue check-in ------------------------------------------------------------------------------


# A check-in without a check-out counts as this many minutes (never past local midnight).
CHECKIN_DEFAULT_STAY_MINUTES = env_positive_int("CHECKIN_DEFAULT_STAY_MINUTES", 60)
# A second check-in by the same phone at the same venue within this window, while the first is
# still open, is the same visit (a double tap, a reload): no second row.
CHECKIN_REPEAT_MINUTES = env_positive_int("CHECKIN_REPEAT_MINUTES", 10)
# Public check-in limits. Phones on mobile data often share one carrier address (CGNAT), so the
# per-address limit is generous; the per-venue limit bounds a busy gate or a leaked poster.
CHECKIN_RATE_PER_IP = env_rate("CHECKIN_RATE_PER_IP", "60/m")
CHECKIN_RATE_PER_VENUE = env_rate("CHECKIN_RATE_PER_VENUE", "300/m")
# Page views of /c/<token>/ (and bad-token guessing) per address.
CHECKIN_PAGE_RATE_PER_IP = env_rate("CHECKIN_PAGE_RATE_PER_IP", "240/m")

# --- Checkpoints, arrivals and daily lists -------------------------------------------------------

# Local time (Asia/Ho_Chi_Minh) at which the previous day's per-district arrival lists are built.
DAILY_LISTS_TIME = env_time("DAILY_LISTS_TIME", "06:30")
# A run also builds any list missing for this many days back (a day missed while the system was down).
DAILY_LISTS_CATCH_UP_DAYS = env_int("DAILY_LISTS_CATCH_UP_DAYS", 7)
if not 0 <= DAILY_LISTS_CATCH_UP_DAYS < min(32, PERSONAL_DATA_RETENTION_DAYS):
    raise ImproperlyConfigured(
        "DAILY_LISTS_CATCH_UP_DAYS must be between 0 and 31 and below PERSONAL_DATA_RETENTION_DAYS "
        "(catching up a purged day would build an empty list)"
    )
# Late arrivals for a day whose list exists regenerate it after this many seconds (coalesced).
DAILY_LISTS_REFRESH_DELAY = env_int("DAILY_LISTS_REFRESH_DELAY", 60)
if DATABASE_REPLICA_URL and REPLICA_MAX_LAG_SECONDS >= DAILY_LISTS_REFRESH_DELAY:
    raise ImproperlyConfigured(
        "REPLICA_MAX_LAG_SECONDS must be below DAILY_LISTS_REFRESH_DELAY "
        "(a list refreshed for a late arrival is read from the replica, which must have it by then)"
    )
# Tests only: milliseconds to sleep after each row, so a worker can be killed in the middle of a run.
DAILY_LISTS_TEST_ROW_DELAY_MS = env_int("DAILY_LISTS_TEST_ROW_DELAY_MS", 0)
# Arrivals a day that seed_demo generates for the last 30 days.
DEMO_ARRIVALS_PER_DAY = env_int("DEMO_ARRIVALS_PER_DAY", 5000)
CELERY_BEAT_SCHEDULE["daily-lists"] = {
    "task": "checkpoints.tasks.daily_lists_build_task",
    "schedule": crontab(hour=DAILY_LISTS_TIME.hour, minute=DAILY_LISTS_TIME.minute),
}

# --- Contact tracing (SPEC §8) ---------------------------------------------------------------------

# Presence at a venue is widened by this many minutes on both sides when looking for overlaps (clocks
# differ, people linger at the door); exposure minutes count the true overlap only.
TRACING_BUFFER_MINUTES = env_int("TRACING_BUFFER_MINUTES", 15)
# The same plate at the same checkpoint within this many minutes of the F0's arrival: the same vehicle.
TRACING_SAME_VEHICLE_MINUTES = env_positive_int("TRACING_SAME_VEHICLE_MINUTES", 30)
# A search without dates covers this many local days, today included.
TRACING_DEFAULT_DAYS = env_positive_int("TRACING_DEFAULT_DAYS", 14)
if not 0 <= TRACING_BUFFER_MINUTES <= 240:
    raise ImproperlyConfigured(f"TRACING_BUFFER_MINUTES must be between 0 and 240, got {TRACING_BUFFER_MINUTES}")

# --- Platforms: app adoption, testing platform, vaccination updates --------------------------------

# Facilities must have updated the day's vaccination data by this local time; reminders go out then.
VACCINATION_UPDATE_CUTOFF = env_time("VACCINATION_UPDATE_CUTOFF", "20:00")
# Facilities may log (or correct) the update of a day up to this many days back.
VACCINATION_LOG_BACK_DAYS = env_int("VACCINATION_LOG_BACK_DAYS", 7)
# An agency whose latest adoption figures are older than this is listed as stale.
ADOPTION_STALE_DAYS = env_int("ADOPTION_STALE_DAYS", 14)
if VACCINATION_LOG_BACK_DAYS < 1:
    raise ImproperlyConfigured("VACCINATION_LOG_BACK_DAYS must be at least 1")
CELERY_BEAT_SCHEDULE["vaccination-reminders"] = {
    "task": "platforms.tasks.vaccination_reminders_send_task",
    "schedule": crontab(hour=VACCINATION_UPDATE_CUTOFF.hour, minute=VACCINATION_UPDATE_CUTOFF.minute),
}

# --- Dashboard figures ---------------------------------------------------------------------------

# Nightly, the aggregates of the last N days are rebuilt from the raw rows (late arrivals, corrections).
DAILY_STATS_RECOMPUTE_DAYS = env_int("DAILY_STATS_RECOMPUTE_DAYS", 7)
DAILY_STATS_NIGHTLY_AT = env_time("DAILY_STATS_NIGHTLY_AT", "00:20")
# Today's aggregates are rebuilt every N minutes, whatever happened (a lost bump is caught up here).
DAILY_STATS_REFRESH_MINUTES = env_int("DAILY_STATS_REFRESH_MINUTES", 10)
# After a write, a district's figures for the day are rebuilt once within this many seconds.
DAILY_STATS_BUMP_DELAY_SECONDS = env_int("DAILY_STATS_BUMP_DELAY_SECONDS", 30)
if not 1 <= DAILY_STATS_RECOMPUTE_DAYS < PERSONAL_DATA_RETENTION_DAYS:
    raise ImproperlyConfigured(
        "DAILY_STATS_RECOMPUTE_DAYS must be at least 1 and below PERSONAL_DATA_RETENTION_DAYS "
        "(a rebuild must never meet a day whose personal data was purged)"
    )
if DAILY_STATS_BUMP_DELAY_SECONDS < 1:
    raise ImproperlyConfigured("DAILY_STATS_BUMP_DELAY_SECONDS must be at least 1")
if not 1 <= DAILY_STATS_REFRESH_MINUTES <= 60:
    raise ImproperlyConfigured("DAILY_STATS_REFRESH_MINUTES must be between 1 and 60")

CELERY_BEAT_SCHEDULE["daily-stats-refresh-today"] = {
    "task": "dashboard.tasks.daily_stats_refresh_today_task",
    "schedule": crontab(minute=f"*/{DAILY_STATS_REFRESH_MINUTES}"),
}
CELERY_BEAT_SCHEDULE["daily-stats-recompute"] = {
    "task": "dashboard.tasks.daily_stats_recompute_task",
    "schedule": crontab(hour=DAILY_STATS_NIGHTLY_AT.hour, minute=DAILY_STATS_NIGHTLY_AT.minute),
}

# --- Weekly district reports and the Friday roll-up (SPEC §6) ------------------------------------
# The reporting week runs Saturday 00:00 to Friday 24:00 local time and is named by its Friday.

WEEKLY_REPORT_DUE_TIME = env_time("WEEKLY_REPORT_DUE_TIME", "17:00")  # on the Friday
WEEKLY_ROLLUP_TIME = env_time("WEEKLY_ROLLUP_TIME", "17:30")  # on the Friday
WEEKLY_REMINDER_TIME = env_time("WEEKLY_REMINDER_TIME", "08:00")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKLY_REMINDER_DAYS = [d.lower() for d in env_list("WEEKLY_REMINDER_DAYS", "thu,fri")]
if not WEEKLY_REMINDER_DAYS or not set(WEEKLY_REMINDER_DAYS) <= set(_WEEKDAYS):
    raise ImproperlyConfigured(f"WEEKLY_REMINDER_DAYS must list days among {','.join(_WEEKDAYS)}")
if WEEKLY_ROLLUP_TIME < WEEKLY_REPORT_DUE_TIME:
    raise ImproperlyConfigured("WEEKLY_ROLLUP_TIME must not be earlier than WEEKLY_REPORT_DUE_TIME")
CELERY_BEAT_SCHEDULE |= {
    # Runs every day: on Friday it builds the week's roll-up; on other days it catches up a roll-up
    # that was missed while the system was down. Nothing is built twice.
    "weekly-rollup": {
        "task": "reports.tasks.weekly_rollups_due_task",
        "schedule": crontab(hour=WEEKLY_ROLLUP_TIME.hour, minute=WEEKLY_ROLLUP_TIME.minute),
    },
    "weekly-report-reminders": {
        "task": "reports.tasks.weekly_reminders_send_task",
        "schedule": crontab(
            hour=WEEKLY_REMINDER_TIME.hour,
            minute=WEEKLY_REMINDER_TIME.minute,
            day_of_week=",".join(WEEKLY_REMINDER_DAYS),
        ),
    },
}

# --- The directive scorecard (SPEC §7) -----------------------------------------------------------
# Per clause of the directive, the share (%) of its indicator at or above which the clause is on track;
# below it, lagging. A clause whose indicator has nothing to count (no facility qualified, no district
# report due yet) shows "no data", whatever its threshold.
SCORECARD_THRESHOLDS: dict[str, float] = {
    "1": 80,  # agency staff with PC-Covid
    "2": 100,  # the province's weekly roll-up built
    "3.i": 90,  # qualified facilities live on the testing platform
    "3.ii": 90,  # vaccinating facilities' days updated by the cut-off
    "3.iii": 90,
    "4.i": 100,  # active checkpoints that recorded arrivals in the week
    "4.ii": 90,
    "4.iii": 95,  # daily lists ready for the districts by DAILY_LIST_DEADLINE
    "5": 70,  # venues with QR codes that had check-ins in 7 days
    "6.i": 70,  # communes with at least one venue scanning QR codes in the week
    "6.ii": 80,  # districts whose report counts communication sessions
    "6.iii": 80,  # districts that inspected venues in the week
    "6.iv": 100,  # districts whose weekly report was sent on time
}
# A day's arrival list counts as delivered when it was ready for the district by this time the next morning.
DAILY_LIST_DEADLINE = env_time("DAILY_LIST_DEADLINE", "07:00")
if not all(0 <= v <= 100 for v in SCORECARD_THRESHOLDS.values()):
    raise ImproperlyConfigured("SCORECARD_THRESHOLDS must be percentages between 0 and 100")

# --- The weekly report as a document (DOCX, and PDF through LibreOffice headless) ----------------
# The LibreOffice binary; its profile is a fresh folder per conversion (two at once never share one).
SOFFICE_BINARY = os.environ.get("SOFFICE_BINARY", "soffice")
SOFFICE_TIMEOUT_SECONDS = env_int("SOFFICE_TIMEOUT_SECONDS", 120)
