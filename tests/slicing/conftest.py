"""Design versions with a real stored mesh, for the slicing stage's Django tests."""

import io

import pytest
import trimesh
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from designs.models import DesignVersion
from slicing.prusa.bundles import profiles_dir
from slicing.prusa.runner import available
from tests.factories import MaterialFactory, ReadyVersionFactory

MK3S = "PrusaResearch/MK3S/0.4"

needs_slicer = pytest.mark.skipif(
    not available() or not (profiles_dir() / "PrusaResearch.ini").is_file(),
    reason="PrusaSlicer (prusa-slicer and its vendor profiles) is not installed",
)


def box_stl(extents) -> bytes:
    buffer = io.BytesIO()
    trimesh.creation.box(extents=extents).export(buffer, file_type="stl")
    return buffer.getvalue()


def stored_version(content: bytes, *, units: str = "", file_format: str = "stl", repaired: bytes | None = None):
    """A ready design version whose stored file is ``content`` (and a repaired copy, when given)."""
    version = ReadyVersionFactory(file_format=file_format, units=units)
    name = default_storage.save(f"designs/{version.design_id}/v{version.pk}.{file_format}", ContentFile(content))
    updates = {"file": name, "file_size": len(content)}
    if repaired is not None:
        updates["repaired_file"] = default_storage.save(
            f"designs/{version.design_id}/derived/v{version.pk}-repaired.stl", ContentFile(repaired)
        )
    DesignVersion.objects.filter(pk=version.pk).update(**updates)
    version.refresh_from_db()
    return version


@pytest.fixture
def pla(db):
    return MaterialFactory()


@pytest.fixture
def cube_version(db):
    return stored_version(box_stl((20, 20, 20)))
