"""Settings shared by every environment. Every deploy-time choice comes from the environment.

With nothing set, the platform runs on embedded defaults: a SQLite file and kombu's ``filesystem://``
broker under ``var/`` with ``django-db`` results, a real separate worker process and no daemon.
``DATABASE_URL`` switches to PostgreSQL, ``REDIS_URL`` (or ``CELERY_BROKER_URL``) to Redis.
"""

from decimal import Decimal
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

VAR_DIR = Path(env.str("PLATFORM_VAR_DIR", default=str(BASE_DIR / "var")))

SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="local-development-only-not-secret")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("PLATFORM_SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    # Kept for its table: accounts' migration 0003 moved its keys into accounts.ApiToken (same keys, hashed).
    "rest_framework.authtoken",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "django_celery_beat",
    # The project's apps, lowest layer first (see README "Architecture"): an app imports only those above it.
    "core",
    "accounts",
    "catalogue",
    "designs",
    "slicing",
    "makers",
    "billing",
    "orders",
    "codesign",
    "web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The reader's language: the language cookie (set by the switch on every page and at log-in from the
    # user's saved choice), else Accept-Language, else English.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in user's saved language wins over the cookie (and is written into it).
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Staff without two-factor authentication are sent to enrol before the admin or the dashboard.
    "accounts.middleware.StaffTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "platform.urls"
WSGI_APPLICATION = "platform.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
# allauth's backend (user name or e-mail address) behind the log-in lockout (accounts.lockout).
AUTHENTICATION_BACKENDS = ["accounts.lockout.LockoutBackend"]
# Failed log-ins allowed per window (see accounts/lockout.py).
LOGIN_FAILURE_WINDOW_SECONDS = env.int("LOGIN_FAILURE_WINDOW_SECONDS", default=900)
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env.int("LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS", default=5)
LOGIN_FAILURES_PER_ACCOUNT = env.int("LOGIN_FAILURES_PER_ACCOUNT", default=30)
LOGIN_FAILURES_PER_ADDRESS = env.int("LOGIN_FAILURES_PER_ADDRESS", default=100)
# How many proxies in front of the web process append to X-Forwarded-For (0: use REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Accounts: django-allauth (sign-up, e-mail verification, password reset, e-mail change) and allauth.mfa (TOTP
# with recovery codes; required for staff, see accounts/middleware.py). A person may log in and upload before
# verifying the address; the first order needs a verified one (orders.services.ordering).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "optional"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True  # one address per account; a new one is verified before it replaces the old
ACCOUNT_CONFIRM_EMAIL_ON_GET = False  # the link opens a page with a button: mail scanners do not verify
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Makernet] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = None  # the "remember me" box decides
# allauth's own rate limits stay on for sign-up, resets and e-mail; failed log-ins are counted by the lockout
# (LoginFailure rows, LOGIN_FAILURES_*) so that pages and API share one count.
ACCOUNT_RATE_LIMITS = {"login_failed": None}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Makernet")
# One 30 s step either side of now: a phone's clock a little off still works.
MFA_TOTP_TOLERANCE = 1

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

# Database: PostgreSQL when DATABASE_URL is set, a SQLite file otherwise.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat share the file: WAL lets readers run beside a writer, IMMEDIATE transactions
    # take the write lock up front (no "database is locked" on upgrade), and a timeout waits for it.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The hot reads (core/prepared.py) are PREPAREd in each PostgreSQL session; off behind a pooler in transaction mode,
# where a session's prepared statements do not follow the client.
DATABASE_PREPARE_READS = env.bool("DATABASE_PREPARE_READS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# Every page, e-mail and API error message exists in these languages; translations are .po files in each
# app's and the project's locale/ folders.
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("fr", "Français"), ("nl", "Nederlands")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# Static files (three.js and friends are fetched into static/vendor by `dev.py`, never from a CDN).
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("DJANGO_STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded and generated files: private, served through permission-checked views, never at a public URL.
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")


def s3_storage_options(bucket: str) -> dict:
    """django-storages' S3 options for ``bucket`` from the environment: private objects (read only through the
    platform's permission-checked views), signed URLs, never overwritten. Credentials come from
    ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` (or the instance's role), read by boto3 itself."""
    return {
        "bucket_name": bucket,
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }


if AWS_STORAGE_BUCKET_NAME:
    _file_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": s3_storage_options(AWS_STORAGE_BUCKET_NAME),
    }
else:
    _file_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _file_storage,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads larger than this go to a temporary file while they stream in, never whole into memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = None
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Rendered API reads are kept until a table they read is written (core/readcache.py), at most this long;
# 0 switches the read cache off.
READ_CACHE_SECONDS = env.int("READ_CACHE_SECONDS", default=600)

# REST framework: every endpoint denies unless its view says who may call it.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.DenyAll"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "register": env.str("THROTTLE_REGISTER", default="20/hour"),
        "upload": env.str("THROTTLE_UPLOAD", default="120/hour"),
        "quote": env.str("THROTTLE_QUOTE", default="600/hour"),
        "preview": env.str("THROTTLE_PREVIEW", default="1200/hour"),
    },
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Makernet API",
    "DESCRIPTION": "Upload 3D designs, check printability, get quotes and have local makers print them.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Swagger UI and ReDoc come from the drf-spectacular-sidecar package: no CDN, works on closed networks.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "VersionStatusEnum": "designs.models.VersionStatus",
        "OrderStatusEnum": "orders.models.orders.OrderStatus",
        "JobStatusEnum": "orders.models.production.JobStatus",
        "BatchStatusEnum": "orders.models.production.BatchStatus",
        "ProcessEnum": "catalogue.models.Process",
        "RoleEnum": "accounts.models.Role",
    },
}

# Celery --------------------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# The cache holds rate-limit counters, so it must be shared by every web process: Redis when there is one,
# else files under var/ (one machine, several gunicorn workers).
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "makernet",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or REDIS_URL or "filesystem://localhost/"
BROKER_DIR = VAR_DIR / "broker"
# Seconds Redis waits for an ack before it hands an unacknowledged task to another worker. With acks_late
# a task whose whole worker died comes back after this long (plus at most one 10 s restore sweep: under
# five minutes in all); every hard time limit stays below it, so a task that is merely slow is never
# delivered twice.
CELERY_VISIBILITY_TIMEOUT = env.int("CELERY_VISIBILITY_TIMEOUT", default=270)


def filesystem_broker_options(folder: Path) -> dict:
    """kombu's filesystem transport: producer and worker read and write the same folder."""
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "polling_interval": 0.1,
    }


def redis_broker_options() -> dict:
    return {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        # Look for abandoned (unacknowledged, timed-out) messages every 10 s rather than kombu's 100 s.
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "health_check_interval": 25,
    }


if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(BROKER_DIR)
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = redis_broker_options()
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "celery"
# Each task declares its queue where it is defined (core.queueing.task_options); this router follows that.
CELERY_TASK_ROUTES = ("core.queueing.route_task",)
CELERY_WORKER_SEND_TASK_EVENTS = True
CELERY_TASK_SEND_SENT_EVENT = True
CELERY_TASK_ALWAYS_EAGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Publishing while the broker is down must fail fast: the outbox keeps the message and the sweeper sends it.
CELERY_TASK_PUBLISH_RETRY = False

# Hard time limits per queue (seconds); soft limits are 30 s earlier. All stay below the visibility timeout.
# One entry per queue the workers serve (the dashboard lists them in this order).

# Money -------------------------------------------------------------------------------------------------
# "test": the built-in provider (a payment page on this site, for the demo and the tests); "stripe": Stripe.
PAYMENT_PROVIDER = env.str("PAYMENT_PROVIDER", default="test")
# Signs the test provider's events (its page posts them through the same webhook path as a real provider's).
TEST_PAYMENT_SECRET = env.str("TEST_PAYMENT_SECRET", default="") or f"testpay-{SECRET_KEY}"
STRIPE_API_KEY = env.str("STRIPE_API_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
# A Stripe-compatible server instead of Stripe's own (the tests run localstripe).
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="")
# Stripe.js, loaded by the Stripe payment page (/pay/stripe/<reference>/); localstripe serves a stand-in at
# <its url>/js.stripe.com/v3/. Its origin is allowed by the Content-Security-Policy of that page only.
STRIPE_JS_URL = env.str("STRIPE_JS_URL", default="https://js.stripe.com/v3/")
# The platform's share of each offer price (net of VAT); the maker is paid the rest, plus the shipping fee.
PLATFORM_COMMISSION_RATE = Decimal(env.str("PLATFORM_COMMISSION_RATE", default="0.15"))
# Flat shipping fee per order, net of VAT, in CURRENCY: the maker ships, so it goes to the maker's payout.
SHIPPING_FEE = Decimal(env.str("SHIPPING_FEE", default="4.90"))
# The seller's country (the platform, seller of record): its VAT rules apply to businesses at home.
PLATFORM_COUNTRY = env.str("PLATFORM_COUNTRY", default="DE")
PLATFORM_LEGAL_NAME = env.str("PLATFORM_LEGAL_NAME", default="Makernet")
PLATFORM_VAT_NUMBER = env.str("PLATFORM_VAT_NUMBER", default="")
PLATFORM_ADDRESS = env.list("PLATFORM_ADDRESS", default=["Makernet", "Example Street 1", "10115 Berlin", "DE"])
# A maker's earnings are released this many days after delivery, when no claim is open.
PAYOUT_HOLD_DAYS = env.int("PAYOUT_HOLD_DAYS", default=7)
# The platform's own account, the debtor of the SEPA payout files; empty: staff cannot make a payout batch yet.
PLATFORM_IBAN = env.str("PLATFORM_IBAN", default="").replace(" ", "").upper()
PLATFORM_BIC = env.str("PLATFORM_BIC", default="").replace(" ", "").upper()
if PLATFORM_IBAN and not stdnum_iban.is_valid(PLATFORM_IBAN):
    raise ImproperlyConfigured(f"PLATFORM_IBAN {PLATFORM_IBAN!r} is not a valid IBAN.")
if PLATFORM_BIC and not stdnum_bic.is_valid(PLATFORM_BIC):
    raise ImproperlyConfigured(f"PLATFORM_BIC {PLATFORM_BIC!r} is not a valid BIC (8 or 11 characters).")
# Payments still pending this long are asked about at the provider (late or lost webhooks).
PAYMENT_RECONCILE_AFTER_SECONDS = env.int("PAYMENT_RECONCILE_AFTER_SECONDS", default=900)
if not (0 <= PLATFORM_COMMISSION_RATE < 1):
    raise ImproperlyConfigured("PLATFORM_COMMISSION_RATE must be at least 0 and below 1 (0.15 is 15 %).")

TASK_TIME_LIMITS = {
    "celery": env.int("DEFAULT_TASK_TIME_LIMIT", default=120),
    "meshes": env.int("MESH_TASK_TIME_LIMIT", default=240),
    "slicing": env.int("SLICING_TASK_TIME_LIMIT", default=200),
    "dispatch": env.int("DISPATCH_TASK_TIME_LIMIT", default=120),
    "notify": env.int("NOTIFY_TASK_TIME_LIMIT", default=60),
}
if max(TASK_TIME_LIMITS.values()) >= CELERY_VISIBILITY_TIMEOUT:
    raise ImproperlyConfigured(
        "Every task time limit must be below CELERY_VISIBILITY_TIMEOUT "
        f"({CELERY_VISIBILITY_TIMEOUT} s), or slow tasks would be delivered twice."
    )
# Outbox: messages not confirmed as published after this many seconds are sent again by the sweeper.
OUTBOX_RETRY_AFTER_SECONDS = env.int("OUTBOX_RETRY_AFTER_SECONDS", default=30)

# How often beat runs the sweeps (outbox, stuck analyses and orders) and offer expiry, in seconds.
SWEEP_INTERVAL_SECONDS = env.float("SWEEP_INTERVAL_SECONDS", default=30.0)
CELERY_BEAT_SCHEDULE = {
    # Task names as in each app's constants (core.queueing.OUTBOX_SWEEP_TASK, ...): settings load before the apps.
    "outbox-sweep": {"task": "core.outbox_sweep", "schedule": SWEEP_INTERVAL_SECONDS / 2},
    "stuck-analyses-sweep": {"task": "designs.design_versions_sweep_stuck", "schedule": SWEEP_INTERVAL_SECONDS},
    "expire-offers": {"task": "orders.job_offers_expire", "schedule": SWEEP_INTERVAL_SECONDS},
    "stuck-orders-sweep": {"task": "orders.orders_sweep_stuck", "schedule": SWEEP_INTERVAL_SECONDS},
    "stuck-slices-sweep": {"task": "slicing.slices_sweep_stuck", "schedule": SWEEP_INTERVAL_SECONDS},
    "payouts-release": {"task": "orders.payouts_release_due", "schedule": SWEEP_INTERVAL_SECONDS * 10},
    "payments-reconcile": {"task": "billing.payments_reconcile", "schedule": SWEEP_INTERVAL_SECONDS * 10},
}

# E-mail: console by default, SMTP (or anything django-environ parses) with EMAIL_URL.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Makernet <no-reply@makernet.local>")

# Customers' webhooks (core/webhooks.py): http(s) to public internet addresses only, checked when saved and again
# when sent, to the address checked; no redirects. The whole exchange has this deadline (seconds) and at most
# this much of the answer is read.
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=5.0)
WEBHOOK_MAX_RESPONSE_BYTES = env.int("WEBHOOK_MAX_RESPONSE_BYTES", default=65536)
# Local development only: let webhooks go to loopback and private addresses (a receiver on this machine).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
if WEBHOOK_TIMEOUT_SECONDS <= 0 or WEBHOOK_MAX_RESPONSE_BYTES < 0:
    raise ImproperlyConfigured("WEBHOOK_TIMEOUT_SECONDS must be above 0 and WEBHOOK_MAX_RESPONSE_BYTES at least 0.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Designs and mesh analysis limits --------------------------------------------------------------------
DESIGN_UPLOAD_MAX_BYTES = env.int("DESIGN_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024)
MESH_MAX_FACES = env.int("MESH_MAX_FACES", default=5_000_000)
MESH_MAX_ARCHIVE_BYTES = env.int("MESH_MAX_ARCHIVE_BYTES", default=1024 * 1024 * 1024)
MESH_MAX_ARCHIVE_RATIO = env.int("MESH_MAX_ARCHIVE_RATIO", default=100)
MESH_ANALYSIS_MEMORY_BYTES = env.int("MESH_ANALYSIS_MEMORY_BYTES", default=2 * 1024 * 1024 * 1024)
if MESH_ANALYSIS_MEMORY_BYTES < 768 * 1024 * 1024:
    # Below this even a small part cannot be checked (ray casting alone reserves about 512 MB).
    raise ImproperlyConfigured("MESH_ANALYSIS_MEMORY_BYTES must be at least 805306368 (768 MB).")
# Deliveries of one analysis that may start before the file is declared the cause of worker deaths.
MESH_ANALYSIS_MAX_ATTEMPTS = env.int("MESH_ANALYSIS_MAX_ATTEMPTS", default=3)
# Versions stuck in queued/analysing longer than this are re-queued by the beat sweep (a dead worker).
MESH_ANALYSIS_STUCK_AFTER_SECONDS = env.int("MESH_ANALYSIS_STUCK_AFTER_SECONDS", default=300)
DESIGN_FORMATS = ("stl", "obj", "ply", "off", "3mf", "glb", "gltf")

# Slicing (PrusaSlicer on the ``slicing`` queue) -------------------------------------------------------------
# The slicer program and its vendor profiles; empty = ``prusa-slicer`` on PATH and /usr/share/PrusaSlicer/profiles.
PRUSASLICER_BIN = env.str("PRUSASLICER_BIN", default="")
PRUSASLICER_PROFILES_DIR = env.str("PRUSASLICER_PROFILES_DIR", default="")
# The slicer subprocess is killed after this many seconds: below the slicing task's soft limit, so that a hang
# ends as a readable "took longer than" failure rather than the task being cut off.
SLICER_TIME_LIMIT_SECONDS = env.int("SLICER_TIME_LIMIT_SECONDS", default=150)
# Address space the slicer subprocess (and the part's preparation) may use.
SLICER_MEMORY_BYTES = env.int("SLICER_MEMORY_BYTES", default=2 * 1024 * 1024 * 1024)
# Deliveries of one slice that may start before the part is declared the cause of worker deaths.
SLICING_MAX_ATTEMPTS = env.int("SLICING_MAX_ATTEMPTS", default=3)
# Slices queued or slicing longer than this are re-queued by the beat sweep (a dead worker).
SLICING_STUCK_AFTER_SECONDS = env.int("SLICING_STUCK_AFTER_SECONDS", default=300)
# A slice that failed for a temporary reason (slicer missing, timed out) is queued again by a new request
# after this many seconds.
SLICING_RETRY_AFTER_SECONDS = env.int("SLICING_RETRY_AFTER_SECONDS", default=300)
_slicing_soft_limit = TASK_TIME_LIMITS["slicing"] - max(1, min(30, TASK_TIME_LIMITS["slicing"] // 5))
if _slicing_soft_limit <= SLICER_TIME_LIMIT_SECONDS:
    raise ImproperlyConfigured(
        f"SLICER_TIME_LIMIT_SECONDS ({SLICER_TIME_LIMIT_SECONDS}) must be below the slicing task's soft time limit "
        f"({_slicing_soft_limit} s, from SLICING_TASK_TIME_LIMIT)."
    )
if SLICER_MEMORY_BYTES < 512 * 1024 * 1024:
    # PrusaSlicer 2.5's libraries and threads alone map about 250 MB of address space.
    raise ImproperlyConfigured("SLICER_MEMORY_BYTES must be at least 536870912 (512 MB).")

# Orders, quotes and dispatch --------------------------------------------------------------------------
CURRENCY = "EUR"
QUOTE_VALIDITY_DAYS = env.int("QUOTE_VALIDITY_DAYS", default=14)
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# Makers further than this from the delivery address are not offered the work.
MATCH_MAX_DISTANCE_KM = env.float("MATCH_MAX_DISTANCE_KM", default=400.0)
# How long a maker has to accept an offer before it goes to the next one.
OFFER_TTL_HOURS = env.float("OFFER_TTL_HOURS", default=4.0)
# A maker approved from an application starts on probation: at most this many jobs in hand (offered, accepted,
# printing, printed: not yet shipped) until this many of its jobs were delivered without a claim.
MAKER_PROBATION_MAX_JOBS = env.int("MAKER_PROBATION_MAX_JOBS", default=2)
MAKER_PROBATION_DELIVERIES = env.int("MAKER_PROBATION_DELIVERIES", default=3)
if MAKER_PROBATION_MAX_JOBS < 1 or MAKER_PROBATION_DELIVERIES < 0:
    raise ImproperlyConfigured("MAKER_PROBATION_MAX_JOBS must be at least 1 and MAKER_PROBATION_DELIVERIES at least 0.")
# A maker's counter-offer (another price or date) waits this long for the customer's answer (and a price rise
# as long again for its top-up payment); the job's offer expiry is moved to match, so it does not go on meanwhile.
COUNTER_OFFER_TTL_HOURS = env.float("COUNTER_OFFER_TTL_HOURS", default=48.0)
# A counter-offer may ask at most this many times the job's current price (a typo of 100x is refused).
COUNTER_OFFER_MAX_FACTOR = Decimal(env.str("COUNTER_OFFER_MAX_FACTOR", default="3"))
if COUNTER_OFFER_TTL_HOURS <= 0 or COUNTER_OFFER_MAX_FACTOR <= 1:
    raise ImproperlyConfigured("COUNTER_OFFER_TTL_HOURS must be above 0 and COUNTER_OFFER_MAX_FACTOR above 1.")
# Print agents (a maker's program next to its printers, issue 18). A printer not heard from for this long shows as
# offline. Each printer's correction factor (actual / estimated print time) is the median over its last
# AGENT_CORRECTION_SAMPLES finished prints, used from AGENT_CORRECTION_MIN_SAMPLES on (1: one real print already
# teaches the next quote), and clamped to [AGENT_CORRECTION_MIN, AGENT_CORRECTION_MAX] so one odd print cannot
# price a printer out of the market or make it free.
AGENT_OFFLINE_AFTER_SECONDS = env.int("AGENT_OFFLINE_AFTER_SECONDS", default=60)
AGENT_CORRECTION_SAMPLES = env.int("AGENT_CORRECTION_SAMPLES", default=10)
AGENT_CORRECTION_MIN_SAMPLES = env.int("AGENT_CORRECTION_MIN_SAMPLES", default=1)
AGENT_CORRECTION_MIN = env.float("AGENT_CORRECTION_MIN", default=0.5)
AGENT_CORRECTION_MAX = env.float("AGENT_CORRECTION_MAX", default=3.0)
if AGENT_OFFLINE_AFTER_SECONDS < 1 or AGENT_CORRECTION_SAMPLES < 1 or AGENT_CORRECTION_MIN_SAMPLES < 1:
    raise ImproperlyConfigured(
        "AGENT_OFFLINE_AFTER_SECONDS, AGENT_CORRECTION_SAMPLES and AGENT_CORRECTION_MIN_SAMPLES must be at least 1."
    )
if not 0 < AGENT_CORRECTION_MIN <= 1 <= AGENT_CORRECTION_MAX:
    raise ImproperlyConfigured("AGENT_CORRECTION_MIN must be in (0, 1] and AGENT_CORRECTION_MAX at least 1.")
# Jobs for the same maker and material confirmed within this window share a batch (and its set-up).
BATCH_WINDOW_MINUTES = env.int("BATCH_WINDOW_MINUTES", default=120)
# The one central factory that local making is compared with (CO2 saved): Eindhoven by default.
CENTRAL_FACTORY_LATITUDE = env.float("CENTRAL_FACTORY_LATITUDE", default=51.4416)
CENTRAL_FACTORY_LONGITUDE = env.float("CENTRAL_FACTORY_LONGITUDE", default=5.4697)
JOB_PHOTO_MAX_BYTES = env.int("JOB_PHOTO_MAX_BYTES", default=15 * 1024 * 1024)
# Orders with parts nobody holds this long after their last change get dispatch re-queued by the sweep.
DISPATCH_STUCK_AFTER_SECONDS = env.int("DISPATCH_STUCK_AFTER_SECONDS", default=300)

# Personal data: the largest export (the zip of a person's data and files) made on request; above it the request
# is refused with a 409 that says so (staff can export by hand).
PRIVACY_EXPORT_MAX_BYTES = env.int("PRIVACY_EXPORT_MAX_BYTES", default=2 * 1024 * 1024 * 1024)
