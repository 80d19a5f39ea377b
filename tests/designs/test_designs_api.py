import io
import os

import numpy as np
import pytest
import trimesh
from django.core.files.uploadedfile import SimpleUploadedFile

from designs.models import Design, DesignVersion, DesignVersionEvent
from designs.services import design_version_analyse
from tests.conftest import client_for
from tests.factories import MaterialFactory

pytestmark = pytest.mark.django_db


def stl_bytes(mesh: trimesh.Trimesh | None = None) -> bytes:
    mesh = mesh if mesh is not None else trimesh.creation.box(extents=(20, 30, 10))
    buffer = io.BytesIO()
    mesh.export(buffer, file_type="stl")
    return buffer.getvalue()


def upload(user, content: bytes, name="part.stl", **fields):
    return client_for(user).post(
        "/api/designs/", {"file": SimpleUploadedFile(name, content), **fields}, format="multipart"
    )


@pytest.fixture
def pla(db):
    return MaterialFactory()


def test_upload_is_queued_then_analysed_after_commit(customer, pla, django_capture_on_commit_callbacks):
    # when a customer uploads a 20 x 30 x 10 mm box
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = upload(customer, stl_bytes(), name="my box.stl")
    assert response.status_code == 201, response.json()
    assert callbacks, "the analysis is queued only after commit"
    design_id = response.json()["id"]
    # then the version went queued -> analysing -> ready through the worker task (eager in unit tests)
    body = client_for(customer).get(f"/api/designs/{design_id}/").json()
    version = body["latest_version"]
    assert body["status"] == "ready", version["error"]
    assert version["number"] == 1
    assert version["original_filename"] == "my box.stl"
    assert version["file_format"] == "stl"
    report = version["analysis"]
    assert report["faces"] == 12
    assert report["shells"] == 1
    assert report["watertight"] is True
    assert report["volume_mm3"] == pytest.approx(6000, rel=1e-6)
    assert sorted(report["bounding_box_mm"]) == pytest.approx([10, 20, 30])
    assert report["materials"]["pla"]["printable"] is True
    assert [e.to_status for e in DesignVersionEvent.objects.filter(version_id=version["id"])] == [
        "queued",
        "analysing",
        "ready",
    ]
    stored = DesignVersion.objects.get(pk=version["id"])
    assert "my box" not in stored.file.name  # the client's name is metadata only
    assert stored.sha256 == __import__("hashlib").sha256(stl_bytes()).hexdigest()


def test_preview_thumbnail_and_file_are_served_to_the_owner(customer, pla, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        design_id = upload(customer, stl_bytes(), name="bracket.stl").json()["id"]
    version = client_for(customer).get(f"/api/designs/{design_id}/").json()["latest_version"]
    client = client_for(customer)
    preview = client.get(version["preview_url"])
    assert preview.status_code == 200
    assert preview["Content-Type"] == "model/gltf-binary"
    glb = b"".join(preview.streaming_content)
    assert glb[:4] == b"glTF"
    loaded = trimesh.load(io.BytesIO(glb), file_type="glb", force="mesh")
    assert len(loaded.faces) == 12
    thumbnail = client.get(version["thumbnail_url"])
    assert thumbnail["Content-Type"] == "image/png"
    png = b"".join(thumbnail.streaming_content)
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    assert image.shape[0] >= 128
    assert image.std() > 5  # a drawn part, not a blank square
    original = client.get(version["file_url"])
    assert original["Content-Disposition"].startswith('attachment; filename="bracket.stl"')
    assert original["Content-Type"] == "application/octet-stream"
    assert original["X-Content-Type-Options"] == "nosniff"
    assert b"".join(original.streaming_content) == stl_bytes()


def test_the_same_bytes_again_reuse_the_analysis(customer, pla, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = upload(customer, stl_bytes())
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = upload(customer, stl_bytes(), name="renamed.stl")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["reused"] is True
    assert not callbacks  # no second analysis queued
    assert DesignVersion.objects.count() == 1


def test_another_customer_uploading_the_same_bytes_gets_their_own(customer, other_customer, pla):
    upload(customer, stl_bytes())
    assert upload(other_customer, stl_bytes()).status_code == 201
    assert Design.objects.count() == 2


def test_over_the_size_limit_is_413_with_nothing_kept(customer, settings, tmp_path):
    settings.DESIGN_UPLOAD_MAX_BYTES = 2000
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # force the temporary-file path
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)
    big = stl_bytes(trimesh.creation.icosphere(subdivisions=3))
    assert len(big) > 2000
    response = upload(customer, big)
    assert response.status_code == 413
    assert "upload limit" in response.json()["detail"]
    assert Design.objects.count() == 0
    assert os.listdir(settings.FILE_UPLOAD_TEMP_DIR) == []
    assert not (settings.MEDIA_ROOT / "designs").exists()


@pytest.mark.parametrize(
    ("name", "content", "status", "fragment"),
    [
        ("part.exe", b"MZ....", 400, "not supported"),
        ("part", b"solid x", 400, "no extension"),
        ("part.stl", b"", 400, "empty"),
    ],
)
def test_refused_at_upload(customer, name, content, status, fragment):
    response = upload(customer, content, name=name)
    assert response.status_code == status
    assert fragment in response.json()["detail"]
    assert Design.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("random.stl", os.urandom(4096), ""),
        ("page.stl", b"<!DOCTYPE html><html><body>not a mesh</body></html>", ""),
        ("nan.obj", b"v 0 0 0\nv 1 0 nan\nv 0 1 0\nf 1 2 3\n", "not"),
        ("indices.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 9\n", ""),
    ],
)
def test_bad_files_end_failed_with_a_reason(customer, pla, name, content, fragment, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(customer, content, name=name)
    assert response.status_code == 201
    version = client_for(customer).get(f"/api/designs/{response.json()['id']}/").json()["latest_version"]
    assert version["status"] == "failed"
    assert len(version["error"]) > 15 and fragment in version["error"]
    assert version["analysis"] is None
    assert version["error_code"]


def test_visibility_of_designs(customer, other_customer, maker_user, staff, pla):
    design_id = upload(customer, stl_bytes()).json()["id"]
    assert client_for(customer).get("/api/designs/").json()["count"] == 1
    assert client_for(other_customer).get("/api/designs/").json()["count"] == 0
    for user in (other_customer, maker_user):
        assert client_for(user).get(f"/api/designs/{design_id}/").status_code == 404
        assert client_for(user).get(f"/api/designs/{design_id}/versions/1/file/").status_code == 404
    assert client_for(staff).get(f"/api/designs/{design_id}/").status_code == 200
    assert (
        client_for(other_customer)
        .post(
            f"/api/designs/{design_id}/versions/",
            {"file": SimpleUploadedFile("x.stl", stl_bytes())},
            format="multipart",
        )
        .status_code
        == 404
    )
    assert DesignVersion.objects.count() == 1


def test_a_revision_becomes_version_two(customer, pla, django_capture_on_commit_callbacks):
    design_id = upload(customer, stl_bytes()).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(customer).post(
            f"/api/designs/{design_id}/versions/",
            {
                "file": SimpleUploadedFile("v2.stl", stl_bytes(trimesh.creation.box(extents=(5, 5, 5)))),
                "message": "smaller",
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == 2
    body = client_for(customer).get(f"/api/designs/{design_id}/").json()
    assert body["latest_version"]["number"] == 2
    assert body["latest_version"]["analysis"]["volume_mm3"] == pytest.approx(125)
    numbers = [v["number"] for v in client_for(customer).get(f"/api/designs/{design_id}/versions/").json()]
    assert numbers == [1, 2]


def test_a_file_that_keeps_killing_the_worker_is_failed_after_the_attempts(customer, pla, settings):
    settings.MESH_ANALYSIS_MAX_ATTEMPTS = 3
    design_id = upload(customer, stl_bytes()).json()["id"]
    version = DesignVersion.objects.get(design_id=design_id)
    # three deliveries started and never finished (the worker died each time)
    DesignVersion.objects.filter(pk=version.pk).update(analysis_attempts=3, status="analysing")
    assert design_version_analyse(version_id=version.pk) == "failed"
    version.refresh_from_db()
    assert version.error_code == "worker_crashed"
    assert "stopped 3 times" in version.error


def test_staff_rerun_an_analysis(customer, staff, pla, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        design_id = upload(customer, stl_bytes()).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(f"/api/designs/{design_id}/versions/1/reanalyse/")
    assert response.status_code == 202
    version = DesignVersion.objects.get(design_id=design_id)
    assert version.status == "ready"
    assert [e.to_status for e in version.events.all()] == [
        "queued",
        "analysing",
        "ready",
        "queued",
        "analysing",
        "ready",
    ]
    assert client_for(customer).post(f"/api/designs/{design_id}/versions/1/reanalyse/").status_code == 403


def test_a_failure_after_the_file_is_stored_leaves_no_file_and_no_rows(customer, settings, monkeypatch):
    from django.db import DatabaseError

    from designs.models import DesignVersionEvent
    from designs.services import design_upload

    def database_fails(*args, **kwargs):  # the database refusing the last write of the upload
        raise DatabaseError("disk full")

    monkeypatch.setattr(DesignVersionEvent.objects, "create", database_fails)
    with pytest.raises(DatabaseError):
        design_upload(owner=customer, uploaded_file=SimpleUploadedFile("a.stl", stl_bytes()))
    assert Design.objects.count() == 0
    stored = list((settings.MEDIA_ROOT / "designs").rglob("*")) if (settings.MEDIA_ROOT / "designs").exists() else []
    assert [path for path in stored if path.is_file()] == []


def test_an_analysis_over_the_memory_cap_fails_with_a_reason(
    customer, pla, settings, django_capture_on_commit_callbacks
):
    # given a cap far below what a 327,680-face part needs
    settings.MESH_ANALYSIS_MEMORY_BYTES = 20 * 1024 * 1024
    content = stl_bytes(trimesh.creation.icosphere(subdivisions=7, radius=40))
    with django_capture_on_commit_callbacks(execute=True):
        design_id = upload(customer, content).json()["id"]
    version = DesignVersion.objects.get(design_id=design_id)
    # then the analysis stops with a reason instead of taking the worker's memory, and the process goes on
    assert version.status == "failed"
    assert version.error_code == "too_much_memory"
    assert version.error.startswith("Checking this file needs more than the 20 MB of memory an analysis may use.")
    assert DesignVersion.objects.count() == 1
