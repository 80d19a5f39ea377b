"""The Celery app. Start workers through the interpreter so the project's ``platform`` package wins over the
standard module: ``python -m celery -A platform worker -Q celery,meshes,slicing,dispatch,notify``."""

import os
from pathlib import Path

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "platform.settings.local")
# filesystem:// means our atomic-write variant of kombu's transport (see core/broker.py).
TRANSPORT_ALIASES["filesystem"] = "core.broker:Transport"

app = Celery("platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The queues come from the settings (TASK_TIME_LIMITS has one entry per queue), see core.queueing.


def ensure_broker_folders() -> None:
    """kombu's filesystem transport does not create its folders; make them before anyone publishes."""
    from django.conf import settings

    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "control_folder", "processed_folder"):
            Path(options[key]).mkdir(parents=True, exist_ok=True)


ensure_broker_folders()
