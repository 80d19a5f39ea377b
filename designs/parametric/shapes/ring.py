"""Geometry of the ring: a cross-section revolved about the finger's axis, lying flat on the plate."""

import math
from collections.abc import Mapping
from typing import Any

import manifold3d
import numpy as np
import trimesh

from designs.parametric.definitions.ring import inner_diameter
from designs.parametric.shapes.meshing import (
    arc_points,
    arc_segments,
    cross_section,
    finish_manifold,
    rounded_rectangle,
    segments_for_radius,
)

# Chord error around the ring and across its profile. The inside must measure true to the size within a few
# hundredths of a millimetre; 0.01 mm keeps the polygon's flats well inside that.
FACET_ERROR_MM = 0.01
# How far a comfort-fit inside bulges, and how far a D-shape's dome falls at its edges, as a share of the
# band's thickness: the edge keeps the rest, enough to stay strong.
COMFORT_BULGE = 0.3
D_SHAPE_DROP = 0.5
EDGE_ROUNDING_MM = 0.3


def _bulge_arc(*, chord_from: np.ndarray, chord_to: np.ndarray, apex: np.ndarray) -> np.ndarray:
    """Points of the circular arc through three points (the chord ends and its middle apex), ends excluded."""
    half_chord = np.linalg.norm(chord_to - chord_from) / 2.0
    middle = (chord_from + chord_to) / 2.0
    height = np.linalg.norm(apex - middle)
    radius = (half_chord**2 + height**2) / (2.0 * height)
    towards_apex = (apex - middle) / height
    center = apex - radius * towards_apex
    start = math.atan2(*(chord_from - center)[::-1])
    end = math.atan2(*(chord_to - center)[::-1])
    sweep = (end - start + math.pi) % (2 * math.pi) - math.pi
    # An even count puts a vertex on the apex, so the thinnest or thickest point is exactly where it is asked.
    segments = 2 * math.ceil(max(4, arc_segments(radius=radius, sweep=sweep, facet_error=FACET_ERROR_MM)) / 2)
    arc = arc_points(center=tuple(center), radius=radius, start=start, end=start + sweep, segments=segments)
    return arc[1:-1]


def cross_section_outline(*, inner_radius: float, width: float, thickness: float, profile: str) -> np.ndarray:
    """The band's cross-section in (r, z), counter-clockwise; z runs from 0 to ``width``."""
    outer_radius = inner_radius + thickness
    if profile == "flat":
        # Slightly broken edges: a sharp-edged band digs into the neighbouring fingers.
        rounding = min(EDGE_ROUNDING_MM, thickness / 4, width / 4)
        outline = rounded_rectangle(width=thickness, depth=width, radius=rounding, facet_error=FACET_ERROR_MM)
        return outline + np.array([inner_radius + thickness / 2, width / 2])
    if profile == "comfort":
        edge_radius = inner_radius + COMFORT_BULGE * thickness
        inside = _bulge_arc(
            chord_from=np.array([edge_radius, width]),
            chord_to=np.array([edge_radius, 0.0]),
            apex=np.array([inner_radius, width / 2]),
        )
        return np.vstack(
            ([[edge_radius, 0.0], [outer_radius, 0.0], [outer_radius, width], [edge_radius, width]], inside)
        )
    edge_radius = outer_radius - D_SHAPE_DROP * thickness
    dome = _bulge_arc(
        chord_from=np.array([edge_radius, 0.0]),
        chord_to=np.array([edge_radius, width]),
        apex=np.array([outer_radius, width / 2]),
    )
    return np.vstack(([[inner_radius, 0.0], [edge_radius, 0.0]], dome, [[edge_radius, width], [inner_radius, width]]))


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    inner_radius = inner_diameter(size=values["size"], size_system=values["size_system"]) / 2
    outline = cross_section_outline(
        inner_radius=inner_radius,
        width=values["band_width"],
        thickness=values["band_thickness"],
        profile=values["profile"],
    )
    segments = segments_for_radius(inner_radius + values["band_thickness"], facet_error=FACET_ERROR_MM)
    return finish_manifold(manifold3d.Manifold.revolve(cross_section([outline]), circular_segments=segments))
