import io
import re
from datetime import date
from decimal import Decimal

import pypdf
import pytest

from billing.documents import (
    DocumentLine,
    DocumentParty,
    InvoiceDocument,
    StatementDocument,
    StatementRow,
    credit_note_pdf,
    invoice_pdf,
    payout_statement_pdf,
)
from billing.documents.render import DEJAVU_SANS, transliterate
from billing.tax import line_amounts, sum_lines

D = Decimal
MISSING_FONT = "/nonexistent/DejaVuSans.ttf"
needs_dejavu = pytest.mark.skipif(not DEJAVU_SANS.is_file(), reason="fonts-dejavu-core is not installed")

SELLER = DocumentParty("Makernet GmbH", ("Hauptstraße 1", "10115 Berlin", "Germany"), "DE136695976")
BUYER = DocumentParty("Zofia Wiśniewska-Müller", ("ul. Długa 5", "80-831 Gdańsk", "Poland"), "PL8567346215")


def invoice(count=3, **changes) -> InvoiceDocument:
    amounts = [line_amounts(D("12.50") * 2, D("19"))] * count
    total = sum_lines(amounts)
    fields = {
        "number": "MN-2026-000123",
        "issue_date": date(2026, 3, 2),
        "seller": SELLER,
        "buyer": BUYER,
        "lines": tuple(
            DocumentLine(f"Bracket {n} PETG, Łódź batch", D("2"), D("12.50"), a.net, D("19.00"), a.vat, a.gross)
            for n, a in enumerate(amounts, start=1)
        ),
        "total_net": total.net,
        "total_vat": total.vat,
        "total_gross": total.gross,
        "notes": ("Reverse charge: VAT to be accounted for by the recipient (Art. 200 Directive 2006/112/EC).",),
    }
    return InvoiceDocument(**{**fields, **changes})


STATEMENT = StatementDocument(
    maker_name="Jürgen Müller 3D-Druck",
    period_start=date(2026, 2, 1),
    period_end=date(2026, 2, 28),
    rows=(
        StatementRow(date(2026, 2, 3), "Order MN-1001 (Gdańsk)", D("120.00"), "earning"),
        StatementRow(date(2026, 2, 3), "Platform fee MN-1001", D("-12.00"), "fee"),
        StatementRow(date(2026, 2, 10), "Held: claim window of MN-1002", D("-40.00"), "hold"),
        StatementRow(date(2026, 2, 20), "Released: MN-0998", D("35.50"), "release"),
        StatementRow(date(2026, 2, 28), "Payout to DE89…3000", D("-100.00"), "payout"),
    ),
    opening_balance=D("1000.00"),
    closing_balance=D("1003.50"),
    held_amount=D("40.00"),
    released_amount=D("35.50"),
    number="ST-2026-02-0042",
)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages_of(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


@needs_dejavu
def test_an_invoice_shows_its_number_parties_lines_totals_and_notes():
    pdf = invoice_pdf(invoice())

    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "Invoice" in text
    assert "MN-2026-000123" in text
    assert "2026-03-02" in text
    assert "Zofia Wiśniewska-Müller" in text
    assert "80-831 Gdańsk" in text
    assert "Hauptstraße 1" in text
    assert "VAT ID: DE136695976" in text
    assert "VAT ID: PL8567346215" in text
    assert "Bracket 1 PETG, Łódź batch" in text
    assert "Total net 75.00 EUR" in text
    assert "Total VAT 14.25 EUR" in text
    assert "Total due 89.25 EUR" in text
    assert "Reverse charge: VAT to be accounted for by the recipient" in text
    assert "DejaVuSans" in pdf.decode("latin-1")  # the font is embedded


def test_without_the_font_file_the_core_font_prints_names_transliterated():
    pdf = invoice_pdf(invoice(), font_path=MISSING_FONT)

    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "MN-2026-000123" in text
    assert "Total due 89.25 EUR" in text
    assert "Zofia Wisniewska-Müller" in text  # ü is in Windows-1252, ś is not
    assert "80-831 Gdansk" in text
    assert "Bracket 1 PETG, Lódz batch" in text
    assert "DejaVu" not in pdf.decode("latin-1")
    assert invoice_pdf(invoice(), font_path=None) == pdf


def test_transliteration_keeps_what_windows_1252_has():
    assert transliterate("Müller, Łódź, Gdańsk, Ørsted, Šťastný, 12 €") == "Müller, Lódz, Gdansk, Ørsted, Štastný, 12 €"
    assert transliterate("Łódź Gdańsk €") == "Lódz Gdansk €"
    assert transliterate("line\nbreak\x00") == "line break "


@needs_dejavu
def test_a_credit_note_names_the_invoice_it_corrects():
    lines = (DocumentLine("Refund: bracket", D("1"), D("-12.50"), D("-12.50"), D("19"), D("-2.38"), D("-14.88")),)
    doc = invoice(
        number="MN-CN-2026-000007",
        lines=lines,
        total_net=D("-12.50"),
        total_vat=D("-2.38"),
        total_gross=D("-14.88"),
        original_invoice_number="MN-2026-000123",
        notes=(),
    )

    text = text_of(credit_note_pdf(doc))

    assert "Credit note" in text
    assert "MN-CN-2026-000007" in text
    assert "Corrects invoice MN-2026-000123" in text
    assert "Credited total -14.88 EUR" in text
    assert "Zofia Wiśniewska-Müller" in text


def test_a_credit_note_without_its_invoice_is_refused():
    with pytest.raises(ValueError, match="must name the invoice it corrects"):
        credit_note_pdf(invoice())


@needs_dejavu
def test_a_long_invoice_runs_over_pages_and_keeps_its_totals():
    pdf = invoice_pdf(invoice(count=80))

    assert pages_of(pdf) > 1
    text = text_of(pdf)
    assert "Bracket 80 PETG" in text
    assert "Total due 2,380.00 EUR" in text
    assert f"1 / {pages_of(pdf)}" in text


@needs_dejavu
@pytest.mark.parametrize("font_path", [DEJAVU_SANS, MISSING_FONT])
def test_a_payout_statement_shows_the_period_rows_balances_and_holds(font_path):
    pdf = payout_statement_pdf(STATEMENT, font_path=font_path)

    assert pdf.startswith(b"%PDF-")
    text = text_of(pdf)
    assert "Payout statement" in text
    assert "ST-2026-02-0042" in text
    assert "2026-02-01 to 2026-02-28" in text
    assert "Jürgen Müller 3D-Druck" in text
    assert "Opening balance 1,000.00 EUR" in text
    assert "Closing balance 1,003.50 EUR" in text
    assert "Held back 40.00 EUR" in text
    assert "Released from holds 35.50 EUR" in text
    assert re.search(r"2026-02-03\s+Platform fee MN-1001\s+fee\s+-12.00", text)
    assert "payout" in text
    assert ("Gdańsk" if font_path == DEJAVU_SANS else "Gdansk") in text


def test_an_empty_statement_says_so():
    empty = StatementDocument(
        maker_name="Anna",
        period_start=date(2026, 1, 1),
        period_end=date(2026, 1, 31),
        rows=(),
        opening_balance=D("0"),
        closing_balance=D("0"),
        held_amount=D("0"),
        released_amount=D("0"),
    )

    assert "No movements in this period." in text_of(payout_statement_pdf(empty, font_path=MISSING_FONT))
