"""How long a printer works on a part, per process: the explicit model behind quotes and batch estimates.

Every process splits its time into what each part costs on its own (``per_part_hours``) and what one build
spends once whatever it holds (``per_batch_hours``: the layers of a vat or powder process). The figures
are round, typical values for current desktop and shop machines, chosen to be explainable rather than
precise; a maker's real speed is reflected by its price factor.

- FDM (filament): the nozzle visits every part on every layer, so nothing is shared. Time = interior and
  support volume at an effective 20 cm3/h (sparse infill) + outer shells from the surface area at
  144 cm2/h (two 0.4 mm perimeters at 40 mm/s and 0.2 mm layers: 0.4 x 2 x 0.2 x 40 mm3/s = 11.5 cm3/h
  over 0.08 cm of shell) + 2 s per 0.2 mm layer for layer changes, travel and retraction.
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
    """What the mesh analysis measured, in millimetres, with the part in its print orientation."""

    volume_mm3: float
    support_volume_mm3: float
    area_mm2: float
    height_mm: float
    extents_mm: tuple[float, float, float]

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
class MachineTime:
    per_part_hours: float
    per_batch_hours: float
    layers: int


def layer_count(*, height_mm: float, layer_height_mm: float) -> int:
    return max(1, math.ceil(height_mm / layer_height_mm - _LAYER_EPSILON))


def machine_time_for_part(*, part: PartMetrics, process: str, with_support: bool) -> MachineTime:
    """Hours for one copy of ``part`` and the hours its build spends once, per ``PROCESS_TIME_MODELS``."""
    model = PROCESS_TIME_MODELS[process]
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
