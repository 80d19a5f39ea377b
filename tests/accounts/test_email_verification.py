"""A verified e-mail address is needed before the first order (not before uploads or quotes)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from orders.models import IdempotencyKey, Order
from tests.conftest import client_for
from tests.factories import ReadyVersionFactory, UserFactory
from tests.money import BERLIN_ADDRESS
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(db):
    return UserFactory(username="nina", email="nina@example.com", email_verified=False)


def place(user, version, key=None):
    body = {
        "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
        "shipping_address": BERLIN_ADDRESS,
        "ship_to": {"lat": 52.52, "lon": 13.405},
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client_for(user).post("/api/orders/", body, format="json", **headers)


def test_an_order_is_refused_until_the_address_is_verified_then_allowed(newcomer, materials, makers):
    version = ReadyVersionFactory(design__owner=newcomer, design__name="Hook")
    # when nina orders before opening the link
    refused = place(newcomer, version, key="first-try")
    # then: 403 with the code and where to ask for the link again; nothing is created
    assert refused.status_code == 403
    assert refused.json() == {
        "detail": "Confirm your e-mail address before your first order: open the link we sent to nina@example.com.",
        "code": "email_unverified",
        "resend": "/api/auth/email/resend/",
        "manage": "/accounts/email/",
    }
    assert Order.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0
    # when she asks for the link again and opens it
    resent = client_for(newcomer).post("/api/auth/email/resend/")
    assert (resent.status_code, resent.json()) == (202, {"email": "nina@example.com"})
    [message] = mail.outbox
    assert message.to == ["nina@example.com"]
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^\s]+/)", message.body).group(1)
    browser = client_as(newcomer)
    assert browser.get(link).status_code == 200  # a page with a button: scanners that follow links verify nothing
    assert EmailAddress.objects.get(user=newcomer).verified is False
    assert browser.post(link).status_code == 302
    assert EmailAddress.objects.get(user=newcomer).verified is True
    # then the order goes through
    placed = place(newcomer, version)
    assert placed.status_code == 201, placed.json()
    assert Order.objects.filter(customer=newcomer).count() == 1


def test_an_account_without_an_address_is_told_to_add_one(materials, makers):
    silent = UserFactory(username="sid", email="")
    version = ReadyVersionFactory(design__owner=silent, design__name="Hook")
    refused = place(silent, version)
    assert (refused.status_code, refused.json()["code"]) == (403, "email_unverified")
    assert refused.json()["detail"] == "Add an e-mail address and confirm it before your first order."
    resent = client_for(silent).post("/api/auth/email/resend/")
    assert (resent.status_code, resent.json()["code"]) == (400, "email_missing")
    assert Order.objects.count() == 0


def test_uploads_and_quotes_do_not_wait_for_verification(newcomer, materials, makers):
    version = ReadyVersionFactory(design__owner=newcomer, design__name="Hook")
    quote = client_for(newcomer).post(
        "/api/quotes/",
        {"design_version": version.pk, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
        format="json",
    )
    assert quote.status_code == 201, quote.json()


def test_the_order_page_sends_an_unverified_customer_to_the_email_page(newcomer, materials, makers):
    version = ReadyVersionFactory(design__owner=newcomer, design__name="Hook")
    quote = (
        client_for(newcomer)
        .post(
            "/api/quotes/",
            {"design_version": version.pk, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
            format="json",
        )
        .json()
    )
    browser = client_as(newcomer)
    form = {
        "name": "Nina",
        "line1": "Invalidenstraße 1",
        "postcode": "10115",
        "city": "Berlin",
        "country": "DE",
        "idempotency_key": "page-try",
    }
    response = browser.post(f"/quotes/{quote['id']}/order/", form)
    assert (response.status_code, response["Location"]) == (302, "/accounts/email/")
    page = browser.get("/accounts/email/").content.decode()
    assert "Confirm your e-mail address before your first order" in page
    assert Order.objects.count() == 0


def test_a_verification_resend_is_refused_when_already_verified(customer):
    response = client_for(customer).post("/api/auth/email/resend/")
    assert (response.status_code, response.json()["code"]) == (409, "email_already_verified")
    assert mail.outbox == []


def test_changing_the_address_through_the_api_keeps_the_old_one_until_the_new_is_verified(customer):
    response = client_for(customer).patch("/api/auth/me/", {"email": "carol@new.example"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["email"], body["email_verified"], body["email_pending"]) == (
        "carol@example.com",
        True,
        "carol@new.example",
    )
    assert [message.to for message in mail.outbox] == [["carol@new.example"]]
