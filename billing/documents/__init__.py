"""PDF documents of billing (pure: no Django, no app code), drawn with fpdf2: invoices, credit notes and a maker's
payout statement. The services fill the dataclasses of ``model`` from their rows and store the bytes.
See ``render`` for the fonts (DejaVu Sans for any script, else the core Helvetica with a transliteration)."""

from billing.documents.model import (
    DocumentLine,
    DocumentParty,
    InvoiceDocument,
    StatementDocument,
    StatementRow,
)
from billing.documents.render import credit_note_pdf, invoice_pdf, payout_statement_pdf

__all__ = [
    "DocumentLine",
    "DocumentParty",
    "InvoiceDocument",
    "StatementDocument",
    "StatementRow",
    "credit_note_pdf",
    "invoice_pdf",
    "payout_statement_pdf",
]
