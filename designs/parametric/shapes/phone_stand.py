"""Geometry of the phone stand: a side profile (base, front lip, leaning back rest, rear leg) extruded."""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import shapely
import trimesh
from shapely.geometry import Polygon, box
from shapely.geometry.polygon import orient

from designs.parametric.shapes.meshing import cross_section, finish_manifold, profile_in_xz

# Outside corners are rounded a little: nicer to touch, kinder to a phone's screen edge.
CORNER_ROUNDING_MM = 1.0
ROUNDING_QUAD_SEGMENTS = 4
# The triangle framed by back rest, rear leg and base is left open only when it is roomy enough to print.
SMALLEST_OPENING_INRADIUS_MM = 1.5


def side_profile(values: Mapping[str, Any]) -> Polygon:
    """The stand seen from the side in (x, z): x runs from the front lip (x = 0) backwards, z is up."""
    angle = math.radians(values["angle"])
    thickness = values["thickness"]
    slot_front = thickness + values["device_thickness"]
    rest_direction = np.array([math.cos(angle), math.sin(angle)])
    # Perpendicular to the rest, pointing behind it (back and down).
    rest_back = np.array([math.sin(angle), -math.cos(angle)])
    rest_foot = np.array([slot_front, thickness])
    rest_length = (values["back_height"] - thickness) / math.sin(angle)
    rest_top = rest_foot + rest_length * rest_direction
    rear_top = rest_top + thickness * rest_back

    rest = Polygon([rest_foot, rest_top, rear_top, rest_foot + thickness * rest_back])
    base = box(0.0, 0.0, rear_top[0], thickness)
    lip = box(0.0, 0.0, thickness, thickness + values["lip_height"])
    rear_leg = box(rear_top[0] - thickness, 0.0, rear_top[0], rear_top[1])
    profile = shapely.union_all([base, lip, rest, rear_leg])

    rounding = min(CORNER_ROUNDING_MM, thickness / 4)
    profile = profile.buffer(-rounding, quad_segs=ROUNDING_QUAD_SEGMENTS).buffer(
        rounding, quad_segs=ROUNDING_QUAD_SEGMENTS
    )
    openings = [ring for ring in profile.interiors if not Polygon(ring).buffer(-SMALLEST_OPENING_INRADIUS_MM).is_empty]
    return orient(Polygon(profile.exterior, openings), sign=1.0)


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    profile = side_profile(values)
    contours = [np.asarray(profile.exterior.coords)[:-1]] + [np.asarray(ring.coords)[:-1] for ring in profile.interiors]
    return finish_manifold(profile_in_xz(cross_section(contours), width=values["width"]))
