"""The doors through which order, job and batch statuses change (one per state machine)."""

from django.utils.translation import gettext_lazy

from core.state import StateMachine, Transition
from orders.models import (
    BATCH_TRANSITIONS,
    JOB_TRANSITIONS,
    ORDER_TRANSITIONS,
    Batch,
    BatchEvent,
    Job,
    JobEvent,
    Order,
    OrderEvent,
    OrderStatus,
)
from orders.services.notices import tell

# What the customer reads when their order moves (subject line of the e-mail and notification).
# Subjects of the customer's notifications, written in the customer's language when sent.
ORDER_MESSAGES = {
    OrderStatus.PLACED: gettext_lazy("Order %(id)s is placed: confirm it to start production"),
    OrderStatus.AWAITING_PAYMENT: gettext_lazy("Order %(id)s is waiting for your payment"),
    OrderStatus.CONFIRMED: gettext_lazy("Order %(id)s is paid: we are finding makers near you"),
    OrderStatus.ROUTING: gettext_lazy("Order %(id)s: offers are out to local makers"),
    OrderStatus.IN_PRODUCTION: gettext_lazy("Order %(id)s is in production"),
    OrderStatus.SHIPPED: gettext_lazy("Order %(id)s has shipped"),
    OrderStatus.DELIVERED: gettext_lazy("Order %(id)s is delivered"),
    OrderStatus.ON_HOLD: gettext_lazy("Order %(id)s is on hold"),
    OrderStatus.CANCELLED: gettext_lazy("Order %(id)s is cancelled"),
}


ORDER_MACHINE = StateMachine(
    model=Order, event_model=OrderEvent, event_field="order", label=gettext_lazy("order"), transitions=ORDER_TRANSITIONS
)
JOB_MACHINE = StateMachine(
    model=Job, event_model=JobEvent, event_field="job", label=gettext_lazy("job"), transitions=JOB_TRANSITIONS
)
BATCH_MACHINE = StateMachine(
    model=Batch, event_model=BatchEvent, event_field="batch", label=gettext_lazy("batch"), transitions=BATCH_TRANSITIONS
)


def order_set_status(*, order_id: int, to: str, **options) -> Transition:
    """Move an order (options: actor, reason, details, updates, guard; see ``StateMachine.move``); the
    customer is told (notification, e-mail, webhook) in the same transaction."""
    return ORDER_MACHINE.move(pk=order_id, to=to, on_change=_tell_the_customer, **options)


def _tell_the_customer(transition: Transition) -> None:
    order = transition.obj
    tell(
        users=[order.customer],
        kind=f"order.{transition.to_status}",
        subject=lambda: ORDER_MESSAGES[transition.to_status] % {"id": order.pk},
        body=lambda: transition.event.reason_display,
        link=f"/orders/{order.pk}/",
        data={
            "order": order.pk,
            "from": transition.from_status,
            "to": transition.to_status,
            "reason": transition.event.reason,
        },
        dedupe_key=f"order-event-{transition.event.pk}",
    )


def job_set_status(*, job_id: int, to: str, **options) -> Transition:
    """Move a job (higher apps take part through the door's signals: co-design withdraws the revision
    proposals of a job that ends and holds printing while one waits)."""
    return JOB_MACHINE.move(pk=job_id, to=to, **options)


def batch_set_status(*, batch_id: int, to: str, **options) -> Transition:
    """Move a batch (it follows its jobs, see ``dispatch.batch_sync``)."""
    return BATCH_MACHINE.move(pk=batch_id, to=to, **options)
