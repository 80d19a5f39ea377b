"""What the owner of a design hears when its analysis ends: ready (see the report) or failed (with the reason)."""

import pytest

from core.models import Notification
from designs.services.status import design_version_set_status
from tests.factories import ReadyVersionFactory

pytestmark = pytest.mark.django_db


def test_the_owner_hears_the_verdict_of_each_analysis_once(customer):
    version = ReadyVersionFactory(design__owner=customer, design__name="Hinge", number=2)
    for to in ("queued", "analysing", "ready"):
        design_version_set_status(version_id=version.pk, to=to, reason="test")
    for to in ("queued", "analysing"):
        design_version_set_status(version_id=version.pk, to=to, reason="test")
    design_version_set_status(
        version_id=version.pk, to="failed", reason="test", updates={"error": "The file is not a 3D model."}
    )
    design_version_set_status(version_id=version.pk, to="failed", reason="again")  # no change: no second notice

    notes = Notification.objects.filter(user=customer).order_by("id")
    assert [(n.kind, n.subject, n.body, n.link, n.data) for n in notes] == [
        (
            "design.ready",
            "Hinge (version 2) is analysed: see the report and get a quote",
            "",
            f"/designs/{version.design_id}/",
            {"design": version.design_id, "version": version.pk, "status": "ready"},
        ),
        (
            "design.failed",
            "Hinge (version 2) could not be analysed",
            "The file is not a 3D model.",
            f"/designs/{version.design_id}/",
            {"design": version.design_id, "version": version.pk, "status": "failed"},
        ),
    ]
