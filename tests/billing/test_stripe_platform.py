"""The platform with Stripe as its payment provider, end to end against a real local Stripe API (localstripe).

The order is placed and confirmed through the API; the card is paid at localstripe the way Stripe.js pays it
from the payment page; localstripe then sends its signed events to the platform's own webhook endpoint, served
by pytest-django's live server (a thread of this process, on the same test database). The tests wait for what
the webhook does (localstripe sends about a second after the change).
"""

import json
import time
import urllib.error
import urllib.request
import uuid

import pytest
import stripe
from django.conf import settings
from django.urls import reverse

from billing import services as billing
from billing.models import (
    Account,
    EntryKind,
    Invoice,
    InvoiceKind,
    LedgerEntry,
    Payment,
    PaymentStatus,
    Refund,
    RefundStatus,
    WebhookEvent,
)
from orders.models import Order, OrderEvent, OrderStatus
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS
from tests.stripe_local import CARD_DECLINED, WEBHOOK_SECRET, signature_header

# A real server process and the live server thread: transactions are real, each test flushes the database.
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

WEBHOOK_PATH = "/api/payments/webhooks/stripe/"
PLATFORM_EVENTS = [
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
    "charge.refunded",
    "refund.created",
    "refund.updated",
    "refund.failed",
]


@pytest.fixture
def stripe_platform(settings, localstripe, live_server):
    """The platform configured for Stripe at localstripe, its webhook endpoint registered there with the secret
    it verifies. Afterwards the endpoint hears nothing more (the next test's database is not this one's)."""
    settings.PAYMENT_PROVIDER = "stripe"
    settings.STRIPE_API_KEY = localstripe.api_key
    settings.STRIPE_PUBLISHABLE_KEY = localstripe.publishable_key
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe.url
    settings.STRIPE_JS_URL = f"{localstripe.url}/js.stripe.com/v3/"
    settings.SITE_URL = live_server.url
    localstripe.register_webhook("platform", live_server.url + WEBHOOK_PATH, WEBHOOK_SECRET, events=PLATFORM_EVENTS)
    yield localstripe
    localstripe.register_webhook("platform", live_server.url + WEBHOOK_PATH, WEBHOOK_SECRET, events=[])
    time.sleep(1.2)  # what was already on its way (sent a second after the change) arrives before the flush


def wait_until(condition, *, timeout: float = 15, what: str = "the webhook"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"{what} did not arrive within {timeout} s")


def place_and_confirm(customer, version) -> tuple[int, dict]:
    client = client_for(customer)
    body = {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 2}],
        "shipping_address": BERLIN_ADDRESS,
        "ship_to": {"lat": 52.52, "lon": 13.405},
    }
    placed = client.post("/api/orders/", body, format="json")
    assert placed.status_code == 201, placed.json()
    order_id = placed.json()["id"]
    confirmed = client.post(f"/api/orders/{order_id}/confirm/")
    assert confirmed.status_code == 200, confirmed.json()
    return order_id, confirmed.json()


def paid_order(customer, version, localstripe) -> tuple[int, Payment]:
    order_id, _ = place_and_confirm(customer, version)
    payment = Payment.objects.get(order_id=order_id)
    localstripe.pay(payment.provider_ref)
    wait_until(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED)
    return order_id, Payment.objects.get(pk=payment.pk)


def post_webhook(url: str, body: bytes, headers: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json", **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def signed_event(event_type: str, obj: dict) -> tuple[bytes, dict]:
    """An event as Stripe sends it, signed with the endpoint's secret (for what localstripe does not send)."""
    event = {
        "id": f"evt_{uuid.uuid4().hex[:14]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    payload = json.dumps(event).encode()
    return payload, {"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET)}


def charges(order_id: int) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(order_id=order_id, kind=EntryKind.CHARGE))


def test_paying_on_stripe_confirms_the_order_through_the_signed_webhook(stripe_platform, customer, version, makers):
    order_id, body = place_and_confirm(customer, version)

    assert body["status"] == "awaiting_payment"
    assert body["payment"]["provider"] == "stripe"
    payment = Payment.objects.get(order_id=order_id)
    assert payment.provider_ref.startswith("pi_")
    assert body["payment"]["client_secret"] == payment.client_secret
    assert payment.client_secret.startswith(f"{payment.provider_ref}_secret_")
    # No hosted page at Stripe: the customer pays on the platform's own Stripe.js page.
    assert body["payment"]["checkout_url"] == settings.SITE_URL + reverse(
        "web:stripe-checkout", args=[payment.reference]
    )
    intent = stripe_platform.client().v1.payment_intents.retrieve(payment.provider_ref)
    assert intent.amount == int(payment.amount * 100) and intent.currency == "eur"
    assert intent.metadata["reference"] == payment.reference

    stripe_platform.pay(payment.provider_ref)  # what Stripe.js does with the card

    wait_until(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED)
    order = Order.objects.get(pk=order_id)
    # Confirmed by the webhook, and dispatched right after (eager tasks): the timeline says both.
    assert order.status in (OrderStatus.CONFIRMED, OrderStatus.ROUTING)
    statuses = list(OrderEvent.objects.filter(order_id=order_id).values_list("to_status", flat=True))
    assert OrderStatus.CONFIRMED in statuses
    [charge] = charges(order_id)
    assert (charge.debit, charge.credit, charge.amount) == (Account.CUSTOMER, Account.CLEARING, order.total)
    [vat] = LedgerEntry.objects.filter(order_id=order_id, kind=EntryKind.VAT)
    assert vat.amount == order.vat_total
    balances = billing.order_balances(order_id)
    assert balances["clearing"] == order.total - order.vat_total and balances["vat"] == order.vat_total
    invoice = Invoice.objects.get(order_id=order_id, kind=InvoiceKind.INVOICE)
    assert invoice.payment_id == payment.pk
    record = WebhookEvent.objects.get(provider="stripe", raw_type="payment_intent.succeeded", payment=payment)
    assert record.event_id.startswith("evt_") and record.outcome == "payment succeeded"


def test_a_declined_card_leaves_the_order_waiting_then_another_card_pays(stripe_platform, customer, version, makers):
    order_id, _ = place_and_confirm(customer, version)
    payment = Payment.objects.get(order_id=order_id)

    with pytest.raises(stripe.CardError):
        stripe_platform.pay(payment.provider_ref, card=CARD_DECLINED)

    wait_until(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.FAILED)
    payment.refresh_from_db()
    assert payment.failure_message == "Your card was declined."
    assert Order.objects.get(pk=order_id).status == OrderStatus.AWAITING_PAYMENT
    assert not charges(order_id)
    note = OrderEvent.objects.filter(order_id=order_id, reason__startswith="payment declined").get()
    assert "Your card was declined." in note.reason
    # The customer asks to pay again: the same PaymentIntent (Stripe keeps it open), paid with another card.
    again = client_for(customer).post(f"/api/orders/{order_id}/pay/")
    assert again.status_code == 200, again.json()
    assert Payment.objects.filter(order_id=order_id).count() == 1

    stripe_platform.pay(payment.provider_ref)

    wait_until(lambda: Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED)
    assert Order.objects.get(pk=order_id).status in (OrderStatus.CONFIRMED, OrderStatus.ROUTING)
    assert len(charges(order_id)) == 1


def test_a_replayed_or_late_event_changes_nothing(
    stripe_platform, stripe_webhooks, live_server, customer, version, makers
):
    order_id, payment = paid_order(customer, version, stripe_platform)
    # The very delivery localstripe made (its twin went to the test receiver: same body, same signature).
    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", payment.provider_ref)
    records = WebhookEvent.objects.count()
    status = Order.objects.get(pk=order_id).status

    answer, body = post_webhook(
        live_server.url + WEBHOOK_PATH, delivery.body, {"Stripe-Signature": delivery.headers["Stripe-Signature"]}
    )

    assert answer == 200 and body["received"] == delivery.event["id"]
    assert WebhookEvent.objects.count() == records
    assert len(charges(order_id)) == 1
    assert Order.objects.get(pk=order_id).status == status
    assert Invoice.objects.filter(order_id=order_id).count() == 1

    # A "payment failed" about the same intent that arrives after the success (out of order): ignored.
    intent = stripe_platform.client().v1.payment_intents.retrieve(payment.provider_ref).to_dict()
    failed = {
        **intent,
        "status": "requires_payment_method",
        "last_payment_error": {"message": "Your card was declined."},
    }
    answer, body = post_webhook(live_server.url + WEBHOOK_PATH, *signed_event("payment_intent.payment_failed", failed))

    assert answer == 200 and body["outcome"] == "ignored: the payment is succeeded already"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.failure_message == ""
    assert len(charges(order_id)) == 1
    assert Order.objects.get(pk=order_id).status == status


def test_a_webhook_without_a_valid_signature_changes_nothing(stripe_platform, live_server, customer, version, makers):
    order_id, _ = place_and_confirm(customer, version)
    payment = Payment.objects.get(order_id=order_id)
    intent = stripe_platform.client().v1.payment_intents.retrieve(payment.provider_ref).to_dict()
    forged = {**intent, "status": "succeeded"}
    payload, headers = signed_event("payment_intent.succeeded", forged)
    url = live_server.url + WEBHOOK_PATH

    for bad_headers in (
        {},
        {"Stripe-Signature": "t=1,v1=0000"},
        {"Stripe-Signature": signature_header(payload, "whsec_someone_else")},
        {"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET, timestamp=int(time.time()) - 3600)},
    ):
        answer, body = post_webhook(url, payload, bad_headers)
        assert answer == 400 and body["code"] == "bad_signature", body
    answer, body = post_webhook(url, payload.replace(b'"succeeded"', b'"succeeded" '), headers)  # tampered
    assert answer == 400 and body["code"] == "bad_signature"

    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.PENDING
    assert Order.objects.get(pk=order_id).status == OrderStatus.AWAITING_PAYMENT
    assert not LedgerEntry.objects.exists()


def test_cancelling_a_paid_order_refunds_it_through_stripe(stripe_platform, customer, version, makers):
    order_id, payment = paid_order(customer, version, stripe_platform)
    order = Order.objects.get(pk=order_id)

    answer = client_for(customer).post(f"/api/orders/{order_id}/cancel/", {"reason": "changed my mind"})

    assert answer.status_code == 200, answer.json()
    assert answer.json()["status"] == "cancelled"
    refund = Refund.objects.get(payment=payment)
    assert refund.status == RefundStatus.SUCCEEDED and refund.amount == order.total
    assert refund.provider_ref.startswith("re_")
    at_stripe = stripe_platform.client().v1.refunds.retrieve(refund.provider_ref)
    assert (at_stripe.amount, at_stripe.status, at_stripe.payment_intent) == (
        int(order.total * 100),
        "succeeded",
        payment.provider_ref,
    )
    refunds = LedgerEntry.objects.filter(order_id=order_id, kind=EntryKind.REFUND)
    assert sum(entry.amount for entry in refunds) == order.total
    assert {entry.debit for entry in refunds} == {Account.CLEARING, Account.VAT}
    balances = billing.order_balances(order_id)
    assert balances["clearing"] == 0 and balances["vat"] == 0
    assert balances["charged"] == balances["refunded"] == order.total
    payment.refresh_from_db()
    assert payment.amount_refunded == order.total
    note = Invoice.objects.get(order_id=order_id, kind=InvoiceKind.CREDIT_NOTE)
    assert note.refund_id == refund.pk and note.credits.kind == InvoiceKind.INVOICE

    # Stripe's own word about the refund, later (localstripe sends none: signed here as Stripe would):
    # the refund is settled already, so nothing moves twice.
    entries = LedgerEntry.objects.count()
    at_stripe = at_stripe.to_dict()
    charge = stripe_platform.client().v1.charges.retrieve(at_stripe["charge"]).to_dict()
    charge["refunds"] = {"object": "list", "data": [at_stripe]}
    for event_type, obj in (("refund.updated", at_stripe), ("charge.refunded", charge)):
        payload, headers = signed_event(event_type, obj)
        record = billing.webhook_receive(provider_name="stripe", payload=payload, headers=headers)
        assert record.outcome == "no change: the refund is settled already", record.outcome
    assert LedgerEntry.objects.count() == entries
    assert Invoice.objects.filter(order_id=order_id, kind=InvoiceKind.CREDIT_NOTE).count() == 1
    assert Refund.objects.get(pk=refund.pk).status == RefundStatus.SUCCEEDED


def test_a_checkout_paid_after_the_order_was_cancelled_is_collected_and_refunded(
    stripe_platform, customer, version, makers
):
    # The Stripe page was open in another tab when the customer cancelled; the card is confirmed anyway.
    order_id, _ = place_and_confirm(customer, version)
    payment = Payment.objects.get(order_id=order_id)
    assert client_for(customer).post(f"/api/orders/{order_id}/cancel/").json()["status"] == "cancelled"
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.CANCELED

    stripe_platform.pay(payment.provider_ref)

    # The money is real: recorded as collected, then all of it goes back through Stripe.
    refund = wait_until(lambda: Refund.objects.filter(payment=payment, status=RefundStatus.SUCCEEDED).first())
    order = Order.objects.get(pk=order_id)
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get(pk=payment.pk).status == PaymentStatus.SUCCEEDED
    assert refund.amount == order.total
    assert stripe_platform.client().v1.refunds.retrieve(refund.provider_ref).amount == int(order.total * 100)
    balances = billing.order_balances(order_id)
    assert balances["charged"] == balances["refunded"] == order.total
    assert balances["clearing"] == 0 and balances["vat"] == 0
