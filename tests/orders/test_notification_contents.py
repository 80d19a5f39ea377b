"""What each notification the orders app sends says: kind, subject, body, link and data, for the customer (every
order status change), the maker (a job offered, a counter-offer's answer), staff (an order on hold, a claim)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import formats

from core.formatting import money_text
from core.models import Notification
from orders.models import Job, OrderEvent
from orders.services import claims
from orders.services import jobs as job_services
from orders.services.counteroffers import counter_offer_make
from orders.services.dispatch import order_dispatch
from orders.services.ordering import order_cancel, order_mark_delivered
from tests.orders.test_claims import photo
from tests.orders.test_dispatch import confirmed_order, member, photo_bytes

pytestmark = pytest.mark.django_db


def when(moment) -> str:
    """A moment as notifications write it: Django's DATETIME_FORMAT of the recipient's language (English here)."""
    return formats.date_format(moment, "DATETIME_FORMAT")


def told(user, kind: str) -> list[tuple]:
    return [
        (note.subject, note.body, note.link, note.data)
        for note in Notification.objects.filter(user=user, kind=kind).order_by("id")
    ]


def test_the_customer_hears_of_every_step_of_the_order_with_its_reason_and_a_link(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker = member(job.maker)
    job_services.job_accept(job_id=job.pk, actor=maker)
    job_services.job_report_progress(job_id=job.pk, actor=maker, status="printing")
    job_services.job_report_progress(
        job_id=job.pk,
        actor=maker,
        status="printed",
        photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"),
    )
    job_services.job_report_progress(job_id=job.pk, actor=maker, status="shipped", tracking_number="1Z9", carrier="DHL")
    order_mark_delivered(order_id=order.pk, actor=customer)

    notes = list(Notification.objects.filter(user=customer).order_by("id"))
    paid = OrderEvent.objects.get(order=order, to_status="confirmed").reason
    steps = [
        ("awaiting_payment", "placed", f"Order {order.pk} is waiting for your payment", "confirmed by the customer"),
        ("confirmed", "awaiting_payment", f"Order {order.pk} is paid: we are finding makers near you", paid),
        ("routing", "confirmed", f"Order {order.pk}: offers are out to local makers", "offers going out to makers"),
        ("in_production", "routing", f"Order {order.pk} is in production", "every part is held by a maker"),
        ("shipped", "in_production", f"Order {order.pk} has shipped", "every part has shipped"),
        ("delivered", "shipped", f"Order {order.pk} is delivered", "the customer confirmed delivery"),
    ]
    assert paid == f"paid ({order.total} EUR, test)"
    assert [(n.kind, n.subject, n.body, n.link, n.data) for n in notes] == [
        (
            f"order.{to}",
            subject,
            reason,
            f"/orders/{order.pk}/",
            {"order": order.pk, "from": was, "to": to, "reason": reason},
        )
        for to, was, subject, reason in steps
    ]
    # the maker: the offer, with the time to answer by
    assert told(maker, "job.offered") == [
        (
            f"New job offer: order {order.pk}, 2 parts",
            f"Accept or decline before {when(job.offer_expires_at)} UTC.",
            f"/maker/jobs/{job.pk}/",
            {"job": job.pk},
        )
    ]


def test_an_order_on_hold_tells_the_customer_and_staff_each_with_their_link(customer, version, makers, staff):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    for _ in range(2):
        job = Job.objects.get(order=order, status="offered")
        job_services.job_decline(job_id=job.pk, actor=member(job.maker), reason="too busy")
        order_dispatch(order_id=order.pk)
    reason = f"no maker within 400 km can make item {order.items.get().pk} (PLA)"

    assert told(customer, "order.on_hold") == [
        (
            f"Order {order.pk} is on hold",
            reason,
            f"/orders/{order.pk}/",
            {"order": order.pk, "from": "routing", "to": "on_hold", "reason": reason},
        )
    ]
    assert told(staff, "order.on_hold") == [
        (f"Order {order.pk} is on hold: no maker", reason, f"/dashboard/orders/{order.pk}/", {"order": order.pk})
    ]

    order_cancel(order_id=order.pk, actor=staff, reason="no maker near Berlin")
    assert told(customer, "order.cancelled") == [
        (
            f"Order {order.pk} is cancelled",
            "no maker near Berlin",
            f"/orders/{order.pk}/",
            {"order": order.pk, "from": "on_hold", "to": "cancelled", "reason": "no maker near Berlin"},
        )
    ]


def test_a_counter_offer_tells_the_customer_the_new_terms(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)

    counter = counter_offer_make(
        job_id=job.pk, actor=member(job.maker), price=job.price + Decimal("2.00"), message="Needs 100 % infill."
    )

    job.refresh_from_db()
    assert told(customer, "counter_offer.made") == [
        (
            f"Order {order.pk}: Berlin FDM proposes other terms",
            f"price {money_text(job.price)} -> {money_text(job.price + Decimal('2.00'))} (net). "
            f"Accept or decline before {when(counter.expires_at)} UTC.\n\nNeeds 100 % infill.",
            f"/orders/{order.pk}/",
            {"order": order.pk, "job": job.pk, "counter_offer": counter.pk},
        )
    ]


def test_a_claim_tells_the_maker_and_staff_each_with_their_own_link(customer, version, makers, staff):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker = member(job.maker)
    job_services.job_accept(job_id=job.pk, actor=maker)
    job_services.job_report_progress(job_id=job.pk, actor=maker, status="printing")
    job_services.job_report_progress(job_id=job.pk, actor=maker, status="printed", photo=photo("parts.jpg"))
    job_services.job_report_progress(job_id=job.pk, actor=maker, status="shipped", tracking_number="T1")
    order_mark_delivered(order_id=order.pk, actor=customer)

    claim = claims.claim_open(order_id=order.pk, customer=customer, reason="The hinge snapped.", photos=[photo()])

    subject = f"Claim {claim.pk} on order {order.pk}: the customer reports a problem"
    body = "The hinge snapped.\n\nThe maker answers; staff then decide a reprint, a refund or no action."
    data = {"claim": claim.pk, "order": order.pk, "job": job.pk, "status": "open"}
    assert told(maker, "claim.open") == [(subject, body, f"/maker/jobs/{job.pk}/", data)]
    assert told(staff, "claim.open") == [(subject, body, "/dashboard/claims/", data)]
    assert told(customer, "claim.open") == []

    claims.claim_answer(claim_id=claim.pk, actor=maker, answer="It was packed well; sorry.")

    assert told(customer, "claim.answered") == [
        (
            f"Claim {claim.pk} on order {order.pk}: the maker answered",
            "It was packed well; sorry.",
            f"/orders/{order.pk}/",
            {**data, "status": "answered"},
        )
    ]
    assert told(staff, "claim.answered")[0][2] == "/dashboard/claims/"
    assert told(maker, "claim.answered") == []

    claims.claim_decide(claim_id=claim.pk, actor=staff, decision="reprint", note="Reprint it in PETG-strength PLA.")

    reprint = Job.objects.get(order=order, status="offered")
    decided = (
        f"Claim {claim.pk} on order {order.pk}: reprint decided: job {reprint.pk} offered to Berlin FDM",
        "Reprint it in PETG-strength PLA.",
    )
    reprint_data = {**data, "status": "reprint"}
    assert told(customer, "claim.reprint") == [(*decided, f"/orders/{order.pk}/", reprint_data)]
    assert told(maker, "claim.reprint") == [(*decided, f"/maker/jobs/{job.pk}/", reprint_data)]
    assert told(staff, "claim.reprint") == []
    assert told(maker, "job.offered")[-1] == (
        f"Reprint for claim {claim.pk}: order {order.pk}, 2 parts, at your cost",
        f"Accept before {when(reprint.offer_expires_at)} UTC; your payout for the order stays held until "
        "the reprint has shipped.",
        f"/maker/jobs/{reprint.pk}/",
        {"job": reprint.pk, "claim": claim.pk},
    )
