"""Mesh work on the ``meshes`` queue: thin wrappers that load ids and call services."""

from celery import shared_task

from core.queueing import time_limits
from designs import services


@shared_task(name="meshes.analyse_design_version", **time_limits("meshes"))
def analyse_design_version(*, version_id: int) -> str:
    """Analyse one design version (generating it first if it comes from a template)."""
    return services.design_version_analyse(version_id=version_id)


@shared_task(name="designs.sweep_stuck_analyses", **time_limits("celery"))
def sweep_stuck_analyses() -> int:
    """Beat: re-queue analyses whose worker died."""
    return services.design_versions_sweep_stuck()
