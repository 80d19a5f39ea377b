"""The order, job and invoice pages of makers, billing, orders and co-design in the reader's language."""

import io

import pypdf

from billing.invoicing import invoice_document_pdf
from billing.models import Invoice
from core.models import Notification
from orders.models import OrderStatus
from orders.services.status import order_set_status
from tests.web.conftest import client_as


def page_in(user, path: str, language: str) -> str:
    client = client_as(user)
    client.cookies["django_language"] = language
    return client.get(path).content.decode()


def test_the_order_page_in_german_and_french(world):
    # given the customer's confirmed order, whose job is offered to a maker
    path = f"/orders/{world.order.pk}/"
    # when the customer reads it with the German, then the French cookie
    german = page_in(world.customer, path, "de")
    french = page_in(world.customer, path, "fr")
    # then the words are theirs, and the English ones are gone
    assert f"<h1>Bestellung {world.order.pk}</h1>" in german and "Lieferadresse" in german
    assert 'data-status="offered">Angeboten</span>' in german
    assert "Delivery address" not in german and "Timeline" not in german
    assert f"<h1>Commande {world.order.pk}</h1>" in french and "Adresse de livraison" in french
    assert 'data-status="offered">Proposé</span>' in french


def test_the_timeline_says_the_platforms_reasons_in_the_readers_language(world, api):
    # given the customer's paid order (placed, confirmed, paid, offered out: reasons the platform wrote)
    path = f"/orders/{world.order.pk}/"
    total = f"{world.order.total:.2f}"
    # when the customer reads its timeline in German and in French, and the API
    german = page_in(world.customer, path, "de")
    french = page_in(world.customer, path, "fr")
    api.force_authenticate(world.customer)
    events = api.get(f"/api/orders/{world.order.pk}/").json()["events"]
    # then each reason is in the reader's words, amounts written their way
    for words in ("von der Kundin oder dem Kunden aufgegeben", "Angebote gehen an Maker"):
        assert f'<div class="small">{words}</div>' in german
    assert f'<div class="small">bezahlt ({total.replace(".", ",")} EUR, test)</div>' in german
    assert '<div class="small">passée par le client</div>' in french
    assert "placed by the customer" not in german + french and "paid (" not in german + french
    # and the API keeps the English, as before
    reasons = [event["reason"] for event in events]
    assert "placed by the customer" in reasons and f"paid ({total} EUR, test)" in reasons


def test_a_persons_own_words_stay_as_written(world):
    order_set_status(order_id=world.order.pk, to=OrderStatus.ON_HOLD, reason="Warte auf Rückruf: placed by phone")
    assert '<div class="small">Warte auf Rückruf: placed by phone</div>' in page_in(
        world.customer, f"/orders/{world.order.pk}/", "fr"
    )


def test_money_on_the_order_page_in_german_has_a_comma_and_the_euro_after(world):
    total = f"{world.order.total:.2f}".replace(".", ",")
    german = page_in(world.customer, f"/orders/{world.order.pk}/", "de")
    assert f"<strong>{total}\xa0€</strong>" in german


def test_the_job_board_in_german_and_french(world):
    german = page_in(world.maker, "/maker/jobs/", "de")
    french = page_in(world.maker, "/maker/jobs/", "fr")
    assert "<h1>Auftragsbörse</h1>" in german and f"Auftrag {world.job.pk}</a>" in german
    assert "<h1>Job board</h1>" not in german
    assert "<h1>Tableau des travaux</h1>" in french and f"Travail {world.job.pk}</a>" in french


def test_a_french_customer_hears_about_their_order_in_french(world):
    # given a customer who reads French (the only user the notification goes to)
    world.customer.language = "fr"
    world.customer.save(update_fields=["language"])
    # when staff put the order on hold
    order_set_status(order_id=world.order.pk, to=OrderStatus.ON_HOLD, reason="stock")
    # then the notification is written in French
    note = Notification.objects.filter(user=world.customer, kind="order.on_hold").get()
    assert note.subject == f"La commande {world.order.pk} est en attente"
    assert note.body == "stock"  # staff's own words, as written


def test_the_notification_says_the_platforms_reason_in_the_customers_language(world):
    # given a customer who reads German
    world.customer.language = "de"
    world.customer.save(update_fields=["language"])
    # when the order is cancelled by staff (the platform's words for it)
    order_set_status(order_id=world.order.pk, to=OrderStatus.CANCELLED, reason="cancelled by staff")
    # then the notification's body is German, and its data keeps the English
    note = Notification.objects.filter(user=world.customer, kind="order.cancelled").get()
    assert (note.body, note.data["reason"]) == ("vom Team storniert", "cancelled by staff")


def test_a_german_customers_invoice_is_in_german(world):
    # given the order's invoice, issued for a German reader
    invoice = Invoice.objects.get(order_id=world.order.pk, kind="invoice")
    Invoice.objects.filter(pk=invoice.pk).update(buyer={**invoice.buyer, "language": "de"})
    invoice.refresh_from_db()
    # when it is drawn
    reader = pypdf.PdfReader(io.BytesIO(invoice_document_pdf(invoice)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # then it says Rechnung, with German amounts
    assert "Rechnung" in text and "Zu zahlender Betrag" in text
    assert f"{invoice.gross:.2f}".replace(".", ",") + " €" in text.replace("\xa0", " ")
    assert "Invoice" not in text
