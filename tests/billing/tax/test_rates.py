import json
from decimal import Decimal

import pytest

from billing.tax import EU_MEMBER_STATES, UnknownCountryError, country_name, load_eu_rates
from billing.tax.rates import SEED_FILE

# The standard rates in force on 2026-01-01, written out a second time: a change to the seed must be deliberate.
EXPECTED_2026 = {
    "AT": "20", "BE": "21", "BG": "20", "CY": "19", "CZ": "21", "DE": "19", "DK": "25", "EE": "24", "ES": "21",
    "FI": "25.5", "FR": "20", "GR": "24", "HR": "25", "HU": "27", "IE": "23", "IT": "22", "LT": "21", "LU": "17",
    "LV": "21", "MT": "18", "NL": "21", "PL": "23", "PT": "23", "RO": "21", "SE": "25", "SI": "22", "SK": "23",
}  # fmt: skip


def test_the_seed_has_the_27_member_states_with_their_standard_rates():
    rates = load_eu_rates()

    assert set(rates) == EU_MEMBER_STATES
    assert len(rates) == 27
    assert rates == {code: Decimal(rate) for code, rate in EXPECTED_2026.items()}
    assert all(isinstance(rate, Decimal) for rate in rates.values())
    assert rates["FI"] == Decimal("25.50")
    assert str(rates["DE"]) == "19.00"


def test_the_seed_says_where_it_comes_from_and_that_staff_edit_the_live_rates():
    data = json.loads(SEED_FILE.read_text())

    assert data["valid_from"] == "2026-01-01"
    assert "admin" in data["about"]
    assert "European Commission" in data["source"]
    assert all(len(text.split(".")[1]) == 2 for text in data["rates"].values())


def test_a_seed_missing_a_state_or_with_a_bad_rate_is_refused(tmp_path):
    data = json.loads(SEED_FILE.read_text())
    del data["rates"]["MT"]
    missing = tmp_path / "missing.json"
    missing.write_text(json.dumps(data))
    data["rates"]["MT"] = "eighteen"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    data["rates"].update(MT="18.00", CH="8.10")
    foreign = tmp_path / "foreign.json"
    foreign.write_text(json.dumps(data))

    with pytest.raises(ValueError, match="no rate for MT"):
        load_eu_rates(missing)
    with pytest.raises(ValueError, match="not a number"):
        load_eu_rates(bad)
    with pytest.raises(ValueError, match="CH is not an EU member state"):
        load_eu_rates(foreign)


def test_country_names_come_from_the_iso_table():
    assert country_name("DE") == "Germany"
    with pytest.raises(UnknownCountryError, match="'XX' is not a known ISO"):
        country_name("XX")
