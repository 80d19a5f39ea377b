"""Dispatch work on the ``dispatch`` queue and its beat timers."""

from celery import shared_task

from core.queueing import time_limits
from orders.services.dispatch import dispatch_order as dispatch
from orders.services.dispatch import offers_expire, orders_sweep_stuck


@shared_task(name="dispatch.dispatch_order", **time_limits("dispatch"))
def dispatch_order(*, order_id: int) -> str:
    """Offer the order's unassigned items to the best eligible makers (safe to run again)."""

    return dispatch(order_id=order_id)


@shared_task(name="dispatch.expire_offers", **time_limits("dispatch"))
def expire_offers() -> int:
    """Beat: expire unanswered offers and send their parts to the next maker."""

    return offers_expire()


@shared_task(name="dispatch.sweep_stuck_orders", **time_limits("dispatch"))
def sweep_stuck_orders() -> int:
    """Beat: re-run dispatch for orders confirmed or routing with parts that no job holds (a lost task)."""

    return orders_sweep_stuck()
