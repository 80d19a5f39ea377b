import pytest

from accounts.addresses import Address, locate
from accounts.addresses.places import place_key


def at(city: str, country: str) -> Address:
    return Address(name="A", line1="B", line2="", postcode="", city=city, country=country, phone="")


def near(found, lat, lon, tolerance=0.3) -> bool:
    return found is not None and abs(found[0] - lat) < tolerance and abs(found[1] - lon) < tolerance


@pytest.mark.parametrize(
    ("city", "country", "lat", "lon", "label"),
    [
        ("Berlin", "DE", 52.52, 13.40, "Berlin, DE"),
        ("München", "DE", 48.14, 11.58, "Munich, DE"),
        ("Munich", "DE", 48.14, 11.58, "Munich, DE"),
        ("MUNCHEN", "DE", 48.14, 11.58, "Munich, DE"),
        ("Paris", "FR", 48.85, 2.35, "Paris, FR"),
        ("Utrecht", "NL", 52.09, 5.12, "Utrecht, NL"),
        ("Den Haag", "NL", 52.08, 4.30, "The Hague, NL"),
        ("Łódź", "PL", 51.76, 19.46, "Łódź, PL"),
        ("lodz", "PL", 51.76, 19.46, "Łódź, PL"),
        ("Gdańsk", "PL", 54.35, 18.65, "Gdańsk, PL"),
        ("frankfurt-am-main", "DE", 50.11, 8.68, "Frankfurt am Main, DE"),
        ("Frankfurt", "DE", 50.11, 8.68, "Frankfurt am Main, DE"),  # the most populous Frankfurt
    ],
)
def test_known_cities_are_located_by_name_or_alternate_name(city, country, lat, lon, label):
    found = locate(at(city, country))

    assert near(found, lat, lon)
    assert found[2] == label


@pytest.mark.parametrize(
    ("city", "country", "lat", "lon"),
    [
        ("London", "GB", 51.51, -0.13),
        ("London", "CA", 42.98, -81.23),
        ("Valencia", "ES", 39.47, -0.38),
        ("Valencia", "VE", 10.16, -68.00),
    ],
)
def test_a_name_in_two_countries_resolves_by_the_country(city, country, lat, lon):
    assert near(locate(at(city, country)), lat, lon)


@pytest.mark.parametrize(
    ("city", "country"), [("Hintertupfingen", "DE"), ("Utrecht", "DE"), ("", "DE"), ("Paris", "XX")]
)
def test_unknown_places_are_none(city, country):
    assert locate(at(city, country)) is None


def test_place_keys_ignore_case_accents_and_punctuation():
    assert place_key("Saint-Étienne") == "saint etienne"
    assert place_key("ŁÓDŹ") == "lodz"
    assert place_key("  Frankfurt  (Oder) ") == "frankfurt oder"
    assert place_key("Köln") == place_key("KOLN")
