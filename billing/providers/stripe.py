"""Stripe as a payment provider: PaymentIntents paid on our own page with Stripe.js, refunds, signed webhooks.

Pure: the official ``stripe`` library only, no Django and no app code. Every call goes through one
``stripe.StripeClient`` held by the provider (no global ``stripe.api_key``), so two providers with different keys
(or a local test server through ``api_base``) never disturb each other.

Settings the platform is expected to pass in: ``STRIPE_API_KEY`` (secret key ``sk_...``),
``STRIPE_WEBHOOK_SECRET`` (``whsec_...`` of the webhook endpoint), ``STRIPE_PUBLISHABLE_KEY`` (``pk_...``, for
the payment page) and, for a local server such as localstripe, ``STRIPE_API_BASE``.
"""

import json
from collections.abc import Mapping
from decimal import Decimal

import stripe

from billing.providers.base import (
    IGNORED,
    PAYMENT_CANCELED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_SUCCEEDED,
    Checkout,
    CheckoutRequest,
    ProviderError,
    ProviderEvent,
    RefundResult,
    SignatureError,
    major_units,
    minor_units,
)

SIGNATURE_HEADER = "Stripe-Signature"

# PaymentIntent status -> the interface's payment status.
_PAYMENT_STATUS = {
    "succeeded": "succeeded",
    "processing": "processing",
    "requires_capture": "processing",  # authorised, not captured yet (we capture automatically)
    "requires_payment_method": "requires_payment",  # new, or the last attempt failed (see last_payment_error)
    "requires_confirmation": "requires_payment",
    "requires_action": "requires_payment",  # 3-D Secure waits for the customer
    "canceled": "canceled",
}

_PAYMENT_EVENTS = {
    "payment_intent.succeeded": PAYMENT_SUCCEEDED,
    "payment_intent.payment_failed": PAYMENT_FAILED,
    "payment_intent.canceled": PAYMENT_CANCELED,
}
# Events whose object is a Refund (``charge.refund.updated`` is the older name of ``refund.updated``).
_REFUND_EVENTS = {"refund.created", "refund.updated", "refund.failed", "charge.refund.updated"}

# Refund status at Stripe -> RefundResult.status; "requires_action" waits on the customer, so it is pending.
_REFUND_STATUS = {
    "succeeded": "succeeded",
    "pending": "pending",
    "requires_action": "pending",
    "failed": "failed",
    "canceled": "failed",
}


class StripeProvider:
    name = "stripe"

    def __init__(
        self,
        *,
        api_key: str,
        webhook_secret: str,
        publishable_key: str = "",
        api_base: str = "",
        tolerance: int = stripe.Webhook.DEFAULT_TOLERANCE,
        timeout: float = 30,
        max_network_retries: int = 2,
    ):
        if not api_key:
            raise ValueError("StripeProvider needs an api_key (sk_...)")
        self.publishable_key = publishable_key
        self.api_base = api_base.rstrip("/")
        self.webhook_secret = webhook_secret
        self.tolerance = tolerance
        # Retries are safe: every write carries an idempotency key, and the library retries only what Stripe
        # marks retryable (connection errors, 409 conflicts, 5xx).
        self._client = stripe.StripeClient(
            api_key,
            base_addresses={"api": self.api_base} if self.api_base else None,
            http_client=stripe.RequestsClient(timeout=timeout),
            max_network_retries=max_network_retries,
        )

    # -- payments ----------------------------------------------------------------------------------------------

    def checkout_create(self, request: CheckoutRequest) -> Checkout:
        params = {
            "amount": minor_units(request.amount, request.currency),
            "currency": request.currency.lower(),
            "metadata": {"reference": request.reference},
            "description": request.description,
        }
        if request.customer_email:
            params["receipt_email"] = request.customer_email
        intent = self._call(
            self._client.v1.payment_intents.create,
            params=params,
            options={"idempotency_key": request.idempotency_key},
        )
        # Paid on our own page with Stripe.js (client_secret); there is no hosted page to send the customer to.
        return Checkout(provider_ref=intent.id, checkout_url="", client_secret=intent.client_secret or "")

    def refund_create(self, *, payment_ref: str, amount: Decimal, currency: str, idempotency_key: str) -> RefundResult:
        refund = self._call(
            self._client.v1.refunds.create,
            params={"payment_intent": payment_ref, "amount": minor_units(amount, currency)},
            options={"idempotency_key": idempotency_key},
        )
        return RefundResult(provider_ref=refund.id, status=_REFUND_STATUS.get(refund.status or "", "pending"))

    def payment_status(self, payment_ref: str) -> str:
        intent = self._call(self._client.v1.payment_intents.retrieve, payment_ref)
        # A status Stripe adds later is treated as not final: reconciliation looks again.
        return _PAYMENT_STATUS.get(intent.status, "processing")

    # -- webhooks ----------------------------------------------------------------------------------------------

    def webhook_parse(self, payload: bytes, headers: Mapping[str, str]) -> ProviderEvent:
        signature = _header(headers, SIGNATURE_HEADER)
        if not signature:
            raise SignatureError("The webhook has no Stripe-Signature header.")
        if not self.webhook_secret:
            raise SignatureError("No Stripe webhook secret is configured: the webhook cannot be verified.")
        # What StripeClient.construct_event checks (signature, then age), with the parsing kept here: the
        # library's own event builder fails with AttributeError on JSON that is not an object.
        try:
            stripe.WebhookSignature.verify_header(payload, signature, self.webhook_secret, self.tolerance)
            event = json.loads(payload)
        except stripe.SignatureVerificationError as error:
            raise SignatureError(f"The Stripe webhook signature does not verify: {error.user_message}") from error
        except ValueError as error:  # not UTF-8 or not JSON (checked after the signature, so only a signed mess)
            raise SignatureError("The Stripe webhook payload is not valid JSON.") from error
        if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
            raise SignatureError("The Stripe webhook payload is not an event.")
        return _event_map(event)

    # -- errors ------------------------------------------------------------------------------------------------

    def _call(self, method, *args, **kwargs):
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as error:
            raise _provider_error(error) from error


def _header(headers: Mapping[str, str], name: str) -> str:
    """A header by name in any case (a plain dict, Django's request.headers or the WSGI ``HTTP_`` form)."""
    wanted = name.lower()
    meta = "http_" + wanted.replace("-", "_")
    for key, value in headers.items():
        if key.lower() in (wanted, meta):
            return value
    return ""


def _provider_error(error: "stripe.StripeError") -> ProviderError:
    status = error.http_status or 0
    detail = error.user_message or ""
    if isinstance(error, stripe.CardError):
        return ProviderError(detail or "The card was declined.")
    if isinstance(error, stripe.APIConnectionError):
        return ProviderError("The payment provider cannot be reached just now; please try again.", retryable=True)
    if isinstance(error, stripe.RateLimitError):
        return ProviderError("The payment provider is busy; please try again in a moment.", retryable=True)
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderError("The payment provider refused our credentials; staff must check the Stripe keys.")
    if isinstance(error, stripe.IdempotencyError):
        return ProviderError("This payment request was already sent with different details.")
    if status >= 500 or status == 409:
        return ProviderError("The payment provider had a problem; please try again.", retryable=True)
    reason = f" ({detail})" if detail else ""
    return ProviderError(f"The payment provider refused the request{reason}.")


def _event_map(event: dict) -> ProviderEvent:
    kind_of = event.get("type") or ""
    obj = event["data"].get("object") or {}
    common = {
        "event_id": event.get("id") or "",
        "created": int(event.get("created") or 0),
        "raw_type": kind_of,
        "raw": event,
    }
    metadata = obj.get("metadata") or {}
    reference = metadata.get("reference", "") if isinstance(metadata, dict) else ""

    if kind_of in _PAYMENT_EVENTS:
        error = obj.get("last_payment_error") or {}
        return ProviderEvent(
            kind=_PAYMENT_EVENTS[kind_of],
            payment_ref=obj.get("id") or "",
            reference=reference,
            amount=_amount(obj.get("amount"), obj.get("currency")),
            failure_message=(error.get("message") or "") if kind_of == "payment_intent.payment_failed" else "",
            **common,
        )

    if kind_of in _REFUND_EVENTS:
        return _refund_event(obj, reference, common)

    if kind_of == "charge.refunded":
        # The charge lists its refunds only in older API versions (or when expanded); the newest one is the
        # refund this event is about. Without the list the event cannot name the refund: the refund.* events do.
        refunds = (obj.get("refunds") or {}).get("data") or []
        if refunds:
            newest = max(refunds, key=lambda refund: refund.get("created") or 0)
            newest = {"payment_intent": obj.get("payment_intent"), **newest}
            return _refund_event(newest, reference, common)

    return ProviderEvent(kind=IGNORED, payment_ref=_payment_ref(obj), reference=reference, **common)


def _refund_event(refund: dict, reference: str, common: dict) -> ProviderEvent:
    status = refund.get("status") or ""
    if status == "succeeded":
        kind = REFUND_SUCCEEDED
    elif status in ("failed", "canceled"):
        kind = REFUND_FAILED
    else:  # pending, requires_action: a later event settles it
        kind = IGNORED
    return ProviderEvent(
        kind=kind,
        payment_ref=_payment_ref(refund),
        reference=reference,
        amount=_amount(refund.get("amount"), refund.get("currency")),
        refund_ref=refund.get("id") or "",
        failure_message=(refund.get("failure_reason") or "") if kind == REFUND_FAILED else "",
        **common,
    )


def _payment_ref(obj: dict) -> str:
    """The PaymentIntent an object belongs to (an id, or an expanded object in some payloads)."""
    if obj.get("object") == "payment_intent":
        return obj.get("id") or ""
    intent = obj.get("payment_intent")
    if isinstance(intent, dict):
        return intent.get("id") or ""
    return intent or ""


def _amount(value, currency) -> Decimal | None:
    if value is None or not currency:
        return None
    return major_units(int(value), str(currency))
