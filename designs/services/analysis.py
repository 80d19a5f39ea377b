"""Running the printability analysis of a design version (called by the meshes-queue task).

Safe to run twice, or twice at once: a version already ready or failed is left alone, derived files have
fixed names, and only the first finisher's status change writes an event. Deliveries are counted before
work starts, so a file that kills the worker every time ends ``failed`` after a few tries instead of looping.
"""

import logging
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.queueing import enqueue_after_commit, time_limits
from core.resources import memory_cap
from designs.geometry import LoadLimits, MeshError, analyse, load_mesh, write_preview_glb, write_thumbnail_png
from designs.models import VERSION_TERMINAL, DesignVersion, VersionStatus
from designs.parametric import ParameterError, generate
from designs.selectors import material_specs
from designs.services.status import design_version_set_status

# Task names (stable: they are stored in outbox rows and beat's schedule); the tasks are in designs/tasks.py.
DESIGN_VERSION_ANALYSE_TASK = "designs.design_version_analyse"
DESIGN_VERSIONS_SWEEP_STUCK_TASK = "designs.design_versions_sweep_stuck"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AnalysisOutcome:
    report: dict
    preview_path: Path
    thumbnail_path: Path
    repaired_path: Path | None
    generated_path: Path | None  # the mesh a template produced (stored as the version's file)


def load_limits():

    return LoadLimits(
        max_bytes=settings.DESIGN_UPLOAD_MAX_BYTES,
        max_faces=settings.MESH_MAX_FACES,
        max_archive_total_bytes=settings.MESH_MAX_ARCHIVE_BYTES,
        max_archive_ratio=settings.MESH_MAX_ARCHIVE_RATIO,
    )


def _derived_name(version: DesignVersion, kind: str) -> str:
    return f"designs/{version.design_id}/derived/v{version.pk}-{kind}"


def _store(path: Path, name: str) -> str:
    """Save a derived file under a fixed name (a re-run replaces it rather than adding a copy)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle))


def _write_stl(mesh, path: Path) -> None:
    import trimesh

    trimesh.Trimesh(vertices=mesh.vertices, faces=mesh.faces, process=False).export(path, file_type="stl")


def _generate_from_template(version: DesignVersion, workdir: Path) -> Path:

    try:
        mesh = generate(version.template_slug, version.parameters)
    except (ParameterError, KeyError) as error:
        message = getattr(error, "message", None) or str(error)
        raise MeshError("template_error", f"The template could not make this part: {message}") from error
    path = workdir / "generated.stl"
    mesh.export(path, file_type="stl")
    return path


def _analyse_files(version: DesignVersion, workdir: Path) -> AnalysisOutcome:

    started = time.perf_counter()
    generated = None
    if version.template_slug and not version.file:
        generated = source = _generate_from_template(version, workdir)
        file_format = "stl"
    else:
        file_format = version.file_format
        source = workdir / f"source.{file_format}"
        with default_storage.open(version.file.name, "rb") as stored, open(source, "wb") as local:
            shutil.copyfileobj(stored, local, 1024 * 1024)
    fetched = time.perf_counter()
    mesh = load_mesh(source, units=version.units or None, limits=load_limits(), file_format=file_format)
    loaded = time.perf_counter()
    result = analyse(mesh, materials=material_specs())
    analysed = time.perf_counter()
    shown = result.repaired if result.repaired is not None else mesh
    preview, thumbnail = workdir / "preview.glb", workdir / "thumbnail.png"
    write_preview_glb(shown, preview)
    write_thumbnail_png(shown, thumbnail)
    repaired = None
    if result.repaired is not None:
        repaired = workdir / "repaired.stl"
        _write_stl(result.repaired, repaired)
    rendered = time.perf_counter()
    report = dict(result.report)
    report["pipeline_ms"] = {
        "fetch_or_generate": round((fetched - started) * 1000, 1),
        "load": round((loaded - fetched) * 1000, 1),
        "analyse": round((analysed - loaded) * 1000, 1),
        "render": round((rendered - analysed) * 1000, 1),
    }
    return AnalysisOutcome(report, preview, thumbnail, repaired, generated)


class AnalysisCrashed(Exception):
    """The geometry code failed in a way it did not foresee (a bug, not the customer's file)."""


def _analyse_geometry(version: DesignVersion, workdir: Path) -> AnalysisOutcome:
    """Run the pure geometry work; an unforeseen exception in it becomes AnalysisCrashed.

    Only the geometry is wrapped: database and storage errors are temporary faults that must stay visible
    (the task fails, the delivery is counted, the sweep retries), not verdicts on the file.
    """

    try:
        return _analyse_files(version, workdir)
    except (MeshError, MemoryError, SoftTimeLimitExceeded, OSError):
        raise
    except Exception as error:
        logger.exception("analysis of design version %s crashed", version.pk)
        raise AnalysisCrashed(f"{type(error).__name__}: {error}") from error


def _fail(version_id: int, *, code: str, message: str) -> None:
    try:
        design_version_set_status(
            version_id=version_id,
            to=VersionStatus.FAILED,
            reason=message,
            details={"code": code},
            updates={"error": message, "error_code": code, "analysed_at": timezone.now()},
        )
    except TransitionNotAllowed:
        logger.info("version %s already finished; failure (%s) not recorded", version_id, code)


def _claim(version_id: int) -> tuple[DesignVersion | None, int]:
    """Count this delivery and move the version to analysing. None when there is nothing to do."""
    with transaction.atomic():
        version = DesignVersion.objects.select_for_update().filter(pk=version_id).first()
        if version is None:
            logger.warning("design version %s is gone; skipping its analysis", version_id)
            return None, 0
        if version.status in VERSION_TERMINAL:
            return None, version.analysis_attempts
        DesignVersion.objects.filter(pk=version_id).update(analysis_attempts=F("analysis_attempts") + 1)
        attempts = version.analysis_attempts + 1
        if attempts > settings.MESH_ANALYSIS_MAX_ATTEMPTS:
            return version, attempts
        if version.status == VersionStatus.QUEUED:
            design_version_set_status(
                version_id=version_id,
                to=VersionStatus.ANALYSING,
                reason="a mesh worker started",
                details={"attempt": attempts},
                updates={"analysis_started_at": timezone.now()},
            )
        else:
            DesignVersion.objects.filter(pk=version_id).update(analysis_started_at=timezone.now())
    version.refresh_from_db()
    return version, attempts


def design_version_analyse(*, version_id: int) -> str:
    """Load, check, repair and render one version; end it ``ready`` or ``failed`` with a plain reason."""

    version, attempts = _claim(version_id)
    if version is None:
        return "skipped"
    if attempts > settings.MESH_ANALYSIS_MAX_ATTEMPTS:
        _fail(
            version_id,
            code="worker_crashed",
            message=(
                f"The analysis of this file stopped {attempts - 1} times without finishing, so it was given up. "
                "The file may be too complex or damaged to check; try exporting it again or simplifying it."
            ),
        )
        return VersionStatus.FAILED
    workdir = Path(tempfile.mkdtemp(prefix="analysis-"))
    try:
        with memory_cap(settings.MESH_ANALYSIS_MEMORY_BYTES):
            outcome = _analyse_geometry(version, workdir)
        updates = {
            "analysis": outcome.report,
            "preview": _store(outcome.preview_path, _derived_name(version, "preview.glb")),
            "thumbnail": _store(outcome.thumbnail_path, _derived_name(version, "thumbnail.png")),
            "repaired_file": (
                _store(outcome.repaired_path, _derived_name(version, "repaired.stl")) if outcome.repaired_path else ""
            ),
            "analysed_at": timezone.now(),
            "error": "",
            "error_code": "",
        }
        if outcome.generated_path is not None:
            updates["file"] = _store(outcome.generated_path, _derived_name(version, "generated.stl"))
            updates["file_size"] = outcome.generated_path.stat().st_size
            updates["original_filename"] = f"{version.template_slug}.stl"
        design_version_set_status(
            version_id=version_id,
            to=VersionStatus.READY,
            reason="analysis finished",
            details={"attempt": attempts, "faces": outcome.report.get("faces")},
            updates=updates,
        )
        return VersionStatus.READY
    except MeshError as error:
        _fail(version_id, code=error.code, message=error.message)
    except AnalysisCrashed as error:
        _fail(
            version_id,
            code="analysis_error",
            message="Our checks could not handle this file (the problem is on our side and has been logged). "
            "Try exporting it again, for example as binary STL, or contact support.",
        )
        logger.error("version %s failed with an internal error: %s", version_id, error)
    except MemoryError:
        cap = settings.MESH_ANALYSIS_MEMORY_BYTES
        size = f"{cap / 1024**3:g} GB" if cap >= 1024**3 else f"{cap / 1024**2:.0f} MB"
        _fail(
            version_id,
            code="too_much_memory",
            message=f"Checking this file needs more than the {size} of memory an analysis may use. "
            "Simplify the mesh (fewer faces) and upload it again.",
        )
    except SoftTimeLimitExceeded:
        _fail(
            version_id,
            code="too_slow",
            message=f"Checking this file took longer than the {time_limits('meshes')['soft_time_limit']} seconds "
            "allowed. Simplify the mesh (fewer faces) and upload it again.",
        )
    except TransitionNotAllowed:
        logger.info("version %s was finished by another run", version_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return DesignVersion.objects.filter(pk=version_id).values_list("status", flat=True).first() or "gone"


def design_version_requeue(*, version_id: int, actor=None, reason: str) -> DesignVersion:
    """Analyse a version again (staff re-run, or the sweeper after a worker died)."""
    with transaction.atomic():
        version = DesignVersion.objects.select_for_update().get(pk=version_id)
        if version.status != VersionStatus.QUEUED:
            design_version_set_status(
                version_id=version_id,
                to=VersionStatus.QUEUED,
                actor=actor,
                reason=reason,
                updates={"analysis_attempts": 0 if actor is not None else version.analysis_attempts},
            )
        DesignVersion.objects.filter(pk=version_id).update(enqueued_at=timezone.now())
        enqueue_after_commit(DESIGN_VERSION_ANALYSE_TASK, version_id=version_id)
    version.refresh_from_db()
    return version


def design_versions_sweep_stuck() -> int:
    """Re-queue analyses whose worker died: analysing past every time limit, or queued and never picked up.

    On Redis an unacknowledged task comes back by itself after the visibility timeout; the filesystem
    broker deletes a message when a worker takes it, so there only this sweep brings the work back.
    """
    now = timezone.now()
    stuck_after = timedelta(seconds=settings.MESH_ANALYSIS_STUCK_AFTER_SECONDS)
    # A task cannot still be running past its hard time limit: an older "analysing" row lost its worker.
    analysing_after = max(stuck_after, timedelta(seconds=settings.TASK_TIME_LIMITS["meshes"] + 5))
    stuck = list(
        DesignVersion.objects.filter(
            Q(status=VersionStatus.ANALYSING, analysis_started_at__lt=now - analysing_after)
            | Q(status=VersionStatus.QUEUED, enqueued_at__lt=now - stuck_after)
        ).values_list("pk", flat=True)[:200]
    )
    for version_id in stuck:
        try:
            design_version_requeue(
                version_id=version_id,
                reason="no worker finished it in time (a worker may have died); queued again",
            )
        except TransitionNotAllowed:
            continue
    return len(stuck)
