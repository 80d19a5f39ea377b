"""A person's designs: exported with every version's files; erased with their files.

A design that an order or a maker's revision proposal refers to (``PROTECT``) keeps its row, anonymised and without
files: the order keeps what was made (its frozen items and prices), but the person's files go. Any other design is
deleted, its versions, quotes, slices and conversations with it."""

import posixpath

from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils.text import slugify

from accounts.personal_data import Export, ExportFile, eraser, exporter
from designs.models import Design, DesignVersion

FILE_FIELDS = ("file", "repaired_file", "preview", "thumbnail")
ERASED_DESIGN_NAME = "Erased design"


def _extension(name: str) -> str:
    return posixpath.splitext(name)[1].lower()


def _version_files(version: DesignVersion, folder: str) -> dict[str, ExportFile]:
    files = {}
    for field in FILE_FIELDS:
        stored = getattr(version, field)
        if not stored or not stored.name:
            continue
        if field == "file":
            label = slugify(posixpath.splitext(version.original_filename)[0]) or "upload"
        else:
            label = field.replace("_file", "")
        path = f"{folder}/v{version.number}-{label}{_extension(stored.name)}"
        files[field] = ExportFile(path=path, storage_name=stored.name)
    return files


@exporter("designs")
def export_designs(user) -> Export:
    data, files = [], []
    for design in Design.objects.filter(owner=user).prefetch_related("versions").order_by("id"):
        folder = f"files/designs/{design.pk}-{slugify(design.name)[:60] or 'design'}"
        versions = []
        for version in design.versions.all():
            stored = _version_files(version, folder)
            files.extend(stored.values())
            versions.append(
                {
                    "number": version.number,
                    "status": version.status,
                    "created_at": version.created_at,
                    "original_filename": version.original_filename,
                    "file_format": version.file_format,
                    "file_size": version.file_size,
                    "sha256": version.sha256,
                    "units": version.units,
                    "message": version.message,
                    "template": version.template_slug,
                    "parameters": version.parameters,
                    "error": version.error,
                    "analysis": version.analysis,
                    "files": {field: item.path for field, item in stored.items()},
                }
            )
        data.append(
            {
                "id": design.pk,
                "name": design.name,
                "source": design.source,
                "template": design.template_slug,
                "created_at": design.created_at,
                "versions": versions,
            }
        )
    return Export(data, files)


@eraser("designs")
def erase_designs(erasure) -> None:
    """Every stored file of the person's designs goes (after commit); the designs go too unless an order or a
    proposal refers to them, in which case the row stays without its name, file names and files."""
    for design in Design.objects.filter(owner=erasure.user).prefetch_related("versions").order_by("id"):
        versions = list(design.versions.all())
        for version in versions:
            for field in FILE_FIELDS:
                erasure.forget_file(getattr(version, field))
        try:
            with transaction.atomic():
                design.delete()
        except (ProtectedError, RestrictedError):
            DesignVersion.objects.filter(design=design).update(
                file="", repaired_file="", preview="", thumbnail="", original_filename="", message=""
            )
            Design.objects.filter(pk=design.pk).update(name=ERASED_DESIGN_NAME)
            erasure.count("designs_kept_for_orders", 1)
        else:
            erasure.count("designs_deleted", 1)
        erasure.count("design_versions", len(versions))
