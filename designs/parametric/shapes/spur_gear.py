"""Geometry of the spur gear: an involute outline, a bore (and keyway), extruded to the face width.

Each flank is the involute of the base circle, the curve a taut string traces as it unwinds; below the base
circle (gears with fewer than about 42 teeth at 20 degrees) the flank continues as a radial line down to the
root circle. Teeth are as thick as the gaps at the pitch circle (no backlash): for running play, mount a
pair a little further apart than (teeth1 + teeth2) x module / 2.
"""

import math
from collections.abc import Mapping
from typing import Any

import manifold3d
import numpy as np
import trimesh

from designs.parametric.definitions.spur_gear import (
    keyway_size,
    outside_diameter,
    pitch_diameter,
    root_diameter,
)
from designs.parametric.shapes.meshing import (
    arc_points,
    arc_segments,
    circle_points,
    cross_section,
    finish_manifold,
    segments_for_radius,
)

FACET_ERROR_MM = 0.01
SMALLEST_FLANK_POINTS = 6


def involute_function(angle: float) -> float:
    """inv(a) = tan(a) - a: how far round the involute has turned where its pressure angle is ``a``."""
    return math.tan(angle) - angle


def tooth_flank(*, module: float, teeth: int, pressure_angle: float) -> np.ndarray:
    """(radius, half-angle) pairs of one flank from the root up to the tip, for a tooth centred on angle 0."""
    pitch_radius = pitch_diameter(module=module, teeth=teeth) / 2
    base_radius = pitch_radius * math.cos(pressure_angle)
    tip_radius = outside_diameter(module=module, teeth=teeth) / 2
    root_radius = root_diameter(module=module, teeth=teeth) / 2
    # Half the tooth's angular thickness where the involute leaves the base circle.
    base_half_angle = math.pi / (2 * teeth) + involute_function(pressure_angle)

    start_radius = max(base_radius, root_radius)
    # Evenly spaced in the unwinding angle, which crowds points where the involute bends most.
    start_roll = math.sqrt(max((start_radius / base_radius) ** 2 - 1.0, 0.0))
    tip_roll = math.sqrt((tip_radius / base_radius) ** 2 - 1.0)
    # The chord between two points dt apart strays rb * t * dt^2 / 8 from the involute (curvature radius
    # rb * t), worst at the tip: space them so that stays under the facet error.
    largest_step = math.sqrt(8 * FACET_ERROR_MM / (base_radius * tip_roll))
    points = max(SMALLEST_FLANK_POINTS, math.ceil((tip_roll - start_roll) / largest_step) + 1)
    rolls = np.linspace(start_roll, tip_roll, points)
    radii = base_radius * np.sqrt(1.0 + rolls**2)
    radii[0], radii[-1] = start_radius, tip_radius
    half_angles = base_half_angle - (rolls - np.arctan(rolls))
    flank = np.column_stack((radii, half_angles))
    if root_radius < base_radius:
        flank = np.vstack(([[root_radius, base_half_angle]], flank))
    return flank


def gear_outline(*, module: float, teeth: int, pressure_angle: float) -> np.ndarray:
    """The toothed outline, counter-clockwise, in millimetres around the gear's axis."""
    flank = tooth_flank(module=module, teeth=teeth, pressure_angle=pressure_angle)
    tip_radius, tip_half_angle = flank[-1]
    root_radius, root_half_angle = flank[0]
    pitch_angle = 2 * math.pi / teeth
    tip_steps = arc_segments(radius=tip_radius, sweep=2 * tip_half_angle, facet_error=FACET_ERROR_MM)
    root_sweep = pitch_angle - 2 * root_half_angle
    root_steps = arc_segments(radius=root_radius, sweep=root_sweep, facet_error=FACET_ERROR_MM)

    tip_angles = np.linspace(-tip_half_angle, tip_half_angle, tip_steps + 1)[1:-1]
    root_angles = np.linspace(root_half_angle, pitch_angle - root_half_angle, root_steps + 1)[1:-1]
    # One tooth as (radius, angle): right flank up, across the tip, left flank down, then the gap's root.
    radii = np.concatenate(
        (
            flank[:, 0],
            np.full(len(tip_angles), tip_radius),
            flank[::-1, 0],
            np.full(len(root_angles), root_radius),
        )
    )
    angles = np.concatenate((-flank[:, 1], tip_angles, flank[::-1, 1], root_angles))

    all_angles = (angles[None, :] + pitch_angle * np.arange(teeth)[:, None]).ravel()
    all_radii = np.tile(radii, teeth)
    return np.column_stack((all_radii * np.cos(all_angles), all_radii * np.sin(all_angles)))


def bore_outline(*, bore_diameter: float, keyway: bool) -> np.ndarray:
    """The bore, counter-clockwise; with a keyway, a slot on +Y reaching an eighth of the bore beyond it."""
    radius = bore_diameter / 2
    if not keyway:
        return circle_points(radius=radius, segments=segments_for_radius(radius, facet_error=FACET_ERROR_MM))
    width, depth = keyway_size(bore_diameter=bore_diameter)
    # The circle is left where the slot's sides cross it, at x = +-width / 2.
    half_slot_angle = math.asin(width / 2 / radius)
    start = math.pi / 2 + half_slot_angle
    sweep = 2 * math.pi - 2 * half_slot_angle
    steps = arc_segments(radius=radius, sweep=sweep, facet_error=FACET_ERROR_MM)
    arc = arc_points(center=(0.0, 0.0), radius=radius, start=start, end=start + sweep, segments=steps)
    return np.vstack((arc, [[width / 2, radius + depth], [-width / 2, radius + depth]]))


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    outline = gear_outline(
        module=values["module"], teeth=values["teeth"], pressure_angle=math.radians(values["pressure_angle"])
    )
    section = cross_section([outline])
    if values["bore_diameter"] > 0:
        section = section - cross_section(
            [bore_outline(bore_diameter=values["bore_diameter"], keyway=values["keyway"])]
        )
    return finish_manifold(manifold3d.Manifold.extrude(section, values["thickness"]))
