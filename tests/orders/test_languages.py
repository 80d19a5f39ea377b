"""The orders API answers in the language the request asks for (Accept-Language); the error codes stay the same."""

import pytest

from billing.models import Payment
from orders.models import Order, OrderEvent
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS
from tests.orders.test_orders_api import BERLIN, place

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


PARIS = {"name": "Camille Client", "line1": "10 rue de Rivoli", "postcode": "75001", "city": "Paris", "country": "FR"}
UTRECHT = {"name": "Printwerk BV", "line1": "Oudegracht 1", "postcode": "3511 AA", "city": "Utrecht", "country": "NL"}


def place_in(language: str, customer, version, address: dict, **extra):
    body = {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
        "shipping_address": address,
        "ship_to": BERLIN,
        **extra,
    }
    return client_for(customer).post("/api/orders/", body, format="json", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize(
    ("language", "address", "note"),
    [
        ("en", BERLIN_ADDRESS, "VAT 19 % (DE)."),
        ("de", BERLIN_ADDRESS, "MwSt. 19 % (DE)."),
        (
            "fr",
            PARIS,
            "TVA 20 % (FR). Vente à distance de biens, déclarée via le guichet unique de l’UE (OSS).",
        ),
        (
            "nl",
            UTRECHT,
            "Btw 21 % (NL). Afstandsverkoop van goederen, aangegeven via het éénloketsysteem van de EU (OSS).",
        ),
    ],
)
def test_the_vat_note_kept_for_the_invoice_is_in_the_language_of_the_customer_who_orders(
    customer, version, makers, language, address, note
):
    # when a consumer orders, reading the given language
    response = place_in(language, customer, version, address)
    # then the order's VAT note (printed on its invoices) is written in that language
    assert response.status_code == 201, response.json()
    assert response.json()["vat"]["note"] == note
    assert Order.objects.get(pk=response.json()["id"]).vat_note == note


@pytest.mark.parametrize(
    ("language", "detail"),
    [
        ("en", "The check digits of this VAT number from The Netherlands do not match: is there a typo?"),
        ("de", "Die Prüfziffern dieser USt-IdNr. (Niederlande) stimmen nicht: Ist ein Tippfehler darin?"),
        (
            "fr",
            "Les chiffres de contrôle de ce numéro de TVA (Pays-Bas) ne correspondent pas : y a-t-il une faute "
            "de frappe ?",
        ),
    ],
)
def test_a_vat_number_that_does_not_check_out_is_refused_in_the_readers_language(
    customer, version, makers, language, detail
):
    # when a business orders with a VAT number whose check digits are wrong, reading the given language
    response = place_in(language, customer, version, UTRECHT, vat_number="NL123456789B02")
    # then the refusal says why in that language, naming the country the reader's way, with the same code
    assert response.status_code == 400
    assert response.json() == {"detail": detail, "code": "bad_vat_number", "field": "vat_number"}
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "no printer loaded with pla"),
        ("de", "kein Drucker mit pla bestückt"),
        ("fr", "aucune imprimante chargée en pla"),
        ("nl", "geen printer geladen met pla"),
    ],
)
def test_a_quote_says_why_a_maker_cannot_make_the_part_in_the_readers_language(
    customer, version, makers, language, reason
):
    # when the customer asks for a PLA quote near Berlin, reading the given language
    payload = {"design_version": version.pk, "material": "pla", "quantity": 1, "ship_to": BERLIN}
    response = client_for(customer).post("/api/quotes/", payload, format="json", HTTP_ACCEPT_LANGUAGE=language)
    # then the resin shop, which cannot print PLA, is left out with its reason in that language (its code the same)
    assert response.status_code == 201, response.json()
    [resin] = [entry for entry in response.json()["excluded"] if entry["name"] == "Berlin Resin"]
    assert (resin["code"], resin["reason"]) == ("no_material", reason)
