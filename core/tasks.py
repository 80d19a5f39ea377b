"""Tasks of the platform itself: a ping for round-trip checks and the outbox sweeper."""

from celery import shared_task

from core import queueing
from core.notifications import notification_deliver
from core.queueing import time_limits


@shared_task(name="core.ping", ignore_result=False, **time_limits("celery"))
def ping(*, value: str = "pong") -> dict:
    """Echo back, with the worker's pid: proves a task went through the broker to a worker and back."""
    import os

    return {"value": value, "pid": os.getpid()}


@shared_task(name="core.outbox_sweep", **time_limits("celery"))
def outbox_sweep() -> int:
    """Publish outbox rows whose after-commit publish did not reach the broker."""
    return queueing.outbox_sweep()


@shared_task(
    name="notify.deliver_notification",
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    **time_limits("notify"),
)
def deliver_notification(*, notification_id: int) -> None:
    """E-mail (and webhook) one notification; network failures retry with backoff, five times at most."""

    notification_deliver(notification_id=notification_id)
