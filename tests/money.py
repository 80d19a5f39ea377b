"""Addresses and payments for tests: a real delivery address, and paying through the test provider the way its
hosted page does (a signed event through the same webhook path as a real provider's)."""

from django.conf import settings

from accounts.addresses import validate_address
from billing import services as billing
from billing.models import Payment, PaymentStatus
from billing.providers import testing
from orders.services import quoting
from orders.services.ordering import Delivery

BERLIN_ADDRESS = {
    "name": "Carol Customer",
    "line1": "Invalidenstraße 44",
    "postcode": "10115",
    "city": "Berlin",
    "country": "DE",
}
BERLIN_POINT = quoting.ShipTo(52.52, 13.405, "Berlin, DE")


def delivery(ship_to: quoting.ShipTo = BERLIN_POINT, address: dict | None = None) -> Delivery:
    """The Berlin address, matched from ``ship_to`` (tests that move the customer move only the point)."""
    return Delivery(address=validate_address(address or BERLIN_ADDRESS), ship_to=ship_to)


def open_payment(order_id: int) -> Payment:
    return Payment.objects.filter(order_id=order_id, status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]).latest(
        "id"
    )


def provider_event(order_id: int, *, succeed: bool = True, **extra):
    """The signed test-provider event of the order's open payment: (payload, headers)."""
    payment = open_payment(order_id)
    payload = testing.event_payload(
        event_type="payment.succeeded" if succeed else "payment.failed",
        payment_ref=payment.provider_ref,
        reference=payment.reference,
        amount=payment.amount,
        **extra,
    )
    return payload, {testing.SIGNATURE_HEADER: testing.sign(payload, settings.TEST_PAYMENT_SECRET)}


def pay(order_id: int, *, succeed: bool = True):
    """Pay (or decline) the order's open checkout; returns the webhook record."""
    payload, headers = provider_event(
        order_id, succeed=succeed, **({} if succeed else {"failure_message": "Your card was declined."})
    )
    return billing.webhook_receive(provider_name="test", payload=payload, headers=headers)
