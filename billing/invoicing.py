"""Invoices and credit notes: numbered per year without gaps, their lines frozen when issued."""

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from billing.documents import DocumentLine, DocumentParty, InvoiceDocument, credit_note_pdf, invoice_pdf
from billing.documents.render import INVOICE_LABELS
from billing.models import Invoice, InvoiceCounter, InvoiceKind
from core.formatting import money_text


def invoice_number_next(year: int) -> str:
    """The next number of ``year`` ("2026-000042"). Must run inside the transaction that saves the invoice:
    the counter row stays locked until it commits, so a rolled-back invoice gives its number back."""
    InvoiceCounter.objects.get_or_create(year=year)
    counter = InvoiceCounter.objects.select_for_update().get(year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"{year}-{counter.last:06d}"


def invoice_issue(
    *,
    order_id: int,
    customer,
    buyer: dict,
    lines: list[dict],
    notes: str = "",
    payment=None,
    refund=None,
    credits: Invoice | None = None,
    currency: str = "EUR",
) -> Invoice:
    """Issue an invoice (or, with ``credits``, a credit note) for ``lines`` (each with net, vat, gross as strings)."""
    net = sum((Decimal(line["net"]) for line in lines), Decimal("0"))
    vat = sum((Decimal(line["vat"]) for line in lines), Decimal("0"))
    gross = sum((Decimal(line["gross"]) for line in lines), Decimal("0"))
    with transaction.atomic():
        return Invoice.objects.create(
            number=invoice_number_next(timezone.now().year),
            kind=InvoiceKind.CREDIT_NOTE if credits is not None else InvoiceKind.INVOICE,
            order_id=order_id,
            customer=customer,
            payment=payment,
            refund=refund,
            credits=credits,
            buyer=buyer,
            lines=lines,
            net=net,
            vat=vat,
            gross=gross,
            currency=currency,
            notes=notes,
        )


def invoice_document_pdf(invoice: Invoice) -> bytes:
    """The invoice or credit note as PDF, drawn from its frozen lines (the same bytes every time it is asked)."""
    seller = DocumentParty(
        name=settings.PLATFORM_LEGAL_NAME,
        address_lines=tuple(settings.PLATFORM_ADDRESS),
        vat_id=settings.PLATFORM_VAT_NUMBER,
    )
    buyer = DocumentParty(
        name=invoice.buyer.get("name", ""),
        address_lines=tuple(invoice.buyer.get("lines", [])),
        vat_id=invoice.buyer.get("vat", ""),
    )
    lines = tuple(
        DocumentLine(
            description=line["description"],
            quantity=Decimal(str(line.get("quantity", 1))),
            unit_net=Decimal(line["unit_net"]),
            net=Decimal(line["net"]),
            vat_rate=Decimal(line["vat_rate"]),
            vat=Decimal(line["vat"]),
            gross=Decimal(line["gross"]),
        )
        for line in invoice.lines
    )
    # Written in the customer's language of the day it was issued (kept with the buyer), the same every time.
    with translation.override(invoice.buyer.get("language") or settings.LANGUAGE_CODE):
        language = translation.get_language()
        document = InvoiceDocument(
            number=invoice.number,
            issue_date=invoice.issued_at.date(),
            seller=seller,
            buyer=buyer,
            lines=lines,
            total_net=invoice.net,
            total_vat=invoice.vat,
            total_gross=invoice.gross,
            currency=invoice.currency,
            notes=tuple(note for note in [invoice.notes] if note),
            original_invoice_number=invoice.credits.number if invoice.credits_id else "",
            labels={english: _(english) for english in INVOICE_LABELS},
            money_text=lambda amount, currency: money_text(amount, currency, language=language),
            date_text=lambda day: formats.date_format(day, "DATE_FORMAT"),
        )
        if invoice.kind == InvoiceKind.CREDIT_NOTE:
            return credit_note_pdf(document)
        return invoice_pdf(document)
