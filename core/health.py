"""Reachability of the parts the platform needs (the database, the broker and at least one worker) and of the
optional ones it works without (the slicer: quotes then stay estimates).

Optional checks are registered by the apps that own them (``register_optional_check`` in their
``AppConfig.ready``), since the foundation imports no feature app. They are reported but never make the
answer 503.
"""

import logging
from collections.abc import Callable

from django.db import connection

from core.queueing import celery_app

logger = logging.getLogger(__name__)

# name -> a function returning "ok" or "unavailable: <reason>"; see register_optional_check.
_optional_checks: dict[str, Callable[[], str]] = {}


def register_optional_check(name: str, check: Callable[[], str]) -> None:
    """Report ``name`` in the health answer with what ``check()`` returns; a part the platform can work without."""
    _optional_checks[name] = check


def optional_parts() -> frozenset[str]:
    return frozenset(_optional_checks)


def _run_optional(name: str, check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as error:  # noqa: BLE001 - a broken optional check is reported, never a 500
        logger.warning("health: %s check failed: %s", name, error)
        return f"unavailable: {type(error).__name__}"


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
        # The first reply is enough: without ``limit`` the ping waits the whole timeout for more workers.
        replies = app.control.ping(timeout=timeout, limit=1)
    except Exception as error:  # noqa: BLE001
        logger.warning("health: worker ping failed: %s", error)
        return f"down: {type(error).__name__}"
    return "ok" if replies else "down: no worker answered"


def health_report() -> dict[str, str]:
    database = check_database()
    broker = check_broker()
    # Without a broker no worker can answer; do not wait for the ping to time out.
    worker = check_worker() if broker == "ok" else "down: broker unreachable"
    report = {"database": database, "broker": broker, "worker": worker}
    report.update({name: _run_optional(name, check) for name, check in _optional_checks.items()})
    return report
