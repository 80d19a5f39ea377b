import pytest

from billing.sepa import BicCheck, IbanCheck, bic_check, iban_check


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("DE89370400440532013000", "DE89370400440532013000"),
        ("de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        (" DE89-3704-0044-0532-0130-00 ", "DE89370400440532013000"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
        ("NL91ABNA0417164300", "NL91ABNA0417164300"),
        ("PL61 1090 1014 0000 0712 1981 2874", "PL61109010140000071219812874"),
        ("BE71 0961 2345 6769", "BE71096123456769"),
        ("GB29 NWBK 6016 1331 9268 19", "GB29NWBK60161331926819"),
        ("CH93 0076 2011 6238 5295 7", "CH9300762011623852957"),
    ],
)
def test_valid_ibans_are_normalised(raw, normalised):
    assert iban_check(raw) == IbanCheck(True, normalised, "")


def test_the_result_unpacks_as_a_tuple():
    valid, normalised, reason = iban_check("DE89370400440532013000")

    assert (valid, normalised, reason) == (True, "DE89370400440532013000", "")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "No IBAN was given."),
        ("12345678", "An IBAN starts with a two-letter country code and two check digits."),
        ("DE89370400440532013001", "The check digits of this IBAN do not match: is there a typo?"),
        ("DE8937040044053201300", "An IBAN of Germany has 22 characters, this one has 21."),
        ("XX89370400440532013000", "XX is not a country that issues IBANs."),
        ("BE68539007547034", "The bank or account number in this IBAN is not a valid one of Belgium."),
    ],
)
def test_invalid_ibans_say_why(raw, reason):
    check = iban_check(raw)

    assert not check.valid
    assert check.reason == reason


@pytest.mark.parametrize(
    ("raw", "normalised"), [("COBADEFFXXX", "COBADEFFXXX"), ("cobadeff", "COBADEFF"), ("BNPA FR PP", "BNPAFRPP")]
)
def test_valid_bics(raw, normalised):
    assert bic_check(raw) == BicCheck(True, normalised, "")


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "No BIC was given."),
        ("COBADEF", "A BIC has 8 or 11 characters."),
        ("COBAXXFF", "XX in this BIC is not a country code."),
        ("1OBADEFF", "4 letters (the bank)"),
    ],
)
def test_invalid_bics_say_why(raw, reason):
    check = bic_check(raw)

    assert not check.valid
    assert reason in check.reason
