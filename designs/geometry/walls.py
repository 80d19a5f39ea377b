"""Thin walls as regions with an area, told apart from sharp edges and tips.

A thickness sample (see ``thickness``) is thin when it is below the survey's limit. A thin sample is on a
wall when the surface its ray left through is nearly parallel to the one it started from (taper at most
``max_taper_degrees``): there the two sides stay about the same distance apart. At a sharp edge, a tooth
tip, a chamfer's edge or the tip of a cone or pyramid the sides meet at an angle, the thickness grows by
about ``2 tan(angle / 2)`` per millimetre from the edge, and the thin part is a strip about
``limit / (2 tan(angle / 2))`` wide: such samples are ``edge`` samples, never a wall. With the default 10
degrees a wall keeps its thickness within a factor of two over at least 5.7 times that thickness.

Thin wall samples are grouped into regions: two are in the same region when they are closer than twice
the mean sample spacing plus the limit (so both sides of a wall join). A region is a wall only when it has
real area: at least ``min_region_samples`` samples, a surface area (both sides counted) of at least
``min_region_area_mm2`` and of ``region_area_per_thickness_squared`` times its thickness squared (a 0.3
mm wall must cover more than a 1.5 x 1.5 mm patch), and a span across its second principal direction of
at least ``min_span_thicknesses`` times its thickness (a pin or the slender tip of a spike has parallel
sides too, but is narrow all round). Smaller groups are small features, reported with the edges.

The sampling is seeded, so the same mesh gives the same regions; a wall smaller than about three samples'
worth of area (``sample_area_mm2``) can go unseen.
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .options import WallOptions
from .thickness import ThicknessResult


@dataclass(frozen=True, eq=False)
class ThinWall:
    """A region of thin wall: ``samples`` index the thickness result's arrays."""

    index: int
    samples: np.ndarray
    thickness_mm: float  # median of the region's samples
    thinnest_mm: float
    area_mm2: float  # surface area of the region, both sides of the wall counted
    center_mm: np.ndarray
    size_mm: np.ndarray  # extents of the region's sample points

    def as_dict(self) -> dict:
        return {
            "index": self.index,
            "kind": "wall",
            "thickness_mm": round(self.thickness_mm, 3),
            "thinnest_mm": round(self.thinnest_mm, 3),
            "area_mm2": round(self.area_mm2, 1),
            "center_mm": [round(float(value), 2) for value in self.center_mm],
            "size_mm": [round(float(value), 2) for value in self.size_mm],
            "samples": int(len(self.samples)),
        }


@dataclass(frozen=True, eq=False)
class WallFinding:
    """The part of a wall region thinner than some limit."""

    wall: ThinWall
    thickness_mm: float  # median of the samples below the limit
    area_mm2: float
    center_mm: np.ndarray


@dataclass(frozen=True, eq=False)
class WallSurvey:
    """Thin samples below ``limit_mm`` sorted into wall regions and edges (sharp edges, tips, small bits)."""

    thickness: ThicknessResult
    limit_mm: float
    options: WallOptions
    is_parallel: np.ndarray  # per sample: the far side is parallel enough for a wall
    walls: list[ThinWall]
    edge_samples: np.ndarray  # thin samples on no wall (edges, tips, small features)

    @property
    def sample_area_mm2(self) -> float:
        return self.thickness.sample_area_mm2

    @property
    def edge_area_mm2(self) -> float:
        return len(self.edge_samples) * self.sample_area_mm2

    def walls_below(self, limit_mm: float) -> list[WallFinding]:
        """The places on wall regions thinner than ``limit_mm`` with a real area, thinnest first. The samples
        below a lower limit are grouped again: one region at the survey's limit can hold several thinner spots."""
        values = self.thickness.thicknesses
        found = []
        for wall in self.walls:
            below = wall.samples[values[wall.samples] < limit_mm - self.options.tolerance_mm]
            if not _has_real_area(below, self.thickness, self.options):
                continue
            for spot in _groups(below, self.thickness, limit_mm):
                if _has_real_area(spot, self.thickness, self.options):
                    found.append(
                        WallFinding(
                            wall=wall,
                            thickness_mm=float(np.median(values[spot])),
                            area_mm2=len(spot) * self.sample_area_mm2,
                            center_mm=self.thickness.points[spot].mean(axis=0),
                        )
                    )
        return sorted(found, key=lambda finding: (finding.thickness_mm, finding.wall.index))

    @cached_property
    def min_wall_mm(self) -> float | None:
        """The thinnest wall: the thinnest region's thickness, or the ``percentile`` of the samples on walls
        (parallel sides, thin ones only in a region of real area); None with fewer than 10 such samples."""
        thin = self.thickness.thicknesses < self.limit_mm - self.options.tolerance_mm
        on_wall = self.is_parallel & ~thin
        for wall in self.walls:
            on_wall[wall.samples] = True
        candidates = []
        if np.count_nonzero(on_wall) >= 10:
            candidates.append(float(np.percentile(self.thickness.thicknesses[on_wall], self.options.percentile)))
        candidates.extend(wall.thickness_mm for wall in self.walls)
        return min(candidates) if candidates else None


def survey_walls(thickness: ThicknessResult, *, limit_mm: float, options: WallOptions = WallOptions()) -> WallSurvey:
    """Sort the thin samples of ``thickness`` into wall regions and edges."""
    values = thickness.thicknesses
    is_parallel = thickness.taper_degrees <= options.max_taper_degrees
    thin = np.flatnonzero(values < limit_mm - options.tolerance_mm)
    candidates = thin[is_parallel[thin]]
    walls: list[ThinWall] = []
    on_wall = np.zeros(len(values), dtype=bool)
    if len(candidates):
        # Thinnest first, so the first wall is the one a reason names.
        groups = _groups(candidates, thickness, limit_mm)
        groups.sort(key=lambda group: (float(np.median(values[group])), int(group[0])))
        for group in groups:
            if not _has_real_area(group, thickness, options):
                continue
            points = thickness.points[group]
            walls.append(
                ThinWall(
                    index=len(walls),
                    samples=group,
                    thickness_mm=float(np.median(values[group])),
                    thinnest_mm=float(values[group].min()),
                    area_mm2=len(group) * thickness.sample_area_mm2,
                    center_mm=points.mean(axis=0),
                    size_mm=points.max(axis=0) - points.min(axis=0),
                )
            )
            on_wall[group] = True
    edges = thin[~on_wall[thin]]
    return WallSurvey(thickness, limit_mm, options, is_parallel, walls, edges)


def _has_real_area(samples: np.ndarray, thickness: ThicknessResult, options: WallOptions) -> bool:
    """Enough samples, enough area for its thickness, and wide in two directions."""
    if len(samples) < options.min_region_samples:
        return False
    median = float(np.median(thickness.thicknesses[samples]))
    needed = max(options.min_region_area_mm2, options.region_area_per_thickness_squared * median**2)
    if len(samples) * thickness.sample_area_mm2 < needed:
        return False
    points = thickness.points[samples]
    centred = points - points.mean(axis=0)
    _values, _vectors, axes = np.linalg.svd(centred, full_matrices=False)
    spans = np.ptp(centred @ axes.T, axis=0)
    return float(spans[1]) >= options.min_span_thicknesses * median


def _groups(samples: np.ndarray, thickness: ThicknessResult, limit_mm: float) -> list[np.ndarray]:
    """``samples`` in groups closer than twice the mean sample spacing plus the limit (both sides of a wall
    are at most the limit apart, so they join)."""
    radius = 2.0 * np.sqrt(thickness.sample_area_mm2) + limit_mm
    labels = _proximity_groups(thickness.points[samples], radius=radius)
    return [samples[labels == label] for label in range(labels.max() + 1)]


def _proximity_groups(points: np.ndarray, *, radius: float) -> np.ndarray:
    """Connected groups of points closer than ``radius`` (labels 0..k-1, in order of first point)."""
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components
    from scipy.spatial import cKDTree

    pairs = cKDTree(points).query_pairs(radius, output_type="ndarray")
    graph = coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(points), len(points)))
    _count, labels = connected_components(graph, directed=False)
    # Relabel by first appearance so labels do not depend on scipy's traversal order.
    _unique, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    order = np.argsort(np.argsort(first))
    return order[inverse]
