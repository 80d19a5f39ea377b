import os
from datetime import date
from decimal import Decimal

import pytest
import sepaxml
import xmlschema

from billing.sepa import Party, SepaError, Transfer, credit_transfer_xml
from billing.sepa.transfers import parse_credit_transfer, sepa_text

DEBTOR = Party(name="Makernet GmbH", iban="DE89 3704 0044 0532 0130 00", bic="COBADEFFXXX")
DAY = date(2026, 3, 2)
SCHEMA_FILE = os.path.join(os.path.dirname(sepaxml.__file__), "schemas", "pain.001.001.03.xsd")


def transfer(**changes) -> Transfer:
    fields = {
        "name": "Jürgen Müller",
        "iban": "FR14 2004 1010 0505 0001 3M02 606",
        "bic": "BNPAFRPP",
        "amount": Decimal("12.50"),
        "reference": "Makernet payout 2026-02 Łódź",
        "end_to_end_id": "PO-2026-0001",
    }
    return Transfer(**{**fields, **changes})


PAYMENTS = [
    transfer(),
    transfer(
        name="Łucja Wiśniewska",
        iban="PL61109010140000071219812874",
        bic=None,
        amount=Decimal("100"),
        reference="Payout",
        end_to_end_id="PO-2026-0002",
    ),
    transfer(name="Anneke de Vries", iban="NL91ABNA0417164300", bic=None, amount=Decimal("0.01"), end_to_end_id="P3"),
]


def make(payments=PAYMENTS, **changes):
    arguments = {"debtor": DEBTOR, "payments": payments, "execution_date": DAY, "message_id": "MN-2026-03-0001"}
    return credit_transfer_xml(**{**arguments, **changes})


def test_the_file_is_a_schema_valid_pain_001_001_03():
    xml = make()

    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert b"urn:iso:std:iso:20022:tech:xsd:pain.001.001.03" in xml
    xmlschema.XMLSchema(SCHEMA_FILE).validate(xml.decode())


def test_the_header_counts_and_sums_the_transfers():
    root = parse_credit_transfer(make())

    header = root.find("CstmrCdtTrfInitn/GrpHdr")
    assert header.findtext("MsgId") == "MN-2026-03-0001"
    assert header.findtext("NbOfTxs") == "3"
    assert header.findtext("CtrlSum") == "112.51"
    assert header.findtext("InitgPty/Nm") == "Makernet GmbH"
    block = root.findall("CstmrCdtTrfInitn/PmtInf")
    assert len(block) == 1
    assert block[0].findtext("NbOfTxs") == "3"
    assert block[0].findtext("CtrlSum") == "112.51"
    assert block[0].findtext("ReqdExctnDt") == "2026-03-02"
    assert block[0].findtext("PmtTpInf/SvcLvl/Cd") == "SEPA"
    assert block[0].findtext("DbtrAcct/Id/IBAN") == "DE89370400440532013000"
    assert block[0].findtext("DbtrAgt/FinInstnId/BIC") == "COBADEFFXXX"


def test_each_transfer_has_its_name_iban_amount_reference_and_id():
    rows = parse_credit_transfer(make()).findall("CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf")

    assert [row.findtext("Cdtr/Nm") for row in rows] == ["Jurgen Muller", "Lucja Wisniewska", "Anneke de Vries"]
    assert [row.findtext("CdtrAcct/Id/IBAN") for row in rows] == [
        "FR1420041010050500013M02606",
        "PL61109010140000071219812874",
        "NL91ABNA0417164300",
    ]
    assert [row.findtext("Amt/InstdAmt") for row in rows] == ["12.50", "100.00", "0.01"]
    assert {row.find("Amt/InstdAmt").get("Ccy") for row in rows} == {"EUR"}
    assert [row.findtext("PmtId/EndToEndId") for row in rows] == ["PO-2026-0001", "PO-2026-0002", "P3"]
    assert rows[0].findtext("RmtInf/Ustrd") == "Makernet payout 2026-02 Lodz"
    assert rows[0].findtext("CdtrAgt/FinInstnId/BIC") == "BNPAFRPP"
    assert rows[1].find("CdtrAgt") is None  # IBAN-only


def test_text_is_written_in_the_sepa_character_set():
    assert sepa_text("Müller & Söhne_GmbH <3D>", 70) == "Muller Sohne GmbH 3D"
    assert sepa_text("x" * 200, 140) == "x" * 140
    row = parse_credit_transfer(make([transfer(name="Ünal & Co.", reference="Order #42 / 3D")])).find(
        "CstmrCdtTrfInitn/PmtInf/CdtTrfTxInf"
    )
    assert row.findtext("Cdtr/Nm") == "Unal Co."
    assert row.findtext("RmtInf/Ustrd") == "Order 42 / 3D"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (Decimal("0"), "more than zero"),
        (Decimal("0.00"), "more than zero"),
        (Decimal("-5.00"), "more than zero"),
        (Decimal("1.005"), "more than two decimals"),
        (Decimal("1000000000.00"), "more than a SEPA transfer can carry"),
        (Decimal("NaN"), "not an amount"),
        (12.5, "must be a Decimal, not float"),
    ],
)
def test_bad_amounts_are_refused(amount, message):
    with pytest.raises(SepaError, match=message) as error:
        make([PAYMENTS[0], transfer(amount=amount, end_to_end_id="X")])
    assert "Payment 2 ('Jürgen Müller')" in str(error.value)


def test_invalid_ibans_and_bics_are_refused_naming_the_payment():
    with pytest.raises(SepaError, match=r"Payment 1 .*the IBAN 'DE89370400440532013001' is not valid\. The check"):
        make([transfer(iban="DE89370400440532013001")])
    with pytest.raises(SepaError, match=r"Payment 1 .*the BIC 'BNPAXXPP' is not valid"):
        make([transfer(bic="BNPAXXPP")])
    with pytest.raises(SepaError, match=r"The debtor: the IBAN"):
        make(debtor=Party(name="Makernet", iban="DE00", bic="COBADEFFXXX"))
    with pytest.raises(SepaError, match=r"The debtor: the BIC"):
        make(debtor=Party(name="Makernet", iban=DEBTOR.iban, bic=""))


def test_missing_names_references_and_bad_identifiers_are_refused():
    with pytest.raises(SepaError, match="at least one payment"):
        make([])
    with pytest.raises(SepaError, match="a name is needed"):
        make([transfer(name="  ")])
    with pytest.raises(SepaError, match="a reference is needed"):
        make([transfer(reference="")])
    with pytest.raises(SepaError, match="used twice"):
        make([transfer(), transfer()])
    for bad in ["", "has space", "/lead", "a//b", "x" * 36]:
        with pytest.raises(SepaError, match="end-to-end id"):
            make([transfer(end_to_end_id=bad)])
    with pytest.raises(SepaError, match="message id"):
        make(message_id="x" * 36)
    with pytest.raises(SepaError, match="execution date"):
        make(execution_date="2026-03-02")


def test_a_large_batch_adds_up_exactly():
    payments = [transfer(amount=Decimal("0.10"), end_to_end_id=f"E{n}") for n in range(1000)]

    root = parse_credit_transfer(make(payments))

    assert root.findtext("CstmrCdtTrfInitn/GrpHdr/NbOfTxs") == "1000"
    assert root.findtext("CstmrCdtTrfInitn/GrpHdr/CtrlSum") == "100.00"
