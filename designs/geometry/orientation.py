"""Overhangs, support volume and the orientation that needs the least support.

Candidates: the six axis directions as "up", plus resting the part on each of its largest flat hull
faces (the stable poses a person would try). For each, faces pointing down more steeply than the
overhang angle (default 45 degrees from vertical) are overhangs, except those lying on the bed. Support
under an overhang face is a column from the face down to whatever is below it (the bed, or the part
itself: one downward ray per face finds it), so the estimate is area projected on the bed times that
height. The orientation with the least support wins; ties go to the lower part, then to the as-modelled
orientation.
"""

from dataclasses import dataclass

import numpy as np

from .bounding import Hull
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


@dataclass(frozen=True)
class OrientationOptions:
    overhang_angle_degrees: float = 45.0
    consider_hull_faces: bool = True


@dataclass(frozen=True, eq=False)
class Pose:
    label: str
    up: np.ndarray
    overhang_area_mm2: float
    support_volume_mm3: float
    height_mm: float

    @property
    def rotation(self) -> np.ndarray:
        return rotation_to_z(self.up)

    def description(self) -> str:
        if self.label == "+Z":
            return "as modelled: +Z up"
        if self.label == "-Z":
            return "upside down: -Z up"
        if self.label in _AXES:
            return f"lay it on its side: {self.label} up"
        return f"rest it on a flat face: up is ({self.up[0]:.2f}, {self.up[1]:.2f}, {self.up[2]:.2f})"


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
    centroid_heights = surface.along(surface.centroids_by_axis, up) - bottom
    bed_tolerance = max(0.05, surface.size * 1e-4)
    limit = -np.cos(np.radians(options.overhang_angle_degrees))
    overhang_faces = np.flatnonzero((cosines < limit) & (centroid_heights > bed_tolerance))
    overhang_area = float(surface.areas[overhang_faces].sum())
    projected = surface.areas[overhang_faces] * -cosines[overhang_faces]
    total_projected = float(projected.sum())
    if total_projected <= 0:
        return Pose(label=label, up=up, overhang_area_mm2=overhang_area, support_volume_mm3=0.0, height_mm=height)
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
    return Pose(label=label, up=up, overhang_area_mm2=overhang_area, support_volume_mm3=support, height_mm=height)


def best_pose(surface: Surface, hull: Hull | None, *, options: OrientationOptions) -> tuple[Pose, list[Pose]]:
    poses = [
        evaluate_pose(surface, label=label, up=up, options=options)
        for label, up in candidate_ups(hull, consider_hull_faces=options.consider_hull_faces)
    ]
    as_modelled = poses[0]
    tolerance = max(as_modelled.support_volume_mm3 * 0.01, 1e-9)

    def preference(pose: Pose) -> tuple:
        return (round(pose.support_volume_mm3 / tolerance), pose.height_mm, pose.label != "+Z")

    return min(poses, key=preference), poses
