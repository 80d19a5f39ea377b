"""Money a person paid or was paid: payments with their refunds, and invoices and credit notes (the PDFs in the
export's files).

Erasure keeps all of it: payments, refunds, invoices (with the buyer's name and address as issued) and the ledger
are records that tax law requires to be kept unchanged for years (a retention duty: GDPR Art. 17(3)(b) and (e)
exempt them). Only the person's e-mail address is taken out of the payment provider's webhook payloads, which
need it for nothing."""

from django.utils.translation import gettext as _

from accounts.personal_data import Export, ExportFile, eraser, erasure_blocker, exporter
from billing.invoicing import invoice_document_pdf
from billing.models import Invoice, Payment, WebhookEvent
from billing.services import maker_balances
from makers.privacy import sole_member_makers


@exporter("payments")
def export_payments(user) -> Export:
    payments = Payment.objects.filter(customer=user).prefetch_related("refunds").order_by("id")
    return Export(
        [
            {
                "order": payment.order_id,
                "purpose": payment.purpose,
                "provider": payment.provider,
                "status": payment.status,
                "amount": payment.amount,
                "vat": payment.vat,
                "currency": payment.currency,
                "amount_refunded": payment.amount_refunded,
                "created_at": payment.created_at,
                "refunds": [
                    {
                        "amount": refund.amount,
                        "status": refund.status,
                        "description": refund.description,
                        "created_at": refund.created_at,
                    }
                    for refund in payment.refunds.all()
                ],
            }
            for payment in payments
        ]
    )


@exporter("invoices")
def export_invoices(user) -> Export:
    data, files = [], []
    for invoice in Invoice.objects.filter(customer=user).select_related("credits").order_by("id"):
        path = f"files/invoices/{invoice.kind}-{invoice.number}.pdf"
        files.append(ExportFile(path=path, content=invoice_document_pdf(invoice)))
        data.append(
            {
                "number": invoice.number,
                "kind": invoice.kind,
                "order": invoice.order_id,
                "credits": invoice.credits.number if invoice.credits_id else None,
                "buyer": invoice.buyer,
                "lines": invoice.lines,
                "net": invoice.net,
                "vat": invoice.vat,
                "gross": invoice.gross,
                "currency": invoice.currency,
                "issued_at": invoice.issued_at,
                "pdf": path,
            }
        )
    return Export(data, files)


def _without(value, text: str):
    if isinstance(value, dict):
        return {key: _without(item, text) for key, item in value.items()}
    if isinstance(value, list):
        return [_without(item, text) for item in value]
    if isinstance(value, str) and text and text.lower() in value.lower():
        return ""
    return value


@eraser("billing")
def erase_provider_payloads(erasure) -> None:
    if not erasure.email:
        return
    for event in WebhookEvent.objects.filter(payment__customer=erasure.user):
        payload = _without(event.payload, erasure.email)
        if payload != event.payload:
            WebhookEvent.objects.filter(pk=event.pk).update(payload=payload)
            erasure.count("webhook_payloads", 1)


@erasure_blocker
def payouts_still_owed(user) -> list[str]:
    """A maker closed with the account must have been paid everything first: its bank details go with it."""
    reasons = []
    for maker in sole_member_makers(user):
        balances = maker_balances(maker.pk)
        owed = balances["held"] + balances["released"]
        if owed > 0:
            reasons.append(
                _(
                    "%(maker)s still has %(amount)s %(currency)s of payouts to be paid to its bank account; delete "
                    "the account once they are paid."
                )
                % {"maker": maker.name, "amount": owed, "currency": "EUR"}
            )
    return reasons
