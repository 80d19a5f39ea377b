"""A part the analysis warns about (walls thinner than recommended, still formable) is printable only at the
customer's own risk: the quote says so, an order needs the explicit acceptance, and the order records it."""

import pytest

from orders.models import Order, OrderItem
from tests.conftest import client_for
from tests.factories import ReadyVersionFactory, cube_report
from tests.money import BERLIN_ADDRESS

pytestmark = pytest.mark.django_db

WARNING = (
    "A wall 0.5 mm thick (about 100 mm2 of surface, near 0, 0, 5 mm) is thinner than the 0.8 mm recommended for "
    "PLA: it may print weak or incomplete, so it can only be printed at your own risk."
)


@pytest.fixture
def thin_walled(customer, materials):
    report = cube_report()
    report["materials"]["pla"].update(
        needs_risk_acceptance=True,
        warnings=[WARNING],
        warning_details=[{"code": "thin_wall", "message": WARNING, "regions": [0]}],
    )
    return ReadyVersionFactory(design__owner=customer, analysis=report)


def order_body(version, **item):
    return {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 1, **item}],
        "shipping_address": BERLIN_ADDRESS,
    }


def test_the_quote_says_the_part_prints_only_at_the_customers_risk(customer, thin_walled, makers):
    quote = (
        client_for(customer)
        .post(
            "/api/quotes/",
            {"design_version": thin_walled.pk, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
            format="json",
        )
        .json()
    )

    assert (quote["needs_risk_acceptance"], quote["risk_warnings"]) == (True, [WARNING])


def test_ordering_it_needs_the_acceptance_which_the_order_records(customer, thin_walled, makers):
    client = client_for(customer)

    refused = client.post("/api/orders/", order_body(thin_walled), format="json")
    accepted = client.post("/api/orders/", order_body(thin_walled, accept_risk=True), format="json")

    assert refused.status_code == 400
    assert refused.json()["code"] == "risk_not_accepted"
    assert refused.json()["detail"].startswith("Item 1: A wall 0.5 mm thick")
    assert accepted.status_code == 201, accepted.json()
    [item] = accepted.json()["items"]
    assert (item["risk_accepted"], item["risk_warnings"]) == (True, [WARNING])
    assert Order.objects.count() == 1  # the refused one left nothing behind


def test_a_part_without_warnings_records_no_risk(customer, version, makers):
    response = client_for(customer).post("/api/orders/", order_body(version, accept_risk=True), format="json")

    assert response.status_code == 201
    assert OrderItem.objects.get().risk_accepted is False
