"""Payments, webhooks, refunds and the ledger.

The orders app calls these (billing stands below it and knows an order only by its id). A payment is
started with ``payment_start``; the provider's webhook (or the test provider's page, through the same
function) arrives at ``webhook_receive``, which checks the signature, keeps the event once per id (a replay
changes nothing), moves the payment through its status door and writes the ledger. Higher apps hear about
it through ``payment_succeeded`` and ``refund_settled``.

The ledger (``LedgerEntry``) is double-entry within one order: every movement leaves one account and enters
another, and no account but the customer's may go below zero, so nothing is ever paid out, refunded or
allocated that was not collected. Its balances give the invariant the tests check over random histories:
charges = refunds + VAT + commission + payouts (held and released) + what is still unallocated.
"""

import logging
import secrets
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from billing.models import (
    PAYMENT_TRANSITIONS,
    REFUND_TRANSITIONS,
    Account,
    EntryKind,
    LedgerEntry,
    Payment,
    PaymentEvent,
    PaymentPurpose,
    PaymentStatus,
    Refund,
    RefundEvent,
    RefundStatus,
    WebhookEvent,
)
from billing.providers.base import (
    IGNORED,
    PAYMENT_CANCELED,
    PAYMENT_FAILED,
    PAYMENT_SUCCEEDED,
    REFUND_FAILED,
    REFUND_SUCCEEDED,
    CheckoutRequest,
    PaymentProvider,
    ProviderError,
    ProviderEvent,
    SignatureError,
)
from billing.providers.stripe import StripeProvider
from billing.providers.testing import TestProvider
from core.errors import Conflict, DomainError, TransitionNotAllowed
from core.links import absolute_url
from core.state import StateMachine, Transition

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
REFUND_MACHINE = StateMachine(
    model=Refund,
    event_model=RefundEvent,
    event_field="refund",
    label=gettext_lazy("refund"),
    transitions=REFUND_TRANSITIONS,
)
PAYMENT_MACHINE = StateMachine(
    model=Payment,
    event_model=PaymentEvent,
    event_field="payment",
    label=gettext_lazy("payment"),
    transitions=PAYMENT_TRANSITIONS,
)

# sender: Payment; kwargs: payment (succeeded, in the webhook's transaction).
payment_succeeded = Signal()
# sender: Payment; kwargs: payment (failed or canceled).
payment_failed = Signal()
# sender: Refund; kwargs: refund (settled: the money went back and the ledger says so).
refund_settled = Signal()


class PaymentUnavailable(DomainError):
    status_code = 502
    code = "payment_provider_unavailable"


class WebhookRejected(DomainError):
    status_code = 400
    code = "bad_signature"


def money(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


# Providers -------------------------------------------------------------------------------------------------


def _test_page_url(reference: str) -> str:
    return absolute_url(reverse("web:test-checkout", args=[reference]))


def _stripe_page_url(reference: str) -> str:
    """Stripe has no hosted page for a PaymentIntent: the customer pays on ours, with Stripe.js."""
    return absolute_url(reverse("web:stripe-checkout", args=[reference]))


def _test_status(payment_ref: str) -> str:
    row = Payment.objects.filter(provider_ref=payment_ref).values_list("status", flat=True).first()
    return {
        PaymentStatus.SUCCEEDED: "succeeded",
        PaymentStatus.CANCELED: "canceled",
        PaymentStatus.FAILED: "failed",
    }.get(row, "requires_payment")


def provider_get(name: str | None = None) -> PaymentProvider:
    """The provider called ``name`` (default: settings.PAYMENT_PROVIDER), configured from settings."""
    name = name or settings.PAYMENT_PROVIDER
    if name == "test":
        return TestProvider(secret=settings.TEST_PAYMENT_SECRET, page_url=_test_page_url, status_lookup=_test_status)
    if name == "stripe":
        if not settings.STRIPE_API_KEY or not settings.STRIPE_WEBHOOK_SECRET:
            raise PaymentUnavailable(_("Stripe payments are not configured (STRIPE_API_KEY, STRIPE_WEBHOOK_SECRET)."))
        return StripeProvider(
            api_key=settings.STRIPE_API_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            api_base=settings.STRIPE_API_BASE or None,
            publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
        )
    raise PaymentUnavailable(_("Unknown payment provider %(name)s (PAYMENT_PROVIDER).") % {"name": repr(name)})


# Payments --------------------------------------------------------------------------------------------------


def payment_set_status(*, payment_id: int, to: str, **options) -> Transition:
    return PAYMENT_MACHINE.move(pk=payment_id, to=to, **options)


def payment_start(
    *, order_id: int, customer, amount: Decimal, vat: Decimal, currency: str, description: str, return_url: str
) -> Payment:
    """The order's open payment for ``amount``, or a new one with a checkout at the provider.

    Asking again (a retried click) gives the same pending payment; after a decline the customer pays on the
    same checkout again (Stripe keeps the intent open; the test page too). A provider that cannot be reached
    leaves no half-made payment behind: the row is canceled with the reason and the caller gets a 502.
    Only the order's own payment counts here; top-ups (``payment_start_top_up``) are apart.
    """
    amount, vat = money(amount), money(vat)
    if amount <= 0:
        raise DomainError(_("There is nothing to pay on this order."), code="nothing_to_pay")
    order_payments = Payment.objects.filter(order_id=order_id, purpose=PaymentPurpose.ORDER)
    open_payment = (
        order_payments.filter(status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED])
        .exclude(checkout_url="", client_secret="")
        .first()
    )
    if open_payment is not None and open_payment.amount == amount:
        return open_payment
    if order_payments.filter(status=PaymentStatus.SUCCEEDED).exists():
        raise Conflict(_("This order is paid already."), code="already_paid")
    if open_payment is not None:  # the amount changed: the old checkout must not be paid
        payment_set_status(
            payment_id=open_payment.pk, to=PaymentStatus.CANCELED, actor=customer, reason="replaced: amount changed"
        )
    return _payment_open(
        order_id=order_id,
        customer=customer,
        amount=amount,
        vat=vat,
        currency=currency,
        description=description,
        return_url=return_url,
        purpose=PaymentPurpose.ORDER,
    )


def payment_start_top_up(
    *, order_id: int, customer, amount: Decimal, vat: Decimal, currency: str, description: str, return_url: str
) -> Payment:
    """A second (third...) payment on an order already paid: ``amount`` (gross, ``vat`` in it) that the customer
    agreed to add, with its own checkout at the provider. Its success goes through ``webhook_receive`` like any
    payment (charge and VAT on the ledger, then ``payment_succeeded`` with ``purpose`` "top_up"). The caller keeps
    the returned payment and asks again only when it failed for good."""
    amount, vat = money(amount), money(vat)
    if amount <= 0:
        raise DomainError(_("There is nothing to pay."), code="nothing_to_pay")
    if not Payment.objects.filter(
        order_id=order_id, purpose=PaymentPurpose.ORDER, status=PaymentStatus.SUCCEEDED
    ).exists():
        raise Conflict(_("A top-up is for an order already paid."), code="not_paid")
    return _payment_open(
        order_id=order_id,
        customer=customer,
        amount=amount,
        vat=vat,
        currency=currency,
        description=description,
        return_url=return_url,
        purpose=PaymentPurpose.TOP_UP,
    )


def _payment_open(
    *,
    order_id: int,
    customer,
    amount: Decimal,
    vat: Decimal,
    currency: str,
    description: str,
    return_url: str,
    purpose: str,
) -> Payment:
    """A new pending payment and its checkout at the configured provider."""
    provider = provider_get()
    payment = PAYMENT_MACHINE.create(
        to=PaymentStatus.PENDING,
        actor=customer,
        reason=f"checkout started with {provider.name}" + (" (top-up)" if purpose == PaymentPurpose.TOP_UP else ""),
        order_id=order_id,
        purpose=purpose,
        customer=customer,
        provider=provider.name,
        reference=secrets.token_urlsafe(24),
        amount=amount,
        vat=vat,
        currency=currency,
        return_url=return_url,
    ).obj
    try:
        checkout = provider.checkout_create(
            CheckoutRequest(
                reference=payment.reference,
                amount=amount,
                currency=currency,
                description=description,
                customer_email=customer.email or "",
                return_url=return_url,
                idempotency_key=f"checkout-{payment.reference}",
            )
        )
    except ProviderError as error:
        payment_set_status(
            payment_id=payment.pk,
            to=PaymentStatus.CANCELED,
            reason=f"the provider refused the checkout: {error.message}",
            updates={"failure_message": error.message},
        )
        raise PaymentUnavailable(
            _("The payment could not be started: %(reason)s Please try again.") % {"reason": error.message}
        ) from error
    checkout_url = checkout.checkout_url
    if not checkout_url and provider.name == "stripe":
        checkout_url = _stripe_page_url(payment.reference)
    Payment.objects.filter(pk=payment.pk).update(
        provider_ref=checkout.provider_ref, checkout_url=checkout_url, client_secret=checkout.client_secret
    )
    payment.refresh_from_db()
    return payment


def _payment_for(event: ProviderEvent, provider: str) -> Payment | None:
    query = Q(provider_ref=event.payment_ref) if event.payment_ref else Q(pk__in=[])
    if event.reference:
        query |= Q(reference=event.reference)
    return Payment.objects.filter(query, provider=provider).first()


def webhook_receive(*, provider_name: str, payload: bytes, headers: dict[str, str]) -> WebhookEvent:
    """Verify and apply one provider event, once. A bad signature raises ``WebhookRejected`` and writes nothing."""
    provider = provider_get(provider_name)
    try:
        event = provider.webhook_parse(payload, headers)
    except SignatureError as error:
        logger.warning("webhook from %s refused: %s", provider_name, error.message)
        raise WebhookRejected(error.message) from error
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=provider.name,
                event_id=event.event_id,
                kind=event.kind,
                raw_type=event.raw_type,
                payload=event.raw,
            )
            outcome = _apply(event, record, provider.name)
            WebhookEvent.objects.filter(pk=record.pk).update(outcome=outcome[:200], payment=record.payment)
            record.outcome = outcome
    except IntegrityError:
        record = WebhookEvent.objects.get(provider=provider.name, event_id=event.event_id)
        logger.info("webhook %s %s replayed: nothing to do", provider.name, event.event_id)
    return record


def _apply(event: ProviderEvent, record: WebhookEvent, provider: str) -> str:
    if event.kind == IGNORED:
        return f"ignored ({event.raw_type})"
    if event.kind in (REFUND_SUCCEEDED, REFUND_FAILED):
        return _apply_refund(event)
    payment = _payment_for(event, provider)
    if payment is None:
        return "no such payment here"
    record.payment = payment
    target = {
        PAYMENT_SUCCEEDED: PaymentStatus.SUCCEEDED,
        PAYMENT_FAILED: PaymentStatus.FAILED,
        PAYMENT_CANCELED: PaymentStatus.CANCELED,
    }[event.kind]
    if event.kind == PAYMENT_SUCCEEDED and event.amount is not None and money(event.amount) != payment.amount:
        # Collected, but not what was asked: the money is real, staff must look. Recorded, never ignored.
        logger.error("payment %s: provider says %s collected, %s asked", payment.pk, event.amount, payment.amount)
    try:
        transition = payment_set_status(
            payment_id=payment.pk,
            to=target,
            reason=f"{provider}: {event.raw_type or event.kind}",
            details={"event": event.event_id},
            updates={"failure_message": event.failure_message} if event.failure_message else None,
        )
    except TransitionNotAllowed:
        # Out of order (a late "failed" after "succeeded"): the later state stands.
        return f"ignored: the payment is {Payment.objects.get(pk=payment.pk).status} already"
    if not transition.changed:
        return f"no change: {target}"
    payment = transition.obj
    if target == PaymentStatus.SUCCEEDED:
        _post(payment.order_id, EntryKind.CHARGE, Account.CUSTOMER, Account.CLEARING, payment.amount, payment=payment)
        if payment.vat > 0:
            _post(payment.order_id, EntryKind.VAT, Account.CLEARING, Account.VAT, payment.vat, payment=payment)
        payment_succeeded.send(sender=Payment, payment=payment)
    else:
        payment_failed.send(sender=Payment, payment=payment)
    return f"payment {target}"


# Ledger ----------------------------------------------------------------------------------------------------


def _post(order_id: int, kind: str, debit: str, credit: str, amount: Decimal, **fields) -> LedgerEntry | None:
    """Add one movement; refuses to take an account other than the customer's below zero."""
    amount = money(amount)
    if amount == 0:
        return None
    if amount < 0:
        raise ValueError("ledger amounts are positive; a movement back is a movement the other way")
    if debit != Account.CUSTOMER:
        maker = fields.get("maker")
        available = balance(
            order_id, debit, maker_id=getattr(maker, "pk", maker) if debit.startswith("payout") else None
        )
        if available < amount:
            # The account's name mid-sentence: lower case in English as before; German capitalises its nouns and
            # the other translations quote the name, so they take it as labelled.
            label = str(Account(debit).label)
            raise Conflict(
                _("Only %(available)s is left on this order's %(value)s; %(amount)s cannot be moved.")
                % {
                    "available": available,
                    "value": label.lower() if (get_language() or "en").startswith("en") else label,
                    "amount": amount,
                },
                code="insufficient_funds",
            )
    if "maker" in fields and not hasattr(fields["maker"], "pk"):
        fields["maker_id"] = fields.pop("maker")
    return LedgerEntry.objects.create(
        order_id=order_id, kind=kind, debit=debit, credit=credit, amount=amount, currency=settings.CURRENCY, **fields
    )


def balance(order_id: int | None, account: str, *, maker_id: int | None = None) -> Decimal:
    """What ``account`` holds (money in less money out), for one order and/or one maker."""
    entries = LedgerEntry.objects.all()
    if order_id is not None:
        entries = entries.filter(order_id=order_id)
    if maker_id is not None:
        entries = entries.filter(maker_id=maker_id)
    money_in = entries.filter(credit=account).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    money_out = entries.filter(debit=account).aggregate(total=Sum("amount"))["total"] or Decimal("0")
    return money(money_in - money_out)


def order_balances(order_id: int) -> dict[str, Decimal]:
    """Every account's balance for one order, and the totals of charges and refunds."""
    result = {account: balance(order_id, account) for account in Account.values if account != Account.CUSTOMER}
    entries = LedgerEntry.objects.filter(order_id=order_id)
    result["charged"] = money(entries.filter(kind=EntryKind.CHARGE).aggregate(t=Sum("amount"))["t"] or 0)
    result["refunded"] = money(entries.filter(kind=EntryKind.REFUND).aggregate(t=Sum("amount"))["t"] or 0)
    return result


def maker_balances(maker_id: int) -> dict[str, Decimal]:
    """A maker's earnings: held (in the claim window), released (payable), paid out (sent to its bank), and all
    earned (the three together)."""
    held = balance(None, Account.PAYOUT_HELD, maker_id=maker_id)
    released = balance(None, Account.PAYOUT_RELEASED, maker_id=maker_id)
    paid_out = balance(None, Account.PAID_OUT, maker_id=maker_id)
    return {"held": held, "released": released, "paid_out": paid_out, "earned": money(held + released + paid_out)}


def payout_allocate(
    *, order_id: int, maker_id: int, payout: Decimal, commission: Decimal, available_at, memo: str = ""
) -> None:
    """A delivered job's money leaves clearing: the maker's payout (held until ``available_at``) and the
    platform's commission. Refused if clearing does not hold it (nothing allocated that was not collected)."""
    with transaction.atomic():
        _post(order_id, EntryKind.COMMISSION, Account.CLEARING, Account.COMMISSION, commission, memo=memo)
        _post(
            order_id,
            EntryKind.PAYOUT_DUE,
            Account.CLEARING,
            Account.PAYOUT_HELD,
            payout,
            maker=maker_id,
            available_at=available_at,
            memo=memo,
        )


def payout_release(*, order_id: int, maker_id: int, memo: str = "") -> Decimal:
    """Release what is held for ``maker_id`` on ``order_id`` (the claim window passed with no claim open)."""
    with transaction.atomic():
        held = balance(order_id, Account.PAYOUT_HELD, maker_id=maker_id)
        if held > 0:
            _post(
                order_id,
                EntryKind.PAYOUT_RELEASED,
                Account.PAYOUT_HELD,
                Account.PAYOUT_RELEASED,
                held,
                maker=maker_id,
                memo=memo or "claim window passed",
            )
        return held


# Refunds ---------------------------------------------------------------------------------------------------


def _succeeded_payments(order_id: int, *, lock: bool = False) -> list[Payment]:
    """The order's collected payments, newest first (a top-up before the order's own payment)."""
    payments = Payment.objects.filter(order_id=order_id, status=PaymentStatus.SUCCEEDED).order_by("-created_at", "-id")
    return list(payments.select_for_update() if lock else payments)


def _refundable_now(payment: Payment) -> Decimal:
    """What is left to refund on one payment, counting refunds asked for and not yet settled."""
    pending = payment.refunds.filter(status=RefundStatus.PENDING).aggregate(total=Sum("amount"))["total"] or 0
    return max(money(payment.refundable - pending), Decimal("0"))


def refund_available(order_id: int, *, from_payout_of: int | None = None) -> Decimal:
    """The most that can be refunded now: the collected money not yet allocated (or, for a claim, what is held
    for that maker), with its share of VAT, and never more than the order's payments have left to refund (an
    order may have several: its own and top-ups)."""
    net_available = (
        balance(order_id, Account.PAYOUT_HELD, maker_id=from_payout_of)
        if from_payout_of
        else balance(order_id, Account.CLEARING)
    )
    payments = _succeeded_payments(order_id)
    if not payments or net_available <= 0:
        return Decimal("0")
    paid = sum((payment.amount for payment in payments), Decimal("0"))
    vat = sum((payment.vat for payment in payments), Decimal("0"))
    vat_share = vat / paid if paid else Decimal("0")
    gross = money(net_available / (1 - vat_share)) if vat_share < 1 else net_available
    return min(gross, sum((_refundable_now(payment) for payment in payments), Decimal("0")))


def refund_create(
    *, order_id: int, amount: Decimal | None, reason: str, actor=None, from_payout_of: int | None = None
) -> Refund:
    """Give ``amount`` (None: all that can be) back to the customer through the provider.

    The money comes from clearing (not yet allocated: a cancellation) or, with ``from_payout_of``, from that
    maker's held payout (a claim); VAT goes back in proportion. An order with several payments (its own and
    top-ups) is refunded from the newest first, never more than each has left: one refund row per payment
    touched (the first, the newest payment's, is returned). Settled now when the provider says so, else when
    its webhook does. More than is available is refused with 409 and nothing changes.
    """
    with transaction.atomic():
        payments = _succeeded_payments(order_id, lock=True)
        if not payments:
            raise Conflict(_("This order has no collected payment to refund."), code="nothing_to_refund")
        available = refund_available(order_id, from_payout_of=from_payout_of)
        amount = available if amount is None else money(amount)
        if amount <= 0:
            raise Conflict(_("There is nothing left to refund on this order."), code="nothing_to_refund")
        if amount > available:
            raise Conflict(
                _("At most %(available)s %(currency)s can be refunded on this order now.")
                % {"available": available, "currency": payments[0].currency},
                code="refund_too_large",
            )
        refunds, left = [], amount
        for payment in payments:
            part = min(left, _refundable_now(payment))
            if part <= 0:
                continue
            refunds.append(
                REFUND_MACHINE.create(
                    to=RefundStatus.PENDING,
                    actor=actor,
                    reason=reason[:2000] or "refund",
                    payment=payment,
                    description=reason[:2000],
                    amount=part,
                    requested_by=actor,
                    from_payout_of_id=from_payout_of,
                ).obj
            )
            left -= part
            if left <= 0:
                break
    for refund in refunds:
        _refund_send(refund)
    first = refunds[0]
    first.refresh_from_db()
    return first


def _refund_send(refund: Refund) -> None:
    """Ask the payment's provider to return the refund's amount; settle or fail the row as it answers."""
    payment = refund.payment
    provider = provider_get(payment.provider)
    try:
        result = provider.refund_create(
            payment_ref=payment.provider_ref,
            amount=refund.amount,
            currency=payment.currency,
            idempotency_key=f"refund-{refund.pk}",
        )
    except ProviderError as error:
        REFUND_MACHINE.move(
            pk=refund.pk,
            to=RefundStatus.FAILED,
            reason=f"the provider refused: {error.message}",
            updates={"failure_message": error.message},
        )
        raise PaymentUnavailable(_("The refund could not be made: %(reason)s") % {"reason": error.message}) from error
    Refund.objects.filter(pk=refund.pk).update(provider_ref=result.provider_ref)
    if result.status == "succeeded":
        refund_settle(refund_id=refund.pk)
    elif result.status == "failed":
        REFUND_MACHINE.move(pk=refund.pk, to=RefundStatus.FAILED, reason="the provider says the refund failed")


def refund_settle(*, refund_id: int) -> Refund:
    """The provider returned the money: write the ledger (VAT share and the rest back to the customer) once."""
    with transaction.atomic():
        refund = Refund.objects.select_for_update().select_related("payment").get(pk=refund_id)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        payment = Payment.objects.select_for_update().get(pk=refund.payment_id)
        vat_part = money(refund.amount * payment.vat / payment.amount) if payment.amount else Decimal("0")
        vat_part = min(vat_part, balance(payment.order_id, Account.VAT))
        source = Account.PAYOUT_HELD if refund.from_payout_of_id else Account.CLEARING
        _post(payment.order_id, EntryKind.REFUND, Account.VAT, Account.CUSTOMER, vat_part, refund=refund)
        _post(
            payment.order_id,
            EntryKind.REFUND,
            source,
            Account.CUSTOMER,
            refund.amount - vat_part,
            refund=refund,
            maker=refund.from_payout_of_id,
        )
        Payment.objects.filter(pk=payment.pk).update(amount_refunded=payment.amount_refunded + refund.amount)
        refund = REFUND_MACHINE.move(
            pk=refund.pk,
            to=RefundStatus.SUCCEEDED,
            reason="the provider returned the money",
            updates={"settled_at": timezone.now()},
        ).obj
        refund_settled.send(sender=Refund, refund=refund)
        return refund


def _apply_refund(event: ProviderEvent) -> str:
    refund = Refund.objects.filter(provider_ref=event.refund_ref).first() if event.refund_ref else None
    if refund is None:
        return "no such refund here"
    if event.kind == REFUND_FAILED:
        if refund.status == RefundStatus.SUCCEEDED:
            return "ignored: the refund succeeded already"
        if refund.status == RefundStatus.PENDING:
            REFUND_MACHINE.move(
                pk=refund.pk,
                to=RefundStatus.FAILED,
                reason="the provider says the refund failed",
                updates={"failure_message": event.failure_message},
            )
        return "refund failed"
    if refund.status == RefundStatus.SUCCEEDED:
        # Settled already (the provider said "succeeded" when asked, or this is a second event about it).
        return "no change: the refund is settled already"
    if refund.status == RefundStatus.FAILED:
        # We gave up on it, yet the provider says the money went back: staff must look (recorded, not applied).
        logger.error("refund %s: the provider says succeeded, but it failed here", refund.pk)
        return "ignored: the refund failed already; staff must check it at the provider"
    refund_settle(refund_id=refund.pk)
    return "refund settled"


def payment_reconcile(*, payment_id: int) -> str:
    """Ask the provider about a payment whose webhook is late or lost and apply what it says (as an event)."""
    payment = Payment.objects.get(pk=payment_id)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED) or not payment.provider_ref:
        return payment.status
    state = provider_get(payment.provider).payment_status(payment.provider_ref)
    kind = {"succeeded": PAYMENT_SUCCEEDED, "canceled": PAYMENT_CANCELED}.get(state)
    if kind is None:
        return payment.status
    event = ProviderEvent(
        event_id=f"reconcile-{payment.pk}-{state}",
        kind=kind,
        payment_ref=payment.provider_ref,
        reference=payment.reference,
        amount=payment.amount,
        raw_type=f"reconciled: {state}",
    )
    try:
        with transaction.atomic():
            record = WebhookEvent.objects.create(
                provider=payment.provider, event_id=event.event_id, kind=kind, raw_type=event.raw_type
            )
            outcome = _apply(event, record, payment.provider)
            WebhookEvent.objects.filter(pk=record.pk).update(outcome=outcome[:200], payment=payment)
    except IntegrityError:
        pass
    return Payment.objects.get(pk=payment_id).status


PAYMENTS_RECONCILE_TASK = "billing.payments_reconcile"


def payments_reconcile() -> int:
    """Beat: ask the provider about payments pending longer than PAYMENT_RECONCILE_AFTER_SECONDS (a webhook lost
    or late) and apply what it says. Returns how many changed."""
    since = timezone.now() - timedelta(seconds=settings.PAYMENT_RECONCILE_AFTER_SECONDS)
    changed = 0
    for payment in Payment.objects.filter(status=PaymentStatus.PENDING, created_at__lte=since).exclude(provider_ref=""):
        try:
            if payment_reconcile(payment_id=payment.pk) != PaymentStatus.PENDING:
                changed += 1
        except (ProviderError, PaymentUnavailable) as error:
            logger.warning("payment %s could not be reconciled: %s", payment.pk, getattr(error, "message", error))
    return changed
