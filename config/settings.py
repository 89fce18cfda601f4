"""Settings for the procurement governance service, read from the environment.

Every setting a council changes is an environment variable with a safe default; docs/operations.md
lists them all. https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import os
import re
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, *, default: bool) -> bool:
    """Read a yes/no environment variable; anything unrecognised is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, *, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, *, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


# --- Core -------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)

# Used only where DEBUG is on: a deployment must set its own key, or the service refuses to start.
DEVELOPMENT_SECRET_KEY = "django-insecure-development-only-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "").strip() or DEVELOPMENT_SECRET_KEY
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. With DEBUG off the service will not start on the development key: "
        "set SECRET_KEY to a long random value (for example the output of "
        "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
    )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", default=[])

COUNCIL_NAME = os.environ.get("COUNCIL_NAME", "").strip() or "Northmere Borough Council"
# The service's address as people reach it, for every link in an email; `check --deploy` wants
# it on HTTPS (procurement/checks.py).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SERVICE_NAME = "Procurement governance"
# Open data (docs/decisions/0020): the OCDS prefix the Open Contracting Partnership registered
# for the council, and the role mailbox published as the buyer's contact (never an officer's).
# `check --deploy` refuses the demonstration prefix (procurement/checks.py).
OCDS_PREFIX = os.environ.get("OCDS_PREFIX", "ocds-demo01").strip()
PROCUREMENT_MAILBOX = os.environ.get("PROCUREMENT_MAILBOX", "procurement@northmere.example")
# The council as its open data names it, publisher and buyer (docs/decisions/0055): its
# identifier, in the scheme it is registered in (GB-PPON, its Find a Tender organisation
# identifier; or GB-COH, GB-LAE...), and its address. `check --deploy` refuses the demonstration
# identifier (procurement/checks.py); an identifier that is not of its scheme's form refuses to
# start.
COUNCIL_ID_SCHEME = os.environ.get("COUNCIL_ID_SCHEME", "").strip() or "GB-PPON"
COUNCIL_ID = os.environ.get("COUNCIL_ID", "").strip().upper() or "PDEM-0000-DEMO"
COUNCIL_ID_FORMS = {"GB-PPON": r"[A-Z]{4}-\d{4}-[A-Z]{4}", "GB-COH": r"(\d{8}|[A-Z]{2}\d{6})"}
if not re.fullmatch(r"[A-Z]{2}-[A-Z0-9]+", COUNCIL_ID_SCHEME):
    raise ImproperlyConfigured("COUNCIL_ID_SCHEME must be an org-id scheme, as GB-PPON or GB-COH")
if not re.fullmatch(COUNCIL_ID_FORMS.get(COUNCIL_ID_SCHEME, r"[A-Z0-9][A-Z0-9-]*"), COUNCIL_ID):
    raise ImproperlyConfigured(
        f"COUNCIL_ID {COUNCIL_ID!r} is not a {COUNCIL_ID_SCHEME} identifier "
        "(a GB-PPON identifier is written as ABCD-1234-EFGH, a GB-COH one as 01234567)"
    )
COUNCIL_ADDRESS = {
    "streetAddress": os.environ.get("COUNCIL_STREET_ADDRESS", "").strip()
    or "Town Hall, Market Square",
    "locality": os.environ.get("COUNCIL_LOCALITY", "").strip() or "Northmere",
    "postalCode": os.environ.get("COUNCIL_POSTCODE", "").strip() or "NM1 1AA",
    "countryName": "United Kingdom",
}
# The public forward plan (docs/decisions/0053-what-the-strategy-publishes.md): the estimated
# whole-life value in pounds over which a procurement officers publish is shown. Blank: £100,000
# (procurement/thresholds.py). A value that is not a positive amount refuses to start.
FORWARD_PLAN_PUBLISH_ABOVE = os.environ.get("FORWARD_PLAN_PUBLISH_ABOVE", "").strip()
if FORWARD_PLAN_PUBLISH_ABOVE and not re.fullmatch(r"\d+(\.\d{1,2})?", FORWARD_PLAN_PUBLISH_ABOVE):
    raise ImproperlyConfigured("FORWARD_PLAN_PUBLISH_ABOVE must be an amount in pounds, as 250000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "rules.apps.AutodiscoverRulesConfig",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "procurement",
    "training",
    "contracts",
    "performance",
    "gateways",
    "socialvalue",
    "maturity",
    "spend",
    "assurance",
    "alerts",
    "reporting",
    "opendata",
]

MIDDLEWARE = [
    # Outermost, to see every cached piece a request uses; off unless PAGE_CACHE_HEADER is on.
    "procurement.middleware.CacheHeaderMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "procurement.security.ContentSecurityPolicyMiddleware",
    # Before anything reads the request body (CSRF reads the form): a body too large is refused.
    "procurement.request_size.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "procurement.security.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Every view is denied unless it declares who may use it (procurement/access.py).
    "procurement.access.AccessControlMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

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
                "procurement.context_processors.service",
            ],
            # {% table_container %} wraps every table, in every template.
            "builtins": ["procurement.templatetags.tables", "procurement.templatetags.banners"],
        },
    },
]

# The history keeps the whole reason for a change, however long (by default it is cut at 100
# characters, and PostgreSQL refuses a longer one).
# https://django-simple-history.readthedocs.io/en/latest/historical_model.html#change-reason
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# The admin shows each record's history but never reverts one: a change goes through the service,
# with a reason, or not at all.
SIMPLE_HISTORY_REVERT_DISABLED = True

# Forms render as GOV.UK Frontend markup (procurement/forms.py and templates/govuk/forms/).
FORM_RENDERER = "procurement.forms.GovukFormRenderer"

# --- Database ---------------------------------------------------------------------------------
# DATABASE_URL absent: a SQLite file beside the code (the embedded default). PostgreSQL in
# production and CI, e.g. postgres://user:password@host:5432/name.
# https://github.com/jazzband/dj-database-url

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", default=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The planner's cost of a random read: 1.1 suits SSD and cloud storage (PostgreSQL's default
    # of 4 assumes spinning disks and passes over the register's search indexes). JIT off: it
    # compiles the dashboard's one pass over the register afresh each time, which costs more
    # (about 80 ms at 100,000 contracts) than it saves on queries this size.
    # https://www.postgresql.org/docs/current/runtime-config-query.html
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c random_page_cost={os.environ.get('POSTGRES_RANDOM_PAGE_COST', '1.1')} "
        f"-c jit={os.environ.get('POSTGRES_JIT', 'off')}"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis, cache and Celery ------------------------------------------------------------------
# REDIS_URL absent: tasks run in-process when they are called and the cache is in memory.
# With Redis out of reach the service goes on without it (docs/decisions/0033): pages are built
# afresh, the API's limit is counted in each process, and work for the worker is refused at once.
# https://docs.celeryq.dev/en/stable/userguide/configuration.html

REDIS_URL = os.environ.get("REDIS_URL", "").strip()

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache, leaving Redis alone for a few seconds after it failed to
            # answer (procurement/rediscache.py).
            "BACKEND": "procurement.rediscache.RedisCache",
            "LOCATION": REDIS_URL,
            # Redis out of reach slows a page by at most this, never stops it (caching.py).
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# The page cache (procurement/caching.py): off builds every piece for every request. With the
# header on, each response says whether its cached pieces were all read from the cache
# (``X-Cache: hit``), any was built (``miss``) or it has none (``none``): for the load test.
PAGE_CACHE = env_bool("PAGE_CACHE", default=True)
PAGE_CACHE_HEADER = env_bool("PAGE_CACHE_HEADER", default=False)

CELERY_BROKER_URL = REDIS_URL or "memory://"
# kombu waits for ever on a Redis that accepts a connection and never answers; these bound a
# connection to the broker, and each command, for the web processes and the worker alike. The
# worker's wait for work (BRPOP) is one second and read only once its answer has come, so it
# is not cut short. https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 2}
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "Europe/London"
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The schedule is static and lives here, in version control: one beat process runs it.
# Times are Europe/London (CELERY_TIMEZONE), so a job keeps its local hour across clock changes.
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "procurement.tasks.sessions_clear_expired_task",
        "schedule": crontab(hour=3, minute=30),
    },
    "clear-old-imports": {
        "task": "procurement.tasks.import_runs_clear_task",
        "schedule": crontab(hour=3, minute=40),
    },
    # An export's file is kept for a day; the hourly run deletes it soon after.
    "clear-old-exports": {
        "task": "procurement.tasks.export_jobs_clear_task",
        "schedule": crontab(minute=50),
    },
    # One tick a day; a day missed is caught up by the next run (docs/decisions/0018).
    "send-renewal-alerts": {
        "task": "alerts.tasks.renewal_alerts_task",
        "schedule": crontab(hour=7, minute=0),
    },
    # Daily, but each person receives one digest a week: the first run of each ISO week sends it.
    "send-escalation-digests": {
        "task": "alerts.tasks.escalation_digests_task",
        "schedule": crontab(hour=7, minute=30),
    },
    # A contract paid past 80% or 100% of its value is alerted as payments come in; the daily
    # run catches up any check that could not be handed to the worker.
    "send-spend-threshold-alerts": {
        "task": "spend.tasks.spend_thresholds_task",
        "schedule": crontab(hour=7, minute=15),
    },
    # The spend lists' kept lines are the twelve months to a day: rebuilt for the new day just
    # after midnight (until then the lists sum the payments themselves; docs/decisions/0052).
    "rebuild-kept-spend": {
        "task": "spend.tasks.kept_spend_task",
        "schedule": crontab(hour=0, minute=5),
    },
    # Overdue supplier health checks (seed 000 §8d): each check due is alerted once (the ledger).
    "send-health-check-alerts": {
        "task": "alerts.tasks.health_check_alerts_task",
        "schedule": crontab(hour=7, minute=45),
    },
    "retry-failed-notifications": {
        "task": "alerts.tasks.notifications_retry_task",
        "schedule": crontab(minute="*/5"),
    },
    # Daily, but each closed year is built once, from 1 May (docs/decisions/0019): a day
    # missed is caught up by the next run.
    "build-annual-report": {
        "task": "reporting.tasks.annual_report_schedule_task",
        "schedule": crontab(hour=6, minute=15),
    },
}

# --- The API (Django REST Framework; docs/decisions/0020) -----------------------------------
# https://www.django-rest-framework.org/api-guide/settings/

# Requests each person may make a minute, all their tokens (and their session) together, counted
# atomically in the cache in fixed windows (docs/decisions/0026). "600/minute", "10000/hour"...
API_RATE = os.environ.get("API_RATE", "600/minute")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "procurement.api.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["procurement.api.RulesPermission"],
    "DEFAULT_THROTTLE_CLASSES": ["procurement.api.PersonRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "procurement.api.Pages",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "procurement.api.errors_as_json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Procurement governance API",
    "DESCRIPTION": (
        "The contract register, the forward plan and gateway reviews, social value measures and "
        "maturity assessments. Sign in with a personal API token (Authorization: Bearer …) made "
        "on your API tokens page; it acts with your roles and nothing more."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["procurement.api.RulesPermission"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "procurement.api.document_errors",
    ],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # The documentation's files are served from here, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # A deep link is drawn inside each operation's button (a control within a control), and the
    # examples' highlighting has colours of too little contrast: both off.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    "ENUM_NAME_OVERRIDES": {
        "ContractStatusEnum": "contracts.models.Contract.Status",
        "AssessmentStatusEnum": "maturity.models.Assessment.Status",
        "ProcurementRouteEnum": "contracts.models.Contract.Route",
    },
}

# --- Authentication ---------------------------------------------------------------------------

AUTH_USER_MODEL = "procurement.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, refusing a locked sign-in whatever the password (lockout.py).
    "procurement.lockout.LockoutBackend",
]
LOGIN_URL = "accounts:sign_in"
# Failed sign-ins in 15 minutes before an email address, or a network address, is refused for
# the rest of those 15 minutes. By address is off (0) by default: a council's staff often share
# one address, and behind a proxy every request has the proxy's.
SIGN_IN_FAILURES_PER_EMAIL = env_int("SIGN_IN_FAILURES_PER_EMAIL", default=5)
SIGN_IN_FAILURES_PER_ADDRESS = env_int("SIGN_IN_FAILURES_PER_ADDRESS", default=0)
# Password reset emails an hour: to one email address (counted alike whether or not it has an
# account, so the limit tells nobody which addresses do) and to one account; and asked for from
# one network address, off (0) by default for the same reason as above (docs/decisions/0026).
PASSWORD_RESETS_PER_EMAIL = env_int("PASSWORD_RESETS_PER_EMAIL", default=5)
PASSWORD_RESETS_PER_ADDRESS = env_int("PASSWORD_RESETS_PER_ADDRESS", default=0)
LOGIN_REDIRECT_URL = "procurement:home"
LOGOUT_REDIRECT_URL = "accounts:signed_out"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 2

# NCSC guidance: favour length over complexity, refuse common and guessable passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# And after this many seconds with no request (procurement/security.py).
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", default=60 * 30)

# --- Internationalisation ---------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

# --- Static files -----------------------------------------------------------------------------
# GOV.UK Frontend is compiled into static/govuk and committed (make assets rebuilds it).

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The hashed manifest needs `collectstatic`; the container image runs it and turns this on.
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", default=False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
# Files browsers ask for at the site's root (/favicon.ico), served as they are.
# https://whitenoise.readthedocs.io/en/stable/django.html#WHITENOISE_ROOT
WHITENOISE_ROOT = BASE_DIR / "static" / "root"

# Documents attached to contracts: at most this size (bytes); types are checked by content too.
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# The largest register or measure library a person may upload to import.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", default=10 * 1024 * 1024)
# What an uploaded XLSX may expand to, and how many cells its first sheet may cover, before it is
# opened: a small file can unpack to gigabytes (procurement/workbooks.py, docs/decisions/0032).
IMPORT_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
IMPORT_MAX_CELLS = env_int("IMPORT_MAX_CELLS", default=2_000_000)
# A request body larger than this is refused (413) before anything reads it: the largest file a
# form takes, and room for the form's other fields (procurement/request_size.py).
MAX_REQUEST_BYTES = env_int(
    "MAX_REQUEST_BYTES", default=max(IMPORT_MAX_BYTES, ATTACHMENT_MAX_BYTES) + 1024 * 1024
)
# A form's fields (not its files) are bounded by the same limit, not by Django's own 2.5 MB: over
# that, Django answered a bare 400 before the form could say which answer is too long, and the
# body is already bounded above (docs/decisions/0051).
# https://docs.djangoproject.com/en/5.2/ref/settings/#data-upload-max-memory-size
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_REQUEST_BYTES

# --- Email ------------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/email/

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "procurement@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------------------------
# HTTPS_ONLY (default on) turns on redirects to HTTPS, secure cookies and HSTS when DEBUG is off.
# Turn it off only to try the production stack on a machine without TLS (docker compose).
# https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/

HTTPS_ONLY = env_bool("HTTPS_ONLY", default=True) and not DEBUG
SECURE_SSL_REDIRECT = HTTPS_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
SECURE_HSTS_PRELOAD = HTTPS_ONLY and env_bool("SECURE_HSTS_PRELOAD", default=True)
if env_bool("TRUST_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Everything from the service itself, and no inline script (GOV.UK Frontend's scripts are files).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

# --- Logging ----------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # A refused request (403, 404, 400) is one line with the path and the user, no traceback.
    "filters": {"refusals_on_one_line": {"()": "procurement.logs.RefusalsOnOneLine"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and the font subsetter it uses narrate every step of a PDF at INFO.
    "loggers": {
        "django.request": {"filters": ["refusals_on_one_line"]},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
