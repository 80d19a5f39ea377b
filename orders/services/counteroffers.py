"""Counter-offers: a maker answers an offered job with another price and/or ship date instead of accepting or
declining it; the order's customer accepts or declines.

- While a counter-offer waits, the job stays ``offered`` and its ``offer_expires_at`` is moved to the
  counter-offer's own expiry (COUNTER_OFFER_TTL_HOURS from now), so the expiry beat does not send the parts on
  meanwhile; if the customer never answers, the job expires then (and the counter-offer with it) and the parts
  go to the next maker as for any unanswered offer.
- Declined: the job is declined ("customer declined the counter-offer") and the parts go to the next maker.
- Accepted with a date only, or with a lower price: the new terms apply at once (the difference, gross, is
  refunded through the provider and a credit note issued) and the job is accepted for the maker.
- Accepted with a higher price: the customer pays the difference (gross) as a top-up with its own checkout.
  Until it is paid the job stays offered (the counter-offer is ``accepted`` with ``awaiting_payment``), for
  another COUNTER_OFFER_TTL_HOURS; when the provider says paid, the order's items, VAT and total, the job's
  price and payout follow, an invoice for the top-up is issued and the job is accepted. A top-up paid after
  the offer lapsed is refunded in full.
- A job that leaves ``offered`` another way (the maker accepts or declines the offer as it was, staff re-route
  it, the order is cancelled, it expires) ends its open counter-offer (withdrawn or expired) and closes an
  unpaid top-up checkout.
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from billing import invoicing
from billing import services as billing
from billing.models import Payment, PaymentPurpose, PaymentStatus
from core.errors import Conflict, DomainError, NotFound
from core.formatting import money_text
from core.links import absolute_url
from core.models import StatusEvent
from core.state import StateMachine, Transition
from core.text import Reason, clean_text
from orders.models import (
    COUNTER_OFFER_TRANSITIONS,
    CounterOffer,
    CounterOfferEvent,
    CounterOfferStatus,
    Job,
    JobEvent,
    JobItem,
    JobStatus,
    Order,
    OrderEvent,
    OrderItem,
)
from orders.services import checkout
from orders.services.jobs import job_accept, job_decline
from orders.services.notices import label_in_sentence, tell

CENT = Decimal("0.01")
# The furthest ship date a maker may propose.
MAX_DUE_DAYS = 365
DECLINED_REASON = "customer declined the counter-offer"

COUNTER_OFFER_MACHINE = StateMachine(
    model=CounterOffer,
    event_model=CounterOfferEvent,
    event_field="counter_offer",
    label=gettext_lazy("counter-offer"),
    transitions=COUNTER_OFFER_TRANSITIONS,
)


def counter_offer_set_status(*, counter_offer_id: int, to: str, **options) -> Transition:
    """Move a counter-offer (options: actor, reason, details, updates, guard; see ``StateMachine.move``)."""
    return COUNTER_OFFER_MACHINE.move(pk=counter_offer_id, to=to, **options)


def _ttl() -> timedelta:
    return timedelta(hours=settings.COUNTER_OFFER_TTL_HOURS)


def _open_counter_offers(job_id: int):
    """A job's counter-offers still in play: pending, or accepted and waiting for the top-up."""
    return CounterOffer.objects.filter(job_id=job_id).filter(
        status__in=[CounterOfferStatus.PENDING, CounterOfferStatus.ACCEPTED], settled_at__isnull=True
    )


def _note(*, order_id: int, job_id: int, actor, reason: str, details: dict) -> None:
    """A line on the order's and the job's timelines (no status change)."""
    order_status = Order.objects.values_list("status", flat=True).get(pk=order_id)
    job_status = Job.objects.values_list("status", flat=True).get(pk=job_id)
    actor = actor if getattr(actor, "pk", None) else None
    OrderEvent.objects.create(
        order_id=order_id,
        kind=StatusEvent.KIND_NOTE,
        from_status=order_status,
        to_status=order_status,
        actor=actor,
        reason=reason[:2000],
        details=details,
    )
    JobEvent.objects.create(
        job_id=job_id,
        kind=StatusEvent.KIND_NOTE,
        from_status=job_status,
        to_status=job_status,
        actor=actor,
        reason=reason[:2000],
        details=details,
    )


def _terms(counter_offer: CounterOffer, currency: str) -> str:
    parts = []
    if counter_offer.price is not None:
        parts.append(f"price {counter_offer.price_before} -> {counter_offer.price} {currency} (net)")
    if counter_offer.due_at is not None:
        parts.append(f"ships by {counter_offer.due_at:%Y-%m-%d}")
    return ", ".join(parts)


def _terms_text(counter_offer: CounterOffer, currency: str) -> str:
    """The terms in the active language (for the customer's notification)."""
    parts = []
    if counter_offer.price is not None:
        parts.append(
            _("price %(before)s -> %(after)s (net)")
            % {
                "before": money_text(counter_offer.price_before, currency),
                "after": money_text(counter_offer.price, currency),
            }
        )
    if counter_offer.due_at is not None:
        parts.append(_("ships by %(date)s") % {"date": formats.date_format(counter_offer.due_at, "DATE_FORMAT")})
    return ", ".join(parts)


# The maker proposes -----------------------------------------------------------------------------------------


def counter_offer_make(
    *, job_id: int, actor, price: Decimal | None = None, due_at=None, message: str = ""
) -> CounterOffer:
    """The maker of an offered job proposes another price (the customer's net price for the job's parts, at most
    COUNTER_OFFER_MAX_FACTOR times the current one) and/or ship date. One open counter-offer per job (409 for a
    second); someone else's job is 404. The job's offer expiry moves to the counter-offer's."""
    message = clean_text(message, field=_("The message"), max_length=2000)
    if price is None and due_at is None:
        raise DomainError(_("Propose another price, another ship date, or both."), code="nothing_proposed")
    now = timezone.now()
    with transaction.atomic():
        # The job's row first (as job_accept and job_decline lock it): a maker's accept and this never deadlock.
        job = Job.objects.select_for_update().select_related("order").filter(pk=job_id, maker__members=actor).first()
        if job is None:
            raise NotFound(_("No such job."))
        if job.status != JobStatus.OFFERED or job.offer_expires_at <= now:
            raise Conflict(
                _("Job %(job)s is %(value)s: only an open offer can be answered with a counter-offer.")
                % {"job": job.pk, "value": label_in_sentence(job.get_status_display())},
                code="not_offered",
                details={"current": job.status},
            )
        if _open_counter_offers(job.pk).exists():
            raise Conflict(
                _("This job has a counter-offer waiting for the customer already."), code="counter_offer_open"
            )
        if price is not None:
            price = checkout.cents(price)
            ceiling = checkout.cents(job.price * settings.COUNTER_OFFER_MAX_FACTOR)
            if price <= 0:
                raise DomainError(_("The price must be above zero."), code="bad_price", details={"field": "price"})
            if price > ceiling:
                raise DomainError(
                    _(
                        "At most %(ceiling)s %(currency)s (%(counter_offer_max_factor)s times the current price) "
                        "can be proposed."
                    )
                    % {
                        "ceiling": ceiling,
                        "currency": job.order.currency,
                        "counter_offer_max_factor": f"{settings.COUNTER_OFFER_MAX_FACTOR:g}",
                    },
                    code="price_out_of_range",
                    details={"field": "price", "max": str(ceiling)},
                )
            if price == job.price:
                price = None
        if due_at is not None:
            if due_at <= now:
                raise DomainError(
                    _("The ship date must be in the future."), code="bad_date", details={"field": "due_at"}
                )
            if due_at > now + timedelta(days=MAX_DUE_DAYS):
                raise DomainError(
                    _("The ship date must be within %(max_due_days)s days.") % {"max_due_days": MAX_DUE_DAYS},
                    code="bad_date",
                    details={"field": "due_at"},
                )
        if price is None and due_at is None:
            raise DomainError(
                _("That is the current price: propose another one, or a ship date."), code="nothing_proposed"
            )
        expires_at = now + _ttl()
        try:
            with transaction.atomic():
                counter_offer = COUNTER_OFFER_MACHINE.create(
                    to=CounterOfferStatus.PENDING,
                    actor=actor,
                    reason=gettext_noop("proposed by the maker"),
                    job=job,
                    order_id=job.order_id,
                    maker_id=job.maker_id,
                    proposed_by=actor,
                    price_before=job.price,
                    price=price,
                    due_at_before=job.due_at,
                    due_at=due_at,
                    message=message,
                    expires_at=expires_at,
                ).obj
        except IntegrityError:
            raise Conflict(
                _("This job has a counter-offer waiting for the customer already."), code="counter_offer_open"
            )
        # Not a status: the offer simply waits as long as the customer may take to answer.
        Job.objects.filter(pk=job.pk).update(offer_expires_at=expires_at)
        terms = _terms(counter_offer, job.order.currency)
        _note(
            order_id=job.order_id,
            job_id=job.pk,
            actor=actor,
            reason=f"counter-offer from {job.maker.name}: {terms}" + (f" ({message})" if message else ""),
            details={"counter_offer": counter_offer.pk},
        )
        tell(
            users=[job.order.customer],
            kind="counter_offer.made",
            subject=lambda: (
                _("Order %(order)s: %(maker)s proposes other terms") % {"order": job.order_id, "maker": job.maker.name}
            ),
            body=lambda: (
                _("%(terms)s. Accept or decline before %(until)s UTC.")
                % {
                    "terms": _terms_text(counter_offer, job.order.currency),
                    "until": formats.date_format(expires_at, "DATETIME_FORMAT"),
                }
                + (f"\n\n{message}" if message else "")
            ),
            link=f"/orders/{job.order_id}/",
            data={"order": job.order_id, "job": job.pk, "counter_offer": counter_offer.pk},
            dedupe_key=f"counter-offer-{counter_offer.pk}",
        )
    return counter_offer


# The customer answers -----------------------------------------------------------------------------------------


def counter_offer_answer(*, counter_offer_id: int, actor, accept: bool) -> CounterOffer:
    """The order's customer accepts or declines a pending counter-offer (anyone else: 404; answered already or
    lapsed: 409). See the module's docstring for what follows; a price rise returns the counter-offer with its
    top-up ``payment`` (pay at ``payment.checkout_url``)."""
    found = CounterOffer.objects.filter(pk=counter_offer_id, order__customer=actor).values_list("job_id", flat=True)
    job_id = found.first()
    if job_id is None:
        raise NotFound(_("No such counter-offer."))
    with transaction.atomic():
        job = Job.objects.select_for_update().select_related("order", "maker").get(pk=job_id)
        counter_offer = CounterOffer.objects.select_for_update().get(pk=counter_offer_id)
        if counter_offer.status != CounterOfferStatus.PENDING:
            raise Conflict(
                _("This counter-offer is %(counter_offer_status)s already.")
                % {
                    "counter_offer_status": label_in_sentence(
                        counter_offer.get_status_display(), english=counter_offer.status
                    )
                },
                code="counter_offer_decided",
                details={"current": counter_offer.status},
            )
        if job.status != JobStatus.OFFERED or counter_offer.expires_at <= timezone.now():
            raise Conflict(_("This counter-offer has lapsed."), code="counter_offer_expired")
        if accept:
            _accept(counter_offer=counter_offer, job=job, actor=actor)
        else:
            _decline(counter_offer=counter_offer, job=job, actor=actor)
    counter_offer.refresh_from_db()
    return counter_offer


def _tell_the_maker(job: Job, counter_offer: CounterOffer, *, kind: str, subject, body="") -> None:
    tell(
        users=job.maker.members.all(),
        kind=kind,
        subject=subject,
        body=body,
        link=f"/maker/jobs/{job.pk}/",
        data={"job": job.pk, "counter_offer": counter_offer.pk},
        dedupe_key=f"{kind}-{counter_offer.pk}",
    )


def _decline(*, counter_offer: CounterOffer, job: Job, actor) -> None:
    counter_offer_set_status(
        counter_offer_id=counter_offer.pk,
        to=CounterOfferStatus.DECLINED,
        actor=actor,
        reason=DECLINED_REASON,
        updates={"decided_at": timezone.now()},
    )
    job_decline(job_id=job.pk, actor=actor, reason=DECLINED_REASON)
    _tell_the_maker(
        job,
        counter_offer,
        kind="counter_offer.declined",
        subject=lambda: _("Job %(job)s: the customer declined your counter-offer") % {"job": job.pk},
        body=gettext_lazy("The parts go to another maker."),
    )


def _accept(*, counter_offer: CounterOffer, job: Job, actor) -> None:
    now = timezone.now()
    difference = counter_offer.price_difference or Decimal("0")
    if difference <= 0:
        counter_offer_set_status(
            counter_offer_id=counter_offer.pk,
            to=CounterOfferStatus.ACCEPTED,
            actor=actor,
            reason=gettext_noop("accepted by the customer"),
            updates={"decided_at": now},
        )
        _settle(counter_offer_id=counter_offer.pk, actor=actor)
        return
    order = job.order
    after = _amounts_after(order, difference)
    payment = billing.payment_start_top_up(
        order_id=order.pk,
        customer=order.customer,
        amount=after["total"] - order.total,
        vat=after["vat_total"] - order.vat_total,
        currency=order.currency,
        description=f"Makernet order {order.pk}: price change for job {job.pk}",
        return_url=absolute_url(f"/orders/{order.pk}/"),
    )
    # The customer has as long again to pay; the offer waits with it.
    expires_at = now + _ttl()
    counter_offer_set_status(
        counter_offer_id=counter_offer.pk,
        to=CounterOfferStatus.ACCEPTED,
        actor=actor,
        reason=Reason(
            gettext_noop("accepted by the customer; waiting for the top-up of %(amount)s %(currency)s"),
            amount=payment.amount,
            currency=payment.currency,
        ),
        details={"payment": payment.pk},
        updates={"decided_at": now, "payment": payment, "expires_at": expires_at},
    )
    Job.objects.filter(pk=job.pk).update(offer_expires_at=expires_at)
    _note(
        order_id=order.pk,
        job_id=job.pk,
        actor=actor,
        reason=f"counter-offer {counter_offer.pk} accepted: {payment.amount} {payment.currency} to pay before the "
        f"job is confirmed to {job.maker.name}",
        details={"counter_offer": counter_offer.pk, "payment": payment.pk},
    )
    _tell_the_maker(
        job,
        counter_offer,
        kind="counter_offer.accepted",
        subject=lambda: _("Job %(job)s: the customer accepted your counter-offer") % {"job": job.pk},
        body=gettext_lazy("The job is yours once the customer has paid the difference."),
    )


def _amounts_after(order: Order, difference: Decimal) -> dict:
    """The order's frozen money fields if its items cost ``difference`` (net) more: VAT per line, as on placing."""
    return checkout.order_amounts(
        items_net=order.items_net + difference,
        shipping_net=order.shipping_net,
        vat=checkout.VatDecision(
            rate=order.vat_rate,
            country=order.vat_country,
            reverse_charge=order.reverse_charge,
            note=order.vat_note,
            vat_number=order.vat_number,
        ),
    )


def _items_repriced(*, job: Job, difference: Decimal) -> None:
    """Spread the job's price change over its items in proportion (the last takes the rounding), so the order's
    lines still add up to its items' net; then the order's VAT and total and the job's payout follow."""
    job_items = list(JobItem.objects.filter(job=job).select_related("order_item").order_by("order_item_id"))
    base = sum((job_item.order_item.total_price for job_item in job_items), Decimal("0"))
    left = difference
    for index, job_item in enumerate(job_items):
        item = OrderItem.objects.select_for_update().get(pk=job_item.order_item_id)
        if index == len(job_items) - 1:
            share = left
        elif base:
            share = checkout.cents(difference * item.total_price / base)
        else:
            share = checkout.cents(difference / len(job_items))
        left -= share
        total = item.total_price + share
        OrderItem.objects.filter(pk=item.pk).update(
            total_price=total, unit_price=checkout.cents(total / max(item.quantity, 1))
        )
    checkout.order_items_repriced(order_id=job.order_id, job_id=job.pk, difference=difference)


def _settle(*, counter_offer_id: int, actor, payment: Payment | None = None) -> None:
    """The new terms take effect: the ship date, the price (items, VAT, total, payout), a price fall refunded;
    then the job is accepted for the maker (the maker agreed to these terms when proposing them)."""
    counter_offer = CounterOffer.objects.select_related("order", "maker").get(pk=counter_offer_id)
    job = Job.objects.get(pk=counter_offer.job_id)
    order = counter_offer.order
    difference = counter_offer.price_difference or Decimal("0")
    CounterOffer.objects.filter(pk=counter_offer.pk).update(settled_at=timezone.now())
    if counter_offer.due_at is not None:
        Job.objects.filter(pk=job.pk).update(due_at=counter_offer.due_at)
    refund_gross = Decimal("0")
    if difference:
        refund_gross = order.total - _amounts_after(order, difference)["total"]
        _items_repriced(job=job, difference=difference)
    if difference < 0 and refund_gross > 0:
        billing.refund_create(
            order_id=order.pk,
            amount=refund_gross,
            reason=Reason(
                gettext_noop("lower price agreed with %(maker)s (counter-offer %(number)s)"),
                maker=counter_offer.maker.name,
                number=str(counter_offer.pk),
            ),
            actor=actor,
        )
    if payment is not None:
        _top_up_invoice(order_id=order.pk, counter_offer=counter_offer, payment=payment)
    _note(
        order_id=order.pk,
        job_id=job.pk,
        actor=actor,
        reason=f"counter-offer {counter_offer.pk} in effect: {_terms(counter_offer, order.currency)}",
        details={
            "counter_offer": counter_offer.pk,
            "difference": str(difference),
            **({"payment": payment.pk} if payment else {}),
        },
    )
    # A top-up paid after the offer's time (the provider was slow) still wins the job: the customer has paid.
    Job.objects.filter(pk=job.pk, offer_expires_at__lte=timezone.now()).update(
        offer_expires_at=timezone.now() + timedelta(minutes=5)
    )
    job_accept(
        job_id=job.pk,
        actor=counter_offer.proposed_by,
        reason=Reason(gettext_noop("counter-offer %(number)s accepted by the customer"), number=str(counter_offer.pk)),
    )


def _top_up_invoice(*, order_id: int, counter_offer: CounterOffer, payment: Payment) -> None:
    """An invoice of its own for what the top-up collected (the order's first invoice stays as issued)."""
    order = Order.objects.select_related("customer").get(pk=order_id)
    net = payment.amount - payment.vat
    invoicing.invoice_issue(
        order_id=order.pk,
        customer=order.customer,
        buyer=checkout.invoice_buyer(order),
        lines=[
            {
                "kind": "price_change",
                "description": f"Price change for job {counter_offer.job_id} agreed with {counter_offer.maker.name}: "
                f"{counter_offer.price_before} -> {counter_offer.price} net"[:200],
                "quantity": 1,
                "unit_net": str(net),
                "net": str(net),
                "vat_rate": str(order.vat_rate),
                "vat": str(payment.vat),
                "gross": str(payment.amount),
            }
        ],
        notes=order.vat_note,
        payment=payment,
        currency=order.currency,
    )


# Billing's signal and the job's door (connected in OrdersConfig.ready) ------------------------------------------


def on_top_up_succeeded(sender, payment: Payment, **kwargs) -> None:
    """A top-up was paid (in the webhook's transaction): the counter-offer it pays takes effect. One paid for a
    counter-offer that lapsed meanwhile (the job expired, was declined or cancelled) goes back in full."""
    if payment.purpose != PaymentPurpose.TOP_UP:
        return
    found = CounterOffer.objects.filter(payment_id=payment.pk).values_list("pk", "job_id").first()
    if found is None:
        return
    counter_offer_id, job_id = found
    job = Job.objects.select_for_update().get(pk=job_id)
    counter_offer = CounterOffer.objects.select_for_update().get(pk=counter_offer_id)
    if counter_offer.is_awaiting_payment and job.status == JobStatus.OFFERED:
        _settle(counter_offer_id=counter_offer.pk, actor=payment.customer, payment=payment)
        return
    order_id, amount = payment.order_id, payment.amount
    transaction.on_commit(
        lambda: billing.refund_create(
            order_id=order_id,
            amount=amount,
            reason=Reason(
                gettext_noop("top-up paid after counter-offer %(number)s lapsed"), number=str(counter_offer_id)
            ),
            actor=None,
        )
    )


def on_job_status_changed(sender, transition: Transition, **kwargs) -> None:
    """A job left ``offered`` other than through its counter-offer's answer: the counter-offer ends (withdrawn
    when the maker took or refused the offer as it was; expired otherwise) and an unpaid top-up is closed."""
    if transition.from_status != JobStatus.OFFERED:
        return
    job = transition.obj
    by_maker = transition.to_status in (JobStatus.ACCEPTED, JobStatus.DECLINED)
    for counter_offer in _open_counter_offers(job.pk).select_for_update():
        pending = counter_offer.status == CounterOfferStatus.PENDING
        counter_offer_set_status(
            counter_offer_id=counter_offer.pk,
            to=CounterOfferStatus.WITHDRAWN if pending and by_maker else CounterOfferStatus.EXPIRED,
            actor=transition.event.actor,
            reason=f"the job is {transition.to_status}: {transition.event.reason}"[:2000],
        )
        if (
            counter_offer.payment_id
            and Payment.objects.filter(
                pk=counter_offer.payment_id, status__in=[PaymentStatus.PENDING, PaymentStatus.FAILED]
            ).exists()
        ):
            billing.payment_set_status(
                payment_id=counter_offer.payment_id,
                to=PaymentStatus.CANCELED,
                reason=f"the counter-offer lapsed: the job is {transition.to_status}",
            )
