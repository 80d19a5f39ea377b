"""Geometry of the cable clip: a strap arching over the cable, a screw tab on one side, a foot on the other.

It is drawn as a side profile in (x, z) with the cable's axis along Y and the wall at z = 0, extruded to the
clip's width, and the screw hole is drilled straight down through the tab: printed this way the wall side
lies on the plate and the hole needs no support.
"""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import trimesh

from designs.parametric.definitions.cable_clip import screw_tab_layout
from designs.parametric.shapes.meshing import (
    arc_points,
    circle_points,
    cross_section,
    finish_manifold,
    prism,
    profile_in_xz,
    segments_for_radius,
)

FACET_ERROR_MM = 0.02


def side_profile(*, cable_diameter: float, screw_hole_diameter: float, thickness: float) -> np.ndarray:
    """The clip's outline, counter-clockwise in (x, z); the cable's axis is at x = 0, z = radius."""
    radius = cable_diameter / 2
    outside = radius + thickness
    _, tab_end = screw_tab_layout(
        cable_diameter=cable_diameter, screw_hole_diameter=screw_hole_diameter, thickness=thickness
    )
    foot_end = outside + 2 * thickness
    segments = segments_for_radius(outside, facet_error=FACET_ERROR_MM) // 2
    under_arch = arc_points(center=(0.0, radius), radius=radius, start=math.pi, end=0.0, segments=segments)
    over_arch = arc_points(center=(0.0, radius), radius=outside, start=0.0, end=math.pi, segments=segments)
    return np.vstack(
        (
            [[-tab_end, 0.0], [-radius, 0.0]],
            under_arch,
            [[radius, 0.0], [foot_end, 0.0], [foot_end, thickness], [outside, thickness]],
            over_arch,
            [[-outside, thickness], [-tab_end, thickness]],
        )
    )


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    hole_centre, _ = screw_tab_layout(
        cable_diameter=values["cable_diameter"],
        screw_hole_diameter=values["screw_hole_diameter"],
        thickness=values["thickness"],
    )
    outline = side_profile(
        cable_diameter=values["cable_diameter"],
        screw_hole_diameter=values["screw_hole_diameter"],
        thickness=values["thickness"],
    )
    clip = profile_in_xz(cross_section([outline]), width=values["width"])
    hole_radius = values["screw_hole_diameter"] / 2
    hole = circle_points(radius=hole_radius, segments=segments_for_radius(hole_radius, facet_error=FACET_ERROR_MM))
    drill = prism(hole, height=values["thickness"] + 2.0, bottom=-1.0, offset=(-hole_centre, 0.0))
    return finish_manifold(clip - drill)
