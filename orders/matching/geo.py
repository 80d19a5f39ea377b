"""Distances on the Earth, a lat/lon box for SQL prefilters, and shipping CO2 estimates.

Distances are great-circle (haversine) distances on a sphere of the mean Earth radius. The error against
the WGS 84 ellipsoid is below 0.5 %, far less than the difference between a straight line and a road.
"""

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from orders.matching.cities import CITIES, City, find_city, normalise_place_name

__all__ = [
    "CITIES",
    "City",
    "EARTH_RADIUS_KM",
    "EMISSION_FACTORS_KG_PER_TONNE_KM",
    "LAST_MILE_KG_PER_PARCEL",
    "LatLonBox",
    "ShippingMode",
    "bounding_box",
    "find_city",
    "haversine_km",
    "haversine_km_array",
    "normalise_place_name",
    "shipping_co2_kg",
    "shipping_co2_saved_kg",
]

# IUGG mean Earth radius.
EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in decimal degrees."""
    phi1 = math.radians(lat1)
    phi2 = math.radians(lat2)
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = math.radians(lon2 - lon1) / 2.0
    a = math.sin(half_dphi) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(half_dlambda) ** 2
    # atan2 stays accurate near antipodes, where asin(sqrt(a)) loses half its digits; min() guards a > 1.
    a = min(1.0, a)
    return 2.0 * EARTH_RADIUS_KM * math.atan2(math.sqrt(a), math.sqrt(1.0 - a))


def haversine_km_array(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Vectorised ``haversine_km``: any mix of scalars and arrays that numpy can broadcast."""
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    half_dphi = (phi2 - phi1) / 2.0
    half_dlambda = np.radians(np.asarray(lon2, dtype=np.float64) - np.asarray(lon1, dtype=np.float64)) / 2.0
    a = np.sin(half_dphi) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(half_dlambda) ** 2
    a = np.minimum(1.0, a)
    return 2.0 * EARTH_RADIUS_KM * np.arctan2(np.sqrt(a), np.sqrt(1.0 - a))


@dataclass(frozen=True, kw_only=True)
class LatLonBox:
    """Every point within a radius lies inside this box (the converse is not true: it is a prefilter).

    ``longitude_ranges`` holds one ``(west, east)`` range with ``west <= east``, or two ranges when the circle
    crosses the antimeridian (for example ``((170.0, 180.0), (-180.0, -175.0))``). A SQL prefilter is then
    ``lat BETWEEN min_lat AND max_lat AND (lon BETWEEN w1 AND e1 [OR lon BETWEEN w2 AND e2])``. When the
    circle reaches a pole, the single range is ``(-180.0, 180.0)``: every longitude qualifies.
    """

    min_lat: float
    max_lat: float
    longitude_ranges: tuple[tuple[float, float], ...]

    def contains(self, *, lat: float, lon: float) -> bool:
        if not self.min_lat <= lat <= self.max_lat:
            return False
        return any(west <= lon <= east for west, east in self.longitude_ranges)


def bounding_box(*, lat: float, lon: float, radius_km: float) -> LatLonBox:
    """The lat/lon box around the circle of ``radius_km`` around (lat, lon), for a SQL prefilter.

    Method of J. P. Matuschek, "Finding Points Within a Distance of a Latitude/Longitude Using Bounding
    Coordinates": the latitude span is the angular radius; the longitude half-span is
    ``asin(sin(r) / cos(lat))``, which is the widest point of the circle (not at the centre's latitude).
    A circle that contains a pole spans all longitudes.
    """
    if radius_km < 0:
        raise ValueError(f"radius {radius_km} km is negative")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} is outside -90..90")
    angular_radius = radius_km / EARTH_RADIUS_KM
    lat_radians = math.radians(lat)
    min_lat_radians = lat_radians - angular_radius
    max_lat_radians = lat_radians + angular_radius
    full_circle = ((-180.0, 180.0),)
    if min_lat_radians <= -math.pi / 2 or max_lat_radians >= math.pi / 2 or angular_radius >= math.pi / 2:
        return LatLonBox(
            min_lat=max(-90.0, math.degrees(min_lat_radians)),
            max_lat=min(90.0, math.degrees(max_lat_radians)),
            longitude_ranges=full_circle,
        )
    half_span = math.degrees(math.asin(math.sin(angular_radius) / math.cos(lat_radians)))
    min_lat = math.degrees(min_lat_radians)
    max_lat = math.degrees(max_lat_radians)
    if half_span >= 180.0:
        return LatLonBox(min_lat=min_lat, max_lat=max_lat, longitude_ranges=full_circle)
    centre = ((lon + 180.0) % 360.0) - 180.0
    west = centre - half_span
    east = centre + half_span
    if west < -180.0:
        ranges = ((west + 360.0, 180.0), (-180.0, east))
    elif east > 180.0:
        ranges = ((west, 180.0), (-180.0, east - 360.0))
    else:
        ranges = ((west, east),)
    return LatLonBox(min_lat=min_lat, max_lat=max_lat, longitude_ranges=ranges)


ShippingMode = Literal["van", "road", "air"]

EMISSION_FACTORS_KG_PER_TONNE_KM: dict[str, float] = {
    "van": 0.36,
    "road": 0.12366,
    "air_short_haul": 1.58,
    "air_long_haul": 0.57,
}
"""Emission factors, kg CO2(e) per tonne-km of goods carried.

- ``van`` 0.36: light goods vehicles (vans) carrying parcels, about 360 g CO2 per tonne-km on average
  (A. McKinnon, report for the UK Commission for Integrated Transport, 2007; vans run part-empty and stop
  often, hence nearly three times a lorry). Used for a local maker: a parcel van covers the whole trip.
- ``road`` 0.12366: "ALL HGVs UK average" line-haul lorry, direct CO2e per tonne-km (Defra/DECC 2012
  GHG Conversion Factors for Company Reporting, Annex 7, table 7e). Used for trunk haul from a factory.
- ``air_short_haul`` 1.58 and ``air_long_haul`` 0.57: Defra freight factors quoted in the UK Parliament
  (Hansard, Commons written answer "Freight Transport", 4 June 2007), without radiative forcing uplift.
  Short haul is below 3,700 km great-circle, as in Defra's banding.

All figures are deliberately older, public and conservative; the Defra/DESNZ yearly tables or the GLEC
Framework give current ones, and changing a number here changes every estimate consistently.
"""

LAST_MILE_KG_PER_PARCEL = 0.181
"""Delivering one parcel to a home: about 181 g CO2 per drop for a van round (Edwards, McKinnon and
Cullinane, "Comparative analysis of the carbon footprints of conventional and online retailing", IJPDLM
40(1/2), 2010). Added once per parcel whatever the distance, so a parcel from next door is not free."""

ROAD_CIRCUITY = 1.2
"""Roads are longer than the great circle; 1.2 is a common planning assumption for European road networks."""

AIR_ROUTING_UPLIFT = 1.09
"""Defra adds 9 % to great-circle distances for flights (indirect routes, stacking, circling)."""

AIR_SHORT_HAUL_LIMIT_KM = 3700.0


def shipping_co2_kg(*, distance_km: float, mass_kg: float, mode: ShippingMode, parcels: int = 1) -> float:
    """Estimated kg CO2 to ship ``mass_kg`` over ``distance_km`` (great-circle) in ``parcels`` parcels.

    ``tonnes x route km x factor`` (see ``EMISSION_FACTORS_KG_PER_TONNE_KM``) plus the last-mile constant
    per parcel. Route km is the great circle times ``ROAD_CIRCUITY`` on roads, or ``AIR_ROUTING_UPLIFT`` in
    the air; air freight still takes a parcel van for the final drop, hence the same last-mile constant.
    """
    if distance_km < 0:
        raise ValueError(f"distance {distance_km} km is negative")
    if mass_kg < 0:
        raise ValueError(f"mass {mass_kg} kg is negative")
    if parcels < 1:
        raise ValueError("a shipment has at least one parcel")
    tonnes = mass_kg / 1000.0
    if mode == "van":
        line_haul = tonnes * distance_km * ROAD_CIRCUITY * EMISSION_FACTORS_KG_PER_TONNE_KM["van"]
    elif mode == "road":
        line_haul = tonnes * distance_km * ROAD_CIRCUITY * EMISSION_FACTORS_KG_PER_TONNE_KM["road"]
    elif mode == "air":
        band = "air_short_haul" if distance_km < AIR_SHORT_HAUL_LIMIT_KM else "air_long_haul"
        line_haul = tonnes * distance_km * AIR_ROUTING_UPLIFT * EMISSION_FACTORS_KG_PER_TONNE_KM[band]
    else:
        raise ValueError(f"unknown shipping mode {mode!r}: use van, road or air")
    return line_haul + LAST_MILE_KG_PER_PARCEL * parcels


def shipping_co2_saved_kg(
    *,
    local_distance_km: float,
    central_distance_km: float,
    mass_kg: float,
    local_mode: ShippingMode = "van",
    central_mode: ShippingMode = "road",
) -> float:
    """CO2 saved by making locally instead of shipping from one central factory (negative: it costs more).

    Both sides deliver one parcel, so the last-mile constant cancels and the saving is the difference of
    the line hauls: a nearby van trip against a long lorry or air haul from the factory.
    """
    local = shipping_co2_kg(distance_km=local_distance_km, mass_kg=mass_kg, mode=local_mode)
    central = shipping_co2_kg(distance_km=central_distance_km, mass_kg=mass_kg, mode=central_mode)
    return central - local
