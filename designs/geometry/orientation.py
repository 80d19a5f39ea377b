"""Overhangs, support, and the print orientation that costs least to print.

Candidates: the six axis directions as "up", plus resting the part on each of its largest flat hull
faces (the stable poses a person would try). Each candidate is measured (``Pose``) for what a
layer-by-layer process meets in it:

- overhangs and support: faces pointing down more steeply than the overhang angle (default 45 degrees
  from vertical) are overhangs, except those lying on the bed. Support under an overhang face is a column
  from the face down to whatever is below it (the bed, or the part itself: one downward ray per face finds
  it), so the estimate is area projected on the bed times that height;
- height, and the facing areas (``layers.facing_areas``: up and down projected on the bed, what top and
  bottom solid layers cover; side, the contour length integrated over the height, what perimeters trace);
- the footing: the faces resting on the bed (all three corners within the bed tolerance of the lowest
  point), their area projected on the bed and the footing's narrow width (its extent across its principal
  axis). A pose whose footing is smaller than ``MIN_FOOTING_MM2`` or narrower than
  ``MIN_FOOTING_WIDTH_MM`` touches the bed at a point or along a line: the first layer has nothing to hold
  (PrusaSlicer: "no extrusions in the first layer") and the part would rock or peel, so the pose is not
  usable. When no pose is usable (a sphere, a tiny part), those with at least half the largest footing are.

The choice among the usable poses is made by a cost passed in (``best_pose(..., cost=...)``: seconds, or
any unit, per pose); without one, ``fdm_seconds``, a physically motivated proxy of a filament printer's
time (PrusaSlicer's defaults; the constants below say where each comes from). The geometry package does not
know prices: a caller with a real time model passes it in. Costs within ``TIE_SHARE`` of the cheapest are
a tie (the proxy is not more precise than that), which goes to the lower part (fewer layers to fail,
steadier on the bed), then to the as-modelled orientation. ``least_support`` is the old rule as a cost
(for resin, where support is most of the trouble).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .bounding import Hull
from .options import OrientationOptions
from .surface import Surface

_AXES = {
    "+Z": np.array([0.0, 0.0, 1.0]),
    "-Z": np.array([0.0, 0.0, -1.0]),
    "+X": np.array([1.0, 0.0, 0.0]),
    "-X": np.array([-1.0, 0.0, 0.0]),
    "+Y": np.array([0.0, 1.0, 0.0]),
    "-Y": np.array([0.0, -1.0, 0.0]),
}
_HULL_POSES = 4
# Support rays per orientation; with more overhang faces than this, faces are sampled by projected area
# (the estimate's relative error is then about 1%).
_MAX_SUPPORT_RAYS = 20_000

# The footing a first layer needs: 5 mm2 (a 2.2 mm square, a few lines of a 0.45 mm extrusion: a pin's end
# prints) and 2 mm across (four lines: a narrower strip is a line contact, on which a part rolls or peels
# off). The two real uploads the old rule stood on an edge touched the bed with 0 and 2.3 mm2, 0.2 and
# 0.3 mm wide.
MIN_FOOTING_MM2 = 5.0
MIN_FOOTING_WIDTH_MM = 2.0

# ``fdm_seconds``: a filament print's time, from PrusaSlicer 2.5's defaults (0.2 mm layers, 0.45 mm lines of
# 0.081 mm2 section, 2 perimeters at 30 and 60 mm/s, 3 top and 3 bottom solid layers at 20 mm/s, support
# lines 2.5 mm apart at 60 mm/s). Checked against PrusaSlicer on boxes in both poses: a 100 x 100 x 5 mm
# plate 8450 s flat (slicer 8543 s) and 8640 s on its edge (9271 s); a 10 x 10 x 100 mm bar 4078 s upright
# (3427 s) and 1630 s lying (1668 s).
LAYER_HEIGHT_MM = 0.2
# Per layer: the layer change and the travel between features (about 1.3 s), and a small layer is slowed
# to last at least 5 s so it can cool; on the slicer's own estimates of boxes a layer costs 5 to 7 s
# besides what the areas below draw.
SECONDS_PER_LAYER = 6.0
# Per mm2 of side area (contour length x height): 2 perimeters x 0.41 mm line spacing = 0.81 mm3 of
# perimeter, half external at 30 mm/s and half at 60 mm/s (0.31 s/mm3), x 1.05 for acceleration at corners.
SECONDS_PER_SIDE_MM2 = 0.25
# Per mm2 of up- or down-facing area: 3 solid layers x 0.2 mm = 0.6 mm3 of solid infill at 20 mm/s
# (0.61 s/mm3), x 1.05; the slicer's flat plate says 0.39.
SECONDS_PER_FLAT_MM2 = 0.39
# Per mm3 of the support estimate: about 12 % of it is extruded (sparse lines plus interface layers; the
# time model's fitted share), at 60 mm/s (0.2 s/mm3).
SECONDS_PER_SUPPORT_MM3 = 0.025
TIE_SHARE = 0.05


@dataclass(frozen=True, eq=False)
class Pose:
    label: str
    up: np.ndarray
    overhang_area_mm2: float
    support_volume_mm3: float
    height_mm: float
    up_area_mm2: float = 0.0
    down_area_mm2: float = 0.0
    side_area_mm2: float = 0.0
    footing_area_mm2: float = 0.0  # faces resting on the bed, projected on it
    footing_width_mm: float = 0.0  # the footing's extent across its principal axis

    @property
    def rotation(self) -> np.ndarray:
        return rotation_to_z(self.up)

    @property
    def usable(self) -> bool:
        """The first layer stands on an area, not on a point or a line."""
        return self.footing_area_mm2 >= MIN_FOOTING_MM2 and self.footing_width_mm >= MIN_FOOTING_WIDTH_MM

    def description(self) -> str:
        if self.label == "+Z":
            return "as modelled: +Z up"
        if self.label == "-Z":
            return "upside down: -Z up"
        if self.label in _AXES:
            return f"lay it on its side: {self.label} up"
        return f"rest it on a flat face: up is ({self.up[0]:.2f}, {self.up[1]:.2f}, {self.up[2]:.2f})"


PoseCost = Callable[[Pose], float]


def fdm_seconds(pose: Pose) -> float:
    """About how long a filament printer works on the part in ``pose`` (see the constants above)."""
    layers = max(1.0, np.ceil(pose.height_mm / LAYER_HEIGHT_MM - 1e-9))
    return (
        layers * SECONDS_PER_LAYER
        + pose.side_area_mm2 * SECONDS_PER_SIDE_MM2
        + (pose.up_area_mm2 + pose.down_area_mm2) * SECONDS_PER_FLAT_MM2
        + pose.support_volume_mm3 * SECONDS_PER_SUPPORT_MM3
    )


def least_support(pose: Pose) -> float:
    """The support estimate alone (ties then go to the lower part)."""
    return pose.support_volume_mm3


def lowest(pose: Pose) -> float:
    """The height alone (powder: no support, and the build's time follows its layers)."""
    return pose.height_mm


def rotation_to_z(up: np.ndarray) -> np.ndarray:
    """The rotation matrix that turns ``up`` into +Z (exact for the axis directions)."""
    up = np.asarray(up, dtype=np.float64)
    up = up / np.linalg.norm(up)
    z_axis = np.array([0.0, 0.0, 1.0])
    cosine = float(up @ z_axis)
    if cosine > 1 - 1e-12:
        return np.eye(3)
    if cosine < -1 + 1e-12:
        return np.diag([1.0, -1.0, -1.0])
    axis = np.cross(up, z_axis)
    sine = np.linalg.norm(axis)
    axis /= sine
    skew = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    rotation = np.eye(3) + sine * skew + (1 - cosine) * (skew @ skew)
    return np.where(np.abs(rotation) < 1e-12, 0.0, rotation)


def candidate_ups(hull: Hull | None, *, consider_hull_faces: bool) -> list[tuple[str, np.ndarray]]:
    candidates = list(_AXES.items())
    if hull is None or not consider_hull_faces:
        return candidates
    rounded = np.round(hull.normals, 3)
    _unique, first, inverse = np.unique(rounded, axis=0, return_index=True, return_inverse=True)
    grouped_area = np.bincount(inverse.reshape(-1), weights=hull.areas)
    added = 0
    for index in np.argsort(-grouped_area):
        up = -hull.normals[first[index]]
        if any(abs(float(up @ existing)) > 0.999 and float(up @ existing) > 0 for _label, existing in candidates):
            continue
        candidates.append((f"face {added + 1}", up / np.linalg.norm(up)))
        added += 1
        if added == _HULL_POSES:
            break
    return candidates


def evaluate_pose(surface: Surface, *, label: str, up: np.ndarray, options: OrientationOptions) -> Pose:
    heights = surface.vertices @ up
    bottom = float(heights.min())
    height = float(heights.max() - bottom)
    cosines = surface.along(surface.normals_by_axis, up)
    areas = surface.areas
    centroid_heights = surface.along(surface.centroids_by_axis, up) - bottom
    bed_tolerance = max(0.05, surface.size * 1e-4)
    measured = {
        "up_area_mm2": float((areas * np.clip(cosines, 0.0, None)).sum()),
        "down_area_mm2": float((areas * np.clip(-cosines, 0.0, None)).sum()),
        "side_area_mm2": float((areas * np.sqrt(np.clip(1.0 - cosines * cosines, 0.0, None))).sum()),
        **_footing(surface, heights - bottom, cosines, up, bed_tolerance),
    }
    limit = -np.cos(np.radians(options.overhang_angle_degrees))
    overhang_faces = np.flatnonzero((cosines < limit) & (centroid_heights > bed_tolerance))
    overhang_area = float(areas[overhang_faces].sum())
    projected = areas[overhang_faces] * -cosines[overhang_faces]
    total_projected = float(projected.sum())
    if total_projected <= 0:
        return Pose(label, up, overhang_area, 0.0, height, **measured)
    if len(overhang_faces) > _MAX_SUPPORT_RAYS:
        # Many small faces: estimate the sum with rays from faces drawn by projected area (unbiased).
        generator = np.random.default_rng(0)
        cumulative = np.cumsum(projected)
        picked = np.searchsorted(cumulative, generator.random(_MAX_SUPPORT_RAYS) * cumulative[-1], side="right")
        rays = overhang_faces[np.minimum(picked, len(overhang_faces) - 1)]
        weights = np.full(len(rays), total_projected / len(rays))
    else:
        rays, weights = overhang_faces, projected
    down = np.broadcast_to(-up, (len(rays), 3))
    offset = surface.size * 1e-6
    origins = surface.centroids_by_axis[:, rays].T + down * offset
    distance, _hit = surface.ray_scene.first_hits(origins, down)
    column = np.minimum(distance + offset, centroid_heights[rays])
    support = float((weights * column).sum())
    return Pose(label, up, overhang_area, support, height, **measured)


def _footing(
    surface: Surface, corner_heights: np.ndarray, cosines: np.ndarray, up: np.ndarray, tolerance: float
) -> dict:
    """Area (projected on the bed) and narrow width of the faces whose three corners touch the bed."""
    resting = np.flatnonzero((corner_heights[surface.faces] <= tolerance).all(axis=1) & (cosines < 0))
    if len(resting) == 0:
        return {"footing_area_mm2": 0.0, "footing_width_mm": 0.0}
    area = float((surface.areas[resting] * -cosines[resting]).sum())
    corners = surface.vertices[np.unique(surface.faces[resting])]
    # Two directions across ``up``, then the footing's corners' extent across their principal axis.
    across = np.linalg.svd(up.reshape(1, 3))[2][1:]
    flat = corners @ across.T
    flat = flat - flat.mean(axis=0)
    if len(flat) < 3:
        return {"footing_area_mm2": area, "footing_width_mm": 0.0}
    _values, vectors = np.linalg.eigh(flat.T @ flat)
    minor = flat @ vectors[:, 0]
    return {"footing_area_mm2": area, "footing_width_mm": float(minor.max() - minor.min())}


def choose(poses: list[Pose], cost: PoseCost = fdm_seconds) -> Pose:
    """The cheapest usable pose (see the module's docstring); ``poses[0]`` is the as-modelled one."""
    usable = [pose for pose in poses if pose.usable]
    if not usable:
        largest = max(pose.footing_area_mm2 for pose in poses)
        usable = [pose for pose in poses if pose.footing_area_mm2 >= largest / 2]
    costs = {id(pose): float(cost(pose)) for pose in usable}
    cheapest = min(costs.values())
    ties = [pose for pose in usable if costs[id(pose)] <= cheapest + abs(cheapest) * TIE_SHARE + 1e-9]
    return min(ties, key=lambda pose: (round(pose.height_mm, 6), pose is not poses[0], costs[id(pose)]))


def evaluate_poses(surface: Surface, hull: Hull | None, *, options: OrientationOptions) -> list[Pose]:
    """Every candidate measured, the as-modelled (+Z up) first."""
    return [
        evaluate_pose(surface, label=label, up=up, options=options)
        for label, up in candidate_ups(hull, consider_hull_faces=options.consider_hull_faces)
    ]


def best_pose(
    surface: Surface, hull: Hull | None, *, options: OrientationOptions, cost: PoseCost = fdm_seconds
) -> tuple[Pose, list[Pose]]:
    poses = evaluate_poses(surface, hull, options=options)
    return choose(poses, cost), poses
