import pytest

from billing.tax import VatNumberCheck, vat_number_check


@pytest.mark.parametrize(
    ("raw", "country", "number"),
    [
        ("DE136695976", "DE", "DE136695976"),
        ("de 136.695.976", "DE", "DE136695976"),
        ("  DE-136-695-976 ", "DE", "DE136695976"),
        ("ATU57194903", "AT", "ATU57194903"),
        ("BE697449992", "BE", "BE0697449992"),  # the old 9-digit form gets its leading 0
        ("FR 61 954 506 077", "FR", "FR61954506077"),
        ("nl004495445b01", "NL", "NL004495445B01"),
        ("EL094259216", "GR", "EL094259216"),
        ("GR 094259216", "GR", "EL094259216"),  # Greece's ISO code typed instead of EL
        ("IE6433435F", "IE", "IE6433435F"),
        ("PL8567346215", "PL", "PL8567346215"),
        ("ESX2482300W", "ES", "ESX2482300W"),
        ("IT00743110157", "IT", "IT00743110157"),
    ],
)
def test_valid_eu_vat_numbers_are_normalised_with_their_prefix(raw, country, number):
    assert vat_number_check(raw) == VatNumberCheck(valid=True, country=country, number=number, reason="")


def test_a_wrong_check_digit_is_a_typo():
    check = vat_number_check("DE136695977")

    assert not check.valid
    assert check.country == "DE"
    assert check.number == "DE136695977"
    assert check.reason == "The check digits of this VAT number from Germany do not match: is there a typo?"


def test_a_wrong_length_or_format_says_so():
    assert vat_number_check("DE13669597").reason == (
        "This number has the wrong number of characters for a VAT number from Germany."
    )
    assert vat_number_check("AT57194903X").reason == "This number is not in the format of a VAT number from Austria."


@pytest.mark.parametrize(("raw", "country"), [("GB 123 4567 89", "GB"), ("CHE-123.456.788", "CH"), ("NO123", "NO")])
def test_numbers_from_outside_the_eu_are_not_valid_for_reverse_charge(raw, country):
    check = vat_number_check(raw)

    assert not check.valid
    assert check.country == country
    assert "not in the EU" in check.reason
    assert "reverse charge" in check.reason


def test_northern_ireland_and_one_stop_shop_numbers_are_refused_with_a_reason():
    assert "Northern Ireland" in vat_number_check("XI123456789").reason
    assert "One-Stop-Shop" in vat_number_check("EU372000041").reason


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("", "No VAT number was given."),
        ("   ", "No VAT number was given."),
        ("136695976", "two-letter prefix"),
        ("XX123456789", "XX is not the prefix of an EU VAT number"),
        ("D", "two-letter prefix"),
    ],
)
def test_missing_or_unknown_prefixes_say_what_a_vat_number_looks_like(raw, reason):
    check = vat_number_check(raw)

    assert not check.valid
    assert check.country == ""
    assert reason in check.reason
