"""Design work: analyses on the ``meshes`` queue and the stuck-analysis sweep. Thin wrappers that call services."""

from celery import shared_task

from core.queueing import task_options
from designs import services
from designs.services.analysis import DESIGN_VERSION_ANALYSE_TASK, DESIGN_VERSIONS_SWEEP_STUCK_TASK


@shared_task(**task_options(name=DESIGN_VERSION_ANALYSE_TASK, queue="meshes"))
def design_version_analyse(*, version_id: int) -> str:
    """Analyse one design version (generating it first if it comes from a template)."""
    return services.design_version_analyse(version_id=version_id)


@shared_task(**task_options(name=DESIGN_VERSIONS_SWEEP_STUCK_TASK, queue="celery"))
def design_versions_sweep_stuck() -> int:
    """Beat: re-queue analyses whose worker died."""
    return services.design_versions_sweep_stuck()
