"""The Stripe payment page: Stripe.js from STRIPE_JS_URL, a card Element with the publishable key, the intent's
client secret for confirmCardPayment, and a Content-Security-Policy that lets Stripe.js in on this page only."""

from decimal import Decimal

import pytest
from django.test import Client

from billing import services as billing
from billing.models import Payment, PaymentStatus
from core.middleware import policy
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JS_URL = "http://127.0.0.1:8420/js.stripe.com/v3/"


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_page"
    settings.STRIPE_JS_URL = JS_URL
    return settings


def stripe_payment(customer, **fields) -> Payment:
    values = {
        "order_id": 41,
        "customer": customer,
        "provider": "stripe",
        "reference": "ref-stripe-page",
        "provider_ref": "pi_page",
        "client_secret": "pi_page_secret_abc",
        "amount": Decimal("23.80"),
        "vat": Decimal("3.80"),
        "return_url": "http://testserver/orders/41/",
    }
    return Payment.objects.create(**{**values, **fields})


def client_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_mounts_stripe_js_with_the_publishable_key(stripe_settings, customer):
    payment = stripe_payment(customer)

    response = client_as(customer).get(f"/pay/stripe/{payment.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<script src="{JS_URL}"></script>' in html
    assert 'data-publishable-key="pk_test_page"' in html
    assert 'data-client-secret="pi_page_secret_abc"' in html
    assert 'data-return-url="http://testserver/orders/41/"' in html
    assert "js/stripe_checkout.js" in html
    assert "Pay €23.80" in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp and "http://127.0.0.1:8420" in csp.split("script-src")[1].split(";")[0]
    assert "connect-src 'self' http://127.0.0.1:8420" in csp and "frame-src 'self' http://127.0.0.1:8420" in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


def test_stripes_own_script_gets_stripes_origins(settings, customer):
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"
    payment = stripe_payment(customer)

    csp = client_as(customer).get(f"/pay/stripe/{payment.reference}/")["Content-Security-Policy"]

    assert "script-src 'self' 'nonce-" in csp and "https://js.stripe.com https://*.js.stripe.com" in csp
    assert "connect-src 'self' https://api.stripe.com" in csp
    assert "frame-src 'self' https://js.stripe.com https://*.js.stripe.com https://hooks.stripe.com" in csp


def test_other_pages_keep_the_strict_policy(stripe_settings, customer):
    csp = client_as(customer).get("/orders/")["Content-Security-Policy"]

    assert "8420" not in csp and "stripe" not in csp
    assert csp == policy(csp.split("'nonce-")[1].split("'")[0])


def test_a_paid_payment_shows_no_card_form_and_no_script(stripe_settings, customer):
    payment = stripe_payment(customer)
    billing.payment_set_status(payment_id=payment.pk, to=PaymentStatus.SUCCEEDED, reason="paid")

    response = client_as(customer).get(f"/pay/stripe/{payment.reference}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Paid. Thank you." in html
    assert JS_URL not in html and "data-client-secret" not in html
    assert "8420" not in response["Content-Security-Policy"]


def test_only_the_paying_customer_sees_the_page(stripe_settings, customer, other_customer, staff):
    payment = stripe_payment(customer)
    url = f"/pay/stripe/{payment.reference}/"

    assert Client().get(url)["Location"].startswith("/login/")
    assert client_as(other_customer).get(url).status_code == 404
    assert client_as(staff).get(url).status_code == 404  # the client secret is the customer's alone
    maker = UserFactory(username="mia", role="maker")
    assert client_as(maker).get(url).status_code == 404
    assert client_as(customer).get("/pay/stripe/no-such-reference/").status_code == 404


def test_a_widened_directive_must_be_one_a_page_may_widen():
    with pytest.raises(ValueError):
        policy("n", {"frame-ancestors": ["https://evil.example"]})
