"""Tasks of the platform itself: a ping for round-trip checks, the outbox sweeper and notification delivery."""

import os

from celery import shared_task

from core import queueing
from core.notifications import NOTIFICATION_DELIVER_TASK
from core.notifications import notification_deliver as deliver
from core.queueing import OUTBOX_SWEEP_TASK, PING_TASK, task_options


@shared_task(ignore_result=False, **task_options(name=PING_TASK, queue="celery"))
def ping(*, value: str = "pong") -> dict:
    """Echo back, with the worker's pid: proves a task went through the broker to a worker and back."""
    return {"value": value, "pid": os.getpid()}


@shared_task(**task_options(name=OUTBOX_SWEEP_TASK, queue="celery"))
def outbox_sweep() -> int:
    """Publish outbox rows whose after-commit publish did not reach the broker."""
    return queueing.outbox_sweep()


@shared_task(
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=5,
    **task_options(name=NOTIFICATION_DELIVER_TASK, queue="notify"),
)
def notification_deliver(*, notification_id: int) -> None:
    """E-mail (and webhook) one notification; network failures retry with backoff, five times at most."""
    deliver(notification_id=notification_id)
