"""The orders API answers in the language the request asks for (Accept-Language); the error codes stay the same."""

import pytest

from billing.models import Payment
from orders.models import Order, OrderEvent
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS
from tests.orders.test_orders_api import place

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "Order {id} is placed; only an order awaiting payment is paid."),
        (
            "de",
            "Bestellung {id} hat den Status „Aufgegeben“; bezahlt werden kann nur eine Bestellung, die auf Zahlung "
            "wartet.",
        ),
        ("fr", "La commande {id} a le statut « Passée » ; seule une commande en attente de paiement peut être payée."),
        (
            "nl",
            "Bestelling {id} heeft de status ‘Geplaatst’; alleen een bestelling die op betaling wacht, kan worden "
            "betaald.",
        ),
    ],
)
def test_paying_an_order_not_awaiting_payment_is_refused_in_the_requested_language(
    customer, version, makers, language, detail
):
    # given a placed order the customer has not confirmed yet
    order_id = place(customer, version).json()["id"]
    events_before = OrderEvent.objects.filter(order_id=order_id).count()
    # when the customer asks to pay for it, reading the given language
    response = client_for(customer).post(f"/api/orders/{order_id}/pay/", HTTP_ACCEPT_LANGUAGE=language)
    # then the refusal is in that language, with the code every language shares
    assert response.status_code == 409
    assert response.json() == {"detail": detail.format(id=order_id), "code": "not_awaiting_payment"}
    assert response["Content-Language"] == language
    # and nothing changed: no payment, no new event, the order still placed
    assert Payment.objects.filter(order_id=order_id).count() == 0
    assert OrderEvent.objects.filter(order_id=order_id).count() == events_before
    assert Order.objects.get(pk=order_id).status == "placed"


def test_a_german_request_gets_german_validation_errors_with_the_same_code(customer, version, makers):
    # given an order body that picks an offer but names no quote to choose it from
    body = {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
        "offer": makers["berlin"].pk,
        "shipping_address": BERLIN_ADDRESS,
    }
    # when it is sent asking for German
    response = client_for(customer).post("/api/orders/", body, format="json", HTTP_ACCEPT_LANGUAGE="de")
    # then the error is German and its code is the API's; no order is made
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["detail"] == (
        "offer: Ein Angebot wird aus einem Preisangebot gewählt: Geben Sie auch das Preisangebot an."
    )
    assert Order.objects.count() == 0
