import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.matching.geo import (
    CITIES,
    EARTH_RADIUS_KM,
    LAST_MILE_KG_PER_PARCEL,
    bounding_box,
    find_city,
    haversine_km,
    haversine_km_array,
    normalise_place_name,
    shipping_co2_kg,
    shipping_co2_saved_kg,
)


def _distance_between(first: str, second: str) -> float:
    a = find_city(first)
    b = find_city(second)
    return haversine_km(a.lat, a.lon, b.lat, b.lon)


@pytest.mark.parametrize(
    ("first", "second", "published_km"),
    [
        # Great-circle distances as published by common distance calculators (spherical Earth).
        ("Berlin", "Munich", 504),
        ("London", "Paris", 344),
        ("New York", "London", 5570),
    ],
)
def test_haversine_matches_published_city_distances(first, second, published_km):
    # given two cities from the offline table
    # when the distance is computed
    distance = _distance_between(first, second)
    # then it is within a kilometre of the published figure
    assert distance == pytest.approx(published_km, abs=1.0)


def test_haversine_of_a_quarter_meridian_is_a_quarter_circumference():
    # given the equator and the north pole on one meridian
    # when measured
    distance = haversine_km(0.0, 0.0, 90.0, 0.0)
    # then the distance is pi / 2 radians of the Earth radius
    assert distance == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)


def test_haversine_of_antipodes_is_half_the_circumference_without_nan():
    # haversine is ill-conditioned at antipodes; a metre is far below what matching needs
    distance = haversine_km(10.0, 20.0, -10.0, -160.0)
    assert distance == pytest.approx(math.pi * EARTH_RADIUS_KM, abs=0.001)


def test_vectorised_haversine_equals_the_scalar_one_for_every_row():
    # given Berlin and every city of the table
    berlin = find_city("Berlin")
    latitudes = np.array([city.lat for city in CITIES])
    longitudes = np.array([city.lon for city in CITIES])
    # when computed in one numpy call
    distances = haversine_km_array(berlin.lat, berlin.lon, latitudes, longitudes)
    # then each equals the scalar version
    expected = [haversine_km(berlin.lat, berlin.lon, city.lat, city.lon) for city in CITIES]
    assert distances.shape == (len(CITIES),)
    np.testing.assert_allclose(distances, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize(
    ("spelling", "expected_name"),
    [
        ("Munich", "Munich"),
        ("München", "Munich"),
        ("MÜNCHEN", "Munich"),
        ("munchen", "Munich"),
        ("Muenchen", "Munich"),
        ("  zürich ", "Zurich"),
        ("Zuerich", "Zurich"),
        ("Köln", "Cologne"),
        ("koln", "Cologne"),
        ("Frankfurt-am-Main", "Frankfurt"),
        ("københavn", "Copenhagen"),
        ("Kraków", "Krakow"),
        ("Lisboa", "Lisbon"),
        ("Den Haag", "The Hague"),
        ("São Paulo", "São Paulo"),
        ("sao paulo", "São Paulo"),
    ],
)
def test_find_city_ignores_case_accents_and_local_names(spelling, expected_name):
    city = find_city(spelling)
    assert city is not None
    assert city.name == expected_name


@pytest.mark.parametrize("unknown", ["Atlantis", "", "   ", "Berlinn"])
def test_find_city_returns_none_for_unknown_places(unknown):
    assert find_city(unknown) is None


def test_city_table_covers_the_required_cities_and_no_spelling_is_shared():
    # given the cities the brief names
    required = [
        "Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Amsterdam", "Rotterdam", "Utrecht", "Paris",
        "Lyon", "London", "Manchester", "Barcelona", "Madrid", "Milan", "Turin", "Vienna", "Zurich",
        "Copenhagen", "Stockholm", "Oslo", "Helsinki", "Warsaw", "Prague", "Brussels", "Lisbon", "Dublin",
    ]  # fmt: skip
    # then each is found, the table is about 80+ cities, and no normalised spelling points to two cities
    assert all(find_city(name) is not None for name in required)
    assert len(CITIES) >= 80
    owner: dict[str, str] = {}
    for city in CITIES:
        for spelling in (city.name, *city.aliases):
            key = normalise_place_name(spelling)
            assert owner.setdefault(key, city.name) == city.name, key
    assert all(-90 <= city.lat <= 90 and -180 <= city.lon <= 180 and len(city.country) == 2 for city in CITIES)


def test_bounding_box_in_mid_latitudes_is_one_longitude_range():
    # given Berlin and 500 km
    box = bounding_box(lat=52.52, lon=13.405, radius_km=500.0)
    # then the latitude span is 500 / R radians each way, and the longitude span is wider (cos of latitude)
    angular = math.degrees(500.0 / EARTH_RADIUS_KM)
    assert box.min_lat == pytest.approx(52.52 - angular)
    assert box.max_lat == pytest.approx(52.52 + angular)
    assert len(box.longitude_ranges) == 1
    west, east = box.longitude_ranges[0]
    assert east - 13.405 == pytest.approx(13.405 - west)
    assert east - 13.405 == pytest.approx(7.40283, abs=1e-4)
    assert box.contains(lat=find_city("Hamburg").lat, lon=find_city("Hamburg").lon)
    assert not box.contains(lat=find_city("Paris").lat, lon=find_city("Paris").lon)


def test_bounding_box_across_the_antimeridian_is_two_ranges():
    # given Suva, Fiji (178.44 E) and 500 km
    suva = find_city("Suva")
    box = bounding_box(lat=suva.lat, lon=suva.lon, radius_km=500.0)
    # then the box splits into an eastern-edge range and a western-edge range
    assert len(box.longitude_ranges) == 2
    (west_1, east_1), (west_2, east_2) = box.longitude_ranges
    assert east_1 == 180.0 and west_2 == -180.0
    assert west_1 == pytest.approx(173.70956, abs=1e-4)
    assert east_2 == pytest.approx(-176.82576, abs=1e-4)
    # a point 300 km east of Suva, beyond the antimeridian, is inside
    assert box.contains(lat=suva.lat, lon=-178.7)


def test_bounding_box_reaching_a_pole_spans_every_longitude():
    box = bounding_box(lat=89.0, lon=0.0, radius_km=200.0)
    assert box.max_lat == 90.0
    assert box.longitude_ranges == ((-180.0, 180.0),)
    # a point just across the pole on the opposite meridian is inside
    assert box.contains(lat=89.5, lon=180.0)


def _destination(lat: float, lon: float, bearing_degrees: float, distance_km: float) -> tuple[float, float]:
    phi = math.radians(lat)
    bearing = math.radians(bearing_degrees)
    delta = distance_km / EARTH_RADIUS_KM
    phi2 = math.asin(math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(bearing))
    lambda2 = math.radians(lon) + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), ((math.degrees(lambda2) + 180.0) % 360.0) - 180.0


@settings(max_examples=300, deadline=None)
@given(
    lat=st.floats(-89.9, 89.9),
    lon=st.floats(-180.0, 180.0),
    radius_km=st.floats(1.0, 3000.0),
    bearing=st.floats(0.0, 360.0),
    fraction=st.floats(0.0, 0.999),
)
def test_every_point_within_the_radius_lies_in_the_box(lat, lon, radius_km, bearing, fraction):
    # given a point at most the radius away from the centre
    point_lat, point_lon = _destination(lat, lon, bearing, radius_km * fraction)
    # when the box is built
    box = bounding_box(lat=lat, lon=lon, radius_km=radius_km)
    # then the point passes the prefilter
    assert box.contains(lat=point_lat, lon=point_lon)


def test_bounding_box_rejects_bad_input():
    with pytest.raises(ValueError, match="negative"):
        bounding_box(lat=0.0, lon=0.0, radius_km=-1.0)
    with pytest.raises(ValueError, match="outside"):
        bounding_box(lat=91.0, lon=0.0, radius_km=1.0)


def test_shipping_co2_by_van_worked_example():
    # 2 kg over 100 km great-circle by van:
    # 0.002 t x (100 km x 1.2 road circuity) x 0.36 kg/tkm = 0.0864 kg, + 0.181 kg last mile = 0.2674 kg
    assert shipping_co2_kg(distance_km=100.0, mass_kg=2.0, mode="van") == pytest.approx(0.2674)


def test_shipping_co2_by_lorry_and_air_worked_examples():
    # lorry: 0.002 t x 1000 km x 1.2 x 0.12366 = 0.296784, + 0.181 = 0.477784
    assert shipping_co2_kg(distance_km=1000.0, mass_kg=2.0, mode="road") == pytest.approx(0.477784)
    # long-haul air (>= 3700 km): 0.002 t x 5000 km x 1.09 x 0.57 = 6.213, + 0.181 = 6.394
    assert shipping_co2_kg(distance_km=5000.0, mass_kg=2.0, mode="air") == pytest.approx(6.394)
    # short-haul air: 0.002 t x 1000 km x 1.09 x 1.58 = 3.4444, + 0.181 = 3.6254
    assert shipping_co2_kg(distance_km=1000.0, mass_kg=2.0, mode="air") == pytest.approx(3.6254)


def test_last_mile_is_charged_per_parcel_even_at_zero_distance():
    assert shipping_co2_kg(distance_km=0.0, mass_kg=5.0, mode="van", parcels=3) == pytest.approx(
        3 * LAST_MILE_KG_PER_PARCEL
    )


def test_co2_saved_against_a_central_factory_is_the_difference_of_line_hauls():
    # local van 100 km: 0.2674; factory lorry 1000 km: 0.477784; saving 0.210384 kg
    saved = shipping_co2_saved_kg(local_distance_km=100.0, central_distance_km=1000.0, mass_kg=2.0)
    assert saved == pytest.approx(0.210384)


def test_shipping_co2_rejects_unknown_modes_and_negative_values():
    with pytest.raises(ValueError, match="unknown shipping mode 'ship'"):
        shipping_co2_kg(distance_km=1.0, mass_kg=1.0, mode="ship")
    with pytest.raises(ValueError, match="negative"):
        shipping_co2_kg(distance_km=-1.0, mass_kg=1.0, mode="van")
    with pytest.raises(ValueError, match="negative"):
        shipping_co2_kg(distance_km=1.0, mass_kg=-1.0, mode="van")
