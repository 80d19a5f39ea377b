"""An order's money: VAT and lines when it is placed, payment, invoices and credit notes, refunds on cancel,
payouts allocated on delivery and released after the claim window.

What the customer pays is the chosen offer's price plus shipping plus VAT, each a line. The maker is paid the
offer price less the platform's commission (PLATFORM_COMMISSION_RATE) plus the shipping fee; every movement
goes through billing's ledger, which refuses to move money that was not collected.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from babel import Locale
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop, to_locale
from django.utils.translation import gettext as _

from billing import invoicing
from billing import services as billing
from billing.models import Account, EntryKind, Invoice, LedgerEntry, Payment, PaymentPurpose, PaymentStatus, VatRate
from billing.tax import (
    UnknownCountryError,
    VatNumberCheck,
    line_amounts,
    load_eu_rates,
    vat_number_check,
    vat_treatment,
)
from core.errors import Conflict, DomainError
from core.links import absolute_url
from core.queueing import enqueue_after_commit
from core.text import Reason
from orders.models import CLAIM_HOLDS_PAYOUT, JOB_DROPPED, Claim, Job, JobStatus, Order, OrderEvent, OrderStatus
from orders.services.dispatch import ORDER_DISPATCH_TASK, job_payout
from orders.services.notices import in_language_of, label_in_sentence, sentence
from orders.services.status import order_set_status

CENT = Decimal("0.01")
PAYOUTS_RELEASE_DUE_TASK = "orders.payouts_release_due"


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class VatDecision:
    rate: Decimal
    country: str
    reverse_charge: bool
    note: str
    vat_number: str  # normalised, "" for a consumer


def vat_rates() -> dict[str, Decimal]:
    """The rates staff keep in the admin (seeded from billing.tax's EU table), else the seed itself."""
    rates = {row.country: row.rate for row in VatRate.objects.all()}
    return rates or load_eu_rates()


def vat_decide(*, country: str, vat_number: str = "") -> VatDecision:
    """VAT for a customer in ``country``: that country's rate for a consumer in the EU, reverse charge for a
    business with a valid VAT number in another EU country, none outside the EU. A VAT number that is not
    valid is a 400 saying why (not silently charged as a consumer)."""
    business: VatNumberCheck | None = None
    if vat_number.strip():
        business = vat_number_check(vat_number)
        if not business.valid:
            raise DomainError(
                tax_sentence(business.template, business.params),
                code="bad_vat_number",
                details={"field": "vat_number"},
            )
    try:
        treatment = vat_treatment(
            seller_country=settings.PLATFORM_COUNTRY, buyer_country=country, rates=vat_rates(), business_vat=business
        )
    except UnknownCountryError as error:
        raise DomainError(
            tax_sentence(error.template, error.params), code="bad_address", details={"field": "country"}
        ) from error
    except ValueError as error:
        raise DomainError(str(error), code="bad_address", details={"field": "country"}) from error
    return VatDecision(
        rate=treatment.rate,
        country=treatment.country,
        reverse_charge=treatment.reverse_charge,
        # Kept on the order and printed on its invoices: written in the language of the customer who orders.
        note=" ".join(tax_sentence(template, treatment.note_params) for template in treatment.note_templates),
        vat_number=business.number if business else "",
    )


def tax_sentence(template: str, params: dict) -> str:
    """A sentence of billing.tax in the reader's language: the template translated, a rate written their way
    ("5,5" in German) and a country named in their language (English keeps billing.tax's own words)."""
    values = dict(params)
    if values.get("iso") and not (get_language() or "en").startswith("en"):
        territories = Locale.parse(to_locale(get_language())).territories
        values["name"] = territories.get(values["iso"], values.get("name", ""))
    return sentence(template, values)


def order_amounts(*, items_net: Decimal, shipping_net: Decimal, vat: VatDecision) -> dict:
    """The frozen money fields of an order: VAT per line, rounded per line, summed."""
    items = line_amounts(cents(items_net), vat.rate)
    shipping = line_amounts(cents(shipping_net), vat.rate)
    return {
        "items_net": items.net,
        "shipping_net": shipping.net,
        "vat_rate": vat.rate,
        "vat_country": vat.country,
        "vat_total": items.vat + shipping.vat,
        "vat_number": vat.vat_number,
        "reverse_charge": vat.reverse_charge,
        "vat_note": vat.note[:200],
        "commission_rate": settings.PLATFORM_COMMISSION_RATE,
        "total": items.gross + shipping.gross,
    }


def order_lines(order: Order) -> list[dict]:
    """The order's lines as the customer and the invoice see them: net, VAT and gross each."""
    return lines_of_order(
        items=order.items.values(*LINE_ITEM_FIELDS),
        shipping_net=order.shipping_net,
        vat_rate=order.vat_rate,
        vat_total=order.vat_total,
    )


# What an order's lines need of each item (``lines_of_order``): a plain read, no model instances.
LINE_ITEM_FIELDS = (
    "id",
    "design_version__design__name",
    "design_version__number",
    "material__name",
    "colour",
    "quantity",
    "unit_price",
    "total_price",
)


def lines_of_order(*, items, shipping_net: Decimal, vat_rate: Decimal, vat_total: Decimal) -> list[dict]:
    """The lines of an order from its items' rows (``LINE_ITEM_FIELDS``, in the order's order) and its frozen
    shipping, rate and VAT total."""
    lines = []
    for item in items:
        amounts = line_amounts(item["total_price"], vat_rate)
        lines.append(
            {
                "kind": "item",
                "item": item["id"],
                "description": f"{item['design_version__design__name']} v{item['design_version__number']}, "
                f"{item['material__name']}" + (f", {item['colour']}" if item["colour"] else ""),
                "quantity": item["quantity"],
                "unit_net": str(item["unit_price"]),
                "net": str(amounts.net),
                "vat_rate": str(vat_rate),
                "vat": str(amounts.vat),
                "gross": str(amounts.gross),
            }
        )
    if shipping_net:
        amounts = line_amounts(shipping_net, vat_rate)
        lines.append(
            {
                "kind": "shipping",
                "description": _("Shipping (tracked)"),
                "quantity": 1,
                "unit_net": str(amounts.net),
                "net": str(amounts.net),
                "vat_rate": str(vat_rate),
                "vat": str(amounts.vat),
                "gross": str(amounts.gross),
            }
        )
    # Rounding per line can differ from the order's frozen VAT by a cent: the frozen figures are what was paid.
    vat_lines = sum((Decimal(line["vat"]) for line in lines), Decimal("0"))
    if lines and vat_lines != vat_total:
        last = lines[-1]
        last["vat"] = str(Decimal(last["vat"]) + vat_total - vat_lines)
        last["gross"] = str(Decimal(last["net"]) + Decimal(last["vat"]))
    return lines


def order_items_repriced(*, order_id: int, job_id: int | None, difference: Decimal) -> Order:
    """An item's price changed by ``difference`` (net; a revision the customer accepted): the order's VAT and
    total follow, and so do the job's price and the maker's payout."""
    order = Order.objects.select_for_update().get(pk=order_id)
    amounts = order_amounts(
        items_net=order.items_net + difference,
        shipping_net=order.shipping_net,
        vat=VatDecision(
            rate=order.vat_rate,
            country=order.vat_country,
            reverse_charge=order.reverse_charge,
            note=order.vat_note,
            vat_number=order.vat_number,
        ),
    )
    amounts.pop("commission_rate")
    Order.objects.filter(pk=order_id).update(**amounts)
    if job_id is not None:
        job = Job.objects.select_for_update().get(pk=job_id)
        order.items_net = amounts["items_net"]
        price = job.price + difference
        Job.objects.filter(pk=job_id).update(price=price, payout=job_payout(order, price))
    return Order.objects.get(pk=order_id)


def order_payment(order: Order) -> Payment | None:
    """The order's own payment that counts: the succeeded one, else the latest attempt (top-ups are apart)."""
    payments = Payment.objects.filter(order_id=order.pk, purpose=PaymentPurpose.ORDER)
    return payments.filter(status=PaymentStatus.SUCCEEDED).first() or payments.first()


# What an order's body shows of its payment (``order_payment_rows``).
PAYMENT_ROW_FIELDS = (
    "provider",
    "status",
    "amount",
    "amount_refunded",
    "checkout_url",
    "client_secret",
    "failure_message",
)


def order_payment_rows(order_id: int):
    """The order's own payments (not top-ups) as plain rows, newest first: ``payment_that_counts`` picks one."""
    return (
        Payment.objects.filter(order_id=order_id, purpose=PaymentPurpose.ORDER)
        .order_by("-created_at", "-id")
        .values(*PAYMENT_ROW_FIELDS)
    )


def payment_that_counts(rows) -> dict | None:
    """``order_payment`` of plain rows (newest first): the succeeded payment's row, else the latest attempt's."""
    rows = list(rows)
    return next((row for row in rows if row["status"] == PaymentStatus.SUCCEEDED), rows[0] if rows else None)


def payment_start_for(*, order: Order, actor) -> Payment:
    """Open (or reuse) the checkout for the order's gross total."""
    return billing.payment_start(
        order_id=order.pk,
        customer=order.customer,
        amount=order.total,
        vat=order.vat_total,
        currency=order.currency,
        description=f"Makernet order {order.pk}",
        return_url=absolute_url(f"/orders/{order.pk}/"),
    )


def order_pay(*, order_id: int, actor) -> Payment:
    """The customer asks to pay (again, after a decline): the order's open checkout."""
    order = Order.objects.get(pk=order_id)
    if order.status != OrderStatus.AWAITING_PAYMENT:
        raise Conflict(
            _("Order %(order)s is %(value)s; only an order awaiting payment is paid.")
            % {"order": order.pk, "value": label_in_sentence(order.get_status_display())},
            code="not_awaiting_payment",
        )
    return payment_start_for(order=order, actor=actor)


# Billing's signals (connected in OrdersConfig.ready) ---------------------------------------------------------


def on_payment_succeeded(sender, payment: Payment, **kwargs) -> None:
    """Paid: the order is confirmed, its invoice issued and dispatch queued, in the webhook's transaction. A
    payment for an order that was cancelled meanwhile is refunded in full. (Top-ups: see counteroffers.)"""
    if payment.purpose != PaymentPurpose.ORDER:
        return
    order = Order.objects.select_for_update().get(pk=payment.order_id)
    if order.status == OrderStatus.CANCELLED:
        transaction.on_commit(
            lambda: billing.refund_create(
                order_id=order.pk, amount=None, reason="paid after the order was cancelled", actor=None
            )
        )
        return
    transition = order_set_status(
        order_id=order.pk,
        to=OrderStatus.CONFIRMED,
        reason=Reason(
            gettext_noop("paid (%(amount)s %(currency)s, %(provider)s)"),
            amount=payment.amount,
            currency=payment.currency,
            provider=payment.provider,
        ),
        details={"payment": payment.pk},
        updates={"confirmed_at": timezone.now()},
    )
    if transition.changed:
        invoice_for(order=transition.obj, payment=payment)
        enqueue_after_commit(ORDER_DISPATCH_TASK, order_id=order.pk)


def on_payment_failed(sender, payment: Payment, **kwargs) -> None:
    if payment.status != PaymentStatus.FAILED or payment.purpose != PaymentPurpose.ORDER:
        return
    OrderEvent.objects.create(
        order_id=payment.order_id,
        kind=OrderEvent.KIND_NOTE,
        from_status=OrderStatus.AWAITING_PAYMENT,
        to_status=OrderStatus.AWAITING_PAYMENT,
        reason=Reason(
            gettext_noop("payment declined: %(message)s; the customer can try again"),
            message=payment.failure_message or "no reason given",
        ),
        details={"payment": payment.pk},
    )


def on_refund_settled(sender, refund, **kwargs) -> None:
    """Money went back: a credit note, and a note on the order's timeline."""
    payment = refund.payment
    order = Order.objects.get(pk=payment.order_id)
    invoices = Invoice.objects.filter(order_id=order.pk, kind="invoice")
    invoice = invoices.filter(payment=payment).first() or invoices.first()  # the refunded payment's own invoice
    net = cents(refund.amount * (order.total - order.vat_total) / order.total) if order.total else refund.amount
    line = {
        "kind": "refund",
        "description": f"Refund: {refund.description or 'refund'}"[:200],
        "quantity": 1,
        "unit_net": str(-net),
        "net": str(-net),
        "vat_rate": str(order.vat_rate),
        "vat": str(-(refund.amount - net)),
        "gross": str(-refund.amount),
    }
    invoicing.invoice_issue(
        order_id=order.pk,
        customer=order.customer,
        buyer=invoice_buyer(order),
        lines=[line],
        notes=order.vat_note,
        payment=payment,
        refund=refund,
        credits=invoice,
        currency=order.currency,
    )
    OrderEvent.objects.create(
        order=order,
        kind=OrderEvent.KIND_NOTE,
        from_status=order.status,
        to_status=order.status,
        actor=refund.requested_by,
        reason=f"refunded {refund.amount} {payment.currency}: {refund.description}"[:500],
        details={"refund": refund.pk},
    )


def invoice_buyer(order: Order) -> dict:
    """The invoice's buyer; ``language``: the customer's, the invoice is written in it (``billing.invoicing``)."""
    return {
        "name": order.ship_name or order.customer.username,
        "lines": order.address_lines,
        "vat": order.vat_number,
        "language": getattr(order.customer, "language", "") or settings.LANGUAGE_CODE,
    }


def invoice_for(*, order: Order, payment: Payment) -> Invoice:
    existing = Invoice.objects.filter(order_id=order.pk, kind="invoice").first()
    if existing is not None:
        return existing
    with in_language_of(order.customer):
        lines = order_lines(order)
    return invoicing.invoice_issue(
        order_id=order.pk,
        customer=order.customer,
        buyer=invoice_buyer(order),
        lines=lines,
        notes=order.vat_note,
        payment=payment,
        currency=order.currency,
    )


# Cancel, deliver, release --------------------------------------------------------------------------------------


def order_refund_on_cancel(*, order: Order, actor) -> None:
    """A cancelled order gives back all that was collected and not yet allocated; an open checkout is closed."""
    for payment in Payment.objects.filter(order_id=order.pk, status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]):
        billing.payment_set_status(
            payment_id=payment.pk, to=PaymentStatus.CANCELED, actor=actor, reason="the order was cancelled"
        )
    if Payment.objects.filter(order_id=order.pk, status=PaymentStatus.SUCCEEDED).exists():
        order_id = order.pk
        # After commit: the provider is outside our transaction; the refund row and ledger are its own.
        transaction.on_commit(
            lambda: billing.refund_create(
                order_id=order_id, amount=None, reason="the order was cancelled before production", actor=actor
            )
        )


def order_refund(*, order_id: int, amount: Decimal | None, reason: str, actor, from_payout_of: int | None = None):
    """Staff refund part (or all) of an order: from unallocated money, or from a maker's held payout."""
    if not reason.strip():
        raise DomainError(_("Say why the money goes back (it is on the credit note)."), code="reason_required")
    return billing.refund_create(
        order_id=order_id, amount=amount, reason=reason.strip(), actor=actor, from_payout_of=from_payout_of
    )


def order_payouts_allocate(*, order: Order) -> None:
    """On delivery: each shipped job's maker is due its price less commission plus its share of shipping,
    held until the claim window ends. If part of the money was refunded before, payouts and commission
    shrink in proportion: the ledger never allocates more than it collected."""
    jobs = list(order.jobs.exclude(status__in=JOB_DROPPED).filter(status=JobStatus.SHIPPED).order_by("pk"))
    if not jobs or not Payment.objects.filter(order_id=order.pk, status=PaymentStatus.SUCCEEDED).exists():
        return
    available = billing.balance(order.pk, Account.CLEARING)
    wanted = sum((job.price for job in jobs), Decimal("0")) + order.shipping_net
    scale = min(Decimal("1"), available / wanted) if wanted else Decimal("0")
    hold_until = (order.delivered_at or timezone.now()) + timedelta(days=settings.PAYOUT_HOLD_DAYS)
    shipping_left = order.shipping_net
    for index, job in enumerate(jobs):
        share = (
            shipping_left
            if index == len(jobs) - 1
            else cents(order.shipping_net * job.price / max(wanted - order.shipping_net, CENT))
        )
        shipping_left -= share
        commission = cents(job.price * order.commission_rate * scale)
        payout = cents((job.price - job.price * order.commission_rate + share) * scale)
        payout = min(payout, billing.balance(order.pk, Account.CLEARING) - commission)
        billing.payout_allocate(
            order_id=order.pk,
            maker_id=job.maker_id,
            payout=payout,
            commission=commission,
            available_at=hold_until,
            memo=f"job {job.pk}",
        )


def payouts_release_due(*, now=None) -> int:
    """Release every held payout whose claim window has passed, unless a claim is open on its order (or a
    reprint decided on a claim is still being made)."""
    now = now or timezone.now()
    due = (
        LedgerEntry.objects.filter(kind=EntryKind.PAYOUT_DUE, available_at__lte=now)
        .values_list("order_id", "maker_id")
        .distinct()
    )
    released = 0
    for order_id, maker_id in due:
        if _claim_open(order_id):
            continue
        if billing.payout_release(order_id=order_id, maker_id=maker_id) > 0:
            released += 1
    return released


def _claim_open(order_id: int) -> bool:
    return Claim.objects.filter(CLAIM_HOLDS_PAYOUT, order_id=order_id).exists()
