"""Dispatch work on the ``dispatch`` queue and its beat timers. Thin wrappers that call services."""

from celery import shared_task

from core.queueing import task_options
from orders.services import checkout, dispatch
from orders.services.checkout import PAYOUTS_RELEASE_DUE_TASK
from orders.services.dispatch import JOB_OFFERS_EXPIRE_TASK, ORDER_DISPATCH_TASK, ORDERS_SWEEP_STUCK_TASK


@shared_task(**task_options(name=ORDER_DISPATCH_TASK, queue="dispatch"))
def order_dispatch(*, order_id: int) -> str:
    """Offer the order's unassigned items to the best eligible makers (safe to run again)."""
    return dispatch.order_dispatch(order_id=order_id)


@shared_task(**task_options(name=JOB_OFFERS_EXPIRE_TASK, queue="dispatch"))
def job_offers_expire() -> int:
    """Beat: expire unanswered offers and send their parts to the next maker."""
    return dispatch.job_offers_expire()


@shared_task(**task_options(name=ORDERS_SWEEP_STUCK_TASK, queue="dispatch"))
def orders_sweep_stuck() -> int:
    """Beat: re-run dispatch for orders confirmed or routing with parts that no job holds (a lost task)."""
    return dispatch.orders_sweep_stuck()


@shared_task(**task_options(name=PAYOUTS_RELEASE_DUE_TASK, queue="dispatch"))
def payouts_release_due() -> int:
    """Beat: release makers' payouts whose claim window has passed with no claim open."""
    return checkout.payouts_release_due()
