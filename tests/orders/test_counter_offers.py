"""Counter-offers: a maker answers an offer with another price or date; the customer accepts (paying a rise as
a top-up through the provider, or getting a fall back) or declines (the parts go to the next maker)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing import services as billing
from billing.models import Invoice, LedgerEntry, Payment, PaymentPurpose, PaymentStatus, Refund
from core.errors import Conflict, DomainError, NotFound
from core.models import Notification
from orders.models import CounterOffer, Job, JobStatus, Order
from orders.services import checkout
from orders.services.counteroffers import counter_offer_answer, counter_offer_make
from orders.services.dispatch import job_offers_expire, order_dispatch
from orders.services.jobs import job_accept
from orders.services.ordering import ItemRequest, order_confirm, order_place
from orders.services.quoting import ShipTo
from tests.conftest import client_for
from tests.money import delivery, pay, provider_event

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin")


def offered_job(customer, version) -> Job:
    order = order_place(
        customer=customer,
        delivery=delivery(BERLIN),
        items=[ItemRequest(design_version_id=version.pk, material_code="pla", quantity=2)],
    )
    order_confirm(order_id=order.pk, actor=customer)
    pay(order.pk)
    order_dispatch(order_id=order.pk)
    return Job.objects.select_related("maker", "order").get(order=order)


def maker_of(job):
    return job.maker.members.get()


def assert_ledger_adds_up(order_id: int) -> dict:
    """charges = refunds + VAT + commission + payouts (held, released) + what clearing still holds."""
    balances = billing.order_balances(order_id)
    assert balances["charged"] == (
        balances["refunded"]
        + balances["vat"]
        + balances["commission"]
        + balances["payout_held"]
        + balances["payout_released"]
        + balances["clearing"]
    )
    return balances


def test_a_price_rise_is_paid_as_a_top_up_and_then_the_job_is_the_makers(customer, version, makers):
    # given an offered, paid job and its maker's counter-offer of 50 % more
    job = offered_job(customer, version)
    order_before = Order.objects.get(pk=job.order_id)
    new_price = (job.price * Decimal("1.5")).quantize(Decimal("0.01"))
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=new_price, message="Needs 100 % infill.")
    assert counter.status == "pending" and counter.price_before == job.price
    assert Notification.objects.filter(user=customer, kind="counter_offer.made").count() == 1
    # when the customer accepts
    counter = counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    # then a top-up checkout is open for the gross difference, and the job still waits
    top_up = counter.payment
    assert counter.status == "accepted" and counter.is_awaiting_payment
    assert top_up.purpose == PaymentPurpose.TOP_UP and top_up.status == PaymentStatus.PENDING
    difference = new_price - job.price
    assert top_up.amount == (difference * Decimal("1.19")).quantize(Decimal("0.01"))
    assert top_up.checkout_url
    assert Job.objects.get(pk=job.pk).status == JobStatus.OFFERED
    assert Order.objects.get(pk=job.order_id).total == order_before.total
    # when the customer pays it on the test provider (the signed webhook path)
    payload, headers = provider_event(job.order_id)
    billing.webhook_receive(provider_name="test", payload=payload, headers=headers)
    # then the job is accepted for the maker, at the new price, and the order, VAT and ledger follow
    job.refresh_from_db()
    order = Order.objects.get(pk=job.order_id)
    assert job.status == JobStatus.ACCEPTED and job.price == new_price
    assert job.payout == checkout.job_payout(order, new_price)
    assert order.items_net == order_before.items_net + difference
    assert order.total == order_before.total + top_up.amount
    assert order.vat_total == order_before.vat_total + top_up.vat
    assert sum(Decimal(line["net"]) for line in checkout.order_lines(order)) == order.items_net + order.shipping_net
    balances = assert_ledger_adds_up(order.pk)
    assert balances["charged"] == order.total and balances["vat"] == order.vat_total
    assert CounterOffer.objects.get(pk=counter.pk).settled_at is not None
    # and the top-up has its own invoice; the order's payment is still its own
    invoice = Invoice.objects.get(order_id=order.pk, payment=top_up)
    assert invoice.kind == "invoice" and invoice.gross == top_up.amount and invoice.vat == top_up.vat
    assert checkout.order_payment(order).purpose == PaymentPurpose.ORDER
    # and a replayed webhook changes nothing
    billing.webhook_receive(provider_name="test", payload=payload, headers=headers)
    assert LedgerEntry.objects.filter(payment=top_up).count() == 2
    assert Invoice.objects.filter(order_id=order.pk, payment=top_up).count() == 1
    assert Order.objects.get(pk=order.pk).total == order.total


def test_a_price_fall_is_refunded_at_once_with_a_credit_note(customer, version, makers):
    job = offered_job(customer, version)
    order_before = Order.objects.get(pk=job.order_id)
    new_price = (job.price * Decimal("0.8")).quantize(Decimal("0.01"))
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=new_price)
    counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    job.refresh_from_db()
    order = Order.objects.get(pk=job.order_id)
    assert job.status == JobStatus.ACCEPTED and job.price == new_price
    refund = Refund.objects.get(payment__order_id=order.pk)
    assert refund.status == "succeeded"
    assert refund.amount == order_before.total - order.total
    credit_note = Invoice.objects.get(order_id=order.pk, kind="credit_note")
    assert credit_note.gross == -refund.amount
    balances = assert_ledger_adds_up(order.pk)
    assert balances["charged"] - balances["refunded"] == order.total
    assert not Payment.objects.filter(order_id=order.pk, purpose=PaymentPurpose.TOP_UP).exists()


def test_declining_sends_the_parts_to_the_next_maker(customer, version, makers, django_capture_on_commit_callbacks):
    job = offered_job(customer, version)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price * 2)
    with django_capture_on_commit_callbacks(execute=True):
        counter = counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=False)
    assert counter.status == "declined"
    job.refresh_from_db()
    assert job.status == JobStatus.DECLINED and job.decline_reason == "customer declined the counter-offer"
    order_dispatch(order_id=job.order_id)  # the re-dispatch queued after commit (eager in tests or run here)
    next_job = Job.objects.filter(order_id=job.order_id, status=JobStatus.OFFERED).get()
    assert next_job.maker != job.maker
    assert Notification.objects.filter(user=maker_of(job), kind="counter_offer.declined").count() == 1
    assert_ledger_adds_up(job.order_id)


def test_a_date_only_counter_offer_moves_the_ship_date(customer, version, makers):
    job = offered_job(customer, version)
    later = timezone.now() + timedelta(days=20)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), due_at=later, message="Busy until then.")
    assert counter.price is None
    counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    refreshed = Job.objects.get(pk=job.pk)
    assert refreshed.status == JobStatus.ACCEPTED and refreshed.due_at == later and refreshed.price == job.price
    assert Payment.objects.filter(order_id=job.order_id).count() == 1
    assert not Refund.objects.exists()


def test_only_the_jobs_maker_and_the_orders_customer_may_act(customer, other_customer, version, makers):
    job = offered_job(customer, version)
    other_maker = makers["munich"].members.get()
    with pytest.raises(NotFound):
        counter_offer_make(job_id=job.pk, actor=other_maker, price=job.price + 1)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 1)
    with pytest.raises(NotFound):
        counter_offer_answer(counter_offer_id=counter.pk, actor=other_customer, accept=True)
    assert CounterOffer.objects.get(pk=counter.pk).status == "pending"


def test_one_open_counter_offer_per_job_and_one_answer(customer, version, makers):
    job = offered_job(customer, version)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 1)
    with pytest.raises(Conflict) as second:
        counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 2)
    assert second.value.code == "counter_offer_open"
    counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    with pytest.raises(Conflict) as again:
        counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=False)
    assert again.value.code == "counter_offer_decided"
    with pytest.raises(Conflict):  # accepted, waiting for the top-up: still open
        counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 3)
    assert CounterOffer.objects.filter(job=job).count() == 1


@pytest.mark.parametrize(
    ("price", "code"), [(None, "nothing_proposed"), ("0", "bad_price"), ("1000", "price_out_of_range")]
)
def test_a_counter_offer_must_propose_something_sane(customer, version, makers, price, code):
    job = offered_job(customer, version)
    with pytest.raises(DomainError) as refused:
        counter_offer_make(job_id=job.pk, actor=maker_of(job), price=Decimal(price) if price else None)
    assert refused.value.code == code
    assert not CounterOffer.objects.exists()


def test_the_expiry_beat_leaves_a_job_with_a_pending_counter_offer(customer, version, makers, settings):
    job = offered_job(customer, version)
    counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 1)
    # after the maker's own offer time (OFFER_TTL_HOURS) the job still waits for the customer
    assert job_offers_expire(now=timezone.now() + timedelta(hours=settings.OFFER_TTL_HOURS + 1)) == 0
    assert Job.objects.get(pk=job.pk).status == JobStatus.OFFERED
    # after the counter-offer's own time both lapse and the parts move on
    later = timezone.now() + timedelta(hours=settings.COUNTER_OFFER_TTL_HOURS + 1)
    assert job_offers_expire(now=later) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.EXPIRED
    assert CounterOffer.objects.get(job=job).status == "expired"


def test_the_maker_accepting_the_offer_as_it_was_withdraws_the_counter_offer(customer, version, makers):
    job = offered_job(customer, version)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 1)
    job_accept(job_id=job.pk, actor=maker_of(job))
    assert CounterOffer.objects.get(pk=counter.pk).status == "withdrawn"
    with pytest.raises(Conflict):
        counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)


def test_an_unpaid_top_up_is_closed_when_the_job_lapses_and_a_late_payment_goes_back(
    customer, version, makers, settings, django_capture_on_commit_callbacks
):
    job = offered_job(customer, version)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 10)
    counter = counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    payload_order_id = job.order_id
    # the payment window passes: the job expires, the counter-offer with it, the checkout is closed
    assert job_offers_expire(now=timezone.now() + timedelta(hours=settings.COUNTER_OFFER_TTL_HOURS + 1)) == 1
    assert CounterOffer.objects.get(pk=counter.pk).status == "expired"
    assert Payment.objects.get(pk=counter.payment_id).status == PaymentStatus.CANCELED
    assert_ledger_adds_up(payload_order_id)


def test_cancelling_refunds_across_both_payments(customer, version, makers, django_capture_on_commit_callbacks):
    job = offered_job(customer, version)
    counter = counter_offer_make(job_id=job.pk, actor=maker_of(job), price=job.price + 10)
    counter_offer_answer(counter_offer_id=counter.pk, actor=customer, accept=True)
    pay(job.order_id)
    order = Order.objects.get(pk=job.order_id)
    with django_capture_on_commit_callbacks(execute=True):
        billing.refund_create(order_id=order.pk, amount=None, reason="test: everything back", actor=None)
    refunds = list(Refund.objects.filter(payment__order_id=order.pk).order_by("id"))
    # newest payment first (the top-up), then the order's own; never more than each has
    assert [r.payment.purpose for r in refunds] == ["top_up", "order"]
    for refund in refunds:
        assert refund.amount == refund.payment.amount and refund.status == "succeeded"
    balances = assert_ledger_adds_up(order.pk)
    assert balances["clearing"] == 0 and balances["vat"] == 0 and balances["refunded"] == order.total
    with pytest.raises(Conflict):
        billing.refund_create(order_id=order.pk, amount=Decimal("0.01"), reason="more", actor=None)


# API --------------------------------------------------------------------------------------------------------


def test_the_api_round_trip(customer, other_customer, version, makers):
    job = offered_job(customer, version)
    maker_api, customer_api = client_for(maker_of(job)), client_for(customer)
    url = f"/api/maker/jobs/{job.pk}/counter-offer/"
    response = maker_api.post(url, {"price": str(job.price + 5), "message": "Brass inserts."}, format="json")
    assert response.status_code == 201, response.content
    counter_id = response.json()["id"]
    assert maker_api.post(url, {"price": str(job.price + 6)}, format="json").status_code == 409
    assert maker_api.post(url, {}, format="json").status_code == 400
    assert client_for(makers["munich"].members.get()).post(url, {"price": "1"}, format="json").status_code == 404
    detail = maker_api.get(f"/api/maker/jobs/{job.pk}/").json()
    assert detail["counter_offer"]["id"] == counter_id and detail["counter_offer"]["status"] == "pending"

    listing = customer_api.get(f"/api/orders/{job.order_id}/counter-offers/")
    assert listing.status_code == 200 and [c["id"] for c in listing.json()] == [counter_id]
    assert client_for(other_customer).get(f"/api/orders/{job.order_id}/counter-offers/").status_code == 404
    assert client_for(other_customer).post(f"/api/counter-offers/{counter_id}/accept/").status_code == 404

    accepted = customer_api.post(f"/api/counter-offers/{counter_id}/accept/")
    assert accepted.status_code == 200, accepted.content
    body = accepted.json()
    assert body["status"] == "accepted" and body["awaiting_payment"] is True and body["checkout_url"]
    assert customer_api.post(f"/api/counter-offers/{counter_id}/decline/").status_code == 409
    order = customer_api.get(f"/api/orders/{job.order_id}/").json()
    assert order["counter_offers"][0]["checkout_url"] == body["checkout_url"]
    pay(job.order_id)
    order = customer_api.get(f"/api/orders/{job.order_id}/").json()
    assert order["counter_offers"][0]["awaiting_payment"] is False
    assert order["counter_offers"][0]["checkout_url"] == ""
    assert order["payment"]["status"] == "succeeded"
    assert maker_api.get(f"/api/maker/jobs/{job.pk}/").json()["status"] == "accepted"


# Pages ------------------------------------------------------------------------------------------------------


def test_the_pages_propose_and_answer(customer, version, makers):
    job = offered_job(customer, version)
    maker_web, customer_web = Client(), Client()
    maker_web.force_login(maker_of(job))
    customer_web.force_login(customer)
    page = maker_web.get(f"/maker/jobs/{job.pk}/")
    assert b"Propose another price or date" in page.content
    response = maker_web.post(f"/maker/jobs/{job.pk}/counter-offer/", {"price": str(job.price + 3), "message": "x"})
    assert response.status_code == 302
    counter = CounterOffer.objects.get(job=job)
    order_page = customer_web.get(f"/orders/{job.order_id}/")
    assert b"proposes other terms" in order_page.content
    response = customer_web.post(f"/counter-offers/{counter.pk}/accept/")
    assert response.status_code == 302
    assert response["Location"] == Payment.objects.get(purpose="top_up").checkout_url
