"""Tests: the same services as the environment gives (PostgreSQL + Redis in CI, SQLite + filesystem broker on
a laptop), fast password hashing, and eager Celery for unit tests. Tests that cross the queue start a real
worker process and switch eager mode off (tests/worker.py)."""

import os
from pathlib import Path

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR, env

# One folder per test session (and per xdist worker) for files, the broker and the SQLite test database,
# so parallel runs never share state.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
# Worker subprocesses inherit the id through the environment, so they find the same folder.
_run = os.environ.setdefault("PLATFORM_TEST_RUN_ID", f"{_worker}-{os.getpid()}")
TEST_RUN_DIR = VAR_DIR / "test" / _run
TEST_RUN_DIR.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(TEST_RUN_DIR / "media")))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that a worker subprocess sees the same test database.
    DATABASES["default"]["TEST"] = {"NAME": str(TEST_RUN_DIR / "test-db.sqlite3")}

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
CELERY_TASK_EAGER_PROPAGATES = True
DEBUG = False
REST_FRAMEWORK = {**REST_FRAMEWORK}  # noqa: F405

# The broker: a folder of this session's own, or a Redis database index of this session's own (never index 0,
# which belongs to whoever else uses that Redis).
from .base import CELERY_BROKER_URL, filesystem_broker_options  # noqa: E402

if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(TEST_RUN_DIR / "broker")
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    from urllib.parse import urlsplit, urlunsplit

    _index = 1 + (int(_worker[2:]) if _worker.startswith("gw") else 0)
    _parts = urlsplit(CELERY_BROKER_URL)
    CELERY_BROKER_URL = urlunsplit(_parts._replace(path=f"/{_index}"))

# Static files come from the app folders through WhiteNoise's finders; no collectstatic before tests.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Rate-limit counters per test session, never shared with a running demo.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": f"tests-{_worker}"}}
