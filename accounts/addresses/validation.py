"""Checking a postal address typed by a person: ``validate_address(data) -> Address`` or ``AddressError``."""

import re
import unicodedata
from dataclasses import dataclass

from accounts.addresses.countries import NOT_ISO, countries, country_name
from accounts.addresses.postcodes import PostcodeError, normalise_postcode, postcode_required

FIELDS = ("name", "line1", "line2", "postcode", "city", "country", "phone")
FIELD_LABELS = {
    "name": "Name",
    "line1": "Address line 1",
    "line2": "Address line 2",
    "postcode": "Postcode",
    "city": "City",
    "country": "Country",
    "phone": "Phone",
}
LIMITS = {"name": 120, "line1": 120, "line2": 120, "postcode": 16, "city": 80, "country": 60, "phone": 32}
PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
PHONE_DIGITS = (6, 20)
# Bidirectional overrides and marks: invisible, and able to make an address print in another order.
BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


class AddressError(ValueError):
    """One field that is wrong; ``message`` names it and says what to do, fit to show a person."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Address:
    name: str
    line1: str
    line2: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2, upper case
    phone: str


def clean_text(value: str) -> str:
    """NFC, control characters (line breaks, tabs, NUL ...) and bidirectional controls out, spaces collapsed."""
    value = unicodedata.normalize("NFC", value)
    kept = []
    for char in value:
        category = unicodedata.category(char)
        if char in "\t\n\r\v\f" or category in ("Zl", "Zp"):
            kept.append(" ")
        elif category != "Cc" and char not in BIDI_CONTROLS:
            kept.append(char)
    return " ".join("".join(kept).split())


def _field(data: dict, field: str) -> str:
    value = data.get(field)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise AddressError(field, f"{FIELD_LABELS[field]} must be text.")
    value = clean_text(value)
    limit = LIMITS[field]
    if len(value) > limit:
        raise AddressError(
            field, f"{FIELD_LABELS[field]} is too long: at most {limit} characters ({len(value)} given)."
        )
    return value


def _required(field: str, value: str) -> str:
    if not value:
        raise AddressError(field, f"{FIELD_LABELS[field]} is required.")
    return value


def _country(raw: str) -> str:
    code = raw.strip().upper()
    if not code:
        raise AddressError("country", "Country is required.")
    if code in NOT_ISO:
        right = NOT_ISO[code]
        raise AddressError("country", f"Country {raw!r} is not an ISO country code: {country_name(right)} is {right}.")
    if len(code) != 2 or code not in countries():
        raise AddressError("country", f"Country {raw!r} is not a known ISO 3166-1 country code (two letters, e.g. DE).")
    return code


def _phone(value: str) -> str:
    if not value:
        return ""
    if not PHONE_CHARACTERS.fullmatch(value):
        raise AddressError("phone", "Phone may contain only digits, spaces, a leading +, brackets and dashes.")
    digits = sum(char.isdigit() for char in value)
    low, high = PHONE_DIGITS
    if not low <= digits <= high:
        raise AddressError("phone", f"Phone must have {low} to {high} digits ({digits} given).")
    return value


def validate_address(data: dict) -> Address:
    """The address, cleaned and normalised; raises ``AddressError`` for the first field that is wrong.

    ``data`` has the keys of ``Address`` (missing ones are empty; others are ignored). Required: name, line1,
    city, country, and the postcode where the country has postcodes (see ``postcodes``).
    """
    values = {field: _field(data, field) for field in FIELDS}
    _required("name", values["name"])
    _required("line1", values["line1"])
    country = _country(values["country"])
    postcode = values["postcode"]
    if not postcode and postcode_required(country):
        raise AddressError("postcode", f"Postcode is required for an address in {country_name(country)}.")
    try:
        postcode = normalise_postcode(postcode, country)
    except PostcodeError:
        raise AddressError(
            "postcode", f"Postcode {values['postcode']!r} is not a valid postcode in {country_name(country)}."
        ) from None
    _required("city", values["city"])
    return Address(
        name=values["name"],
        line1=values["line1"],
        line2=values["line2"],
        postcode=postcode,
        city=values["city"],
        country=country,
        phone=_phone(values["phone"]),
    )
