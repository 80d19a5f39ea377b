"""Orders, quotes, claims and counter-offers of a customer; the jobs a maker member's makers handled.

What a maker's export holds of its jobs is what the job was about (order number, parts, prices, dates, the city it
went to), not the customer's name, street, phone or e-mail: those are the customer's data, which the maker saw
for shipping only.

Erasure is refused while an order is being paid for and made, or a maker the person runs alone has jobs in hand;
orders not yet paid are cancelled. Orders stay (accounting, the staff's figures), their delivery address cut down
to the city and country (VAT and the invoices need the country; the city says where the parts went, not who got
them) and their coordinates to about ten kilometres."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.personal_data import ERASED_TEXT, Export, ExportFile, eraser, erasure_blocker, exporter, replace_texts
from core.models import Notification
from makers.privacy import sole_member_makers
from orders.models import (
    CLAIM_OPEN,
    JOB_ACTIVE,
    Claim,
    ClaimEvent,
    ClaimPhoto,
    ClaimStatus,
    IdempotencyKey,
    Job,
    Order,
    OrderEvent,
    OrderStatus,
    Quote,
)
from orders.services.ordering import order_cancel

# Not paid yet: the erasure cancels them.
CANCELLED_ON_ERASURE = frozenset({OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT})
# Paid, not yet with a maker: the customer cancels (and is refunded) or waits.
PAID_NOT_MADE = frozenset({OrderStatus.CONFIRMED, OrderStatus.ROUTING, OrderStatus.ON_HOLD})
BEING_MADE = frozenset({OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED})
# Decimal places kept of an erased order's coordinates (0.1 degree: about 11 km).
COORDINATE_DECIMALS = 1


def _events(rows) -> list[dict]:
    return [
        {
            "at": event.created_at,
            "kind": event.kind,
            "from": event.from_status,
            "to": event.to_status,
            "reason": event.reason,
        }
        for event in rows
    ]


def _claim(claim: Claim, files: list[ExportFile]) -> dict:
    photos = []
    for photo in claim.photos.all():
        suffix = photo.image.name.rsplit(".", 1)[-1].lower() if "." in photo.image.name else "jpg"
        path = f"files/claims/{claim.pk}/photo-{photo.position + 1}.{suffix}"
        files.append(ExportFile(path=path, storage_name=photo.image.name))
        photos.append(path)
    return {
        "id": claim.pk,
        "job": claim.job_id,
        "status": claim.status,
        "reason": claim.reason,
        "maker_answer": claim.maker_answer,
        "decision_note": claim.decision_note,
        "refund_amount": claim.refund_amount,
        "created_at": claim.created_at,
        "photos": photos,
    }


@exporter("orders")
def export_orders(user) -> Export:
    data, files = [], []
    orders = (
        Order.objects.filter(customer=user)
        .prefetch_related(
            "items__design_version", "items__material", "events", "jobs__maker", "claims__photos", "counter_offers"
        )
        .order_by("id")
    )
    for order in orders:
        data.append(
            {
                "id": order.pk,
                "status": order.status,
                "created_at": order.created_at,
                "confirmed_at": order.confirmed_at,
                "delivered_at": order.delivered_at,
                "shipping_address": order.shipping_address,
                "note": order.note,
                "currency": order.currency,
                "items_net": order.items_net,
                "shipping_net": order.shipping_net,
                "vat_rate": order.vat_rate,
                "vat_country": order.vat_country,
                "vat_total": order.vat_total,
                "vat_number": order.vat_number,
                "reverse_charge": order.reverse_charge,
                "total": order.total,
                "quote": order.quote_id,
                "items": [
                    {
                        "design": item.design_version.design_id,
                        "version": item.design_version.number,
                        "material": item.material.code,
                        "colour": item.colour,
                        "quantity": item.quantity,
                        "unit_price": item.unit_price,
                        "total_price": item.total_price,
                        "template": item.template_slug,
                        "parameters": item.parameters,
                        "risk_accepted": item.risk_accepted,
                    }
                    for item in order.items.all()
                ],
                "events": _events(order.events.all()),
                "jobs": [
                    {
                        "id": job.pk,
                        "maker": job.maker.name,
                        "status": job.status,
                        "quantity": job.quantity,
                        "due_at": job.due_at,
                        "shipped_at": job.shipped_at,
                        "carrier": job.carrier,
                        "tracking_number": job.tracking_number,
                    }
                    for job in order.jobs.all()
                ],
                "claims": [_claim(claim, files) for claim in order.claims.all()],
                "counter_offers": [
                    {
                        "job": offer.job_id,
                        "status": offer.status,
                        "price_before": offer.price_before,
                        "price": offer.price,
                        "due_at_before": offer.due_at_before,
                        "due_at": offer.due_at,
                        "message": offer.message,
                        "created_at": offer.created_at,
                        "decided_at": offer.decided_at,
                    }
                    for offer in order.counter_offers.all()
                ],
            }
        )
    return Export(data, files)


@exporter("quotes")
def export_quotes(user) -> Export:
    quotes = Quote.objects.filter(customer=user).select_related("design_version", "material").order_by("id")
    return Export(
        [
            {
                "id": quote.pk,
                "design": quote.design_version.design_id,
                "version": quote.design_version.number,
                "material": quote.material.code,
                "quantity": quote.quantity,
                "colour": quote.colour,
                "ship_to": {"lat": quote.ship_to_latitude, "lon": quote.ship_to_longitude},
                "total": quote.total,
                "currency": quote.currency,
                "valid_until": quote.valid_until,
                "created_at": quote.created_at,
            }
            for quote in quotes
        ]
    )


@exporter("maker_jobs")
def export_maker_jobs(user) -> Export:
    data, files = [], []
    jobs = (
        Job.objects.filter(maker__members=user)
        .select_related("maker", "material", "order")
        .prefetch_related("events")
        .order_by("id")
    )
    for job in jobs:
        photo = None
        if job.photo and job.photo.name:
            suffix = job.photo.name.rsplit(".", 1)[-1].lower() if "." in job.photo.name else "jpg"
            photo = f"files/jobs/{job.pk}-photo.{suffix}"
            files.append(ExportFile(path=photo, storage_name=job.photo.name))
        data.append(
            {
                "id": job.pk,
                "maker": job.maker.slug,
                "order": job.order_id,
                "ship_to_city": job.order.ship_city,
                "ship_to_country": job.order.ship_country,
                "status": job.status,
                "material": job.material.code,
                "quantity": job.quantity,
                "price": job.price,
                "payout": job.payout,
                "offered_at": job.offered_at,
                "responded_at": job.responded_at,
                "due_at": job.due_at,
                "shipped_at": job.shipped_at,
                "decline_reason": job.decline_reason,
                "carrier": job.carrier,
                "tracking_number": job.tracking_number,
                "photo": photo,
                "events": _events(job.events.all()),
            }
        )
    return Export(data, files)


@erasure_blocker
def orders_under_way(user) -> list[str]:
    reasons = []
    for order in Order.objects.filter(customer=user, status__in=PAID_NOT_MADE | BEING_MADE).order_by("id"):
        if order.status in PAID_NOT_MADE:
            reasons.append(
                _(
                    "Order %(order)s is paid and not yet made: cancel it (you get your money back) or wait until it "
                    "is delivered."
                )
                % {"order": order.pk}
            )
        else:
            reasons.append(
                _("Order %(order)s is being made or shipped: wait until it is delivered.") % {"order": order.pk}
            )
    claims = Claim.objects.filter(customer=user).filter(
        Q(status__in=CLAIM_OPEN) | Q(status=ClaimStatus.REPRINT, reprint_job__status__in=JOB_ACTIVE)
    )
    for claim in claims.order_by("id"):
        reasons.append(
            _("Claim %(claim)s on order %(order)s is not settled yet: wait until it is.")
            % {"claim": claim.pk, "order": claim.order_id}
        )
    for maker in sole_member_makers(user):
        in_hand = Job.objects.filter(maker=maker, status__in=JOB_ACTIVE).count()
        open_claims = Claim.objects.filter(job__maker=maker, status__in=CLAIM_OPEN).count()
        if in_hand or open_claims:
            reasons.append(
                _(
                    "%(maker)s has %(jobs)s job(s) offered or in hand and %(claims)s open claim(s): finish, decline or "
                    "answer them first."
                )
                % {"maker": maker.name, "jobs": in_hand, "claims": open_claims}
            )
    return reasons


@eraser("orders")
def erase_orders(erasure) -> None:
    user = erasure.user
    for order in Order.objects.filter(customer=user, status__in=CANCELLED_ON_ERASURE).order_by("id"):
        order_cancel(order_id=order.pk, actor=user, reason=gettext_noop("cancelled: the customer's account was erased"))
        erasure.count("orders_cancelled", 1)

    orders = Order.objects.filter(customer=user)
    claims = Claim.objects.filter(customer=user)
    own_words = set(orders.exclude(note="").values_list("note", flat=True))
    own_words |= set(claims.values_list("reason", flat=True))
    for photo in ClaimPhoto.objects.filter(claim__customer=user):
        erasure.forget_file(photo.image)
    erasure.count("claim_photos", ClaimPhoto.objects.filter(claim__customer=user).delete()[0])
    erasure.count("claims", claims.update(reason=ERASED_TEXT))
    # The customer's words were copied into timelines and into the maker's and staff's notifications.
    replace_texts(OrderEvent.objects.filter(order__customer=user), ("reason",), own_words)
    replace_texts(ClaimEvent.objects.filter(claim__customer=user), ("reason",), own_words)
    replace_texts(Notification.objects.exclude(user=user), ("subject", "body"), own_words)

    for order in orders.only("pk", "ship_to_latitude", "ship_to_longitude", "ship_city", "ship_country"):
        Order.objects.filter(pk=order.pk).update(
            ship_name="",
            ship_line1="",
            ship_line2="",
            ship_postcode="",
            ship_phone="",
            note="",
            ship_to_label=", ".join(part for part in (order.ship_city, order.ship_country) if part),
            ship_to_latitude=round(order.ship_to_latitude, COORDINATE_DECIMALS),
            ship_to_longitude=round(order.ship_to_longitude, COORDINATE_DECIMALS),
        )
        erasure.count("orders_anonymised", 1)
    erasure.count("quotes", Quote.objects.filter(customer=user).delete()[0])
    erasure.count("idempotency_keys", IdempotencyKey.objects.filter(user=user).delete()[0])
