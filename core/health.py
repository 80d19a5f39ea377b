"""Reachability of the parts the platform needs: the database, the broker and at least one worker."""

import logging

from django.db import connection

from core.queueing import celery_app

logger = logging.getLogger(__name__)


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - any failure means "down", reported by name
        logger.warning("health: database down: %s", error)
        return f"down: {type(error).__name__}"
    return "ok"


def check_broker() -> str:
    app = celery_app()
    try:
        with app.connection_for_write() as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:  # noqa: BLE001
        logger.warning("health: broker down: %s", error)
        return f"down: {type(error).__name__}"
    return "ok"


def check_worker(*, timeout: float = 1.5) -> str:
    app = celery_app()
    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as error:  # noqa: BLE001
        logger.warning("health: worker ping failed: %s", error)
        return f"down: {type(error).__name__}"
    return "ok" if replies else "down: no worker answered"


def health_report() -> dict[str, str]:
    database = check_database()
    broker = check_broker()
    # Without a broker no worker can answer; do not wait for the ping to time out.
    worker = check_worker() if broker == "ok" else "down: broker unreachable"
    return {"database": database, "broker": broker, "worker": worker}
