"""Postal addresses (pure: no Django, no app code; accounts is the lowest app, so this imports no other app).

- ``validate_address(data) -> Address`` (raises ``AddressError(field, message)``): required fields, lengths,
  control characters, the ISO country and the postcode format of that country (``postcodes``).
- ``locate(address) -> (lat, lon, label) | None``: the city's coordinates from GeoNames' table of cities over
  15,000 people (``places``), for matching makers by distance; None when the city is not in it.
"""

from accounts.addresses.places import locate
from accounts.addresses.postcodes import normalise_postcode, postcode_required
from accounts.addresses.validation import FIELD_LABELS, LIMITS, Address, AddressError, validate_address

__all__ = [
    "FIELD_LABELS",
    "LIMITS",
    "Address",
    "AddressError",
    "locate",
    "normalise_postcode",
    "postcode_required",
    "validate_address",
]
