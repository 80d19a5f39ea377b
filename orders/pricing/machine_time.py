"""How long a printer works on a part, per process: the explicit model behind quotes and batch estimates.

Every process splits its time into what each part costs on its own (``per_part_hours``) and what one build
spends once whatever it holds (``per_batch_hours``: the layers of a vat or powder process). The figures
are round, typical values for current desktop and shop machines, chosen to be explainable rather than
precise; a maker's real speed is reflected by its price factor.

- FDM (filament): the nozzle visits every part on every layer, so nothing is shared. The part is split
  into what a slicer extrudes (perimeters, top and bottom solid layers, sparse infill, support), each
  drawn at its own speed, plus travel per loop and per layer (``FdmModel`` and ``fdm_print``: the
  figures are PrusaSlicer's defaults, calibrated against its own estimate).
- SLA (resin): the laser draws 40 cm3/h of part and supports; each 0.05 mm layer also costs 10 s of peel,
  recoat and settle once for the whole build. Post-processing: wash and UV cure, 1 day.
- SLS (nylon powder): sintering 100 cm3/h of part; each 0.1 mm layer costs 10 s of recoat and heating for
  the build. Post-processing: cooling (about as long as the build) and depowdering, 2 days.
- MJF: the printhead fuses a whole layer in one pass, so volume barely counts (1000 cm3/h); each 0.08 mm
  layer costs 7 s for the build. Post-processing like SLS, 2 days.
- Metal (laser powder bed fusion): slow, 5 cm3/h of part and supports; each 0.03 mm layer costs 9 s of
  recoat for the build. Post-processing: stress relief, cutting off the plate, support removal, 3 days.

``plate_change_hours`` is the time between two plates or builds (removing parts, cleaning, levelling,
loading powder or purging with inert gas). It is part of batch estimates, not of quotes, which charge
the set-up fee for it instead.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

PROCESSES = ("fdm", "sla", "sls", "mjf", "metal")

# Layer counts come from height / layer height; 20 / 0.2 is 100.00000000000001 in floating point.
_LAYER_EPSILON = 1e-9


@dataclass(frozen=True, kw_only=True)
class PartMetrics:
    """What the mesh analysis measured, in millimetres, with the part in its print orientation.

    The fields from ``up_area_mm2`` on are the analysis report's ``facing_areas_mm2`` and
    ``layer_contours`` (see ``designs.geometry.layers``); reports older than them leave them ``None`` and
    the FDM estimate falls back on volume, area and height.
    """

    volume_mm3: float
    support_volume_mm3: float
    area_mm2: float
    height_mm: float
    extents_mm: tuple[float, float, float]
    up_area_mm2: float | None = None  # faces pointing up, projected on the bed
    down_area_mm2: float | None = None  # faces pointing down, projected on the bed
    side_area_mm2: float | None = None  # contour length of the cross-sections integrated over the height
    loops_per_layer: float | None = None  # closed contour loops in one cross-section (walls and holes)
    short_loop_share: float = 0.0  # share of the contour length in loops a slicer draws slowly (holes, pins)
    small_island_share: float = 0.0  # share of the cross-section area in islands too small for sparse infill

    def __post_init__(self) -> None:
        if self.volume_mm3 <= 0:
            raise ValueError(f"part volume {self.volume_mm3} mm3 must be positive")
        if self.support_volume_mm3 < 0 or self.area_mm2 < 0 or self.height_mm <= 0:
            raise ValueError("support volume and area must be at least 0, and height positive")


@dataclass(frozen=True, kw_only=True)
class ProcessTimeModel:
    process: str
    deposition_cm3_per_hour: float
    surface_cm2_per_hour: float | None  # None: the surface does not cost extra time
    layer_height_mm: float
    seconds_per_layer: float
    layers_shared_by_batch: bool
    plate_change_hours: float
    post_processing_days: int


PROCESS_TIME_MODELS: dict[str, ProcessTimeModel] = {
    "fdm": ProcessTimeModel(
        process="fdm",
        deposition_cm3_per_hour=20.0,
        surface_cm2_per_hour=144.0,
        layer_height_mm=0.2,
        seconds_per_layer=2.0,
        layers_shared_by_batch=False,
        plate_change_hours=0.25,
        post_processing_days=0,
    ),
    "sla": ProcessTimeModel(
        process="sla",
        deposition_cm3_per_hour=40.0,
        surface_cm2_per_hour=None,
        layer_height_mm=0.05,
        seconds_per_layer=10.0,
        layers_shared_by_batch=True,
        plate_change_hours=0.5,
        post_processing_days=1,
    ),
    "sls": ProcessTimeModel(
        process="sls",
        deposition_cm3_per_hour=100.0,
        surface_cm2_per_hour=None,
        layer_height_mm=0.1,
        seconds_per_layer=10.0,
        layers_shared_by_batch=True,
        plate_change_hours=1.0,
        post_processing_days=2,
    ),
    "mjf": ProcessTimeModel(
        process="mjf",
        deposition_cm3_per_hour=1000.0,
        surface_cm2_per_hour=None,
        layer_height_mm=0.08,
        seconds_per_layer=7.0,
        layers_shared_by_batch=True,
        plate_change_hours=1.0,
        post_processing_days=2,
    ),
    "metal": ProcessTimeModel(
        process="metal",
        deposition_cm3_per_hour=5.0,
        surface_cm2_per_hour=None,
        layer_height_mm=0.03,
        seconds_per_layer=9.0,
        layers_shared_by_batch=True,
        plate_change_hours=2.0,
        post_processing_days=3,
    ),
}


@dataclass(frozen=True, kw_only=True)
class FdmModel:
    """A filament print as PrusaSlicer 2.5 makes it with its defaults (0.4 mm nozzle, 1.75 mm filament,
    0.2 mm layers, 2 perimeters, 3 top and 3 bottom solid layers, 20 % infill, automatic supports).

    Fixed figures are the slicer's own settings; the ones marked "fitted" were calibrated on the shared
    real uploads against the slicer's G-code (``bench/bench_estimate.py``: fitted on one half, checked on
    the other and leave-one-out).
    """

    layer_height_mm: float = 0.2
    # Extrusion width: PrusaSlicer's automatic width is 1.125 x the 0.4 mm nozzle.
    extrusion_width_mm: float = 0.45
    perimeters: int = 2
    top_layers: int = 3
    bottom_layers: int = 3
    infill_density: float = 0.20
    # Fitted: sparse infill extruded per mm3 of interior over the nominal density (lines overlap the
    # perimeters by 25 % and the interior of a mesh is a little larger than the slicer's infill region).
    infill_volume_factor: float = 0.96
    # Fitted: share of the analysis' support volume (columns under every face steeper than 45 degrees) that
    # becomes support extrusion: 2.5 mm line spacing (about 15 % solid) plus dense interface layers, and
    # the slicer does not support bridges nor slopes up to about 55 degrees.
    support_extrusion_share: float = 0.12
    # Speeds in mm/s (PrusaSlicer defaults): perimeters 60, external perimeters 50 % of that, loops up to
    # 2 pi x 6.5 mm at the small perimeter speed, sparse infill 80, solid infill 20, support 60.
    perimeter_speed: float = 60.0
    external_perimeter_speed: float = 30.0
    small_perimeter_speed: float = 15.0
    infill_speed: float = 80.0
    solid_infill_speed: float = 20.0
    support_speed: float = 60.0
    # The first layer is drawn at 30 mm/s whatever the feature.
    first_layer_speed: float = 30.0
    # 0: no volumetric limit (PrusaSlicer's default); a printer profile's limit in mm3/s caps every feature.
    max_volumetric_speed: float = 0.0
    # Fitted: drawing time over length / nominal speed, from acceleration and deceleration at every corner
    # (the default 1500 mm/s2 machine limit: a 80 mm/s infill line needs 4 mm to reach speed).
    acceleration_factor: float = 1.05
    # Fitted: seconds per contour loop and layer for the travel to it, retraction and the seam.
    seconds_per_loop: float = 0.0
    # Fitted: seconds per layer for the layer change and the moves between features.
    seconds_per_layer: float = 1.3
    # The cooling logic slows a layer drawn faster than this, so the plastic of small parts can cool
    # (PrusaSlicer default 5 s), but never below the minimum print speed of 10 mm/s.
    min_layer_seconds: float = 5.0
    min_print_speed: float = 10.0

    @property
    def flow_section_mm2(self) -> float:
        """Cross-section of one extruded line: a rectangle with round sides, (w - h) h + pi (h / 2)^2."""
        height = self.layer_height_mm
        return (self.extrusion_width_mm - height) * height + math.pi * (height / 2) ** 2

    def rate_mm3_s(self, speed: float) -> float:
        rate = self.flow_section_mm2 * speed
        return min(rate, self.max_volumetric_speed) if self.max_volumetric_speed > 0 else rate


FDM_MODEL = FdmModel()


@dataclass(frozen=True, kw_only=True)
class FdmPrint:
    """Extruded volumes (mm3) by feature and the time to print them."""

    perimeter_mm3: float
    solid_mm3: float
    sparse_mm3: float
    support_mm3: float
    layers: int
    hours: float

    @property
    def part_mm3(self) -> float:
        return self.perimeter_mm3 + self.solid_mm3 + self.sparse_mm3


def fdm_print(part: PartMetrics, *, with_support: bool, model: FdmModel = FDM_MODEL) -> FdmPrint:
    """What a slicer extrudes for ``part`` and how long it takes, from the part's measured geometry.

    - perimeters: one loop per perimeter along every cross-section's contour: (contour length integrated
      over the height = ``side_area_mm2``) x perimeters x line spacing (the line's section / layer height),
      at most the part's volume (thin parts are all perimeter);
    - top and bottom solid layers: the up- and down-facing areas x 3 layers x layer height, at most what
      the perimeters leave;
    - the rest is interior: sparse infill at the density (x ``infill_volume_factor``), except in islands
      too small for sparse infill, which are filled solid;
    - support: the analysis' support volume x ``support_extrusion_share``.
    Time: each volume at its speed's volumetric rate (perimeters: half external, short loops at the small
    perimeter speed), x ``acceleration_factor``; per layer at least ``min_layer_seconds`` (cooling), plus
    travel per loop and layer. Without facing areas (old reports) the side is the area less the top and
    bottom, each taken as volume / height.
    """
    layer = model.layer_height_mm
    layers = layer_count(height_mm=part.height_mm, layer_height_mm=layer)
    volume = part.volume_mm3
    mean_section = volume / max(part.height_mm, layer)
    up = part.up_area_mm2 if part.up_area_mm2 is not None else mean_section
    down = part.down_area_mm2 if part.down_area_mm2 is not None else mean_section
    side = part.side_area_mm2 if part.side_area_mm2 is not None else max(part.area_mm2 - up - down, 0.0)
    spacing = model.flow_section_mm2 / layer
    perimeter = min(side * model.perimeters * spacing, volume)
    top_bottom = min((up * model.top_layers + down * model.bottom_layers) * layer, volume - perimeter)
    interior = volume - perimeter - top_bottom
    solid_interior = interior * min(max(part.small_island_share, 0.0), 1.0)
    sparse = (interior - solid_interior) * min(model.infill_density * model.infill_volume_factor, 1.0)
    solid = top_bottom + solid_interior
    support = part.support_volume_mm3 * model.support_extrusion_share if with_support else 0.0

    short = min(max(part.short_loop_share, 0.0), 1.0)
    perimeter_seconds = perimeter * (
        short / model.rate_mm3_s(model.small_perimeter_speed)
        + (1 - short) * 0.5 / model.rate_mm3_s(model.external_perimeter_speed)
        + (1 - short) * 0.5 / model.rate_mm3_s(model.perimeter_speed)
    )
    drawing = (
        perimeter_seconds
        + solid / model.rate_mm3_s(model.solid_infill_speed)
        + sparse / model.rate_mm3_s(model.infill_speed)
        + support / model.rate_mm3_s(model.support_speed)
    )
    # The first layer (a bottom layer: mostly solid) is drawn at the first-layer speed instead.
    first_layer = min(down, mean_section) * layer if layers > 1 else 0.0
    drawing += first_layer * (
        1 / model.rate_mm3_s(model.first_layer_speed) - 1 / model.rate_mm3_s(model.solid_infill_speed)
    )
    drawing *= model.acceleration_factor
    per_layer = drawing / layers
    slowest = (perimeter + solid + sparse + support) / model.flow_section_mm2 / model.min_print_speed / layers
    per_layer = max(per_layer, min(model.min_layer_seconds, slowest))
    loops = part.loops_per_layer if part.loops_per_layer is not None else 1.0
    seconds = layers * (per_layer + model.seconds_per_layer + loops * model.seconds_per_loop)
    return FdmPrint(
        perimeter_mm3=perimeter,
        solid_mm3=solid,
        sparse_mm3=sparse,
        support_mm3=support,
        layers=layers,
        hours=seconds / 3600.0,
    )


@dataclass(frozen=True, kw_only=True)
class MachineTime:
    per_part_hours: float
    per_batch_hours: float
    layers: int


def layer_count(*, height_mm: float, layer_height_mm: float) -> int:
    return max(1, math.ceil(height_mm / layer_height_mm - _LAYER_EPSILON))


def machine_time_for_part(*, part: PartMetrics, process: str, with_support: bool) -> MachineTime:
    """Hours for one copy of ``part`` and the hours its build spends once, per ``PROCESS_TIME_MODELS``."""
    model = PROCESS_TIME_MODELS[process]
    if process == "fdm":
        printed = fdm_print(part, with_support=with_support)
        return MachineTime(per_part_hours=printed.hours, per_batch_hours=0.0, layers=printed.layers)
    printed_cm3 = (part.volume_mm3 + (part.support_volume_mm3 if with_support else 0.0)) / 1000.0
    layers = layer_count(height_mm=part.height_mm, layer_height_mm=model.layer_height_mm)
    layer_hours = layers * model.seconds_per_layer / 3600.0
    per_part = printed_cm3 / model.deposition_cm3_per_hour
    if model.surface_cm2_per_hour is not None:
        per_part += (part.area_mm2 / 100.0) / model.surface_cm2_per_hour
    if model.layers_shared_by_batch:
        return MachineTime(per_part_hours=per_part, per_batch_hours=layer_hours, layers=layers)
    return MachineTime(per_part_hours=per_part + layer_hours, per_batch_hours=0.0, layers=layers)


@dataclass(frozen=True, kw_only=True)
class BatchTimeEstimate:
    total_hours: float
    plate_hours: tuple[float, ...]  # one entry per plate (or powder build), in packing order
    plate_count: int


def batch_machine_hours(
    *, process: str, with_support: bool, parts: Mapping[str | int, PartMetrics], packing
) -> BatchTimeEstimate:
    """Machine hours of a packed batch: per plate, its parts' own time + its layers once + a plate change.

    ``packing`` is a ``packing.PackingResult``; ``parts`` maps each placement's ``item_id`` to its metrics.
    The layer time of a plate follows its tallest part (for FDM each part's layers are already in its own
    time, because the nozzle visits every part on every layer).
    """
    model = PROCESS_TIME_MODELS[process]
    per_item: dict[str | int, MachineTime] = {}
    plate_hours = []
    for plate in packing.plates:
        hours = model.plate_change_hours
        for placement in plate.placements:
            if placement.item_id not in per_item:
                if placement.item_id not in parts:
                    raise KeyError(f"no metrics for packed item {placement.item_id!r}")
                per_item[placement.item_id] = machine_time_for_part(
                    part=parts[placement.item_id], process=process, with_support=with_support
                )
            hours += per_item[placement.item_id].per_part_hours
        if model.layers_shared_by_batch:
            layers = layer_count(height_mm=plate.height_mm, layer_height_mm=model.layer_height_mm)
            hours += layers * model.seconds_per_layer / 3600.0
        plate_hours.append(hours)
    return BatchTimeEstimate(total_hours=sum(plate_hours), plate_hours=tuple(plate_hours), plate_count=len(plate_hours))
