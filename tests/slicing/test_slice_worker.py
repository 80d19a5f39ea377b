"""A slice crosses the broker: requested in the web process, sliced by a real worker serving only `slicing`."""

import pytest

from slicing.models import Slice, SliceEvent
from slicing.services import slice_request
from tests.slicing.conftest import MK3S, box_stl, needs_slicer, stored_version
from tests.worker import WorkerProcess, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True), needs_slicer]


@pytest.fixture
def slicing_worker(live_queue, transactional_db):
    worker = WorkerProcess(queues="slicing", concurrency=1)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def test_a_slice_is_run_by_a_worker_on_the_slicing_queue(slicing_worker, pla):
    version = stored_version(box_stl((20, 20, 20)))

    requested = slice_request(version_id=version.pk, material_code="pla", printer_profile=MK3S)

    row = wait_until(
        lambda: Slice.objects.filter(pk=requested.pk, status__in=["done", "failed"]).first(),
        timeout=90,
        message="the worker to slice the cube",
    )
    assert row.status == "done", (row.error, slicing_worker.output())
    assert row.layers == 100 and row.print_time_s > 0 and row.print_file
    assert list(SliceEvent.objects.filter(slice=row).values_list("to_status", flat=True)) == [
        "queued",
        "slicing",
        "done",
    ]
    assert "slicing.slice_run" in slicing_worker.output()
