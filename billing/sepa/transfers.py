"""The SEPA credit transfer file (ISO 20022 pain.001.001.03) for a batch of payouts, made with ``sepaxml``.

Every transfer is checked before the file is made (IBAN, BIC, amount, identifiers), so a bad row is a
``SepaError`` that names it rather than a file the bank refuses; the file is then validated against the XML schema
that sepaxml ships. Names and references are written in the SEPA Latin character set (EPC guidance: a-z A-Z 0-9
/ - ? : ( ) . , ' + and space): accents are transliterated ("Müller" -> "Muller", "Łódź" -> "Lodz") and other
characters become spaces. All transfers go in one payment block (batch booking) with the debtor's account.
"""

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sepaxml import SepaTransfer
from sepaxml.validation import ValidationError as SchemaError
from text_unidecode import unidecode

from billing.sepa.accounts import bic_check, iban_check

SCHEMA = "pain.001.001.03"
NAMESPACE = f"urn:iso:std:iso:20022:tech:xsd:{SCHEMA}"
CURRENCY = "EUR"
MAX_AMOUNT = Decimal("999999999.99")  # the largest amount of a SEPA credit transfer
NAME_LENGTH = 70
REFERENCE_LENGTH = 140
ID_LENGTH = 35

NOT_SEPA_CHARACTERS = re.compile(r"[^A-Za-z0-9/\-?:().,'+ ]")
SEPA_ID = re.compile(r"[A-Za-z0-9/\-?:().,'+]{1,35}")


class SepaError(ValueError):
    """A transfer or file that cannot be made; the message says which row and why."""


@dataclass(frozen=True)
class Party:
    """The account the money leaves from (the platform's)."""

    name: str
    iban: str
    bic: str


@dataclass(frozen=True)
class Transfer:
    name: str  # the creditor (the maker) as the bank should see it
    iban: str
    bic: str | None  # optional within SEPA (IBAN-only)
    amount: Decimal  # EUR, > 0, at most two decimals
    reference: str  # the unstructured remittance text the maker sees on the statement (140 characters at most)
    end_to_end_id: str  # our id of this transfer, returned by the bank (35 characters, SEPA characters, unique)


def sepa_text(text: str, length: int) -> str:
    """``text`` in the SEPA Latin character set, spaces collapsed, cut to ``length``."""
    latin = NOT_SEPA_CHARACTERS.sub(" ", unidecode(text or ""))
    return " ".join(latin.split())[:length].strip()


def _identifier(value: str, what: str) -> str:
    if not isinstance(value, str) or not SEPA_ID.fullmatch(value) or value.startswith("/") or "//" in value:
        raise SepaError(
            f"The {what} {value!r} must be 1 to {ID_LENGTH} characters of A-Z a-z 0-9 / - ? : ( ) . , ' + "
            "(no spaces), neither starting with '/' nor containing '//'."
        )
    return value


def _cents(amount: Decimal, where: str) -> int:
    if isinstance(amount, bool) or not isinstance(amount, Decimal | int):
        raise SepaError(f"{where}: the amount must be a Decimal, not {type(amount).__name__}.")
    amount = Decimal(amount)
    if not amount.is_finite():
        raise SepaError(f"{where}: {amount} is not an amount.")
    if amount <= 0:
        raise SepaError(f"{where}: the amount must be more than zero, not {amount}.")
    if amount > MAX_AMOUNT:
        raise SepaError(f"{where}: {amount} is more than a SEPA transfer can carry ({MAX_AMOUNT}).")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise SepaError(f"{where}: {amount} has more than two decimals.")
    return int(cents)


def _iban(raw: str, where: str) -> str:
    valid, normalised, reason = iban_check(raw)
    if not valid:
        raise SepaError(f"{where}: the IBAN {raw!r} is not valid. {reason}")
    return normalised


def _bic(raw: str | None, where: str) -> str:
    valid, normalised, reason = bic_check(raw or "")
    if not valid:
        raise SepaError(f"{where}: the BIC {raw!r} is not valid. {reason}")
    return normalised


def _name(raw: str, where: str) -> str:
    name = sepa_text(raw, NAME_LENGTH)
    if not name:
        raise SepaError(f"{where}: a name is needed (letters or digits).")
    return name


class _Transfer(SepaTransfer):
    """sepaxml's transfer with the message id we choose (it makes a random one)."""

    def __init__(self, config: dict, message_id: str):
        self._message_id = message_id
        super().__init__(config, schema=SCHEMA, clean=True)

    def _create_header(self):
        self.msg_id = self._message_id
        super()._create_header()


def credit_transfer_xml(*, debtor: Party, payments: list[Transfer], execution_date: date, message_id: str) -> bytes:
    """The pain.001.001.03 XML (UTF-8 bytes) paying every transfer from ``debtor`` on ``execution_date``.

    Raises ``SepaError`` for no payments, a zero or negative amount, an amount with more than two decimals, an
    invalid IBAN or BIC, a missing name or reference, an identifier outside the SEPA rules or used twice.
    """
    if not payments:
        raise SepaError("A credit transfer file needs at least one payment.")
    if not isinstance(execution_date, date):
        raise SepaError("The execution date must be a date.")
    message_id = _identifier(message_id, "message id")
    config = {
        "name": _name(debtor.name, "The debtor"),
        "IBAN": _iban(debtor.iban, "The debtor"),
        "BIC": _bic(debtor.bic, "The debtor"),
        "batch": True,
        "currency": CURRENCY,
    }
    rows = []
    seen_ids: set[str] = set()
    for number, payment in enumerate(payments, start=1):
        where = f"Payment {number} ({payment.name!r})"
        end_to_end_id = _identifier(payment.end_to_end_id, f"end-to-end id of payment {number}")
        if end_to_end_id in seen_ids:
            raise SepaError(f"{where}: the end-to-end id {end_to_end_id!r} is used twice in this file.")
        seen_ids.add(end_to_end_id)
        reference = sepa_text(payment.reference, REFERENCE_LENGTH)
        if not reference:
            raise SepaError(f"{where}: a reference is needed (what the maker sees on the statement).")
        row = {
            "name": _name(payment.name, where),
            "IBAN": _iban(payment.iban, where),
            "amount": _cents(payment.amount, where),
            "execution_date": execution_date,
            "description": reference,
            "endtoend_id": end_to_end_id,
        }
        if payment.bic:
            row["BIC"] = _bic(payment.bic, where)
        rows.append(row)

    transfer = _Transfer(config, message_id)
    for row in rows:
        transfer.add_payment(row)
    try:
        return transfer.export(validate=True)
    except SchemaError as error:
        raise SepaError(f"The credit transfer file does not match the {SCHEMA} schema: {error.__cause__}") from error


def parse_credit_transfer(xml: bytes) -> ET.Element:
    """The root of a pain.001 file with its namespace stripped from the tags (for tests and the staff's preview)."""
    root = ET.fromstring(xml)  # noqa: S314 (our own output, not an outside document)
    for element in root.iter():
        element.tag = element.tag.removeprefix("{" + NAMESPACE + "}")
    return root
