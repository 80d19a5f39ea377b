"""The Stripe provider against a real local Stripe API (localstripe, started by tests/stripe_local.py)."""

import json
import socket
import time
import uuid
from decimal import Decimal

import pytest
import stripe

from billing.providers import base
from billing.providers.base import CheckoutRequest, ProviderError, SignatureError
from billing.providers.stripe import StripeProvider
from tests.stripe_local import CARD_DECLINED, WEBHOOK_SECRET, signature_header


def key(purpose: str) -> str:
    return f"{purpose}-{uuid.uuid4().hex}"


def checkout_request(amount: str = "12.34", **changes) -> CheckoutRequest:
    reference = f"PAY-{uuid.uuid4().hex[:10].upper()}"
    values = {
        "reference": reference,
        "amount": Decimal(amount),
        "currency": "EUR",
        "description": f"Makernet order {reference}",
        "customer_email": "carol@example.com",
        "return_url": "http://testserver/pay/return/",
        "idempotency_key": f"checkout-{reference}",
    }
    return CheckoutRequest(**{**values, **changes})


@pytest.fixture
def provider(localstripe) -> StripeProvider:
    return localstripe.provider()


def test_checkout_creates_a_payment_intent_paid_from_our_own_page(localstripe, provider):
    request = checkout_request("12.34")

    checkout = provider.checkout_create(request)

    assert checkout.provider_ref.startswith("pi_")
    assert checkout.checkout_url == ""
    assert checkout.client_secret.startswith(f"{checkout.provider_ref}_secret_")
    intent = localstripe.client().v1.payment_intents.retrieve(checkout.provider_ref)
    assert intent.amount == 1234
    assert intent.currency == "eur"
    assert intent.metadata["reference"] == request.reference
    assert intent.description == request.description
    assert intent.receipt_email == "carol@example.com"
    assert provider.payment_status(checkout.provider_ref) == "requires_payment"


def test_a_paid_checkout_succeeds_and_refunds_in_parts(localstripe, provider):
    checkout = provider.checkout_create(checkout_request("50.00"))

    intent = localstripe.pay(checkout.provider_ref)

    assert intent.status == "succeeded"
    assert provider.payment_status(checkout.provider_ref) == "succeeded"

    part = provider.refund_create(
        payment_ref=checkout.provider_ref, amount=Decimal("12.50"), currency="EUR", idempotency_key=key("refund-part")
    )
    rest = provider.refund_create(
        payment_ref=checkout.provider_ref, amount=Decimal("37.50"), currency="EUR", idempotency_key=key("refund-rest")
    )

    assert part.provider_ref.startswith("re_") and rest.provider_ref.startswith("re_")
    assert part.provider_ref != rest.provider_ref
    assert (part.status, rest.status) == ("succeeded", "succeeded")
    refunds = localstripe.client().v1.refunds.list(params={"payment_intent": checkout.provider_ref})
    assert sorted(refund.amount for refund in refunds.data) == [1250, 3750]


def test_a_full_refund(localstripe, provider):
    checkout = provider.checkout_create(checkout_request("8.00"))
    localstripe.pay(checkout.provider_ref)

    refund = provider.refund_create(
        payment_ref=checkout.provider_ref, amount=Decimal("8.00"), currency="EUR", idempotency_key=key("refund-all")
    )

    assert refund.status == "succeeded"
    assert localstripe.client().v1.refunds.retrieve(refund.provider_ref).amount == 800


def test_a_declined_card_leaves_the_payment_waiting_for_another_card(localstripe, provider):
    checkout = provider.checkout_create(checkout_request())

    with pytest.raises(stripe.CardError) as declined:
        localstripe.pay(checkout.provider_ref, card=CARD_DECLINED)

    assert declined.value.code == "card_declined"
    assert provider.payment_status(checkout.provider_ref) == "requires_payment"
    intent = localstripe.client().v1.payment_intents.retrieve(checkout.provider_ref)
    assert intent.last_payment_error["message"] == "Your card was declined."


def test_refusing_to_refund_an_unpaid_payment_is_a_provider_error(provider):
    checkout = provider.checkout_create(checkout_request())

    with pytest.raises(ProviderError) as refused:
        provider.refund_create(
            payment_ref=checkout.provider_ref,
            amount=Decimal("1.00"),
            currency="EUR",
            idempotency_key=key("refund-unpaid"),
        )

    assert refused.value.retryable is False
    assert "refused" in refused.value.message


def test_an_unknown_payment_is_a_provider_error(provider):
    with pytest.raises(ProviderError) as missing:
        provider.payment_status("pi_doesnotexist0")

    assert missing.value.retryable is False


def test_a_wrong_secret_key_is_a_provider_error_that_names_the_keys(localstripe):
    provider = StripeProvider(api_key="not-a-key", webhook_secret=WEBHOOK_SECRET, api_base=localstripe.url)

    with pytest.raises(ProviderError) as refused:
        provider.checkout_create(checkout_request())

    assert "Stripe keys" in refused.value.message
    assert refused.value.retryable is False


def test_a_provider_that_cannot_be_reached_is_a_retryable_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]  # nothing listens once the socket is closed
    provider = StripeProvider(
        api_key="sk_test_x",
        webhook_secret=WEBHOOK_SECRET,
        api_base=f"http://127.0.0.1:{closed_port}",
        max_network_retries=0,
        timeout=5,
    )

    with pytest.raises(ProviderError) as unreachable:
        provider.checkout_create(checkout_request())

    assert unreachable.value.retryable is True
    assert "cannot be reached" in unreachable.value.message


# -- webhooks, as localstripe delivers them ---------------------------------------------------------------------


def test_a_payment_webhook_from_stripe_verifies_and_maps(localstripe, provider, stripe_webhooks):
    request = checkout_request("19.99")
    checkout = provider.checkout_create(request)
    localstripe.pay(checkout.provider_ref)

    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", checkout.provider_ref)
    event = provider.webhook_parse(delivery.body, delivery.headers)

    assert event.kind == base.PAYMENT_SUCCEEDED
    assert event.event_id.startswith("evt_")
    assert event.payment_ref == checkout.provider_ref
    assert event.reference == request.reference
    assert event.amount == Decimal("19.99")
    assert event.raw_type == "payment_intent.succeeded"
    assert abs(event.created - time.time()) < 60
    assert event.raw["data"]["object"]["id"] == checkout.provider_ref


def test_a_failed_payment_webhook_carries_the_reason(localstripe, provider, stripe_webhooks):
    checkout = provider.checkout_create(checkout_request())
    with pytest.raises(stripe.CardError):
        localstripe.pay(checkout.provider_ref, card=CARD_DECLINED)

    delivery = stripe_webhooks.wait_for("payment_intent.payment_failed", checkout.provider_ref)
    event = provider.webhook_parse(delivery.body, delivery.headers)

    assert event.kind == base.PAYMENT_FAILED
    assert event.payment_ref == checkout.provider_ref
    assert event.failure_message == "Your card was declined."


def test_a_tampered_webhook_or_a_wrong_secret_is_refused(localstripe, provider, stripe_webhooks):
    checkout = provider.checkout_create(checkout_request("5.00"))
    localstripe.pay(checkout.provider_ref)
    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", checkout.provider_ref)

    tampered = delivery.body.replace(b'"amount": 500', b'"amount": 5')
    assert tampered != delivery.body
    with pytest.raises(SignatureError):
        provider.webhook_parse(tampered, delivery.headers)
    with pytest.raises(SignatureError):
        localstripe.provider(webhook_secret="whsec_someone_else").webhook_parse(delivery.body, delivery.headers)
    with pytest.raises(SignatureError):
        provider.webhook_parse(delivery.body, {"Content-Type": "application/json"})
    with pytest.raises(SignatureError):
        provider.webhook_parse(delivery.body, {"Stripe-Signature": "garbage"})


def test_a_webhook_older_than_the_tolerance_is_refused(localstripe, provider, stripe_webhooks):
    checkout = provider.checkout_create(checkout_request())
    localstripe.pay(checkout.provider_ref)
    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", checkout.provider_ref)
    # The same event, signed correctly but six minutes ago (Stripe's default tolerance is five).
    stale = signature_header(delivery.body, WEBHOOK_SECRET, timestamp=int(time.time()) - 360)

    with pytest.raises(SignatureError, match="tolerance"):
        provider.webhook_parse(delivery.body, {"Stripe-Signature": stale})
    # ... and a provider with a short tolerance refuses localstripe's own delivery once it has aged.
    time.sleep(1.1)
    with pytest.raises(SignatureError):
        localstripe.provider(tolerance=1).webhook_parse(delivery.body, delivery.headers)
    assert provider.webhook_parse(delivery.body, delivery.headers).kind == base.PAYMENT_SUCCEEDED


def test_the_signature_header_is_found_in_any_form(localstripe, provider, stripe_webhooks):
    checkout = provider.checkout_create(checkout_request())
    localstripe.pay(checkout.provider_ref)
    delivery = stripe_webhooks.wait_for("payment_intent.succeeded", checkout.provider_ref)
    signature = delivery.headers["Stripe-Signature"]

    for headers in ({"stripe-signature": signature}, {"HTTP_STRIPE_SIGNATURE": signature}):
        assert provider.webhook_parse(delivery.body, headers).payment_ref == checkout.provider_ref


# -- webhooks localstripe never sends (refunds, cancellation): real objects, signed as Stripe signs ---------------


def signed_event(event_type: str, obj: dict, *, secret: str = WEBHOOK_SECRET) -> tuple[bytes, dict]:
    event = {
        "id": f"evt_{uuid.uuid4().hex[:14]}",
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "livemode": False,
        "data": {"object": obj},
    }
    payload = json.dumps(event).encode()
    return payload, {"Stripe-Signature": signature_header(payload, secret)}


def test_refund_and_cancel_events_map(localstripe, provider):
    request = checkout_request("30.00")
    checkout = provider.checkout_create(request)
    localstripe.pay(checkout.provider_ref)
    result = provider.refund_create(
        payment_ref=checkout.provider_ref, amount=Decimal("10.00"), currency="EUR", idempotency_key=key("refund-events")
    )
    client = localstripe.client()
    refund = client.v1.refunds.retrieve(result.provider_ref).to_dict()
    charge = client.v1.charges.retrieve(refund["charge"]).to_dict()

    for event_type in ("refund.created", "refund.updated", "charge.refund.updated"):
        event = provider.webhook_parse(*signed_event(event_type, refund))
        assert (event.kind, event.refund_ref, event.amount) == (
            base.REFUND_SUCCEEDED,
            result.provider_ref,
            Decimal("10.00"),
        )
        assert event.payment_ref == checkout.provider_ref

    charge["refunds"] = {"object": "list", "data": [refund]}
    event = provider.webhook_parse(*signed_event("charge.refunded", charge))
    assert (event.kind, event.refund_ref, event.payment_ref) == (
        base.REFUND_SUCCEEDED,
        result.provider_ref,
        checkout.provider_ref,
    )
    del charge["refunds"]  # newer API versions: the charge no longer lists its refunds
    assert provider.webhook_parse(*signed_event("charge.refunded", charge)).kind == base.IGNORED

    failed = {**refund, "status": "failed", "failure_reason": "expired_or_canceled_card"}
    event = provider.webhook_parse(*signed_event("refund.failed", failed))
    assert (event.kind, event.failure_message) == (base.REFUND_FAILED, "expired_or_canceled_card")
    pending = {**refund, "status": "pending"}
    assert provider.webhook_parse(*signed_event("refund.created", pending)).kind == base.IGNORED

    open_checkout = provider.checkout_create(checkout_request())
    canceled = client.v1.payment_intents.cancel(open_checkout.provider_ref).to_dict()
    assert provider.payment_status(open_checkout.provider_ref) == "canceled"
    event = provider.webhook_parse(*signed_event("payment_intent.canceled", canceled))
    assert (event.kind, event.payment_ref) == (base.PAYMENT_CANCELED, open_checkout.provider_ref)

    event = provider.webhook_parse(*signed_event("customer.created", {"object": "customer", "id": "cus_1"}))
    assert (event.kind, event.payment_ref) == (base.IGNORED, "")


def test_a_signed_payload_that_is_not_an_event_is_refused():
    provider = StripeProvider(api_key="sk_test_x", webhook_secret=WEBHOOK_SECRET)
    payload = b"not json at all"
    with pytest.raises(SignatureError):
        provider.webhook_parse(payload, {"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET)})
    payload = b"[1, 2]"
    with pytest.raises(SignatureError):
        provider.webhook_parse(payload, {"Stripe-Signature": signature_header(payload, WEBHOOK_SECRET)})
