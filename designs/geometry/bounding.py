"""Boxes around a part: the convex hull, and a small oriented bounding box for build-volume checks.

The oriented box is searched the classic way (O'Rourke's observation that a minimal box has a face
flush with a hull face): for the hull-face normals with the largest areas, the hull is projected onto the
plane and the minimum-area rectangle is found by trying every edge direction of the projected outline.
The axis-aligned box is always a candidate, so the answer is never worse than it.
"""

from dataclasses import dataclass

import numpy as np

from .arrays import extents

_MAX_NORMALS = 60


@dataclass(frozen=True, eq=False)
class Hull:
    points: np.ndarray
    normals: np.ndarray
    areas: np.ndarray


def convex_hull(vertices: np.ndarray) -> Hull | None:
    """The hull's points and facets, or None for flat or degenerate input."""
    from scipy.spatial import ConvexHull, QhullError

    if len(vertices) < 4:
        return None
    try:
        hull = ConvexHull(vertices)
    except (QhullError, ValueError):
        return None
    points = vertices[hull.vertices]
    corners = vertices[hull.simplices]
    cross = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    areas = np.linalg.norm(cross, axis=1) / 2
    normals = hull.equations[:, :3]
    return Hull(points=points, normals=normals, areas=areas)


@dataclass(frozen=True)
class OrientedBox:
    extents: tuple[float, float, float]
    axes: np.ndarray

    @property
    def sorted_extents(self) -> list[float]:
        """Largest first, as compared with sorted build volumes."""
        return sorted(self.extents, reverse=True)


def _min_area_rectangle(flat: np.ndarray) -> tuple[float, float, float, float]:
    """(area, width, height, angle) of the smallest rectangle around 2-D points."""
    from scipy.spatial import ConvexHull, QhullError

    try:
        outline = flat[ConvexHull(flat).vertices]
    except (QhullError, ValueError):
        outline = flat
    edges = np.roll(outline, -1, axis=0) - outline
    angles = np.unique(np.mod(np.arctan2(edges[:, 1], edges[:, 0]), np.pi / 2))
    cosines, sines = np.cos(angles), np.sin(angles)
    along = outline @ np.stack([cosines, sines])
    across = outline @ np.stack([-sines, cosines])
    widths = np.ptp(along, axis=0)
    heights = np.ptp(across, axis=0)
    best = int(np.argmin(widths * heights))
    return float(widths[best] * heights[best]), float(widths[best]), float(heights[best]), float(angles[best])


def oriented_box(vertices: np.ndarray, hull: Hull | None) -> OrientedBox:
    aligned = extents(vertices)
    best = OrientedBox(extents=tuple(float(value) for value in aligned), axes=np.eye(3))
    best_volume = float(np.prod(aligned))
    if hull is None:
        return best
    normals = hull.normals
    rounded = np.round(normals, 4)
    _unique, first, inverse = np.unique(rounded, axis=0, return_index=True, return_inverse=True)
    grouped_area = np.bincount(inverse.reshape(-1), weights=hull.areas)
    candidates = normals[first][np.argsort(-grouped_area)[:_MAX_NORMALS]]
    for normal in candidates:
        helper = np.zeros(3)
        helper[np.argmin(np.abs(normal))] = 1.0
        axis_one = np.cross(normal, helper)
        axis_one /= np.linalg.norm(axis_one)
        axis_two = np.cross(normal, axis_one)
        depth = float(np.ptp(hull.points @ normal))
        flat = np.stack([hull.points @ axis_one, hull.points @ axis_two], axis=1)
        area, width, height, angle = _min_area_rectangle(flat)
        volume = area * depth
        if volume < best_volume * (1 - 1e-9):
            best_volume = volume
            first_axis = np.cos(angle) * axis_one + np.sin(angle) * axis_two
            second_axis = np.cross(normal, first_axis)
            best = OrientedBox(extents=(width, height, depth), axes=np.stack([first_axis, second_axis, normal]))
    return best


def principal_box(vertices: np.ndarray, *, aligned: np.ndarray | None = None) -> OrientedBox:
    """A box along the part's principal axes, or the axis-aligned one when that is smaller.

    No hull is needed, so it is cheap (the core report uses it); ``oriented_box`` searches hull faces
    and is never worse. ``aligned`` are the axis-aligned extents when the caller has them already.
    """
    aligned = extents(vertices) if aligned is None else aligned
    best = OrientedBox(extents=tuple(float(value) for value in aligned), axes=np.eye(3))
    if len(vertices) < 4:
        return best
    # One row per axis: reductions and products over contiguous rows are several times faster than over
    # the columns of (n, 3) points.
    by_axis = np.ascontiguousarray(vertices.T)
    # Every vertex counts equally; a regular subsample is plenty for the axes of millions of points.
    sample = by_axis[:, :: max(1, len(vertices) // 200_000)]
    centred = sample - sample.mean(axis=1, keepdims=True)
    # einsum and plain products rather than ``@``: these tiny-by-huge products would wake OpenBLAS's
    # worker threads, which then spin on the other core for a while, for no gain.
    _values, vectors = np.linalg.eigh(np.einsum("ik,jk->ij", centred, centred))
    axes = vectors.T
    along = [axis[0] * by_axis[0] + axis[1] * by_axis[1] + axis[2] * by_axis[2] for axis in axes]
    principal = tuple(float(values.max() - values.min()) for values in along)
    if np.prod(principal) < np.prod(aligned) * (1 - 1e-9):
        best = OrientedBox(extents=principal, axes=axes)
    return best


def fits_in(extents: list[float], build_volume: tuple[float, float, float]) -> bool:
    """Whether a box fits a build volume in some axis-aligned placement (sorted dimensions compare)."""
    return all(
        part <= space + 1e-9
        for part, space in zip(sorted(extents, reverse=True), sorted(build_volume, reverse=True), strict=True)
    )
