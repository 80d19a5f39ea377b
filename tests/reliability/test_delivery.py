"""Nothing lost when processes die: real gunicorn, workers, beat and Redis, killed by their own pid.

Each scenario runs on both brokers the platform supports: a private Redis (append-only file on) and the
embedded filesystem broker. Figures (redelivery time, deliveries) are printed for RELIABILITY.md.
"""

import io
import os
import signal
import time

import pytest
import requests
import trimesh

from core.models import Notification
from designs.models import DesignVersion, DesignVersionEvent
from tests.factories import MaterialFactory, UserFactory, api_key_for
from tests.reliability.cluster import Cluster, RedisServer
from tests.worker import wait_until

pytestmark = [pytest.mark.slow, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# Short limits so that recovery happens within a test's patience; production uses the defaults
# (visibility 270 s, sweep after 300 s).
FAST = {
    "CELERY_VISIBILITY_TIMEOUT": 40,
    "MESH_TASK_TIME_LIMIT": 30,
    "DISPATCH_TASK_TIME_LIMIT": 30,
    "NOTIFY_TASK_TIME_LIMIT": 30,
    "DEFAULT_TASK_TIME_LIMIT": 30,
    "SLICING_TASK_TIME_LIMIT": 30,
    "SLICER_TIME_LIMIT_SECONDS": 20,
    "SWEEP_INTERVAL_SECONDS": 2,
    "MESH_ANALYSIS_STUCK_AFTER_SECONDS": 5,
    "OUTBOX_RETRY_AFTER_SECONDS": 1,
}


@pytest.fixture(scope="module")
def slow_mesh() -> bytes:
    """A 327,680-face sphere: its analysis lasts long enough to kill a worker in the middle of it."""
    buffer = io.BytesIO()
    trimesh.creation.icosphere(subdivisions=7, radius=40).export(buffer, file_type="stl")
    return buffer.getvalue()


@pytest.fixture(params=["redis", "filesystem"])
def broker(request, tmp_path):
    if request.param == "redis":
        server = RedisServer(tmp_path / "redis").start()
        yield server.url
        server.stop()
    else:
        yield "filesystem://localhost/"


@pytest.fixture
def cluster(broker, tmp_path, settings):
    running = Cluster(broker_url=broker, folder=tmp_path / "cluster", settings=settings, **FAST)
    running.start_web()
    yield running
    running.stop()


@pytest.fixture
def uploader(db):
    MaterialFactory()
    user = UserFactory(username="uma")
    return user, api_key_for(user)


def upload(cluster, token, content: bytes, name="sphere.stl") -> int:
    response = requests.post(
        f"{cluster.base_url}/api/designs/",
        headers={"Authorization": f"Token {token}"},
        files={"file": (name, content)},
        timeout=60,
    )
    assert response.status_code == 201, response.text
    return response.json()["latest_version"]["id"]


def status_of(version_id):
    return DesignVersion.objects.filter(pk=version_id).values_list("status", flat=True).first()


def kill_children(worker) -> list[int]:
    children = worker.child_pids()
    for pid in children:
        os.kill(pid, signal.SIGKILL)
    return children


def test_worker_child_killed_mid_analysis_is_redelivered_and_ends_ready_once(cluster, uploader, slow_mesh):
    user, token = uploader
    worker = cluster.start_worker(concurrency=1)
    version_id = upload(cluster, token, slow_mesh)
    wait_until(lambda: status_of(version_id) == "analysing", timeout=60, interval=0.02, message="analysing")
    killed_at = time.monotonic()
    assert kill_children(worker)
    wait_until(lambda: status_of(version_id) == "ready", timeout=120, message=f"ready\n{cluster.logs()}")
    print(f"\n[reliability] child killed -> ready again in {time.monotonic() - killed_at:.1f} s ({cluster.broker_url})")
    version = DesignVersion.objects.get(pk=version_id)
    assert version.analysis_attempts == 2  # the killed delivery and the one that finished
    assert [e.to_status for e in DesignVersionEvent.objects.filter(version=version)] == ["queued", "analysing", "ready"]
    assert Notification.objects.filter(user=user, kind="design.ready").count() == 1, cluster.logs()
    assert version.analysis["faces"] == 327680
    assert worker.process.poll() is None  # the worker itself lived on


def test_whole_worker_killed_is_recovered(cluster, uploader, slow_mesh):
    """Redis hands the unacknowledged task to the next worker after the visibility timeout; the filesystem
    broker deleted it when the dead worker took it, so the beat sweep re-queues the stuck row."""
    user, token = uploader
    worker = cluster.start_worker(concurrency=1)
    if cluster.broker_url.startswith("filesystem"):
        cluster.start_beat()
    version_id = upload(cluster, token, slow_mesh)
    wait_until(lambda: status_of(version_id) == "analysing", timeout=60, interval=0.02, message="analysing")
    worker.kill()
    killed_at = time.monotonic()
    cluster.start_worker(concurrency=1)
    wait_until(lambda: status_of(version_id) == "ready", timeout=240, message=f"recovery\n{cluster.logs()}")
    waited = time.monotonic() - killed_at
    print(f"\n[reliability] whole worker killed -> ready in {waited:.1f} s ({cluster.broker_url})")
    events = [e.to_status for e in DesignVersionEvent.objects.filter(version_id=version_id)]
    assert events[-1] == "ready" and events.count("ready") == 1
    assert Notification.objects.filter(user=user, kind="design.ready").count() == 1


def test_a_file_that_kills_the_worker_every_time_ends_failed(cluster, uploader, slow_mesh, settings):
    """Each delivery dies (killed from outside while it analyses, as a crash in native code would); the
    deliveries are counted in the database, and the one after the limit gives up with a reason."""
    user, token = uploader
    worker = cluster.start_worker(concurrency=1)
    version_id = upload(cluster, token, slow_mesh, name="killer.stl")
    kills, last_start = 0, None
    while kills < 10:
        # Wait for a delivery that really starts analysing (a new start time), or for the verdict.
        def started_again(previous=last_start):
            row = DesignVersion.objects.filter(pk=version_id).values("status", "analysis_started_at").first()
            fresh = row["status"] == "analysing" and row["analysis_started_at"] != previous
            return row if row["status"] == "failed" or fresh else None

        row = wait_until(started_again, timeout=90, interval=0.02, message=f"delivery {kills + 1}\n{cluster.logs()}")
        if row["status"] == "failed":
            break
        last_start = row["analysis_started_at"]
        kill_children(worker)
        kills += 1
    version = DesignVersion.objects.get(pk=version_id)
    print(
        f"\n[reliability] poison file: {kills} worker deaths, {version.analysis_attempts} deliveries, "
        f"then failed ({cluster.broker_url})"
    )
    assert version.status == "failed"
    assert version.error_code == "worker_crashed"
    assert kills == 3 and version.analysis_attempts == 4
    assert worker.process.poll() is None
    assert Notification.objects.filter(user=user, kind="design.failed").count() == 1
