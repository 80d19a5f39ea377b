"""The test provider's hosted payment page: what a customer sees at a real provider, on the platform itself.

Whoever holds the link (an unguessable reference, as at Stripe Checkout) may pay or decline; the buttons make a
signed event and hand it to the same webhook path a real provider's request takes (``webhook_receive``).
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from billing import services
from billing.models import Payment, PaymentStatus
from billing.providers import testing


@require_http_methods(["GET", "POST"])
def test_checkout(request, reference: str):
    payment = Payment.objects.filter(reference=reference, provider="test").first()
    if payment is None:
        raise Http404("No such payment.")
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
    site = settings.SITE_URL.rstrip("/")
    url = payment.return_url or "/orders/"
    return url.removeprefix(site) if url.startswith(site + "/") else url
