"""Settings for the commitment tracker, read from the environment (12-factor; deploy/env.example
lists every variable).

Production is the default: DEBUG is off unless DEBUG=true, and then the secret key and every
service must be named (EMBEDDED_DEFAULTS). `make run` and `make test` turn development mode on
themselves (DEBUG=true): then what is not set runs on the embedded defaults, SQLite under var/,
Celery on kombu's filesystem transport under var/, a file cache and emails written to var/mail.
Importing this module has no side effects: the processes that need those folders make them
(config/folders.py).
"""

import os
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
env = environ.Env()
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

# Why off by default: a deployment that forgets to set it must not serve tracebacks.
DEBUG = env.bool("DEBUG", default=False)

# What runs when a variable is not set, with DEBUG on only. Why not in production: a deployment
# that forgot one would fall back silently to SQLite, files on one host or the filesystem broker.
EMBEDDED_DEFAULTS = {
    "SECRET_KEY": "django-insecure-embedded-default-for-development-only",
    "DATABASE_URL": f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
    "CELERY_BROKER_URL": "filesystem://",
    "CACHE_URL": f"filecache://{VAR_DIR / 'cache'}",
    "EMAIL_URL": "filemail://",  # each email a file in EMAIL_FILE_PATH
}
if not DEBUG:
    _missing = [name for name in EMBEDDED_DEFAULTS if not env.str(name, default="")]
    if _missing:
        raise ImproperlyConfigured(
            f"Not set: {', '.join(_missing)}. With DEBUG off the secret key and every service are "
            "named in the environment (deploy/env.example lists every setting); DEBUG=true runs on "
            "the embedded defaults."
        )

SECRET_KEY = env.str("SECRET_KEY", default=EMBEDDED_DEFAULTS["SECRET_KEY"])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "import_export",
    "axes",
    "simple_history",
    "rest_framework",
    "drf_spectacular",
    "accounts",
    "champions",
    "commitments",
    "events",
    "reports",
    "reminders",
    "dashboard",
    "public",
    "demo",
]

MIDDLEWARE = [
    # First: every request gets an id (nginx's X-Request-ID) and one log line (config/logging.py).
    "config.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless its view is marked login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "accounts.middleware.RefusedAccessLogMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionMaxAgeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
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
            ],
        },
    },
]

# Database: DATABASE_URL (postgres://...; SQLite under var/ by default in development).
DATABASES = {"default": env.db("DATABASE_URL", default=EMBEDDED_DEFAULTS["DATABASE_URL"])}
DATABASES["default"]["ATOMIC_REQUESTS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Why: a web process, a worker and beat share one SQLite file; wait rather than fail on a lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20})
    # A test database in a file, not in memory, so a Celery worker started by a test can open it;
    # one per test run, so two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache (the dashboard's pages, see dashboard/cache.py): every web process must share it, so in
# production Redis (redis://host:6379/1); files under var/ by default in development.
CACHES = {"default": env.cache_url("CACHE_URL", default=EMBEDDED_DEFAULTS["CACHE_URL"])}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # Why: a Redis that hangs would otherwise hold a page forever; the dashboard falls back to
    # computing the page when the cache fails.
    CACHES["default"].setdefault("OPTIONS", {}).update(socket_connect_timeout=1, socket_timeout=1)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out account or address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions end after SESSION_IDLE_MINUTES without a request (activity pushes the expiry on, at most
# once a minute), and SESSION_MAX_HOURS after signing in however active
# (accounts.middleware.SessionMaxAgeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_MINUTES", default=8 * 60) * 60
SESSION_MAX_AGE = env.int("SESSION_MAX_HOURS", default=12) * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in protection: after AXES_FAILURE_LIMIT failures an account, and separately an address,
# is locked for AXES_COOLOFF_TIME hours (admins can unlock in admin, under "Axes"). A successful
# sign-in clears that account's own failures only (accounts/lockout.py).
AXES_HANDLER = "accounts.lockout.AccountLockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_USERNAME_CALLABLE = "accounts.models.sign_in_name"
# The sign-in form names the email field "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
# Keep a record of every failed sign-in, even after a success resets the count.
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The client's address (for the lockout and the security log), with django-ipware. PROXY_COUNT is
# how many proxies in front of the app are trusted to append to X-Forwarded-For (nginx: 1). With
# 0, the header is ignored: a client could write anything in it. With N, the client is the entry
# the outermost trusted proxy appended, the Nth from the right (nginx's $proxy_add_x_forwarded_for
# appends its client's address last); entries a client sent itself, to the left, are ignored.
PROXY_COUNT = env.int("PROXY_COUNT", default=0)
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    # ipware counts the proxies listed in the header, and the last proxy is REMOTE_ADDR, not listed.
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
    AXES_IPWARE_PROXY_ORDER = "left-most"
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
    AXES_IPWARE_PROXY_COUNT = None
# Why not strict: a client may send an X-Forwarded-For of its own, which the proxy extends; the
# chain is then longer than the proxies, and its right end is still the one to trust.
IPWARE_STRICT = False

# Password reset emails: at most this many an hour for one address, and for one client.
PASSWORD_RESETS_PER_ADDRESS = env.int("PASSWORD_RESETS_PER_ADDRESS", default=3)
PASSWORD_RESETS_PER_CLIENT = env.int("PASSWORD_RESETS_PER_CLIENT", default=10)
# Days an invitation's link works (accounts/invitations.py); a new invitation ends the earlier ones.
INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("fr", "Français")]
# LOCALE_DIR lets the translation test extract messages into a copy of the catalogue.
LOCALE_PATHS = [Path(env.str("LOCALE_DIR", default=str(BASE_DIR / "locale")))]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# English dates day first ("31 December 2027"); French keeps Django's own (config/formats/en).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
WHITENOISE_USE_FINDERS = DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Evidence files live outside any public URL; they are served by an access-checked view.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Behind nginx: the evidence view checks access, then hands the file to nginx (X-Accel-Redirect to
# this prefix, an `internal` location aliased to MEDIA_ROOT: deploy/nginx/), so a large file never
# holds an app server while it is sent. Empty (the default): the view sends the file itself.
EVIDENCE_ACCEL_REDIRECT_PREFIX = env.str("EVIDENCE_ACCEL_REDIRECT_PREFIX", default="")

# Email: EMAIL_URL, an SMTP server (smtp+tls://user:password@host:587) or filemail:// (each email
# written to a file in EMAIL_FILE_PATH; the default in development).
_email = env.email_url("EMAIL_URL", default=EMBEDDED_DEFAULTS["EMAIL_URL"])
# Why not the URL's path: filemail:///var/mail would be the relative var/mail (django-environ).
_email.pop("EMAIL_FILE_PATH")
vars().update(_email)
EMAIL_FILE_PATH = Path(env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail")))
# Why: Django's default waits forever on a hung SMTP server.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Gender Champions <no-reply@genderchampions.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: CELERY_BROKER_URL (redis://host:6379/0; the filesystem transport under var/ by default
# in development).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=EMBEDDED_DEFAULTS["CELERY_BROKER_URL"])
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu needs data_folder_in == data_folder_out, and the folders must exist first (made by
    # the processes that use them: config/folders.py).
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        # Broadcasts (worker control, purge) live here; kombu's default is ./control.
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
        # Why: kombu polls the folder once a second by default; a sweep's emails then trickle out.
        "polling_interval": 0.1,
    }
else:
    # Why: longer than the longest retry delay, so Redis does not redeliver a task still waiting.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 60 * 60}
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Product rules that are settings.
STALE_AFTER_DAYS = env.int("STALE_AFTER_DAYS", default=60)
# "Due soon": an open commitment due within this many days (the dashboard and the office digest).
DUE_SOON_DAYS = env.int("DUE_SOON_DAYS", default=30)
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Reminders: the sweep runs daily at REMINDER_TIME in TIME_ZONE; offsets are days before a deadline.
REMINDER_TIME = env.str("REMINDER_TIME", default="08:00")
REMINDER_OFFSETS = env.list("REMINDER_OFFSETS", cast=int, default=[30, 7, 1])
# The year end: champions assess their commitments from this many days before the cycle ends; the
# assessments are due with the report (the cycle's report_due_on; a report submitted after it is late).
ASSESSMENT_OPENS_DAYS_BEFORE_END = env.int("ASSESSMENT_OPENS_DAYS_BEFORE_END", default=45)
# An overdue commitment with no progress logged this many days after its first overdue notice is
# escalated to the office (its weekly digest and the dashboard).
ESCALATE_AFTER_DAYS = env.int("ESCALATE_AFTER_DAYS", default=14)
# Days before a cycle's commitments_due_on that champions who have not submitted are reminded.
COMMITMENT_REMINDER_OFFSETS = env.list("COMMITMENT_REMINDER_OFFSETS", cast=int, default=[14, 3])
OVERDUE_NOTICE_EVERY_DAYS = 7
OVERDUE_NOTICES_AT_MOST = 4
# Delays before the 2nd, 3rd, 4th and 5th try of a failed delivery, in seconds.
REMINDER_RETRY_DELAYS = [60, 5 * 60, 30 * 60, 60 * 60]
# A reminder left "sending" this long (its worker died) is sent again by the hourly release.
REMINDER_SENDING_TIMEOUT = env.int("REMINDER_SENDING_TIMEOUT", default=15 * 60)
_hour, _minute = (int(part) for part in REMINDER_TIME.split(":"))
CELERY_BEAT_SCHEDULE = {
    "reminder-sweep": {
        "task": "reminders.tasks.sweep_reminders",
        "schedule": crontab(hour=_hour, minute=_minute),
    },
    "release-abandoned-reminders": {
        "task": "reminders.tasks.release_abandoned_reminders",
        "schedule": crontab(minute=17),
    },
    # The other emails (password resets, the review's): what a dead worker left, or no task will send.
    "release-abandoned-emails": {
        "task": "accounts.tasks.release_abandoned_emails",
        "schedule": crontab(minute=47),
    },
    "office-digest": {
        "task": "reminders.tasks.send_office_digest",
        "schedule": crontab(day_of_week="mon", hour=_hour, minute=_minute),
    },
}

# Logs: one JSON object per line in production (LOG_FORMAT=json, the default with DEBUG off), each
# with the request id, user id and path of the request it belongs to, in web processes and in the
# Celery tasks a request queued (config/logging.py); plain lines in development (LOG_FORMAT=text).
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request": {"()": "config.logging.RequestContextFilter"},
        "secrets": {"()": "config.logging.RedactSecretsFilter"},
    },
    "formatters": {
        "json": {"()": "config.logging.JsonFormatter"},
        "text": {"()": "config.logging.TextFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request", "secrets"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Why: Django's defaults give these loggers handlers of their own (a console for development's
    # server, mail to ADMINS), which would write past the filters above; here they go to root's.
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.server": {"handlers": [], "level": "INFO", "propagate": True},
    },
}
# Why: the worker and beat log through LOGGING too (config/celery.py), not Celery's own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# /healthz (for load balancers) gives each of the database, the cache and the broker this many
# seconds to answer before it says which did not (503).
HEALTHZ_TIMEOUT = env.float("HEALTHZ_TIMEOUT", default=2.0)

# Security headers and HTTPS. With DEBUG off, `manage.py check --deploy` reports nothing.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    # The proxy in front terminates TLS and says so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Content-Security-Policy: our own files only; no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Request size limits: larger requests are answered 400. Evidence files (10 MB) stream to disk;
# a larger file, or a multipart request larger than one file and its form, is refused while it is
# received (413, events/uploads.py). nginx caps bodies at UPLOAD_REQUEST_MAX_BYTES too (deploy/).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=10) * 1024 * 1024
UPLOAD_REQUEST_MAX_BYTES = EVIDENCE_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_HANDLERS = [
    "events.uploads.EvidenceSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 5

# The public pages (public/): kept in the shared cache this many seconds, so a change shows within it.
PUBLIC_PAGE_SECONDS = 60
# The read-only API (/api/v1/, Django REST framework; its OpenAPI schema at /api/schema/). Anonymous
# clients get the public data, signed-in members of the chief-of-staff office every active champion.
# Requests are counted per client address (PROXY_COUNT) and per signed-in user in the shared cache;
# past the rate the API answers 429.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "public.throttling.AnonymousRateThrottle",
        "public.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("API_ANONYMOUS_RATE", default="120/minute"),
        "user": env.str("API_USER_RATE", default="600/minute"),
    },
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Gender Champions API",
    "DESCRIPTION": (
        "Read-only: the approved commitments, and the pledges, of the champions who opted in to the "
        "public pages. Signed-in members of the chief-of-staff office also get the other champions."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
}

# Commitments in and out of spreadsheets (django-import-export; formats: commitments/resources.py).
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Why: the admin's log would get a row per imported commitment; the history (simple-history) has them.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
