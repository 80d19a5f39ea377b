"""The customer's order page and the maker's job page in German and French, in a browser at desktop and phone
width: the words are the reader's, and the longer German and French words never push the page sideways.

Screenshots go to test-artifacts/screenshots/ (trade-<language>-<page>-<width>.png).
"""

import pytest
from django.conf import settings
from django.test import Client

from orders.models import Job
from orders.services.dispatch import order_dispatch
from tests.web.conftest import confirmed_order
from tests.world import makers, materials, version  # noqa: F401 - the order tests' fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1280, 390)
# What each page must say in each language (its heading, and words from its cards), and English it must not.
EXPECTED = {
    "de": {
        "order": [
            "Bestellung {order}",
            "Lieferadresse",
            "Verlauf",
            "Aufgegeben",
            "Wartet auf Zahlung",
            "Angeboten",
            "Summe",
        ],
        "job": ["Auftrag {job}", "Zurück zur Auftragsbörse", "Ihre Vergütung", "Auftrag annehmen", "Dateien"],
    },
    "fr": {
        "order": [
            "Commande {order}",
            "Adresse de livraison",
            "Historique",
            "Passée",
            "En attente de paiement",
            "Proposé",
            "Total",
        ],
        "job": [
            "Travail {job}",
            "Retour au tableau des travaux",
            "Votre rémunération",
            "Accepter le travail",
            "Fichiers",
        ],
    },
}
ENGLISH = {
    "order": ["Delivery address", "Timeline", "Placed", "Awaiting payment", "Offered", "Payment:", "by the customer"],
    "job": ["Back to the job board", "Your pay", "Accept the job", "Files", "Propose another price", "Offered"],
}


def signed_in(page, base: str, user, language: str) -> None:
    """The browser carries the user's session and the language cookie (as the language switch sets it)."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "url": base},
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": base},
        ]
    )


@pytest.fixture
def offered_order(customer, version, makers):  # noqa: F811
    """A paid order whose job is offered to the Berlin maker: (customer, order, maker user, job)."""
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    return customer, order, makers["berlin"].members.get(), Job.objects.get(order=order)


@pytest.mark.parametrize("language", ["de", "fr"])
def test_the_order_page_and_the_job_page_in_german_and_french_fit_a_desktop_and_a_phone(
    live_server, new_page, screens, offered_order, language
):
    # given a paid order whose job is offered to the Berlin maker
    customer, order, maker, job = offered_order
    pages = {"order": (customer, f"/orders/{order.pk}/"), "job": (maker, f"/maker/jobs/{job.pk}/")}
    for name, (user, path) in pages.items():
        for width in WIDTHS:
            # when the reader opens the page with the language cookie, at desktop and at phone width
            page = new_page(width=width, height=900)
            signed_in(page, live_server.url, user, language)
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            if name == "job":
                page.click("details.spaced > summary")
            text = page.inner_text("main")
            # then it speaks the reader's language, with nothing left in English
            expected = [words.format(order=order.pk, job=job.pk) for words in EXPECTED[language][name]]
            assert [words for words in expected if words not in text] == [], text
            assert [words for words in ENGLISH[name] if words in text] == []
            # and nothing is wider than the screen, whatever the length of the words
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            assert page.script_errors == []
            screens.shoot(page, f"trade-{language}-{name}-{width}")
