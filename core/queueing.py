"""Background work is enqueued through a transactional outbox, after commit.

``enqueue_after_commit(DESIGN_VERSION_ANALYSE_TASK, version_id=7)`` writes an OutboxMessage in the
caller's transaction and publishes it once that transaction commits. If the broker is down the request still
succeeds; the row stays unsent and ``core.outbox_sweep`` (beat) publishes it when the broker is back.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# Task names of the foundation (stable: stored in outbox rows and beat's schedule); the tasks are in core/tasks.py.
PING_TASK = "core.ping"
OUTBOX_SWEEP_TASK = "core.outbox_sweep"

# A small circuit breaker: after the broker refused a publish, this process leaves new messages to the
# sweeper for a few seconds instead of paying the connection timeout again for each one (a request that
# confirms an order and notifies the customer would otherwise wait twice).
BROKER_RETRY_PAUSE_SECONDS = 5.0
_broker_down_until = 0.0


def _broker_known_down() -> bool:
    return time.monotonic() < _broker_down_until


def _remember_broker_down() -> None:
    global _broker_down_until
    _broker_down_until = time.monotonic() + BROKER_RETRY_PAUSE_SECONDS


# The project's Celery app (``platform.celery.app``), handed over by ``CoreConfig.ready`` so that the foundation
# never imports the project package above it. Not Celery's "current app": any Celery app made later in the same
# process (a test's probe of another broker, say) becomes the current one.
_project_app = None


def use_celery_app(app) -> None:
    global _project_app
    _project_app = app


def celery_app():
    """The project's Celery app (the current app until ``CoreConfig.ready`` has handed it over)."""
    if _project_app is not None:
        return _project_app
    from celery import current_app

    return current_app._get_current_object()


def queues() -> tuple[str, ...]:
    """Every queue the platform's workers serve: one per entry of ``TASK_TIME_LIMITS``."""
    return tuple(settings.TASK_TIME_LIMITS)


# Each task's queue, declared once where the task is (``task_options``); ``route_task`` routes by it.
_QUEUE_OF_TASK: dict[str, str] = {}


def task_options(*, name: str, queue: str) -> dict:
    """The options of a task's decorator: its stable name, its queue (which ``route_task`` then routes to) and
    that queue's time limits. ``@shared_task(**task_options(name=ORDER_DISPATCH_TASK, queue="dispatch"))``"""
    if _QUEUE_OF_TASK.setdefault(name, queue) != queue:
        raise ValueError(f"task {name} is declared on two queues: {_QUEUE_OF_TASK[name]} and {queue}")
    return {"name": name, **time_limits(queue)}


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (``CELERY_TASK_ROUTES``): a task goes to the queue it was declared on; its name says
    nothing about it. Tasks not declared through ``task_options`` go to the default queue."""
    queue = _QUEUE_OF_TASK.get(name)
    return {"queue": queue} if queue else None


def time_limits(queue: str) -> dict:
    """Per-queue limits for a task decorator: a soft limit the task can catch (and turn into a clear
    "took too long" answer), and the hard one a little later (30 s, or a fifth of it for short limits)."""
    hard = settings.TASK_TIME_LIMITS[queue]
    return {"time_limit": hard, "soft_time_limit": hard - max(1, min(30, hard // 5))}


def enqueue_after_commit(task_name: str, **kwargs) -> OutboxMessage:
    """Record the task now; publish it after the surrounding transaction commits (never inside it)."""
    message = OutboxMessage.objects.create(task_name=task_name, kwargs=kwargs)
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message


def outbox_publish(*, message_id: int) -> bool:
    """Publish one outbox message. Returns whether it reached the broker; failures stay for the sweeper."""
    app = celery_app()
    if _broker_known_down():
        OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
            last_error="the broker was unreachable a moment ago; left for the sweeper"
        )
        return False
    claimed = OutboxMessage.objects.filter(pk=message_id, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_attempt_at=timezone.now()
    )
    if claimed != 1:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    task = app.tasks.get(message.task_name)
    if app.conf.task_always_eager and task is not None:
        # Unit tests: the task runs here and now. Its own errors are the test's business, not a broker
        # failure, so they are not caught (nor do they trip the breaker).
        OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now())
        task.apply_async(kwargs=message.kwargs)
        return True
    try:
        if task is not None:
            task.apply_async(kwargs=message.kwargs, retry=False)
        else:
            app.send_task(message.task_name, kwargs=message.kwargs, retry=False)
    except Exception as error:  # noqa: BLE001 - any broker failure leaves the row for the sweeper
        _remember_broker_down()
        logger.warning("could not publish %s (outbox %s): %s", message.task_name, message_id, error)
        OutboxMessage.objects.filter(pk=message_id).update(last_error=f"{type(error).__name__}: {error}"[:2000])
        return False
    OutboxMessage.objects.filter(pk=message_id).update(sent_at=timezone.now(), last_error="")
    return True


def outbox_sweep(*, limit: int = 500) -> int:
    """Publish messages that were not confirmed sent a while after they were written. Returns how many."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_RETRY_AFTER_SECONDS)
    pending = list(
        OutboxMessage.objects.filter(sent_at__isnull=True, created_at__lte=cutoff)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for message_id in pending:
        if outbox_publish(message_id=message_id):
            sent += 1
        else:
            # The broker is still down: stop here instead of timing out once per row.
            break
    return sent
