"""Geometry of the box with lid: an open box and a lid with an inner lip, side by side on one plate."""

from collections.abc import Mapping
from typing import Any

import numpy as np
import trimesh

from designs.parametric.definitions.box_with_lid import PLATE_GAP_MM, lip_height
from designs.parametric.shapes.meshing import finish_manifold, prism, rounded_rectangle

FACET_ERROR_MM = 0.02
# A lip whose hollow would be narrower than this is printed solid: a slit that thin only traps stringing.
SMALLEST_LIP_HOLLOW_MM = 1.0


def _outline(width: float, depth: float, radius: float) -> np.ndarray:
    return rounded_rectangle(width=width, depth=depth, radius=max(radius, 0.0), facet_error=FACET_ERROR_MM)


def build(values: Mapping[str, Any]) -> trimesh.Trimesh:
    inner_width, inner_depth = values["inner_width"], values["inner_depth"]
    inner_height, wall = values["inner_height"], values["wall"]
    clearance, corner_radius = values["lid_clearance"], values["corner_radius"]
    outer_width, outer_depth = inner_width + 2 * wall, inner_depth + 2 * wall

    # Inside corners follow the outside ones at wall distance, so the wall is even all round.
    inner_radius = max(corner_radius - wall, 0.0)
    outside = _outline(outer_width, outer_depth, corner_radius)
    box = prism(outside, height=wall + inner_height) - prism(
        _outline(inner_width, inner_depth, inner_radius), height=inner_height + 1.0, bottom=wall
    )

    lip_width, lip_depth = inner_width - 2 * clearance, inner_depth - 2 * clearance
    lip_radius = max(inner_radius - clearance, 0.0)
    lip_top = wall + lip_height(inner_height)
    # The lip starts inside the plate so the union never has to merge two faces lying in one plane.
    lip = prism(_outline(lip_width, lip_depth, lip_radius), height=lip_top - wall / 2, bottom=wall / 2)
    hollow_width, hollow_depth = lip_width - 2 * wall, lip_depth - 2 * wall
    if min(hollow_width, hollow_depth) >= SMALLEST_LIP_HOLLOW_MM:
        hollow = _outline(hollow_width, hollow_depth, max(lip_radius - wall, 0.0))
        # Cut right through the lip; the plate added next closes it from below.
        lip = lip - prism(hollow, height=lip_top + 1.0, bottom=0.0)
    lid = prism(outside, height=wall) + lip

    # Side by side along the box's narrower side keeps the plate footprint small.
    if outer_width <= outer_depth:
        shift = ((outer_width + PLATE_GAP_MM) / 2, 0.0, 0.0)
    else:
        shift = (0.0, (outer_depth + PLATE_GAP_MM) / 2, 0.0)
    negative_shift = (-shift[0], -shift[1], 0.0)
    return finish_manifold(box.translate(negative_shift) + lid.translate(shift))
