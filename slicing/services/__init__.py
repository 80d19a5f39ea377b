"""Writes of the slicing app: slices (``slices``) and the slicer check of parts repair could not close
(``open_surfaces``). Views, tasks, admin actions and other apps call these, nothing else."""

from slicing.services.open_surfaces import (
    REFERENCE_PRINTERS,
    slicer_check_on_slice_finished,
    slicer_check_on_version_ready,
    slicer_check_request,
    slicer_check_settle,
)
from slicing.services.slices import (
    HEIGHT_DROP_SHARE,
    MATERIAL_DROP_SHARE,
    SHELL_THICKNESS_MM,
    SLICE_MACHINE,
    SLICE_RUN_TASK,
    SLICES_SWEEP_STUCK_TASK,
    TEMPORARY_ERROR_CODES,
    PartOnBed,
    drop_check,
    normalise_build_volume,
    slice_request,
    slice_requeue,
    slice_run,
    slice_set_status,
    slicer_unavailable_reason,
    slices_sweep_stuck,
    write_part_stl,
)

__all__ = [
    "HEIGHT_DROP_SHARE",
    "MATERIAL_DROP_SHARE",
    "REFERENCE_PRINTERS",
    "SHELL_THICKNESS_MM",
    "SLICES_SWEEP_STUCK_TASK",
    "SLICE_MACHINE",
    "SLICE_RUN_TASK",
    "TEMPORARY_ERROR_CODES",
    "PartOnBed",
    "drop_check",
    "normalise_build_volume",
    "slice_request",
    "slice_requeue",
    "slice_run",
    "slice_set_status",
    "slicer_check_on_slice_finished",
    "slicer_check_on_version_ready",
    "slicer_check_request",
    "slicer_check_settle",
    "slicer_unavailable_reason",
    "slices_sweep_stuck",
    "write_part_stl",
]
