"""Geometry of the vase: an outer and an inner surface of rings, stitched into one closed mesh directly.

Both surfaces are radius-over-angle-and-height grids sampled at the same angles, with the outside always
beyond the inside, so the solid between them cannot intersect itself; building the faces directly is exact
and far quicker than a boolean.
"""

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import trimesh

from designs.parametric.definitions.vase import radius_profile, wall_offset
from designs.parametric.shapes.meshing import finish_mesh, segments_for_radius

FACET_ERROR_MM = 0.05
ROW_SPACING_MM = 1.0
SAMPLES_PER_RIB = 8
# Sixteen rows per full turn of a rib's phase keep twisted ribs smooth rather than zig-zag.
ROWS_PER_RIB_PHASE_TURN = 16
FACE_BUDGET = 120_000


def _quads(first: np.ndarray, second: np.ndarray, *, outward: bool) -> np.ndarray:
    """Two triangles per neighbouring pair of columns between two rings of vertex indices.

    Rings run counter-clockwise seen from above. With ``outward`` a face's normal is (ring direction) x
    (``second`` - ``first``): away from the axis when ``second`` is above ``first``, upwards when ``second``
    is inside ``first`` at the same height.
    """
    first_next, second_next = np.roll(first, -1), np.roll(second, -1)
    if outward:
        return np.concatenate(
            (np.column_stack((first, first_next, second_next)), np.column_stack((first, second_next, second)))
        )
    return np.concatenate(
        (np.column_stack((first, second_next, first_next)), np.column_stack((first, second, second_next)))
    )


def _fan(center: int, ring: np.ndarray, *, upward: bool) -> np.ndarray:
    ring_next = np.roll(ring, -1)
    centers = np.full(len(ring), center)
    if upward:
        return np.column_stack((centers, ring, ring_next))
    return np.column_stack((centers, ring_next, ring))


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    profile = radius_profile(values)
    height, wall, bottom = values["height"], values["wall"], values["bottom_thickness"]
    ribs, rib_depth = values["ribs"], values["rib_depth"] if values["ribs"] else 0.0
    twist = math.radians(values["twist"])

    columns = max(
        segments_for_radius(max(profile.radii) + rib_depth, facet_error=FACET_ERROR_MM),
        SAMPLES_PER_RIB * ribs,
    )
    columns = 4 * math.ceil(columns / 4)
    wanted_rows = max(
        math.ceil(height / ROW_SPACING_MM),
        math.ceil(ribs * abs(twist) * ROWS_PER_RIB_PHASE_TURN / (2 * math.pi)),
    )
    rows = max(2, min(wanted_rows, FACE_BUDGET // (4 * columns))) + 1
    angles = 2 * math.pi * np.arange(columns) / columns

    outer_heights = np.linspace(0.0, height, rows)
    body = profile.radius(outer_heights)[:, None]
    if ribs:
        phase = ribs * (angles[None, :] - twist * outer_heights[:, None] / height)
        outer_radius = body + rib_depth * (1.0 + np.cos(phase)) / 2.0
    else:
        outer_radius = np.repeat(body, columns, axis=1)

    inner_rows = max(2, round((rows - 1) * (height - bottom) / height)) + 1
    inner_heights = np.linspace(bottom, height, inner_rows)
    offsets = np.array([wall_offset(wall=wall, slope=slope) for slope in profile.slope(inner_heights)])
    inner_radius = np.repeat((profile.radius(inner_heights) - offsets)[:, None], columns, axis=1)

    def ring_vertices(radius: np.ndarray, heights: np.ndarray) -> np.ndarray:
        return np.stack(
            (
                radius * np.cos(angles),
                radius * np.sin(angles),
                np.broadcast_to(heights[:, None], radius.shape),
            ),
            axis=-1,
        ).reshape(-1, 3)

    outer = np.arange(rows * columns).reshape(rows, columns)
    inner = outer.size + np.arange(inner_rows * columns).reshape(inner_rows, columns)
    vertices = [ring_vertices(outer_radius, outer_heights), ring_vertices(inner_radius, inner_heights)]
    faces = [_quads(outer[row], outer[row + 1], outward=True) for row in range(rows - 1)]
    faces += [_quads(inner[row], inner[row + 1], outward=False) for row in range(inner_rows - 1)]
    # The rim: from the outer top ring in to the inner top ring, facing up.
    faces.append(_quads(outer[-1], inner[-1], outward=True))

    next_index = outer.size + inner.size
    hole_radius = values["drainage_hole_diameter"] / 2
    if hole_radius > 0:
        hole_bottom = next_index + np.arange(columns)
        hole_top = hole_bottom + columns
        hole_ring = np.full((1, columns), hole_radius)
        vertices += [ring_vertices(hole_ring, np.array([0.0])), ring_vertices(hole_ring, np.array([bottom]))]
        faces.append(_quads(hole_bottom, outer[0], outward=True))
        faces.append(_quads(inner[0], hole_top, outward=True))
        faces.append(_quads(hole_bottom, hole_top, outward=False))
    else:
        vertices.append(np.array([[0.0, 0.0, 0.0], [0.0, 0.0, bottom]]))
        faces.append(_fan(next_index, outer[0], upward=False))
        faces.append(_fan(next_index + 1, inner[0], upward=True))
    return finish_mesh(vertices=np.vstack(vertices), faces=np.vstack(faces))
