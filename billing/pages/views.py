"""Payment pages on the platform itself.

The test provider's hosted page: what a customer sees at a real provider. Whoever holds the link (an
unguessable reference, as at Stripe Checkout) may pay or decline; the buttons make a signed event and hand it to
the same webhook path a real provider's request takes (``webhook_receive``).

Stripe's page: the card is entered in Stripe.js's Element and confirmed with Stripe from the browser; only
Stripe's webhook tells the platform it was paid.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing import services
from billing.models import Payment, PaymentStatus
from billing.providers import testing
from core.links import site_path
from core.pages import customer_required


@require_http_methods(["GET", "POST"])
def test_checkout(request, reference: str):
    payment = Payment.objects.filter(reference=reference, provider="test").first()
    if payment is None:
        raise Http404(_("No such payment."))
    payable = payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED)
    if request.method == "POST" and payable:
        declined = request.POST.get("action") == "decline"
        payload = testing.event_payload(
            event_type="payment.failed" if declined else "payment.succeeded",
            payment_ref=payment.provider_ref,
            reference=payment.reference,
            amount=payment.amount,
            **({"failure_message": "The card was declined (test provider)."} if declined else {}),
        )
        services.webhook_receive(
            provider_name="test",
            payload=payload,
            headers={testing.SIGNATURE_HEADER: testing.sign(payload, settings.TEST_PAYMENT_SECRET)},
        )
        payment.refresh_from_db()
        # Paid: back to the shop, as a real provider's page does; declined: here again, to try once more.
        return redirect(_back(payment) if payment.status == PaymentStatus.SUCCEEDED else request.path)
    payment.refresh_from_db()
    return render(
        request,
        "billing/test_checkout.html",
        {
            "payment": payment,
            "payable": payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED),
            "back": _back(payment),
        },
    )


def _back(payment: Payment) -> str:
    return site_path(payment.return_url or "/orders/")


@customer_required
def stripe_checkout(request, reference: str):
    """The Stripe payment page: a card Element of Stripe.js confirms the PaymentIntent in the browser (the card
    never reaches us); Stripe's signed webhook then confirms the order, which the order page waits for. Only the
    customer who pays sees it (it carries the intent's client secret)."""
    payment = Payment.objects.filter(reference=reference, customer=request.user).first()
    if payment is None:
        raise Http404(_("No such payment."))
    payable = payment.provider == "stripe" and payment.status in (PaymentStatus.PENDING, PaymentStatus.FAILED)
    payable = payable and bool(payment.client_secret)
    response = render(
        request,
        "billing/stripe_checkout.html",
        {
            "payment": payment,
            "payable": payable,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "order_url": _back(payment),
        },
    )
    if payable:
        response.csp_allow = stripe_js_sources(settings.STRIPE_JS_URL)
    return response


def stripe_js_sources(script_url: str) -> dict[str, list[str]]:
    """What Stripe.js needs past the strict policy, for this page only: its script and the frames it draws the
    card in (its origin), and Stripe's API it talks to. A Stripe-compatible stand-in (localstripe) serves the
    script and answers its calls at one origin."""
    parts = urlsplit(script_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.netloc == "js.stripe.com":  # Stripe's own, as its CSP guide lists them
        return {
            "script-src": [origin, "https://*.js.stripe.com"],
            "frame-src": [origin, "https://*.js.stripe.com", "https://hooks.stripe.com"],
            "connect-src": ["https://api.stripe.com"],
        }
    return {"script-src": [origin], "frame-src": [origin], "connect-src": [origin]}
