"""Slicing work: PrusaSlicer runs on the ``slicing`` queue and the stuck-slice sweep. Thin wrappers that call
services."""

from celery import shared_task

from core.queueing import task_options
from slicing import services
from slicing.services import SLICE_RUN_TASK, SLICES_SWEEP_STUCK_TASK


@shared_task(**task_options(name=SLICE_RUN_TASK, queue="slicing"))
def slice_run(*, slice_id: int) -> str:
    """Slice one design version on one printer profile (a row of slicing.Slice)."""
    return services.slice_run(slice_id=slice_id)


@shared_task(**task_options(name=SLICES_SWEEP_STUCK_TASK, queue="celery"))
def slices_sweep_stuck() -> int:
    """Beat: re-queue slices whose worker died."""
    return services.slices_sweep_stuck()
