"""Pack the parts of a small batch onto a maker's build plates, to count plates and fill ratio.

Layer-on-a-plate processes (FDM, SLA, metal powder-bed on a base plate) print every part standing on the
plate, so their footprints are packed as rectangles (turning a part 90 degrees about z is allowed, tipping
it over is not, because the print orientation was chosen for quality and supports). Powder processes (SLS,
MJF) hold parts anywhere in the powder cake, so their boxes are packed in 3D.

The packing itself is trimesh's binary-space-partition packer (``trimesh.path.packing.rectangles_single``,
which handles 2D rectangles and 3D boxes alike). trimesh packs one sheet; filling plate after plate is done
here: pack as many of the remaining copies as possible on a fresh plate, take them out, repeat. Each plate
tries a few insertion orders (the first sorted by size, the others shuffled by a fixed seed) and keeps the
one that places the most copies, so results are deterministic.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

LAYER_PROCESSES = frozenset({"fdm", "sla", "metal"})
POWDER_PROCESSES = frozenset({"sls", "mjf"})

DEFAULT_SPACING_MM: dict[str, float] = {
    # Room for the nozzle's travel moves and for removing parts with a scraper.
    "fdm": 5.0,
    # Resin needs room to drain between parts.
    "sla": 5.0,
    # Metal parts are cut off the base plate with a band saw or wire EDM.
    "metal": 8.0,
    # Powder between parts insulates them so they do not fuse together.
    "sls": 3.0,
    "mjf": 3.0,
}

# Floating-point slack for "fits exactly": 4 x 55 mm cells in a 220 mm plate must fit.
_FIT_TOLERANCE_MM = 1e-6


class PartDoesNotFitError(ValueError):
    """A part is larger than the build volume in every allowed orientation."""


@dataclass(frozen=True, kw_only=True)
class PartToPack:
    item_id: str | int
    extents_mm: tuple[float, float, float]  # x, y, z in print orientation
    quantity: int


@dataclass(frozen=True, kw_only=True)
class Placement:
    """One copy of an item on a plate; (x, y, z) is its lowest corner, ``size_mm`` its box as placed."""

    item_id: str | int
    copy: int  # 1-based copy number within the item
    x: float
    y: float
    z: float
    size_mm: tuple[float, float, float]
    rotated: bool


@dataclass(frozen=True, kw_only=True)
class Plate:
    placements: tuple[Placement, ...]
    used_area_mm2: float  # sum of the parts' footprints (spacing not counted)
    used_volume_mm3: float  # sum of the parts' boxes
    height_mm: float  # top of the tallest part: drives the layer count
    fill_ratio: float  # area ratio for plate processes, volume ratio for powder processes


@dataclass(frozen=True, kw_only=True)
class PackingResult:
    process: str
    build_volume_mm: tuple[float, float, float]
    spacing_mm: float
    plates: tuple[Plate, ...]
    plate_count: int
    fill_ratio: float  # everything packed over the capacity of all plates used


def pack_batch(
    *,
    parts: Sequence[PartToPack],
    build_volume_mm: tuple[float, float, float],
    process: str,
    spacing_mm: float | None = None,
    attempts_per_plate: int = 6,
    seed: int = 0,
) -> PackingResult:
    """Pack every copy of every part on as few plates (or powder builds) as the packer finds.

    ``spacing_mm`` is the gap kept between neighbouring parts (default per process, ``DEFAULT_SPACING_MM``).
    Parts may touch the edge of the build volume: it is already the printable area. A part that cannot fit
    raises ``PartDoesNotFitError`` naming the part and the sizes.
    """
    if process not in LAYER_PROCESSES and process not in POWDER_PROCESSES:
        raise ValueError(f"unknown process {process!r}")
    if len(build_volume_mm) != 3 or min(build_volume_mm) <= 0:
        raise ValueError(f"build volume {build_volume_mm} must be three positive sizes in mm")
    spacing = DEFAULT_SPACING_MM[process] if spacing_mm is None else float(spacing_mm)
    if spacing < 0:
        raise ValueError(f"spacing {spacing} mm is negative")
    if attempts_per_plate < 1:
        raise ValueError("at least one packing attempt per plate is needed")
    is_powder = process in POWDER_PROCESSES
    build = tuple(float(size) for size in build_volume_mm)

    copies: list[tuple[str | int, int, tuple[float, float, float]]] = []
    for part in parts:
        if part.quantity < 1:
            raise ValueError(f"part {part.item_id}: quantity {part.quantity} must be at least 1")
        extents = tuple(float(size) for size in part.extents_mm)
        if len(extents) != 3 or min(extents) <= 0:
            raise ValueError(f"part {part.item_id}: extents {part.extents_mm} must be three positive sizes")
        _check_fits_alone(item_id=part.item_id, extents=extents, build=build, is_powder=is_powder)
        copies.extend((part.item_id, copy, extents) for copy in range(1, part.quantity + 1))
    if not copies:
        raise ValueError("nothing to pack: the batch has no parts")

    dimension = 3 if is_powder else 2
    # Every copy reserves its size plus the spacing; the sheet grows by one spacing as well, which is the
    # same as keeping the gap only between parts and not along the edges.
    sheet = np.array(build[:dimension]) + spacing
    cells = np.array([extents[:dimension] for _, _, extents in copies]) + spacing
    generator = np.random.default_rng(seed)
    remaining = np.arange(len(copies))
    plates: list[Plate] = []
    while len(remaining):
        bounds, consumed = _pack_one_sheet(
            cells=cells[remaining], sheet=sheet, attempts=attempts_per_plate, generator=generator
        )
        placed = remaining[consumed]
        plates.append(
            _plate_from_bounds(
                copies=[copies[index] for index in placed],
                bounds=bounds,
                build=build,
                spacing=spacing,
                is_powder=is_powder,
            )
        )
        remaining = remaining[~consumed]

    used = sum(plate.used_volume_mm3 if is_powder else plate.used_area_mm2 for plate in plates)
    capacity = (build[0] * build[1] * build[2]) if is_powder else (build[0] * build[1])
    return PackingResult(
        process=process,
        build_volume_mm=build,
        spacing_mm=spacing,
        plates=tuple(plates),
        plate_count=len(plates),
        fill_ratio=used / (capacity * len(plates)),
    )


def _check_fits_alone(
    *, item_id: str | int, extents: tuple[float, ...], build: tuple[float, ...], is_powder: bool
) -> None:
    x, y, z = extents
    size_text = f"{_mm(x)} x {_mm(y)} x {_mm(z)} mm"
    build_text = f"{_mm(build[0])} x {_mm(build[1])} x {_mm(build[2])} mm"
    if is_powder:
        # trimesh turns boxes by cyclic rolls of the axes only, so test exactly those orientations.
        orientations = ((x, y, z), (z, x, y), (y, z, x))
        if not any(all(a <= b + _FIT_TOLERANCE_MM for a, b in zip(o, build, strict=True)) for o in orientations):
            raise PartDoesNotFitError(f"part {item_id} ({size_text}) does not fit the build volume {build_text}")
        return
    if z > build[2] + _FIT_TOLERANCE_MM:
        raise PartDoesNotFitError(
            f"part {item_id} is {_mm(z)} mm tall, more than the {_mm(build[2])} mm build height of {build_text}"
        )
    fits_as_is = x <= build[0] + _FIT_TOLERANCE_MM and y <= build[1] + _FIT_TOLERANCE_MM
    fits_turned = y <= build[0] + _FIT_TOLERANCE_MM and x <= build[1] + _FIT_TOLERANCE_MM
    if not (fits_as_is or fits_turned):
        raise PartDoesNotFitError(
            f"part {item_id} footprint {_mm(x)} x {_mm(y)} mm does not fit the "
            f"{_mm(build[0])} x {_mm(build[1])} mm build plate, even turned 90 degrees"
        )


def _pack_one_sheet(
    *, cells: np.ndarray, sheet: np.ndarray, attempts: int, generator: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Best of a few insertion orders on one empty sheet: most copies placed, then the tightest layout."""
    from trimesh.path.packing import rectangles_single

    # trimesh compares against the sheet with a 1e-12 slack; widen it so exact fits survive rounding.
    sheet = sheet + _FIT_TOLERANCE_MM
    best: tuple[int, float, np.ndarray, np.ndarray] | None = None
    for attempt in range(attempts):
        bounds, consumed = rectangles_single(cells, size=sheet, shuffle=attempt > 0, rotate=True, random=generator)
        count = int(consumed.sum())
        if count == 0:
            continue
        spread = float(np.prod(np.ptp(bounds.reshape((-1, cells.shape[1])), axis=0)))
        if best is None or count > best[0] or (count == best[0] and spread < best[1]):
            best = (count, spread, bounds, consumed)
        if count == len(cells):
            break
    if best is None:
        # Every copy was checked to fit alone, so an empty sheet always takes at least one.
        raise RuntimeError("packing placed nothing on an empty plate")
    return best[2], best[3]


def _plate_from_bounds(
    *,
    copies: list[tuple[str | int, int, tuple[float, float, float]]],
    bounds: np.ndarray,
    build: tuple[float, ...],
    spacing: float,
    is_powder: bool,
) -> Plate:
    placements = []
    used_area = 0.0
    used_volume = 0.0
    height = 0.0
    for (item_id, copy, extents), cell_bounds in zip(copies, bounds, strict=True):
        x, y, z = extents
        low = cell_bounds[0]
        placed_cell = cell_bounds[1] - cell_bounds[0]
        if is_powder:
            candidates = ((x, y, z), (z, x, y), (y, z, x))
            origin_z = float(low[2])
        else:
            candidates = ((x, y, z), (y, x, z))
            origin_z = 0.0
        sizes = _match_orientation(placed_cell=placed_cell, spacing=spacing, candidates=candidates)
        placements.append(
            Placement(
                item_id=item_id,
                copy=copy,
                x=float(low[0]),
                y=float(low[1]),
                z=origin_z,
                size_mm=sizes,
                rotated=sizes != (x, y, z),
            )
        )
        used_area += sizes[0] * sizes[1]
        used_volume += sizes[0] * sizes[1] * sizes[2]
        height = max(height, origin_z + sizes[2])
    if is_powder:
        fill_ratio = used_volume / (build[0] * build[1] * build[2])
    else:
        fill_ratio = used_area / (build[0] * build[1])
    placements.sort(key=lambda placement: (str(placement.item_id), placement.copy))
    return Plate(
        placements=tuple(placements),
        used_area_mm2=used_area,
        used_volume_mm3=used_volume,
        height_mm=height,
        fill_ratio=fill_ratio,
    )


def _match_orientation(
    *, placed_cell: np.ndarray, spacing: float, candidates: tuple[tuple[float, float, float], ...]
) -> tuple[float, float, float]:
    """The allowed orientation of the part that produced the placed cell (a cell is its size + spacing).

    The unturned orientation comes first, so a square part is never reported as turned.
    """
    dimension = len(placed_cell)
    part_size = placed_cell - spacing
    return min(
        candidates,
        key=lambda sizes: float(np.abs(part_size - np.array(sizes[:dimension])).sum()),
    )


def _mm(value: float) -> str:
    return f"{value:g}"
