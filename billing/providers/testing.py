"""The built-in test provider: a payment page hosted by the platform itself, for the demo and the tests.

It behaves like a real provider seen from the billing services: ``checkout_create`` hands out a checkout URL
(the platform's own page, an unguessable link), the page's "Pay" and "Decline" buttons produce events that are
signed like Stripe's (``t=<unix time>,v1=<HMAC-SHA256 of "<t>.<payload>">`` in ``Testpay-Signature``) and
go through the same webhook path as a real provider's, signature check included. Refunds succeed at once.
Pure: no Django; the page (billing/pages.py) signs with ``event_payload``/``sign``.
"""

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from decimal import Decimal

from billing.providers.base import (
    IGNORED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_SUCCEEDED,
    Checkout,
    CheckoutRequest,
    ProviderEvent,
    RefundResult,
    SignatureError,
)

SIGNATURE_HEADER = "Testpay-Signature"
TOLERANCE_SECONDS = 300
EVENT_TYPES = {
    "payment.succeeded": PAYMENT_SUCCEEDED,
    "payment.failed": PAYMENT_FAILED,
    "refund.succeeded": REFUND_SUCCEEDED,
}


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(*, event_type: str, payment_ref: str, reference: str, amount: Decimal, **extra) -> bytes:
    """The JSON body of one event, with a fresh event id (a replay of the same bytes keeps its id)."""
    body = {
        "id": f"evt_test_{secrets.token_hex(12)}",
        "type": event_type,
        "created": int(time.time()),
        "payment": payment_ref,
        "reference": reference,
        "amount": str(amount),
        **extra,
    }
    return json.dumps(body, sort_keys=True).encode()


class TestProvider:
    name = "test"
    __test__ = False  # not a pytest class

    def __init__(
        self, *, secret: str, page_url: Callable[[str], str], status_lookup: Callable[[str], str] | None = None
    ):
        if not secret:
            raise ValueError("the test provider needs a signing secret")
        self.secret = secret
        self.page_url = page_url
        self.status_lookup = status_lookup

    def checkout_create(self, request: CheckoutRequest) -> Checkout:
        return Checkout(provider_ref=f"testpay_{request.reference}", checkout_url=self.page_url(request.reference))

    def refund_create(self, *, payment_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        digest = hashlib.sha256(f"{payment_ref}:{idempotency_key}".encode()).hexdigest()[:24]
        return RefundResult(provider_ref=f"testrefund_{digest}", status="succeeded")

    def webhook_parse(self, payload: bytes, headers: dict[str, str]) -> ProviderEvent:
        header = next((value for key, value in headers.items() if key.lower() == SIGNATURE_HEADER.lower()), "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            timestamp = int(parts.get("t", ""))
        except ValueError:
            raise SignatureError("The event has no valid signature header.") from None
        expected = sign(payload, self.secret, timestamp=timestamp).split("v1=", 1)[1]
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise SignatureError("The event's signature does not match.")
        if abs(time.time() - timestamp) > TOLERANCE_SECONDS:
            raise SignatureError("The event's signature is too old (a replayed request?).")
        try:
            body = json.loads(payload)
            return ProviderEvent(
                event_id=str(body["id"]),
                kind=EVENT_TYPES.get(body["type"], IGNORED),
                payment_ref=str(body.get("payment", "")),
                reference=str(body.get("reference", "")),
                amount=Decimal(body["amount"]) if body.get("amount") else None,
                refund_ref=str(body.get("refund", "")),
                created=int(body.get("created", 0)),
                failure_message=str(body.get("failure_message", "")),
                raw_type=str(body["type"]),
                raw=body,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError):
            raise SignatureError("The event is not a well-formed test provider event.") from None

    def payment_status(self, payment_ref: str) -> str:
        # The test provider's "server" is the platform's own page: its record is the payment row.
        return self.status_lookup(payment_ref) if self.status_lookup else "requires_payment"
