"""Uploads and new versions: validated, stored under server-made names, analysed after commit."""

import contextlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import DomainError, PayloadTooLarge
from core.queueing import enqueue_after_commit
from core.text import clean_text
from designs.models import Design, DesignVersion, Source, Units, VersionStatus
from designs.services.analysis import DESIGN_VERSION_ANALYSE_TASK
from designs.services.status import VERSION_MACHINE


@dataclass(frozen=True)
class UploadResult:
    design: Design
    version: DesignVersion
    created: bool  # False when identical bytes of this customer were already stored and analysed


def sanitise_filename(name: str) -> str:
    """The client's file name as metadata: no path, no control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", PurePath(str(name).replace("\\", "/")).name)
    name = "".join(character for character in name if character.isprintable())
    name = re.sub(r"\s+", " ", name).strip().strip(".")
    return name[-120:] or "upload"


def file_format_of(filename: str) -> str:
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension not in settings.DESIGN_FORMATS:
        supported = ", ".join(f".{f}" for f in settings.DESIGN_FORMATS)
        shown = f".{extension}" if extension else "no extension"
        raise DomainError(
            f"Files with {shown} are not supported. Upload one of: {supported}.", code="unsupported_format"
        )
    return extension


def _check_upload(uploaded_file, units: str) -> tuple[str, str]:
    original = sanitise_filename(getattr(uploaded_file, "name", "") or "upload")
    file_format = file_format_of(original)
    if uploaded_file.size > settings.DESIGN_UPLOAD_MAX_BYTES:
        raise PayloadTooLarge(upload_too_large_message())
    if uploaded_file.size == 0:
        raise DomainError("The file is empty.", code="empty_file")
    if units and units not in Units.values:
        raise DomainError(f"Units must be one of {', '.join(Units.values)}.", code="bad_units")
    return original, file_format


def upload_too_large_message() -> str:
    limit_mb = settings.DESIGN_UPLOAD_MAX_BYTES / (1024 * 1024)
    return f"The file is larger than the {limit_mb:g} MB upload limit. Simplify the mesh or split it into parts."


def _sha256_of(uploaded_file) -> str:
    digest = getattr(uploaded_file, "sha256", None)
    if digest:
        return digest
    import hashlib

    hasher = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        hasher.update(chunk)
    uploaded_file.seek(0)
    return hasher.hexdigest()


def _same_bytes_version(*, owner, sha256: str, units: str) -> DesignVersion | None:
    """An earlier upload of the same bytes (and the same unit choice) by the same customer, if any."""
    return (
        DesignVersion.objects.filter(design__owner=owner, sha256=sha256, units=units, reused_from__isnull=True)
        .select_related("design")
        .order_by("id")
        .first()
    )


def _create_version(
    *,
    design: Design,
    actor,
    uploaded_file=None,
    original: str = "",
    file_format: str = "",
    sha256: str = "",
    units: str = "",
    message: str = "",
    template_slug: str = "",
    parameters: dict | None = None,
    reuse: DesignVersion | None = None,
    make_latest: bool = True,
    stored: list[str] | None = None,
) -> DesignVersion:
    """A new numbered version; must run inside a transaction. Queues the analysis unless ``reuse`` gives it."""
    Design.objects.select_for_update().filter(pk=design.pk).first()
    number = (design.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = DesignVersion(
        design=design,
        number=number,
        created_by=actor,
        message=message,
        original_filename=original,
        file_format=file_format,
        sha256=sha256,
        units=units,
        template_slug=template_slug,
        parameters=parameters or {},
    )
    if reuse is not None:
        # Identical bytes were analysed before: share the stored files and the report, no second run.
        for field in (
            "file",
            "file_size",
            "analysis",
            "repaired_file",
            "preview",
            "thumbnail",
            "analysed_at",
        ):
            setattr(version, field, getattr(reuse, field))
        version.error, version.error_code = reuse.error, reuse.error_code
        version.reused_from = reuse
        VERSION_MACHINE.create(
            instance=version,
            to=reuse.status,
            actor=actor,
            reason=f"same file as version {reuse.number} of design {reuse.design_id}: analysis reused",
        )
    else:
        if uploaded_file is not None:
            version.file_size = uploaded_file.size
            version.file.save(f"upload.{file_format}", uploaded_file, save=False)
            if stored is not None:
                stored.append(version.file.name)
        VERSION_MACHINE.create(
            instance=version,
            to=VersionStatus.QUEUED,
            enqueued_at=timezone.now(),
            actor=actor,
            reason="uploaded" if uploaded_file is not None else "generated from a template",
        )
        enqueue_after_commit(DESIGN_VERSION_ANALYSE_TASK, version_id=version.pk)
    if make_latest:
        Design.objects.filter(pk=design.pk).update(latest_version=version, updated_at=timezone.now())
        design.latest_version = version
    return version


@contextlib.contextmanager
def _atomic_with_files():
    """A transaction that also removes the files stored inside it when it rolls back: nothing half-written.

    Yields a list to which the code inside appends the storage names it wrote.
    """
    stored: list[str] = []
    try:
        with transaction.atomic():
            yield stored
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def design_upload(*, owner, uploaded_file, name: str = "", units: str = "") -> UploadResult:
    """Store a customer's mesh as version 1 of a new design and queue its analysis after commit.

    The same customer sending the same bytes again gets the existing design and analysis back.
    """
    original, file_format = _check_upload(uploaded_file, units)
    sha256 = _sha256_of(uploaded_file)
    existing = _same_bytes_version(owner=owner, sha256=sha256, units=units)
    if existing is not None:
        return UploadResult(design=existing.design, version=existing, created=False)
    with _atomic_with_files() as stored:
        design = Design.objects.create(
            owner=owner,
            name=clean_text(name, field="The name", max_length=200) or PurePath(original).stem[:200] or "Design",
            source=Source.UPLOAD,
        )
        version = _create_version(
            design=design,
            actor=owner,
            uploaded_file=uploaded_file,
            original=original,
            file_format=file_format,
            sha256=sha256,
            units=units,
            stored=stored,
        )
    return UploadResult(design=design, version=version, created=True)


def design_version_upload(
    *, design: Design, actor, uploaded_file, units: str = "", message: str = "", make_latest: bool = True
) -> DesignVersion:
    """A new revision of ``design`` from an uploaded file (the caller has checked who may add one).

    A maker's proposal is not the design's latest version until the customer accepts it (``make_latest``).
    """
    original, file_format = _check_upload(uploaded_file, units)
    sha256 = _sha256_of(uploaded_file)
    reuse = _same_bytes_version(owner=design.owner, sha256=sha256, units=units)
    with _atomic_with_files() as stored:
        return _create_version(
            design=design,
            actor=actor,
            uploaded_file=None if reuse else uploaded_file,
            original=original,
            file_format=file_format,
            sha256=sha256,
            units=units,
            message=clean_text(message, field="The message", max_length=2000),
            reuse=reuse,
            make_latest=make_latest,
            stored=stored,
        )


def design_create_from_template(*, owner, template_slug: str, parameters: dict, name: str = "") -> UploadResult:
    """A new design whose version 1 will be generated from a parametric template on the meshes queue."""
    with transaction.atomic():
        design = Design.objects.create(
            owner=owner,
            name=clean_text(name, field="The name", max_length=200) or template_slug,
            source=Source.TEMPLATE,
            template_slug=template_slug,
        )
        version = _create_version(
            design=design,
            actor=owner,
            template_slug=template_slug,
            parameters=parameters,
            file_format="stl",
        )
    return UploadResult(design=design, version=version, created=True)


def design_version_from_parameters(
    *, design: Design, actor, parameters: dict, message: str = "", make_latest: bool = True
) -> DesignVersion:
    """A new revision of a template design with other parameters (e.g. a maker proposing a thicker band)."""
    with transaction.atomic():
        return _create_version(
            design=design,
            actor=actor,
            template_slug=design.template_slug,
            parameters=parameters,
            file_format="stl",
            message=clean_text(message, field="The message", max_length=2000),
            make_latest=make_latest,
        )
