"""What a billing document shows: plain frozen dataclasses, amounts as Decimal in the currency's major unit.

The amounts are printed as given (the services compute them with ``billing.tax``); nothing here recomputes VAT.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class DocumentParty:
    name: str
    address_lines: tuple[str, ...] = ()  # street, postcode and city, country ...: printed one per line
    vat_id: str = ""  # "DE136695976"; "" for a consumer


@dataclass(frozen=True)
class DocumentLine:
    description: str
    quantity: Decimal
    unit_net: Decimal
    net: Decimal
    vat_rate: Decimal  # percent
    vat: Decimal
    gross: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice, or a credit note (then ``original_invoice_number`` names the invoice it corrects)."""

    number: str
    issue_date: date
    seller: DocumentParty
    buyer: DocumentParty
    lines: tuple[DocumentLine, ...]
    total_net: Decimal
    total_vat: Decimal
    total_gross: Decimal
    currency: str = "EUR"
    notes: tuple[str, ...] = ()  # e.g. the reverse charge or export sentence of ``billing.tax.VatTreatment.note``
    original_invoice_number: str = ""  # credit notes only
    supply_date: date | None = None  # date of delivery, when it differs from the issue date
    # The reader's language, given by the caller (billing's Django side translates): the printed words by their
    # English text (``render.INVOICE_LABELS`` lists them; a missing one prints in English) and how money and dates
    # are written (None: "1,234.50 EUR" and ISO dates).
    labels: Mapping[str, str] = field(default_factory=dict)
    money_text: Callable[[Decimal, str], str] | None = None
    date_text: Callable[[date], str] | None = None


@dataclass(frozen=True)
class StatementRow:
    date: date
    description: str
    amount: Decimal  # signed: + credited to the maker, - debited (fees, refunds, the payout itself)
    kind: str  # e.g. "earning", "fee", "hold", "release", "payout", "refund"


@dataclass(frozen=True)
class StatementDocument:
    """A maker's payout statement for a period: the ledger rows between two balances."""

    maker_name: str
    period_start: date
    period_end: date
    rows: tuple[StatementRow, ...]
    opening_balance: Decimal
    closing_balance: Decimal
    held_amount: Decimal  # held back at the end of the period (orders not yet past their claim window)
    released_amount: Decimal  # released from holds during the period
    currency: str = "EUR"
    number: str = ""  # the statement's reference, if it has one
    address_lines: tuple[str, ...] = ()
    issuer: DocumentParty = field(default_factory=lambda: DocumentParty(name=""))
