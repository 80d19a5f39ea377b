"""The interface every payment provider implements (Stripe, the built-in test provider).

Pure: no Django and no app code. The billing services hold the state (Payment rows, the ledger); a provider
only talks to the outside: it starts a checkout, refunds, and turns a webhook request into a ``ProviderEvent``
after checking its signature. Every webhook event is handled idempotently by ``event_id`` in the services.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

# The event kinds the services understand; a provider maps its own event types onto these (others: IGNORED).
PAYMENT_SUCCEEDED = "payment.succeeded"
PAYMENT_FAILED = "payment.failed"
PAYMENT_CANCELED = "payment.canceled"
REFUND_SUCCEEDED = "refund.succeeded"
REFUND_FAILED = "refund.failed"
IGNORED = "ignored"


class ProviderError(Exception):
    """The provider refused or could not be reached; ``message`` is fit to show a person."""

    def __init__(self, message: str, *, retryable: bool = False):
        super().__init__(message)
        self.message = message
        self.retryable = retryable


class SignatureError(ProviderError):
    """A webhook whose signature does not verify: it must change nothing."""


@dataclass(frozen=True)
class CheckoutRequest:
    reference: str  # our payment's public reference, stored with the provider (metadata) and echoed in events
    amount: Decimal  # gross, in the currency's major unit (12.34)
    currency: str  # ISO 4217, e.g. "EUR"
    description: str
    customer_email: str
    return_url: str  # absolute URL the customer comes back to after paying (or declining)
    idempotency_key: str


@dataclass(frozen=True)
class Checkout:
    provider_ref: str  # the provider's id of the payment (Stripe: the PaymentIntent id "pi_...")
    checkout_url: str  # where the customer pays ("" when the provider has no hosted page)
    client_secret: str = ""  # for providers paid from the browser (Stripe.js)


@dataclass(frozen=True)
class RefundResult:
    provider_ref: str  # the provider's id of the refund
    status: str  # "succeeded", "pending" or "failed"


@dataclass(frozen=True)
class ProviderEvent:
    event_id: str  # unique per provider: the key that makes handling idempotent
    kind: str  # one of the kinds above
    payment_ref: str  # the provider's id of the payment the event is about ("" when none)
    reference: str = ""  # our reference, when the provider echoes it
    amount: Decimal | None = None
    refund_ref: str = ""
    created: int = 0  # provider's timestamp (seconds); events can arrive out of order
    failure_message: str = ""
    raw_type: str = ""  # the provider's own event type, for the record
    raw: dict = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def checkout_create(self, request: CheckoutRequest) -> Checkout: ...

    def refund_create(
        self, *, payment_ref: str, amount: Decimal, currency: str, idempotency_key: str
    ) -> RefundResult: ...

    def webhook_parse(self, payload: bytes, headers: dict[str, str]) -> ProviderEvent:
        """Verify the signature (``SignatureError`` if it does not) and map the event."""
        ...

    def payment_status(self, payment_ref: str) -> str:
        """The payment's state at the provider now: "succeeded", "processing", "requires_payment", "canceled"
        or "failed" (used to reconcile when webhooks are late or lost)."""
        ...


def minor_units(amount: Decimal, currency: str) -> int:
    """12.34 EUR -> 1234 (the zero-decimal currencies providers know would need a table; we sell in EUR)."""
    return int((amount * 100).quantize(Decimal("1")))


def major_units(amount: int, currency: str) -> Decimal:
    return (Decimal(amount) / 100).quantize(Decimal("0.01"))
