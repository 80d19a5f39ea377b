"""What a layer-by-layer process sees of a part standing with ``up`` vertical: facing areas and contours.

Two measures that estimates of filament (FDM) printing need and that volume and area alone do not give:

- ``facing_areas``: the surface split by where it faces. ``up`` and ``down`` are the areas projected on the
  bed of the faces pointing up and down (what top and bottom solid layers cover), ``side`` is the sum of
  face area x the horizontal part of its normal: the layers cut a face of area A whose normal is
  horizontal by a share s in lines of total length L with L x (height between layers) = A x s, so ``side``
  is the integral of the cross-section's contour length over the height, and ``side / layer height`` is
  the length of one perimeter loop summed over all layers.
- ``layer_contours``: the mesh cut by horizontal planes at evenly spaced heights. Each cut is a set of
  closed loops (outer walls and holes); the loops' lengths say how much of the walls are small loops
  (holes, pins, thin struts) that printers draw slowly, and how many separate loops a layer has (each
  costs a travel move and a retraction).
"""

from dataclasses import dataclass

import numpy as np

from .surface import Surface

# PrusaSlicer draws perimeter loops up to 2 pi x 6.5 mm long at its "small perimeter" speed (holes and
# thin pins); the same limit sorts our loops into short and long.
SHORT_LOOP_MM = 2 * np.pi * 6.5
# An island (outer loop) of at most 100 mm2 (a 10 mm square) keeps at most about 70 mm2 inside two 0.4 mm
# perimeters: the size below which PrusaSlicer fills solid rather than sparse (``solid_infill_below_area``).
SMALL_ISLAND_MM2 = 100.0
CONTOUR_LEVELS = 24


@dataclass(frozen=True)
class FacingAreas:
    up_mm2: float
    down_mm2: float
    side_mm2: float


@dataclass(frozen=True)
class LayerContours:
    levels: int  # heights cut (planes that met the part)
    mean_length_mm: float  # contour length of one cut, averaged over the cuts
    mean_loops: float  # closed loops in one cut, averaged
    short_loop_share: float  # share of the contour length in loops up to ``short_loop_mm``
    short_loop_mm: float
    mean_area_mm2: float  # cross-section area of one cut (outer loops minus holes), averaged
    small_island_share: float  # share of the outer loops' area in islands up to ``small_island_mm2``
    small_island_mm2: float


def facing_areas(surface: Surface, up: np.ndarray) -> FacingAreas:
    up = np.asarray(up, dtype=np.float64) / np.linalg.norm(up)
    cosines = surface.along(surface.normals_by_axis, up)
    areas = surface.areas
    return FacingAreas(
        up_mm2=float((areas * np.clip(cosines, 0.0, None)).sum()),
        down_mm2=float((areas * np.clip(-cosines, 0.0, None)).sum()),
        side_mm2=float((areas * np.sqrt(np.clip(1.0 - cosines * cosines, 0.0, None))).sum()),
    )


def layer_contours(
    surface: Surface,
    up: np.ndarray,
    *,
    levels: int = CONTOUR_LEVELS,
    short_loop_mm: float = SHORT_LOOP_MM,
    small_island_mm2: float = SMALL_ISLAND_MM2,
) -> LayerContours:
    """Cut at ``levels`` heights (the middles of equal slices of the height) and measure the loops."""
    up = np.asarray(up, dtype=np.float64) / np.linalg.norm(up)
    faces = surface.faces
    heights = surface.vertices @ up
    empty = LayerContours(0, 0.0, 0.0, 0.0, short_loop_mm, 0.0, 0.0, small_island_mm2)
    if len(faces) == 0:
        return empty
    bottom, top = float(heights.min()), float(heights.max())
    cuts = bottom + (np.arange(levels) + 0.5) * (top - bottom) / levels
    # The cuts rise, so "lowest corner < cut k <= highest corner" reads: k is at least the number of cuts
    # at or below the lowest corner and less than the number at or below the highest. Those numbers are
    # counted once per vertex (a small integer), so faces are sorted into cuts without float tests, and
    # only the faces that meet some cut (few: most lie between two cuts) are looked at per cut.
    below = np.searchsorted(cuts, heights, side="right").astype(np.int16)
    corners = np.ascontiguousarray(faces.T)
    first = np.take(below, corners[0])
    last = first.copy()
    for corner in (1, 2):
        corner_below = np.take(below, corners[corner])
        np.minimum(first, corner_below, out=first)
        np.maximum(last, corner_below, out=last)
    del corners
    candidates = np.flatnonzero(first != last)
    first, last = first[candidates], last[candidates]
    lengths, loop_counts, areas, short, outer, small = [], [], [], 0.0, 0.0, 0.0
    per_cut = [candidates[(first <= cut) & (last > cut)] for cut in range(levels)]
    for loop_lengths, loop_areas in _loops_per_cut(surface, up, heights, per_cut, cuts):
        lengths.append(float(loop_lengths.sum()))
        areas.append(float(loop_areas.sum()))
        islands = loop_areas[loop_areas > 0]
        outer += float(islands.sum())
        small += float(islands[islands <= small_island_mm2].sum())
        loop_counts.append(len(loop_lengths))
        short += float(loop_lengths[loop_lengths <= short_loop_mm].sum())
    if not lengths:
        return empty
    total = sum(lengths)
    return LayerContours(
        levels=len(lengths),
        mean_length_mm=total / len(lengths),
        mean_loops=float(np.mean(loop_counts)),
        short_loop_share=short / total if total > 0 else 0.0,
        short_loop_mm=short_loop_mm,
        mean_area_mm2=float(np.mean(areas)),
        small_island_share=small / outer if outer > 0 else 0.0,
        small_island_mm2=small_island_mm2,
    )


def _loops_per_cut(
    surface: Surface, up: np.ndarray, heights: np.ndarray, per_cut: list[np.ndarray], cuts: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per cut that meets the part: length and signed enclosed area (outer loops positive, holes negative)
    of each connected chain of cut segments of its crossing faces (``per_cut[k]``, ascending).

    Each segment is turned so that its face's outward normal lies on its right (seen from above): then an
    outer loop runs counter-clockwise and a hole clockwise, and the shoelace sum over a loop's segments is
    its signed area whatever order the segments come in.

    Every cut is done in one pass (a few dozen array steps over all crossing faces rather than per cut);
    each cut's nodes are numbered on their own and then shifted past the previous cuts', so a cut's loops,
    their labels and the order their segments are summed in are those of cutting it alone.
    """
    met = [(cut, crossing) for cut, crossing in enumerate(per_cut) if len(crossing)]
    if not met:
        return []
    sizes = [len(crossing) for _cut, crossing in met]
    crossing = np.concatenate([crossing for _cut, crossing in met])
    level = np.repeat(cuts[[cut for cut, _crossing in met]], sizes)
    vertices, faces = surface.vertices, surface.faces[crossing]
    above = heights[faces] >= level[:, None]
    ends = []  # per face, its two crossed edges as (vertex a, vertex b)
    for corner in range(3):
        a, b = faces[:, corner], faces[:, (corner + 1) % 3]
        ends.append((a, b, above[:, corner] != above[:, (corner + 1) % 3]))
    # Every crossing triangle has exactly two edges with a sign change, the two at the corner on its own
    # side: taken in corner order, the first is edge 0 unless only edges 1 and 2 changed, the second is
    # edge 2 unless only edges 0 and 1 did.
    (a0, b0, changed0), (a1, b1, _changed1), (a2, b2, changed2) = ends
    edge_a = np.stack([np.where(changed0, a0, a1), np.where(changed2, a2, a1)], axis=1)
    edge_b = np.stack([np.where(changed0, b0, b1), np.where(changed2, b2, b1)], axis=1)
    low, high = np.minimum(edge_a, edge_b), np.maximum(edge_a, edge_b)
    height_low, height_high = heights[low], heights[high]
    fraction = (level[:, None] - height_low) / np.where(height_high != height_low, height_high - height_low, 1.0)
    points = vertices[low] + (vertices[high] - vertices[low]) * fraction[..., None]
    direction = points[:, 1] - points[:, 0]
    segment_lengths = np.linalg.norm(direction, axis=1)
    normals = surface.normals_of(crossing)
    backwards = np.einsum("ij,ij->i", np.cross(direction, up), normals) < 0
    start = np.where(backwards[:, None], points[:, 1], points[:, 0])
    end = np.where(backwards[:, None], points[:, 0], points[:, 1])
    products = np.cross(start, end)
    bounds = np.cumsum([0, *sizes])
    keys = low.astype(np.int64) * (len(vertices) + 1) + high
    nodes = np.empty(keys.shape, dtype=np.int64)
    twice_area = np.empty(len(crossing))
    node_offsets = []
    offset = 0
    for begin, stop in zip(bounds[:-1], bounds[1:], strict=True):
        # The matrix product per cut, on its own fresh rows, exactly as when each cut was done alone.
        twice_area[begin:stop] = products[begin:stop].copy() @ up
        _unique, local = np.unique(keys[begin:stop].reshape(-1), return_inverse=True)
        nodes[begin:stop] = local.reshape(-1, 2) + offset
        node_offsets.append(offset)
        offset += int(local.max()) + 1
    loop = _components(nodes, offset)[nodes[:, 0]]
    all_lengths = np.bincount(loop, weights=segment_lengths)
    all_areas = np.bincount(loop, weights=twice_area) / 2.0
    results = []
    for begin, stop, node_offset in zip(bounds[:-1], bounds[1:], node_offsets, strict=True):
        # Labels are each loop's smallest node, so a cut alone counted up to its largest label.
        count = int(loop[begin:stop].max()) + 1
        results.append((all_lengths[node_offset:count], all_areas[node_offset:count]))
    return results


def _components(edges: np.ndarray, count: int) -> np.ndarray:
    """Connected-component label (its smallest node) of each node: hook roots to the smaller root across
    each edge, then jump pointers to the roots, until nothing changes (numpy only: the core report imports
    no scipy)."""
    labels = np.arange(count)
    while True:
        first, second = labels[edges[:, 0]], labels[edges[:, 1]]
        lower = np.minimum(first, second)
        hooked = labels.copy()
        np.minimum.at(hooked, first, lower)
        np.minimum.at(hooked, second, lower)
        while not np.array_equal(jumped := hooked[hooked], hooked):
            hooked = jumped
        if np.array_equal(hooked, labels):
            return labels
        labels = hooked
