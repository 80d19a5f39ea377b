"""The README's API walk-through, as a customer and a maker would go through it: quote -> pick a maker -> address
-> pay on the test provider's page -> dispatched -> accepted (the maker now sees the address) -> shipped ->
delivered -> payout released after the window (the clock is moved)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from billing import services as billing
from orders.models import Job
from orders.services import checkout
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS
from tests.orders.test_dispatch import member, photo_bytes

pytestmark = pytest.mark.django_db


def test_the_walkthrough_from_quote_to_released_payout(customer, version, makers, django_capture_on_commit_callbacks):
    api = client_for(customer)
    quote = api.post(
        "/api/quotes/",
        {"design_version": version.pk, "material": "pla", "quantity": 2, "ship_to": {"city": "Berlin"}},
        format="json",
    ).json()
    offer = quote["makers"][1]  # the customer picks the second maker

    with django_capture_on_commit_callbacks(execute=True):  # the dispatch queued when paid runs here
        order = api.post(
            "/api/orders/",
            {"quote": quote["id"], "offer": offer["maker"], "shipping_address": BERLIN_ADDRESS},
            format="json",
            HTTP_IDEMPOTENCY_KEY="walk-1",
        ).json()
        confirmed = api.post(f"/api/orders/{order['id']}/confirm/").json()
        assert confirmed["status"] == "awaiting_payment"
        page = confirmed["payment"]["checkout_url"].removeprefix(settings.SITE_URL)
        assert Client().get(page).status_code == 200  # whoever holds the link, as at a provider's checkout
        assert Client().post(page, {"action": "pay"}).status_code == 302

    order = api.get(f"/api/orders/{order['id']}/").json()
    assert order["status"] == "routing" and order["payment"]["status"] == "succeeded"
    assert [invoice["kind"] for invoice in order["invoices"]] == ["invoice"]
    [job] = order["jobs"]
    assert job["maker"]["id"] == offer["maker"]

    maker = client_for(member(Job.objects.get(pk=job["id"]).maker))
    assert maker.get(f"/api/maker/jobs/{job['id']}/").json()["delivery_address"] is None
    assert maker.post(f"/api/maker/jobs/{job['id']}/accept/").status_code == 200
    held = maker.get(f"/api/maker/jobs/{job['id']}/").json()
    assert held["delivery_address"]["line1"] == BERLIN_ADDRESS["line1"]
    for step in ({"status": "printing"}, {"status": "shipped", "tracking": "JJD1", "carrier": "DHL"}):
        if step["status"] == "shipped":
            photo = SimpleUploadedFile("p.jpg", photo_bytes(), content_type="image/jpeg")
            assert (
                maker.post(
                    f"/api/maker/jobs/{job['id']}/progress/", {"status": "printed", "photo": photo}, format="multipart"
                ).status_code
                == 200
            )
        assert maker.post(f"/api/maker/jobs/{job['id']}/progress/", step, format="json").status_code == 200
    assert api.post(f"/api/orders/{order['id']}/delivered/").json()["status"] == "delivered"

    payout = Decimal(held["payout"])
    assert billing.maker_balances(offer["maker"]) == {
        "held": payout,
        "released": Decimal("0"),
        "paid_out": Decimal("0"),
        "earned": payout,
    }
    assert checkout.payouts_release_due() == 0
    checkout.payouts_release_due(now=timezone.now() + timedelta(days=settings.PAYOUT_HOLD_DAYS, hours=1))
    assert billing.maker_balances(offer["maker"])["released"] == payout
    # Everything the customer paid is accounted for: the maker's payout, the commission and the VAT.
    balances = billing.order_balances(order["id"])
    assert balances["charged"] == Decimal(order["total"])
    assert balances["payout_released"] + balances["commission"] + balances["vat"] == balances["charged"]
    assert payout == Decimal(offer["price"]) - balances["commission"] + settings.SHIPPING_FEE
