"""Billing's beat work. Thin wrappers that call services."""

from celery import shared_task

from billing import services
from billing.services import PAYMENTS_RECONCILE_TASK
from core.queueing import task_options


@shared_task(**task_options(name=PAYMENTS_RECONCILE_TASK, queue="celery"))
def payments_reconcile() -> int:
    """Beat: ask the provider about payments whose webhook is late or lost."""
    return services.payments_reconcile()
