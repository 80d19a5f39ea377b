"""The S3 storage path for real (issue 17, point 2): a private bucket on an S3-compatible server (moto's server
mode, tests/s3_local.py), the platform configured for it as production is, a real worker process.

A customer uploads a real mesh through the API; the worker analyses it and writes the preview and thumbnail to
the bucket; the files come back through the platform's permission-checked views; the objects themselves are
private (an anonymous GET at the bucket URL is a 403) and nobody else gets them through the platform either.
"""

import pytest

from designs.models import DesignVersion
from tests.conftest import client_for
from tests.factories import MaterialFactory
from tests.meshes import shared_mesh
from tests.worker import WorkerProcess, wait_until, worker_environment

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MESH = "numpystl__HalfDonut_bin_solidheader.stl"


@pytest.fixture
def s3_worker(s3_storage, live_queue, transactional_db):
    """A worker process with the same S3 settings as this process (from the environment, as in production)."""
    worker = WorkerProcess(queues="celery,meshes", env=worker_environment(**s3_storage.environment))
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def test_an_upload_is_stored_analysed_previewed_and_downloaded_through_a_private_bucket(
    s3_storage, s3_worker, customer, other_customer
):
    MaterialFactory()
    content = shared_mesh(MESH).read_bytes()
    client = client_for(customer)

    # when a customer uploads a real mesh
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/designs/", {"file": SimpleUploadedFile("half donut.stl", content)}, format="multipart")
    assert response.status_code == 201, response.json()
    design_id, version_id = response.json()["id"], response.json()["latest_version"]["id"]

    # then the worker (another process, reading and writing the bucket) analyses it and writes its preview
    version = wait_until(
        lambda: DesignVersion.objects.filter(pk=version_id, status__in=["ready", "failed"]).first(),
        timeout=120,
        message="the upload to be analysed by the worker",
    )
    assert version.status == "ready", version.error + s3_worker.output()
    assert version.preview and version.thumbnail
    stored = {version.file.name, version.preview.name, version.thumbnail.name}
    assert stored <= set(s3_storage.keys())
    assert s3_storage.read(version.file.name) == content
    assert s3_storage.read(version.preview.name)[:4] == b"glTF"

    # and the files come back through the platform, to the customer only
    base = f"/api/designs/{design_id}/versions/1"
    original = client.get(f"{base}/file/")
    preview = client.get(f"{base}/preview/")
    thumbnail = client.get(f"{base}/thumbnail/")
    assert original.status_code == 200 and b"".join(original.streaming_content) == content
    assert preview.status_code == 200 and b"".join(preview.streaming_content)[:4] == b"glTF"
    assert thumbnail.status_code == 200 and b"".join(thumbnail.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert client_for(other_customer).get(f"{base}/file/").status_code == 404

    # and nothing in the bucket is readable without the platform's credentials
    assert {key: s3_storage.anonymous_get(key) for key in sorted(stored)} == {key: 403 for key in sorted(stored)}
