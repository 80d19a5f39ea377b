"""Drawing the documents with fpdf2 (pure Python).

Fonts: DejaVu Sans (Debian's fonts-dejavu-core, which the project installs for the browser) is embedded, so any
Latin, Greek or Cyrillic name prints as written ("Müller", "Łódź", "Gdańsk"). When the font file is missing the
document falls back to the PDF core font Helvetica (Windows-1252): characters it lacks are transliterated
("Łódź" -> "Lodz", "Gdańsk" -> "Gdansk") rather than failing. ``font_path`` chooses the font (None: the fallback).
The creation date is the document's date, so the same document renders to the same text.
"""

import unicodedata
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace
from text_unidecode import unidecode

from billing.documents.model import DocumentParty, InvoiceDocument, StatementDocument

DEJAVU_SANS = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
UNICODE_FAMILY = "DejaVuSans"
CORE_FAMILY = "Helvetica"
CORE_ENCODING = "windows-1252"  # fpdf2's core fonts default to latin-1, which has no euro sign

Text = Callable[[str], str]


def _printable(text: str) -> str:
    return "".join(" " if unicodedata.category(char) == "Cc" else char for char in str(text))


def transliterate(text: str) -> str:
    """``text`` with every character Windows-1252 lacks replaced by its ASCII transliteration."""
    out = []
    for char in _printable(text):
        try:
            char.encode(CORE_ENCODING)
        except UnicodeEncodeError:
            char = unidecode(char)
        out.append(char)
    return "".join(out)


def money(amount: Decimal) -> str:
    return f"{Decimal(amount):,.2f}"


def number(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text


def percent(rate: Decimal) -> str:
    return f"{number(rate)} %"


def day(value: date) -> str:
    return value.isoformat()


class _Document(FPDF):
    footer_text = ""
    family = CORE_FAMILY

    def footer(self):
        self.set_y(-14)
        self.set_font(self.family, size=7)
        self.set_text_color(110)
        self.cell(0, 4, self.footer_text, align="L")
        self.cell(0, 4, f"{self.page_no()} / {{nb}}", align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)


def _start(title: str, when: date, author: str, font_path: Path | str | None) -> tuple[_Document, Text]:
    pdf = _Document(format="A4", unit="mm")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(auto=True, margin=20)
    path = Path(font_path) if font_path else None
    if path is not None and path.is_file():
        bold = path.with_name(f"{path.stem}-Bold{path.suffix}")
        pdf.add_font(UNICODE_FAMILY, "", path)
        pdf.add_font(UNICODE_FAMILY, "B", bold if bold.is_file() else path)
        pdf.family = UNICODE_FAMILY
        text: Text = _printable
    else:
        pdf.core_fonts_encoding = CORE_ENCODING
        pdf.family = CORE_FAMILY
        text = transliterate
    pdf.set_title(text(title))
    pdf.set_author(text(author))
    pdf.set_creator("Makernet")
    pdf.set_creation_date(datetime.combine(when, time(12, 0)).astimezone())
    pdf.footer_text = text(author)
    pdf.add_page()
    return pdf, text


def _font(pdf: _Document, size: float, bold: bool = False) -> None:
    pdf.set_font(pdf.family, style="B" if bold else "", size=size)


def _party(
    pdf: _Document, text: Text, heading: str, party: DocumentParty, x: float, width: float, *, vat_label: str = "VAT ID"
) -> float:
    """A block of lines at ``x``; returns the y it ends at."""
    pdf.set_x(x)
    _font(pdf, 7)
    pdf.set_text_color(110)
    pdf.cell(width, 4, text(heading), new_x="LEFT", new_y="NEXT")
    pdf.set_text_color(0)
    _font(pdf, 10, bold=True)
    pdf.multi_cell(width, 5, text(party.name), new_x="LEFT", new_y="NEXT")
    _font(pdf, 9)
    for line in party.address_lines:
        pdf.multi_cell(width, 4.5, text(line), new_x="LEFT", new_y="NEXT")
    if party.vat_id:
        pdf.cell(width, 4.5, text(f"{vat_label}: {party.vat_id}"), new_x="LEFT", new_y="NEXT")
    return pdf.get_y()


def _title(pdf: _Document, text: Text, title: str, facts: Sequence[tuple[str, str]]) -> None:
    _font(pdf, 18, bold=True)
    pdf.cell(0, 10, text(title), new_x="LMARGIN", new_y="NEXT")
    _font(pdf, 9)
    for label, value in facts:
        pdf.cell(38, 5, text(label))
        pdf.cell(0, 5, text(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _table(pdf: _Document, text: Text, headings: Sequence[str], rows: Sequence[Sequence[str]], widths, aligns):
    _font(pdf, 8.5)
    heading_style = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    with pdf.table(
        col_widths=widths,
        headings_style=heading_style,
        borders_layout="HORIZONTAL_LINES",
        line_height=5,
        padding=(1, 1.2),
        repeat_headings=1,
    ) as table:
        row = table.row()
        for heading, align in zip(headings, aligns, strict=True):
            row.cell(text(heading), align=align)
        for values in rows:
            row = table.row()
            for value, align in zip(values, aligns, strict=True):
                row.cell(text(value), align=align)


def _sums(pdf: _Document, text: Text, sums: Sequence[tuple[str, str, bool]]) -> None:
    pdf.ln(3)
    for label, value, strong in sums:
        _font(pdf, 10 if strong else 9, bold=strong)
        pdf.set_x(pdf.w - pdf.r_margin - 95)
        pdf.cell(60, 6, text(label), align="R")
        pdf.cell(35, 6, text(value), align="R", new_x="LMARGIN", new_y="NEXT")


def _notes(pdf: _Document, text: Text, notes: Sequence[str]) -> None:
    if not notes:
        return
    pdf.ln(5)
    _font(pdf, 9)
    for note in notes:
        pdf.multi_cell(0, 4.5, text(note), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)


def gettext_noop(message: str) -> str:
    """Marks a word for the catalogues (billing's Django side translates it and passes it in ``doc.labels``)."""
    return message


# Every word an invoice or credit note prints, in English; ``InvoiceDocument.labels`` maps them to the reader's.
INVOICE_LABELS = (
    gettext_noop("Invoice"),
    gettext_noop("Credit note"),
    gettext_noop("Invoice number"),
    gettext_noop("Credit note number"),
    gettext_noop("Issue date"),
    gettext_noop("Date of supply"),
    gettext_noop("Corrects invoice"),
    gettext_noop("From"),
    gettext_noop("To"),
    gettext_noop("Description"),
    gettext_noop("Qty"),
    gettext_noop("Unit net"),
    gettext_noop("Net"),
    gettext_noop("VAT rate"),
    gettext_noop("VAT"),
    gettext_noop("Gross"),
    gettext_noop("Total net"),
    gettext_noop("Total VAT"),
    gettext_noop("Credited total"),
    gettext_noop("Total due"),
    gettext_noop("VAT ID"),
    gettext_noop("This credit note corrects invoice %(number)s of the same seller."),
)


def _invoice(doc: InvoiceDocument, *, credit_note: bool, font_path: Path | str | None) -> bytes:
    def label(english: str) -> str:
        return doc.labels.get(english) or english

    def amount(value: Decimal) -> str:
        return doc.money_text(value, doc.currency) if doc.money_text else f"{money(value)} {doc.currency}"

    def plain_amount(value: Decimal) -> str:
        return doc.money_text(value, doc.currency) if doc.money_text else money(value)

    def when(value: date) -> str:
        return doc.date_text(value) if doc.date_text else day(value)

    title = label("Credit note" if credit_note else "Invoice")
    pdf, text = _start(f"{title} {doc.number}", doc.issue_date, doc.seller.name, font_path)
    pdf.footer_text = text(" · ".join(part for part in (doc.seller.name, doc.seller.vat_id) if part))
    facts = [
        (label("Credit note number" if credit_note else "Invoice number"), doc.number),
        (label("Issue date"), when(doc.issue_date)),
    ]
    if doc.supply_date:
        facts.append((label("Date of supply"), when(doc.supply_date)))
    if credit_note:
        facts.append((label("Corrects invoice"), doc.original_invoice_number))
    _title(pdf, text, title, facts)

    top = pdf.get_y()
    half = (pdf.epw - 10) / 2
    seller_end = _party(pdf, text, label("From"), doc.seller, pdf.l_margin, half, vat_label=label("VAT ID"))
    pdf.set_y(top)
    buyer_end = _party(pdf, text, label("To"), doc.buyer, pdf.l_margin + half + 10, half, vat_label=label("VAT ID"))
    pdf.set_xy(pdf.l_margin, max(seller_end, buyer_end) + 8)

    currency = doc.currency
    rows = [
        (
            line.description,
            number(line.quantity),
            plain_amount(line.unit_net),
            plain_amount(line.net),
            percent(line.vat_rate),
            plain_amount(line.vat),
            plain_amount(line.gross),
        )
        for line in doc.lines
    ]
    _table(
        pdf,
        text,
        (
            label("Description"),
            label("Qty"),
            f"{label('Unit net')} ({currency})",
            label("Net"),
            label("VAT rate"),
            label("VAT"),
            label("Gross"),
        ),
        rows,
        widths=(33, 6, 14, 11, 10, 10, 12),
        aligns=("LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
    )
    _sums(
        pdf,
        text,
        [
            (label("Total net"), amount(doc.total_net), False),
            (label("Total VAT"), amount(doc.total_vat), False),
            (label("Credited total" if credit_note else "Total due"), amount(doc.total_gross), True),
        ],
    )
    notes = list(doc.notes)
    if credit_note:
        notes.insert(
            0,
            label("This credit note corrects invoice %(number)s of the same seller.")
            % {"number": doc.original_invoice_number},
        )
    _notes(pdf, text, notes)
    return bytes(pdf.output())


def invoice_pdf(doc: InvoiceDocument, *, font_path: Path | str | None = DEJAVU_SANS) -> bytes:
    """The invoice as PDF bytes."""
    return _invoice(doc, credit_note=False, font_path=font_path)


def credit_note_pdf(doc: InvoiceDocument, *, font_path: Path | str | None = DEJAVU_SANS) -> bytes:
    """A credit note: ``doc.original_invoice_number`` is required; its amounts are printed as given."""
    if not doc.original_invoice_number:
        raise ValueError("A credit note must name the invoice it corrects (original_invoice_number).")
    return _invoice(doc, credit_note=True, font_path=font_path)


def payout_statement_pdf(doc: StatementDocument, *, font_path: Path | str | None = DEJAVU_SANS) -> bytes:
    """A maker's payout statement for a period."""
    issuer = doc.issuer.name or "Makernet"
    pdf, text = _start(f"Payout statement {doc.maker_name}", doc.period_end, issuer, font_path)
    facts = [("Period", f"{day(doc.period_start)} to {day(doc.period_end)}")]
    if doc.number:
        facts.insert(0, ("Statement", doc.number))
    _title(pdf, text, "Payout statement", facts)
    _party(pdf, text, "Maker", DocumentParty(name=doc.maker_name, address_lines=doc.address_lines), pdf.l_margin, 90)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + 6)

    currency = doc.currency
    _sums(pdf, text, [("Opening balance", f"{money(doc.opening_balance)} {currency}", True)])
    pdf.ln(2)
    rows = [(day(row.date), row.description, row.kind, money(row.amount)) for row in doc.rows]
    if not rows:
        rows = [("", "No movements in this period.", "", "")]
    _table(
        pdf,
        text,
        ("Date", "Description", "Kind", f"Amount ({currency})"),
        rows,
        widths=(16, 54, 14, 16),
        aligns=("LEFT", "LEFT", "LEFT", "RIGHT"),
    )
    _sums(
        pdf,
        text,
        [
            ("Released from holds", f"{money(doc.released_amount)} {currency}", False),
            ("Held back", f"{money(doc.held_amount)} {currency}", False),
            ("Closing balance", f"{money(doc.closing_balance)} {currency}", True),
        ],
    )
    return bytes(pdf.output())
