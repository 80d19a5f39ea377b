"""A maker's own details (its bank account, the holder's name, its e-mail, its exact place) are never shown to a
customer: every page and API answer the customer may read is searched for them."""

import pytest

from makers.models import Maker
from tests.security.test_access_matrix import EXPECTATIONS, OK, ROUTES, send

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"
# The workshop's street address (a private maker's home): never shown to customers.
STREET = "Wrangelstraße 77"
POSTCODE = "10997"
LEGAL_NAME = "Mia Schulz Druckwerkstatt UG"
HOLDER = "Mirabel Kontoinhaberin"
EMAIL = "mirabel.shop@prints.example"
LATITUDE, LONGITUDE = 52.5012345, 13.4012345

# Every GET the customer (the world's owner) may read: her orders, quotes, claims, counter-offers, designs, pages.
# The owner's own maker application holds the owner's own bank account and address (their data, not a maker's).
OWN_DATA = {"maker-application-mine"}
OWNER_READS = sorted(
    key
    for key, row in EXPECTATIONS.items()
    if "GET" in row.methods and row.methods["GET"][1] == OK and key not in OWN_DATA
)


def readable(response) -> str:
    content = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    kind = response.get("Content-Type", "")
    return content.decode("utf-8", "replace") if ("json" in kind or "html" in kind or "text" in kind) else ""


def test_no_customer_view_shows_a_makers_bank_account_email_or_exact_place(world):
    maker = Maker.objects.get(slug="mias-prints")
    Maker.objects.filter(pk=maker.pk).update(
        payout_iban=IBAN,
        payout_account_holder=HOLDER,
        email=EMAIL,
        latitude=LATITUDE,
        longitude=LONGITUDE,
        address_line1=STREET,
        postcode=POSTCODE,
        legal_name=LEGAL_NAME,
    )
    secrets = (
        IBAN,
        HOLDER,
        EMAIL,
        str(LATITUDE),
        str(LONGITUDE),
        STREET,
        POSTCODE,
        LEGAL_NAME,
        "payout_iban",
        "account_holder",
        "address_line1",
    )
    read = []
    for key in OWNER_READS:
        response = send(world, ROUTES[key], EXPECTATIONS[key], "GET", "owner")
        assert response.status_code == 200, (key, response.status_code)
        text = readable(response)
        read.append(key)
        leaks = [secret for secret in secrets if secret in text]
        assert leaks == [], f"{key} shows {leaks}"
    # the walk covered the order, its claim, the quote and the pages (not only lists)
    for key in ("order-detail", "quote-detail", "claim-detail", "web:order-detail", "web:quote-detail"):
        assert key in read, key
