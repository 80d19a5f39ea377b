"""Checkout end to end on the built-in test provider: one price (the chosen offer plus shipping plus VAT), paying
through the signed webhook path, webhooks replayed and out of order, refunds on cancel, payouts held and
released, invoices, and what the maker sees of the address."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from billing import invoicing
from billing import services as billing
from billing.models import Account, EntryKind, Invoice, LedgerEntry, Payment, Refund, WebhookEvent
from billing.providers import testing
from orders.models import Job, Order, Quote
from orders.services import checkout
from orders.services import jobs as job_services
from orders.services.dispatch import order_dispatch
from orders.services.ordering import order_cancel, order_confirm, order_mark_delivered
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS, pay, provider_event
from tests.orders.test_dispatch import confirmed_order, member, photo_bytes

pytestmark = pytest.mark.django_db

BERLIN = {"lat": 52.52, "lon": 13.405}


def quote_for(customer, version) -> dict:
    response = client_for(customer).post(
        "/api/quotes/",
        {"design_version": version.pk, "material": "pla", "quantity": 2, "ship_to": BERLIN},
        format="json",
    )
    assert response.status_code == 201, response.json()
    return response.json()


def order_from_quote(customer, quote_id, **extra):
    body = {"quote": quote_id, "shipping_address": BERLIN_ADDRESS, **extra}
    return client_for(customer).post("/api/orders/", body, format="json")


def ledger_adds_up(order_id: int) -> dict:
    """The invariant: every euro collected is refunded, owed as VAT, the platform's, a maker's, or still in
    clearing; and no account holds less than nothing."""
    balances = billing.order_balances(order_id)
    assert balances["charged"] == (
        balances["refunded"]
        + balances[Account.VAT]
        + balances[Account.COMMISSION]
        + balances[Account.PAYOUT_HELD]
        + balances[Account.PAYOUT_RELEASED]
        + balances[Account.CLEARING]
    ), balances
    for account in (Account.CLEARING, Account.VAT, Account.COMMISSION, Account.PAYOUT_HELD, Account.PAYOUT_RELEASED):
        assert balances[account] >= 0, balances
    return balances


def ship(order: Order) -> Job:
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    actor = member(job.maker)
    job_services.job_accept(job_id=job.pk, actor=actor)
    job_services.job_report_progress(job_id=job.pk, actor=actor, status="printing")
    job_services.job_report_progress(
        job_id=job.pk,
        actor=actor,
        status="printed",
        photo=SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg"),
    )
    job_services.job_report_progress(job_id=job.pk, actor=actor, status="shipped", tracking_number="1Z9", carrier="DHL")
    return Job.objects.get(pk=job.pk)


# One price -------------------------------------------------------------------------------------------------------


def test_the_customer_pays_the_chosen_offer_plus_shipping_plus_vat(customer, version, makers):
    quote = quote_for(customer, version)
    offers = quote["makers"]
    assert len({offer["price"] for offer in offers}) > 1, "the makers should price differently"
    chosen = max(offers, key=lambda offer: Decimal(offer["price"]))  # not the recommended one

    response = order_from_quote(customer, quote["id"], offer=chosen["maker"])

    assert response.status_code == 201, response.json()
    body = response.json()
    [item] = body["items"]
    assert Decimal(item["total_price"]) == Decimal(chosen["price"])
    assert item["price_breakdown"]["offer"]["maker"] == chosen["maker"]
    assert item["price_breakdown"]["basis"] == chosen["basis"]
    assert item["price_breakdown"]["machine_hours"] == chosen["machine_hours"]
    assert sum(Decimal(line["amount"]) for line in item["price_breakdown"]["lines"]) == Decimal(chosen["price"])
    net = Decimal(chosen["price"]) + settings.SHIPPING_FEE
    vat = (net * Decimal("0.19")).quantize(Decimal("0.01"))
    assert (Decimal(body["vat_total"]), Decimal(body["total"])) == (vat, net + vat)
    assert body["offer_maker"] == chosen["maker"]
    # Dispatch offers it to the chosen maker first, and the maker's pay comes from what the customer paid.
    order_confirm(order_id=body["id"], actor=customer)
    pay(body["id"])
    order_dispatch(order_id=body["id"])
    job = Job.objects.get(order_id=body["id"])
    assert job.maker_id == chosen["maker"]
    assert job.price == Decimal(chosen["price"])
    commission = (job.price * settings.PLATFORM_COMMISSION_RATE).quantize(Decimal("0.01"))
    assert job.payout == job.price - commission + settings.SHIPPING_FEE


def test_without_an_offer_the_recommended_one_is_taken(customer, version, makers):
    quote = quote_for(customer, version)
    body = order_from_quote(customer, quote["id"]).json()
    assert body["offer_maker"] == quote["makers"][0]["maker"]
    assert Decimal(body["items"][0]["total_price"]) == Decimal(quote["makers"][0]["price"])


def test_an_offer_that_is_not_in_the_quote_is_400(customer, version, makers):
    quote = quote_for(customer, version)
    response = order_from_quote(customer, quote["id"], offer=987654)
    assert response.status_code == 400
    assert response.json()["code"] == "unknown_offer"
    assert not Order.objects.exists()


def test_an_expired_quote_is_409_and_asks_for_a_new_one(customer, version, makers):
    quote = quote_for(customer, version)
    Quote.objects.filter(pk=quote["id"]).update(valid_until=timezone.now() - timedelta(minutes=1))

    response = order_from_quote(customer, quote["id"])

    assert response.status_code == 409
    assert response.json()["code"] == "quote_expired"
    assert "new quote" in response.json()["detail"]
    assert not Order.objects.exists()


def test_a_quote_expiring_before_the_customer_confirms_is_409_too(customer, version, makers):
    quote = quote_for(customer, version)
    order_id = order_from_quote(customer, quote["id"]).json()["id"]
    Quote.objects.filter(pk=quote["id"]).update(valid_until=timezone.now() - timedelta(minutes=1))
    response = client_for(customer).post(f"/api/orders/{order_id}/confirm/")
    assert response.status_code == 409 and response.json()["code"] == "quote_expired"
    assert Order.objects.get(pk=order_id).status == "placed"
    assert not Payment.objects.exists()


# VAT ----------------------------------------------------------------------------------------------------------------

PARIS = {"name": "Camille Client", "line1": "10 rue de Rivoli", "postcode": "75001", "city": "Paris", "country": "FR"}
UTRECHT = {"name": "Printwerk BV", "line1": "Oudegracht 1", "postcode": "3511 AA", "city": "Utrecht", "country": "NL"}


def place_items(customer, version, address, **extra):
    body = {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
        "shipping_address": address,
        "ship_to": BERLIN,  # matched from Berlin: the VAT follows the address's country, not the makers
        **extra,
    }
    return client_for(customer).post("/api/orders/", body, format="json")


def test_a_consumer_in_another_eu_country_pays_that_countrys_vat(customer, version, makers):
    body = place_items(customer, version, PARIS).json()
    assert body["vat"] == {
        "rate": "20.00",
        "country": "FR",
        "number": "",
        "reverse_charge": False,
        "note": body["vat"]["note"],
    }
    net = Decimal(body["items_net"]) + Decimal(body["shipping_net"])
    assert Decimal(body["vat_total"]) == (net * Decimal("0.20")).quantize(Decimal("0.01"))


def test_a_business_with_a_valid_vat_number_in_another_eu_country_gets_the_reverse_charge(customer, version, makers):
    body = place_items(customer, version, UTRECHT, vat_number="nl 8206.4666.0B01").json()
    assert body["vat"]["reverse_charge"] is True
    assert body["vat"]["number"].startswith("NL")
    assert body["vat"]["rate"] == "0.00" and Decimal(body["vat_total"]) == 0
    assert Decimal(body["total"]) == Decimal(body["items_net"]) + Decimal(body["shipping_net"])
    assert "reverse charge" in body["vat"]["note"].lower()
    assert all(line["vat"] == "0.00" for line in body["lines"])


def test_a_vat_number_that_does_not_check_out_is_400_not_charged_as_a_consumer(customer, version, makers):
    response = place_items(customer, version, UTRECHT, vat_number="NL123456789B02")
    assert response.status_code == 400
    assert response.json()["code"] == "bad_vat_number"
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [({"postcode": "1234"}, "postcode"), ({"country": "XX"}, "country"), ({"line1": ""}, "line1")],
)
def test_a_bad_address_is_400_naming_the_field(customer, version, makers, change, field):
    response = place_items(customer, version, {**BERLIN_ADDRESS, **change})
    assert response.status_code == 400
    assert field in str(response.json()).lower()
    assert not Order.objects.exists()


def test_staff_change_a_vat_rate_and_new_orders_use_it(customer, version, makers):
    from billing.models import VatRate

    assert VatRate.objects.get(country="DE").rate == Decimal("19.00")  # seeded by the migration
    VatRate.objects.filter(country="DE").update(rate=Decimal("7.00"))
    body = place_items(customer, version, BERLIN_ADDRESS).json()
    assert body["vat"]["rate"] == "7.00"


# Paying ---------------------------------------------------------------------------------------------------------


def test_nothing_is_dispatched_before_the_provider_says_paid(customer, version, makers):
    order = Order.objects.get(pk=place_items(customer, version, BERLIN_ADDRESS).json()["id"])
    body = client_for(customer).post(f"/api/orders/{order.pk}/confirm/").json()
    assert body["status"] == "awaiting_payment"
    assert body["payment"]["provider"] == "test" and body["payment"]["status"] == "pending"
    order_dispatch(order_id=order.pk)
    assert not Job.objects.filter(order=order).exists()
    assert not LedgerEntry.objects.filter(order_id=order.pk).exists()

    pay(order.pk)

    order.refresh_from_db()
    assert order.status == "confirmed"
    assert ledger_adds_up(order.pk)[Account.CLEARING] == order.items_net + order.shipping_net
    [invoice] = Invoice.objects.filter(order_id=order.pk)
    assert invoice.gross == order.total and invoice.vat == order.vat_total


def test_a_declined_payment_can_be_tried_again_on_the_same_checkout(customer, version, makers):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    client = client_for(customer)
    client.post(f"/api/orders/{order_id}/confirm/")
    pay(order_id, succeed=False)
    body = client.get(f"/api/orders/{order_id}/").json()
    assert body["status"] == "awaiting_payment"
    assert body["payment"]["status"] == "failed"
    assert body["payment"]["failure_message"] == "Your card was declined."
    assert "payment declined" in body["events"][-1]["reason"]
    again = client.post(f"/api/orders/{order_id}/pay/").json()
    assert again["payment"]["checkout_url"] == body["payment"]["checkout_url"]  # the same checkout
    pay(order_id)
    assert Order.objects.get(pk=order_id).status == "confirmed"
    assert Payment.objects.filter(order_id=order_id).count() == 1


def test_a_replayed_webhook_changes_nothing(customer, version, makers):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    order_confirm(order_id=order_id, actor=customer)
    payload, headers = provider_event(order_id)
    client = client_for(None)
    url = "/api/payments/webhooks/test/"
    first = client.post(url, data=payload, content_type="application/json", **_meta(headers))
    second = client.post(url, data=payload, content_type="application/json", **_meta(headers))

    assert first.status_code == second.status_code == 200
    assert first.json()["received"] == second.json()["received"]
    assert WebhookEvent.objects.count() == 1
    assert LedgerEntry.objects.filter(order_id=order_id, kind=EntryKind.CHARGE).count() == 1
    assert Invoice.objects.filter(order_id=order_id).count() == 1


def test_a_late_failure_after_success_changes_nothing(customer, version, makers):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    order_confirm(order_id=order_id, actor=customer)
    payload_failed, headers_failed = provider_event(order_id, succeed=False)  # sent first, arrives last
    pay(order_id)
    record = billing.webhook_receive(provider_name="test", payload=payload_failed, headers=headers_failed)
    assert record.outcome.startswith("ignored")
    assert Payment.objects.get(order_id=order_id).status == "succeeded"
    assert Order.objects.get(pk=order_id).status == "confirmed"


def _meta(headers: dict) -> dict:
    return {"HTTP_" + key.upper().replace("-", "_"): value for key, value in headers.items()}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda payload, headers: (payload.replace(b'"payment.succeeded"', b'"payment.succeeded" '), headers),
        lambda payload, headers: (payload, {testing.SIGNATURE_HEADER: testing.sign(payload, "not-the-secret")}),
        lambda payload, headers: (payload, {}),
        lambda payload, headers: (
            payload,
            {testing.SIGNATURE_HEADER: testing.sign(payload, settings.TEST_PAYMENT_SECRET, timestamp=1_000_000_000)},
        ),
    ],
    ids=["payload-changed", "wrong-secret", "no-signature", "too-old"],
)
def test_a_webhook_without_a_valid_signature_is_400_and_changes_nothing(customer, version, makers, tamper):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    order_confirm(order_id=order_id, actor=customer)
    payload, headers = tamper(*provider_event(order_id))

    response = client_for(None).post(
        "/api/payments/webhooks/test/", data=payload, content_type="application/json", **_meta(headers)
    )

    assert response.status_code == 400
    assert response.json()["code"] == "bad_signature"
    assert not WebhookEvent.objects.exists()
    assert Payment.objects.get(order_id=order_id).status == "pending"
    assert Order.objects.get(pk=order_id).status == "awaiting_payment"


def test_a_payment_whose_webhook_was_lost_is_reconciled_by_asking_the_provider(customer, version, makers):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    order_confirm(order_id=order_id, actor=customer)
    payment = Payment.objects.get(order_id=order_id)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert billing.payments_reconcile() == 0  # the provider says it is not paid yet: nothing changes

    # The test provider's record says paid (as a real provider would after a webhook we never received).
    class Paid(testing.TestProvider):
        def payment_status(self, payment_ref):
            return "succeeded"

    original = billing.provider_get
    billing.provider_get = lambda name=None: Paid(secret="s", page_url=str)
    try:
        assert billing.payments_reconcile() == 1
    finally:
        billing.provider_get = original
    assert Order.objects.get(pk=order_id).status == "confirmed"
    ledger_adds_up(order_id)


# Refunds, payouts ---------------------------------------------------------------------------------------------------


def test_cancelling_a_paid_order_refunds_it_in_full_with_a_credit_note(
    customer, version, makers, django_capture_on_commit_callbacks
):
    order = confirmed_order(customer, version)
    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order_id=order.pk, actor=customer, reason="changed my mind")

    order.refresh_from_db()
    [refund] = Refund.objects.all()
    assert (refund.status, refund.amount) == ("succeeded", order.total)
    assert Payment.objects.get(order_id=order.pk).amount_refunded == order.total
    balances = ledger_adds_up(order.pk)
    assert balances["refunded"] == balances["charged"] == order.total
    assert balances[Account.VAT] == balances[Account.CLEARING] == 0
    credit_note = Invoice.objects.get(order_id=order.pk, kind="credit_note")
    assert credit_note.gross == -order.total and credit_note.credits.kind == "invoice"
    assert "refunded" in order.events.last().reason


def test_cancelling_before_payment_closes_the_checkout(customer, version, makers):
    order_id = place_items(customer, version, BERLIN_ADDRESS).json()["id"]
    order_confirm(order_id=order_id, actor=customer)
    order_cancel(order_id=order_id, actor=customer)
    assert Payment.objects.get(order_id=order_id).status == "canceled"
    assert not Refund.objects.exists()
    # The page no longer takes money.
    payment = Payment.objects.get(order_id=order_id)
    page = client_for(None).post(f"/pay/test/{payment.reference}/", {"action": "pay"})
    assert page.status_code == 200 and Payment.objects.get(order_id=order_id).status == "canceled"


def test_staff_refund_part_and_never_more_than_is_left(customer, version, makers, staff):
    order = confirmed_order(customer, version)
    client = client_for(staff)
    part = client.post(f"/api/orders/{order.pk}/refund/", {"amount": "3.00", "reason": "late"}, format="json")
    assert part.status_code == 200, part.json()
    assert part.json()["payment"]["refunded"] == "3.00"
    too_much = client.post(
        f"/api/orders/{order.pk}/refund/", {"amount": str(order.total), "reason": "all of it"}, format="json"
    )
    assert too_much.status_code == 409 and too_much.json()["code"] == "refund_too_large"
    assert (
        client_for(customer).post(f"/api/orders/{order.pk}/refund/", {"reason": "x"}, format="json").status_code == 403
    )
    ledger_adds_up(order.pk)


def test_a_delivered_orders_payout_is_held_then_released_after_the_window(customer, version, makers):
    order = confirmed_order(customer, version)
    job = ship(order)
    order_mark_delivered(order_id=order.pk, actor=customer)

    balances = ledger_adds_up(order.pk)
    assert balances[Account.PAYOUT_HELD] == job.payout
    assert balances[Account.COMMISSION] == (job.price * settings.PLATFORM_COMMISSION_RATE).quantize(Decimal("0.01"))
    assert balances[Account.CLEARING] == 0  # all of it allocated: payout + commission + VAT = charged
    assert checkout.payouts_release_due() == 0  # still inside the claim window

    later = timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, minutes=1)
    assert checkout.payouts_release_due(now=later) == 1
    assert checkout.payouts_release_due(now=later) == 0  # once
    balances = ledger_adds_up(order.pk)
    assert (balances[Account.PAYOUT_HELD], balances[Account.PAYOUT_RELEASED]) == (0, job.payout)
    assert billing.maker_balances(job.maker_id)["released"] == job.payout


def test_the_maker_sees_the_address_only_once_it_accepted(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    maker_client = client_for(member(job.maker))
    offered = maker_client.get(f"/api/maker/jobs/{job.pk}/").json()
    assert offered["delivery_address"] is None
    assert BERLIN_ADDRESS["line1"] not in str(offered)
    assert Decimal(offered["payout"]) == job.payout
    maker_client.post(f"/api/maker/jobs/{job.pk}/accept/")
    accepted = maker_client.get(f"/api/maker/jobs/{job.pk}/").json()
    assert accepted["delivery_address"]["line1"] == BERLIN_ADDRESS["line1"]
    assert accepted["delivery_address"]["postcode"] == "10115"


# Invoices -------------------------------------------------------------------------------------------------------


def test_invoice_numbers_run_per_year_without_gaps(customer):
    year = timezone.now().year
    first = invoicing.invoice_number_next(year)
    try:
        with transaction.atomic():
            invoicing.invoice_number_next(year)
            raise RuntimeError("the invoice was not saved")
    except RuntimeError:
        pass
    second = invoicing.invoice_number_next(year)
    assert (first, second) == (f"{year}-000001", f"{year}-000002")
    assert invoicing.invoice_number_next(year + 1) == f"{year + 1}-000001"


def test_the_customer_downloads_the_invoice_as_pdf_and_nobody_else_does(customer, other_customer, version, makers):
    order = confirmed_order(customer, version)
    [invoice] = client_for(customer).get(f"/api/orders/{order.pk}/").json()["invoices"]
    response = client_for(customer).get(invoice["pdf_url"])
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client_for(other_customer).get(invoice["pdf_url"]).status_code == 404


def test_the_address_book_keeps_used_addresses_and_checks_new_ones(customer, version, makers):
    client = client_for(customer)
    place_items(customer, version, BERLIN_ADDRESS)
    place_items(customer, version, BERLIN_ADDRESS)
    [saved] = client.get("/api/addresses/").json()
    assert saved["postcode"] == "10115" and saved["lat"] == pytest.approx(52.52, abs=0.01)
    bad = client.post("/api/addresses/", {**PARIS, "postcode": "7500"}, format="json")
    assert bad.status_code == 400 and bad.json()["field"] == "postcode"
    added = client.post("/api/addresses/", PARIS, format="json")
    assert added.status_code == 201 and added.json()["lat"] == pytest.approx(48.85, abs=0.05)
    assert client.delete(f"/api/addresses/{saved['id']}/").status_code == 204
    assert Order.objects.filter(ship_postcode="10115").count() == 2  # orders keep their own copy
