from decimal import Decimal

import pytest

from billing.tax import UnknownCountryError, load_eu_rates, vat_number_check, vat_treatment
from billing.tax.treatment import DISTANCE_SALE, DOMESTIC, EXPORT, REVERSE_CHARGE

RATES = load_eu_rates()
FRENCH_BUSINESS = vat_number_check("FR61954506077")
GERMAN_BUSINESS = vat_number_check("DE136695976")


def treat(buyer_country, business_vat=None, seller_country="DE", rates=RATES):
    return vat_treatment(
        seller_country=seller_country, buyer_country=buyer_country, rates=rates, business_vat=business_vat
    )


def test_a_consumer_in_the_sellers_country_pays_the_sellers_rate():
    treatment = treat("DE")

    assert treatment.rate == Decimal("19.00")
    assert not treatment.reverse_charge
    assert treatment.country == "DE"
    assert treatment.kind == DOMESTIC
    assert treatment.note == "VAT 19 % (DE)."


@pytest.mark.parametrize(("country", "rate"), [("FR", "20.00"), ("FI", "25.50"), ("GR", "24.00"), ("LU", "17.00")])
def test_a_consumer_in_another_eu_country_pays_that_countrys_rate(country, rate):
    treatment = treat(country)

    assert treatment.rate == Decimal(rate)
    assert not treatment.reverse_charge
    assert treatment.country == country
    assert treatment.kind == DISTANCE_SALE
    assert "One-Stop Shop" in treatment.note


def test_a_business_with_a_valid_vat_number_in_another_eu_country_is_a_reverse_charge():
    treatment = treat("FR", FRENCH_BUSINESS)

    assert treatment.rate == Decimal("0.00")
    assert treatment.reverse_charge
    assert treatment.country == "FR"
    assert treatment.kind == REVERSE_CHARGE
    assert "Reverse charge: VAT to be accounted for by the recipient" in treatment.note
    assert "Directive 2006/112/EC" in treatment.note


def test_a_business_in_the_sellers_own_country_pays_the_sellers_rate():
    treatment = treat("DE", GERMAN_BUSINESS)

    assert (treatment.rate, treatment.reverse_charge, treatment.country, treatment.kind) == (
        Decimal("19.00"),
        False,
        "DE",
        DOMESTIC,
    )


def test_goods_that_stay_in_the_sellers_country_are_no_reverse_charge_even_with_a_foreign_number():
    treatment = treat("DE", FRENCH_BUSINESS)

    assert treatment.rate == Decimal("19.00")
    assert not treatment.reverse_charge


def test_goods_shipped_abroad_to_a_business_with_the_sellers_own_vat_number_carry_the_sellers_vat():
    treatment = treat("FR", GERMAN_BUSINESS)

    assert treatment.rate == Decimal("19.00")
    assert treatment.country == "DE"
    assert not treatment.reverse_charge


def test_a_business_whose_number_is_not_valid_is_taxed_as_a_consumer():
    treatment = treat("FR", vat_number_check("FR00000000000"))

    assert treatment.rate == Decimal("20.00")
    assert not treatment.reverse_charge
    assert treatment.kind == DISTANCE_SALE


@pytest.mark.parametrize("business", [None, vat_number_check("GB123456789"), vat_number_check("CHE-123.456.788")])
@pytest.mark.parametrize("country", ["US", "CH", "GB", "NO"])
def test_a_buyer_outside_the_eu_is_an_export_at_zero(country, business):
    treatment = treat(country, business)

    assert treatment.rate == Decimal("0.00")
    assert not treatment.reverse_charge
    assert treatment.country == country
    assert treatment.kind == EXPORT
    assert "Export outside the EU" in treatment.note


def test_the_rates_passed_in_are_used_not_the_seed():
    edited = {**RATES, "FR": Decimal("21.00")}

    assert treat("FR", rates=edited).rate == Decimal("21.00")


@pytest.mark.parametrize(
    ("seller", "buyer", "message"),
    [
        ("DE", "XX", "'XX' is not a known ISO 3166-1 alpha-2 country code"),
        ("XX", "DE", "'XX' is not a known ISO"),
        ("DE", "de", "'de' is not a known ISO"),
        ("DE", "", "'' is not a known ISO"),
        ("CH", "DE", "The seller's country CH is not in the EU"),
    ],
)
def test_unknown_country_codes_are_a_clear_error(seller, buyer, message):
    with pytest.raises(UnknownCountryError, match=message):
        treat(buyer, seller_country=seller)


def test_an_eu_country_missing_from_the_rates_is_an_error_not_an_export():
    rates = {code: rate for code, rate in RATES.items() if code != "MT"}

    with pytest.raises(UnknownCountryError, match="no VAT rate for the EU member state MT"):
        treat("MT", rates=rates)
    assert isinstance(UnknownCountryError("XX"), ValueError)
