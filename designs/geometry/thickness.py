"""Wall thickness by ray casting from sampled surface points straight into the material.

Points are sampled deterministically (seeded) with probability proportional to face area, so every
square millimetre of surface has the same chance. From each point a ray goes inward (against the outward
normal); the local thickness is the distance to the first surface it leaves the material through (a
hit whose normal points along the ray). Hits on surfaces facing the ray mean the start point was not
inside material (self-intersections, open meshes) and are ignored.

Each measurement also keeps the angle between the start surface and the surface the ray left through
(``taper_degrees``: 0 where the two are parallel, as on both sides of a wall; the wedge angle at a sharp
edge or tip). Thickness grows with distance from an edge by about ``2 tan(angle / 2)`` per millimetre, so
that angle tells a wall (two sides that stay the same distance apart) from an edge or a tip; ``walls``
groups the thin samples into regions with that.

``robust_minimum_mm`` is the ``percentile`` (default 1st) of all measured thicknesses, edges and tips
included; the report's wall figures come from ``walls``. The absolute thinnest sample is kept separately.
"""

from dataclasses import dataclass, field

import numpy as np

from .options import ThicknessOptions
from .surface import Surface

# A ray passes through at most this many faces of other bodies before it is given up.
_MAX_FOREIGN_CROSSINGS = 8


@dataclass(frozen=True, eq=False)
class ThicknessResult:
    samples: int
    thicknesses: np.ndarray
    percentile: float
    # The surface point each thickness was measured from (same order), for showing thin places.
    points: np.ndarray = field(default_factory=lambda: np.zeros((0, 3)))
    # Angle (degrees) between the start surface and the one the ray left through (same order).
    taper_degrees: np.ndarray = field(default_factory=lambda: np.zeros(0))
    # Surface area each sample stands for (total area / samples drawn), for turning counts into areas.
    sample_area_mm2: float = 0.0

    @property
    def measured(self) -> int:
        return len(self.thicknesses)

    @property
    def robust_minimum_mm(self) -> float | None:
        if self.measured < 10:
            return None
        return float(np.percentile(self.thicknesses, self.percentile))

    @property
    def thinnest_mm(self) -> float | None:
        return float(self.thicknesses.min()) if self.measured else None

    @property
    def median_mm(self) -> float | None:
        return float(np.median(self.thicknesses)) if self.measured else None

    def fraction_below(self, limit_mm: float) -> float:
        if not self.measured:
            return 0.0
        return float(np.count_nonzero(self.thicknesses < limit_mm)) / self.measured


def sample_surface(surface: Surface, *, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Area-weighted random points and the face each lies on (same result for the same seed)."""
    generator = np.random.default_rng(seed)
    cumulative = np.cumsum(surface.areas)
    total = cumulative[-1] if len(cumulative) else 0.0
    if total <= 0:
        return np.zeros((0, 3)), np.zeros(0, dtype=np.int64)
    chosen = np.searchsorted(cumulative, generator.random(count) * total, side="right")
    chosen = np.minimum(chosen, len(cumulative) - 1)
    first, second = generator.random(count), generator.random(count)
    root = np.sqrt(first)
    weights = np.stack([1 - root, root * (1 - second), root * second], axis=1)
    corners = surface.vertices[surface.faces[chosen]]
    points = np.einsum("ij,ijk->ik", weights, corners)
    return points, chosen


def measure_thickness(
    surface: Surface, *, face_shells: np.ndarray | None = None, options: ThicknessOptions = ThicknessOptions()
) -> ThicknessResult:
    """Sample, cast and measure. With ``face_shells`` (body of each face, -1 for the surfaces of cavities)
    a ray only ends on the surface of its own body or of a cavity: where bodies overlap (assemblies, pins
    pushed into holes) it passes through the other body's faces, so overlaps do not read as paper-thin
    walls. A ray from a cavity's surface ends on any surface (the body around the cavity)."""
    points, faces = sample_surface(surface, count=options.samples, seed=options.seed)
    if len(points) == 0:
        return ThicknessResult(samples=0, thicknesses=np.zeros(0), percentile=options.percentile)
    offset = surface.size * 1e-6
    directions = -surface.normals_of(faces)
    travelled = np.zeros(len(points))
    thicknesses = np.full(len(points), np.nan)
    exit_faces = np.full(len(points), -1, dtype=np.int64)
    pending = np.arange(len(points))
    origins = points + directions * offset
    for _crossing in range(_MAX_FOREIGN_CROSSINGS + 1):
        distance, hit = surface.ray_scene.first_hits(origins[pending], directions[pending])
        found = hit >= 0
        ours = found.copy()
        if face_shells is not None:
            hit_shell = face_shells[hit[found]]
            start_shell = face_shells[faces[pending[found]]]
            ours[found] = (hit_shell == start_shell) | (hit_shell < 0) | (start_shell < 0)
        leaving = np.zeros(len(hit), dtype=bool)
        leaving[ours] = np.einsum("ij,ij->i", surface.normals_of(hit[ours]), directions[pending[ours]]) > 0
        done = pending[leaving]
        thicknesses[done] = travelled[done] + distance[leaving] + offset
        exit_faces[done] = hit[leaving]
        foreign = found & ~ours
        pending = pending[foreign]
        if len(pending) == 0:
            break
        step = distance[foreign] + offset
        travelled[pending] += step
        origins[pending] = origins[pending] + directions[pending] * step[:, None]
    finite = np.isfinite(thicknesses)
    # The exit normal points along the ray; against the start normal it is the outward normal of the far side.
    facing = np.einsum("ij,ij->i", surface.normals_of(exit_faces[finite]), -directions[finite])
    return ThicknessResult(
        samples=len(points),
        thicknesses=thicknesses[finite],
        percentile=options.percentile,
        points=points[finite],
        taper_degrees=np.degrees(np.arccos(np.clip(-facing, -1.0, 1.0))),
        sample_area_mm2=float(surface.areas.sum()) / len(points),
    )
