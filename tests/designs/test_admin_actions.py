"""The design versions' admin action "Re-run the analysis": each selected version goes back to queued (an event by
the staff member) and its analysis is queued after commit; the message counts them."""

import pytest

from core.models import OutboxMessage
from designs.models import DesignVersionEvent
from designs.services.analysis import DESIGN_VERSION_ANALYSE_TASK
from designs.services.status import design_version_set_status
from tests.admin_actions import run_action, staff_member  # noqa: F401 - fixture
from tests.factories import ReadyVersionFactory

pytestmark = pytest.mark.django_db


def test_rerun_analysis_queues_each_selected_version_again(staff_member, customer):  # noqa: F811
    ready = ReadyVersionFactory(design__owner=customer)
    failed = ReadyVersionFactory(design__owner=customer)
    design_version_set_status(version_id=failed.pk, to="queued", reason="test")
    design_version_set_status(version_id=failed.pk, to="analysing", reason="test")
    design_version_set_status(version_id=failed.pk, to="failed", reason="unreadable", updates={"analysis_attempts": 3})
    untouched = ReadyVersionFactory(design__owner=customer)
    OutboxMessage.objects.all().delete()

    status, shown = run_action(staff_member, "/admin/designs/designversion/", "rerun_analysis", [ready.pk, failed.pk])

    assert (status, shown) == (200, ["2 version(s) queued for analysis."])
    for version, was in ((ready, "ready"), (failed, "failed")):
        version.refresh_from_db()
        assert (version.status, version.analysis_attempts) == ("queued", 0)
        event = DesignVersionEvent.objects.filter(version=version).last()
        assert (event.from_status, event.to_status, event.actor, event.reason) == (
            was,
            "queued",
            staff_member,
            "staff re-ran the analysis from the admin",
        )
    assert sorted(
        OutboxMessage.objects.filter(task_name=DESIGN_VERSION_ANALYSE_TASK).values_list("kwargs", flat=True),
        key=lambda kwargs: kwargs["version_id"],
    ) == [{"version_id": ready.pk}, {"version_id": failed.pk}]
    untouched.refresh_from_db()
    assert untouched.status == "ready"
