"""Slicing a design version on a printer profile: requested once per cache key, run by the ``slicing`` worker.

``slice_request`` is what quotes and jobs call: it returns the one row of a cache key (design version,
material, printer profile, build volume, copies), creating and queueing it the first time; a done slice is
reused as it is (no slicer runs). ``slice_run`` is the worker: it claims the row, writes the part as a
millimetre STL into a temporary folder, runs PrusaSlicer (``slicing.prusa``) under the queue's time and the
slicer's own time and memory limits, stores the print file and the figures, and ends ``done`` or ``failed``
with a reason a person understands. Safe to run twice, or twice at once: the claim is a locked status move,
the print file has a fixed name, and only the first finisher's move writes an event.
"""

import contextlib
import logging
import shutil
import tempfile
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import numpy as np
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from catalogue.models import Material
from core.errors import Conflict, DomainError, NotFound, TransitionNotAllowed
from core.queueing import enqueue_after_commit, time_limits
from core.resources import memory_cap
from core.state import StateMachine, Transition
from designs.geometry import LoadLimits, MeshError, load_mesh
from designs.models import DesignVersion, VersionStatus
from slicing import prusa
from slicing.models import SLICE_TERMINAL, SLICE_TRANSITIONS, Slice, SliceEvent, SliceStatus
from slicing.prusa.bundles import profiles_dir
from slicing.prusa.runner import executable

# Task names (stable: stored in outbox rows and beat's schedule); the tasks are in slicing/tasks.py.
SLICE_RUN_TASK = "slicing.slice_run"
SLICES_SWEEP_STUCK_TASK = "slicing.slices_sweep_stuck"

# Failures whose cause may pass (the slicer gets installed, the machine is less busy, a worker died): a new
# request for the same key queues the slice again once SLICING_RETRY_AFTER_SECONDS have passed.
TEMPORARY_ERROR_CODES = frozenset({"slicer_missing", "slicer_timed_out", "too_slow"})

# What the outer shell of a part needs at least, per mm2 of its surface (one 0.4 mm perimeter), for DROP_RULE.
SHELL_THICKNESS_MM = 0.4
HEIGHT_DROP_SHARE = 0.2
MATERIAL_DROP_SHARE = 0.5

SLICE_MACHINE = StateMachine(
    model=Slice, event_model=SliceEvent, event_field="slice", label="slice", transitions=SLICE_TRANSITIONS
)

logger = logging.getLogger(__name__)


def slice_set_status(*, slice_id: int, to: str, **options) -> Transition:
    """Move a slice to ``to`` and record the event (options as ``StateMachine.move``)."""
    return SLICE_MACHINE.move(pk=slice_id, to=to, **options)


def normalise_build_volume(build_volume_mm) -> list[int]:
    """``None``/empty -> ``[]`` (the profile's own); else three whole millimetres (rounded down: a bed of
    250.6 mm holds a 250 mm part), so that equal volumes make equal cache keys."""
    if not build_volume_mm:
        return []
    try:
        sizes = [int(float(size)) for size in build_volume_mm]
    except (TypeError, ValueError):
        raise DomainError("A build volume is three sizes in millimetres: [x, y, z].", code="invalid_build_volume")
    if len(sizes) != 3 or any(size <= 0 for size in sizes):
        raise DomainError(
            "A build volume is three positive sizes in millimetres: [x, y, z].", code="invalid_build_volume"
        )
    return sizes


def slicer_unavailable_reason() -> str:
    """Why PrusaSlicer cannot run on this server ("" when it can): the program or its vendor profiles missing."""
    program = settings.PRUSASLICER_BIN or None
    if not prusa.available(program):
        return f"{executable(program)} is not installed"
    folder = profiles_dir(settings.PRUSASLICER_PROFILES_DIR or None)
    if not (folder / "PrusaResearch.ini").is_file():
        return f"no vendor profiles in {folder}"
    return ""


def _retry_is_due(row: Slice) -> bool:
    if row.status != SliceStatus.FAILED or row.error_code not in TEMPORARY_ERROR_CODES:
        return False
    finished = row.finished_at or row.status_changed_at
    return finished is None or finished <= timezone.now() - timedelta(seconds=settings.SLICING_RETRY_AFTER_SECONDS)


def slice_request(
    *,
    version_id: int,
    material_code: str,
    printer_profile: str,
    copies: int = 1,
    build_volume_mm=None,
    actor=None,
) -> Slice:
    """The slice of this cache key: the existing row (a done one is reused, no slicer runs), or a new one
    queued after commit. A failure with a temporary cause (slicer missing, timed out) is queued again once
    ``SLICING_RETRY_AFTER_SECONDS`` have passed; a final one (the slicer refused the part) is returned as it is.

    Race-safe: two requests at once for one key make one row (the unique constraint decides; the loser reads
    the winner's row)."""
    if copies < 1:
        raise DomainError("At least one copy is sliced.", code="invalid_copies")
    printer_profile = (printer_profile or "").strip()
    if not printer_profile:
        raise DomainError("A printer profile is needed to slice.", code="invalid_printer_profile")
    volume = normalise_build_volume(build_volume_mm)
    version = DesignVersion.objects.filter(pk=version_id).only("pk", "status").first()
    if version is None:
        raise NotFound("No such design version.")
    if version.status != VersionStatus.READY:
        raise Conflict("The design version is sliced once its analysis is ready.", code="version_not_ready")
    material = Material.objects.filter(code=material_code).first()
    if material is None:
        raise NotFound(f"No material {material_code!r}.")
    key = {
        "design_version_id": version_id,
        "material_id": material.pk,
        "printer_profile": printer_profile,
        "build_volume_mm": volume,
        "copies": copies,
    }
    existing = Slice.objects.filter(**key).first()
    if existing is not None:
        return _requeue_if_due(existing, actor=actor)
    try:
        with transaction.atomic():
            created = SLICE_MACHINE.create(
                to=SliceStatus.QUEUED, actor=actor, reason="slice requested", enqueued_at=timezone.now(), **key
            ).obj
            enqueue_after_commit(SLICE_RUN_TASK, slice_id=created.pk)
    except IntegrityError:
        # Someone else created this key a moment ago: theirs is the one.
        return _requeue_if_due(Slice.objects.get(**key), actor=actor)
    return created


def _requeue_if_due(row: Slice, *, actor) -> Slice:
    if not _retry_is_due(row):
        return row
    # TransitionNotAllowed: another request re-queued it first.
    with contextlib.suppress(TransitionNotAllowed):
        slice_requeue(slice_id=row.pk, actor=actor, reason=f"requested again after a temporary failure: {row.error}")
    row.refresh_from_db()
    return row


def slice_requeue(*, slice_id: int, reason: str, actor=None, fresh: bool = True) -> Slice:
    """Slice again (a new request after a temporary failure, staff, or the sweeper after a worker died).
    ``fresh`` starts the count of attempts again; the sweeper keeps it, so a part that kills workers ends."""
    with transaction.atomic():
        row = Slice.objects.select_for_update().get(pk=slice_id)
        if row.status == SliceStatus.DONE:
            return row
        updates = {"enqueued_at": timezone.now()}
        if fresh:
            updates["attempts"] = 0
        if row.status != SliceStatus.QUEUED:
            slice_set_status(slice_id=slice_id, to=SliceStatus.QUEUED, actor=actor, reason=reason, updates=updates)
        else:
            Slice.objects.filter(pk=slice_id).update(**updates)
        enqueue_after_commit(SLICE_RUN_TASK, slice_id=slice_id)
    row.refresh_from_db()
    return row


@dataclass(frozen=True)
class PartOnBed:
    """The part as the slicer gets it: an STL in millimetres and the measures the drop check needs."""

    path: Path
    height_mm: float
    area_mm2: float
    volume_mm3: float | None  # None when the mesh is not a closed solid


def _load_limits() -> LoadLimits:
    return LoadLimits(
        max_bytes=settings.DESIGN_UPLOAD_MAX_BYTES,
        max_faces=settings.MESH_MAX_FACES,
        max_archive_total_bytes=settings.MESH_MAX_ARCHIVE_BYTES,
        max_archive_ratio=settings.MESH_MAX_ARCHIVE_RATIO,
    )


def write_part_stl(version: DesignVersion, workdir: Path) -> PartOnBed:
    """The version's part as a millimetre STL in ``workdir``, turned to the print orientation the analysis
    suggested (the one the quote's estimate assumed, so that estimate and slice describe the same print): the
    repaired file when analysis made one (it is written in millimetres), else the stored original read in the
    version's units."""
    import trimesh

    if version.repaired_file:
        stored, file_format, units = version.repaired_file, "stl", "mm"
    elif version.file:
        stored, file_format, units = version.file, version.file_format or None, version.units or None
    else:
        raise MeshError("no_file", "This design version has no model file to slice.")
    source = workdir / f"source.{file_format or 'bin'}"
    with default_storage.open(stored.name, "rb") as handle, open(source, "wb") as local:
        shutil.copyfileobj(handle, local, 1024 * 1024)
    loaded = load_mesh(source, units=units, limits=_load_limits(), file_format=file_format)
    if len(loaded.faces) == 0:
        raise MeshError("empty_mesh", "The model has no triangles, so there is nothing to print.")
    vertices = loaded.vertices
    rotation = ((version.analysis or {}).get("suggested_orientation") or {}).get("rotation")
    if rotation:
        vertices = vertices @ np.asarray(rotation, dtype=np.float64).T
    mesh = trimesh.Trimesh(vertices=vertices, faces=loaded.faces, process=False)
    path = workdir / "part.stl"
    mesh.export(path, file_type="stl")
    low, high = mesh.bounds
    volume = abs(float(mesh.volume)) if mesh.is_watertight else None
    return PartOnBed(path=path, height_mm=float(high[2] - low[2]), area_mm2=float(mesh.area), volume_mm3=volume)


def drop_check(*, part: PartOnBed, copies: int, max_z_mm: float, material_cm3: float, layer_height_mm: float):
    """(share of the part the slicer left out, whether that share is large, why) by ``models.DROP_RULE``."""
    reasons = []
    height_missing = 0.0
    if part.height_mm > 0:
        gap = part.height_mm - max_z_mm
        height_missing = max(0.0, gap / part.height_mm)
        if height_missing > HEIGHT_DROP_SHARE and gap > 2 * max(layer_height_mm, 0.05):
            reasons.append(
                f"the slicer's top layer is at {max_z_mm:.1f} mm but the part is {part.height_mm:.1f} mm tall"
            )
    shell_mm3 = part.area_mm2 * SHELL_THICKNESS_MM
    needed_mm3 = min(part.volume_mm3, shell_mm3) if part.volume_mm3 is not None else shell_mm3 / 2
    needed_mm3 *= copies
    material_missing = max(0.0, 1 - material_cm3 * 1000 / needed_mm3) if needed_mm3 > 0 else 0.0
    if material_missing > MATERIAL_DROP_SHARE:
        reasons.append(
            f"the slicer plans {material_cm3:.2f} cm3 of material where the part's shell alone needs "
            f"{needed_mm3 / 1000:.2f} cm3"
        )
    share = round(max(height_missing, material_missing), 4)
    reason = ("PrusaSlicer leaves out much of this part: " + "; ".join(reasons) + ".") if reasons else ""
    return share, bool(reasons), reason


def _claim(slice_id: int) -> tuple[Slice | None, int]:
    """Count this delivery and move the slice to slicing. None when there is nothing to do."""
    with transaction.atomic():
        row = Slice.objects.select_for_update().filter(pk=slice_id).first()
        if row is None:
            logger.warning("slice %s is gone; skipping it", slice_id)
            return None, 0
        if row.status in SLICE_TERMINAL:
            return None, row.attempts
        attempts = row.attempts + 1
        Slice.objects.filter(pk=slice_id).update(attempts=F("attempts") + 1)
        if attempts > settings.SLICING_MAX_ATTEMPTS:
            return row, attempts
        updates = {"started_at": timezone.now()}
        if row.status == SliceStatus.QUEUED:
            slice_set_status(
                slice_id=slice_id,
                to=SliceStatus.SLICING,
                reason="a slicing worker started",
                details={"attempt": attempts},
                updates=updates,
            )
        else:
            Slice.objects.filter(pk=slice_id).update(**updates)
    row.refresh_from_db()
    return row, attempts


def _fail(slice_id: int, *, code: str, message: str, detail: str = "") -> None:
    try:
        slice_set_status(
            slice_id=slice_id,
            to=SliceStatus.FAILED,
            reason=message,
            details={"code": code, **({"detail": detail[-2000:]} if detail else {})},
            updates={"error": message, "error_code": code, "finished_at": timezone.now()},
        )
    except TransitionNotAllowed:
        logger.info("slice %s already finished; failure (%s) not recorded", slice_id, code)


def _error_code(error: prusa.SlicingError) -> str:
    codes = {
        prusa.SlicerMissing: "slicer_missing",
        prusa.SlicerTimedOut: "slicer_timed_out",
        prusa.UnknownPrinter: "unknown_printer",
        prusa.NoCompatiblePreset: "no_compatible_preset",
        prusa.BundleError: "profiles_unreadable",
        prusa.NotSliceable: "not_sliceable",
        prusa.SlicerFailed: "slicer_refused",
    }
    return next((code for kind, code in codes.items() if isinstance(error, kind)), "slicing_error")


def _print_file_name(row: Slice, suffix: str) -> str:
    return f"slices/{row.design_version_id}/slice-{row.pk}{suffix}"


def _store(path: Path, name: str) -> str:
    """Save the print file under a fixed name (a re-run replaces it rather than adding a copy)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(path, "rb") as handle:
        return default_storage.save(name, File(handle))


def _slice(row: Slice, workdir: Path) -> dict:
    """Everything of one run that needs no database: the part, the configuration, the slicer. -> updates."""
    version = DesignVersion.objects.get(pk=row.design_version_id)
    material = Material.objects.get(pk=row.material_id)
    program = settings.PRUSASLICER_BIN or None
    if not prusa.available(program):
        # Before the profiles: without the slicer its vendor bundles are usually missing too.
        raise prusa.SlicerMissing("PrusaSlicer is not installed on this server")
    profiles = settings.PRUSASLICER_PROFILES_DIR or None
    config = prusa.flatten(
        row.printer_profile,
        material.code,
        build_volume_mm=tuple(row.build_volume_mm) if row.build_volume_mm else None,
        folder=profiles,
    )
    with memory_cap(settings.SLICER_MEMORY_BYTES):
        part = write_part_stl(version, workdir)
    result = prusa.slice_plate(
        [prusa.MeshInput(part.path, copies=row.copies)],
        config,
        workdir,
        limits=prusa.SliceLimits(
            time_seconds=settings.SLICER_TIME_LIMIT_SECONDS, memory_bytes=settings.SLICER_MEMORY_BYTES
        ),
        program=program,
    )
    material_cm3 = result.material_cm3
    share, drops, reason = drop_check(
        part=part,
        copies=row.copies,
        max_z_mm=result.max_z_mm,
        material_cm3=material_cm3,
        layer_height_mm=config.choice.layer_height,
    )
    return {
        "result": result,
        "updates": {
            "technology": result.technology,
            "print_time_s": result.print_time_s,
            "material_cm3": round(material_cm3, 4),
            "mass_g": round(material_cm3 * float(material.density_g_cm3), 3),
            "layers": result.layers,
            "max_z_mm": result.max_z_mm,
            "part_height_mm": round(part.height_mm, 3),
            "part_volume_mm3": None if part.volume_mm3 is None else round(part.volume_mm3, 2),
            "slicer_version": result.slicer_version,
            "presets": {
                "printer": config.choice.printer,
                "print": result.print_preset,
                "material": result.material_preset,
                "layer_height_mm": config.choice.layer_height,
            },
            "warnings": list(result.warnings),
            "dropped_share": share,
            "drops_part": drops,
            "drop_reason": reason,
        },
    }


def slice_run(*, slice_id: int) -> str:
    """Slice one row with PrusaSlicer; end it ``done`` with the slicer's figures and print file, or ``failed``
    with a plain reason. Returns the final status (or ``skipped`` when there was nothing to do)."""
    row, attempts = _claim(slice_id)
    if row is None:
        return "skipped"
    if attempts > settings.SLICING_MAX_ATTEMPTS:
        _fail(
            slice_id,
            code="worker_crashed",
            message=f"Slicing this part stopped {attempts - 1} times without finishing, so it was given up; "
            "the quote keeps the estimate.",
        )
        return SliceStatus.FAILED
    workdir = Path(tempfile.mkdtemp(prefix="slice-"))
    try:
        outcome = _slice(row, workdir)
        result = outcome["result"]
        updates = outcome["updates"]
        updates["print_file"] = _store(result.output_path, _print_file_name(row, result.output_path.suffix))
        updates.update(error="", error_code="", finished_at=timezone.now())
        slice_set_status(
            slice_id=slice_id,
            to=SliceStatus.DONE,
            reason="sliced",
            details={"attempt": attempts, "elapsed_s": result.elapsed_s, "drops_part": updates["drops_part"]},
            updates=updates,
        )
        return SliceStatus.DONE
    except prusa.SlicingError as error:
        _fail(slice_id, code=_error_code(error), message=str(error), detail=getattr(error, "detail", ""))
    except MeshError as error:
        _fail(slice_id, code=error.code, message=error.message)
    except MemoryError:
        _fail(
            slice_id,
            code="too_much_memory",
            message=f"Preparing this part for the slicer needs more than the "
            f"{settings.SLICER_MEMORY_BYTES / 1024**3:g} GB of memory a slice may use.",
        )
    except SoftTimeLimitExceeded:
        _fail(
            slice_id,
            code="too_slow",
            message=f"Slicing this part took too long (more than {time_limits('slicing')['soft_time_limit']} "
            "seconds) and was stopped; the quote keeps the estimate.",
        )
    except TransitionNotAllowed:
        logger.info("slice %s was finished by another run", slice_id)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return Slice.objects.filter(pk=slice_id).values_list("status", flat=True).first() or "gone"


def slices_sweep_stuck() -> int:
    """Re-queue slices whose worker died: slicing past every time limit, or queued and never picked up.

    On Redis an unacknowledged task comes back by itself after the visibility timeout; the filesystem broker
    deletes a message when a worker takes it, so there only this sweep brings the work back."""
    now = timezone.now()
    stuck_after = timedelta(seconds=settings.SLICING_STUCK_AFTER_SECONDS)
    # A task cannot still be running past its hard time limit: an older "slicing" row lost its worker.
    slicing_after = max(stuck_after, timedelta(seconds=settings.TASK_TIME_LIMITS["slicing"] + 5))
    stuck = list(
        Slice.objects.filter(
            Q(status=SliceStatus.SLICING, started_at__lt=now - slicing_after)
            | Q(status=SliceStatus.QUEUED, enqueued_at__lt=now - stuck_after)
        ).values_list("pk", flat=True)[:200]
    )
    for slice_id in stuck:
        try:
            slice_requeue(
                slice_id=slice_id,
                fresh=False,
                reason="no worker finished it in time (a worker may have died); queued again",
            )
        except TransitionNotAllowed:
            continue
    return len(stuck)
