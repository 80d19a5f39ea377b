"""The slices' admin action "Slice again (failed or stuck ones)": failed and queued slices are queued again with
a fresh count of attempts, a done one is left alone; the message counts what was queued."""

import pytest

from core.models import OutboxMessage
from slicing.models import SliceEvent
from slicing.services.slices import SLICE_RUN_TASK, slice_request, slice_set_status
from tests.admin_actions import run_action, staff_member  # noqa: F401 - fixture
from tests.factories import MaterialFactory, ReadyVersionFactory

pytestmark = pytest.mark.django_db

MK3S = "PrusaResearch/MK3S/0.4"


def _slice(version, copies: int, *, to: tuple[str, ...] = (), **updates):
    row = slice_request(version_id=version.pk, material_code="pla", printer_profile=MK3S, copies=copies)
    for status in to:
        slice_set_status(slice_id=row.pk, to=status, reason="test", updates=updates if status == to[-1] else None)
    row.refresh_from_db()
    return row


def test_slice_again_queues_failed_and_stuck_slices_and_leaves_done_ones(staff_member):  # noqa: F811
    MaterialFactory()
    version = ReadyVersionFactory()
    failed = _slice(version, 1, to=("slicing", "failed"), error="the slicer timed out", attempts=3)
    stuck = _slice(version, 2)  # queued, its message lost
    done = _slice(version, 3, to=("slicing", "done"))
    OutboxMessage.objects.all().delete()

    status, shown = run_action(staff_member, "/admin/slicing/slice/", "slice_again", [failed.pk, stuck.pk, done.pk])

    assert (status, shown) == (200, ["2 slice(s) queued again."])
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("queued", 0)
    event = SliceEvent.objects.filter(slice=failed).last()
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "failed",
        "queued",
        staff_member,
        "staff sliced it again from the admin",
    )
    stuck.refresh_from_db()
    assert stuck.status == "queued"
    assert SliceEvent.objects.filter(slice=stuck).count() == 1  # still only its "queued" birth
    done.refresh_from_db()
    assert done.status == "done"
    assert sorted(
        OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).values_list("kwargs", flat=True),
        key=lambda kwargs: kwargs["slice_id"],
    ) == [{"slice_id": failed.pk}, {"slice_id": stuck.pk}]
