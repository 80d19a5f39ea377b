"""A part repair cannot close is refused only when PrusaSlicer cannot make a solid of it either: upload, analysis,
the slicer check on the reference printers, the report changed through the designs service, and ordering it."""

import io

import numpy as np
import pytest
import trimesh
from django.core.files.uploadedfile import SimpleUploadedFile

from core.models import OutboxMessage
from core.state import Transition, status_changed
from designs.models import DesignVersion, DesignVersionEvent
from designs.services import design_version_analyse
from orders.models import Order
from slicing.models import Slice
from slicing.services import REFERENCE_PRINTERS, SLICE_RUN_TASK, slice_run, slicer_check_request
from tests.conftest import client_for
from tests.meshes import shared_mesh
from tests.money import BERLIN_ADDRESS
from tests.slicing.conftest import needs_slicer

pytestmark = pytest.mark.django_db

OPEN_MESH = "thingi10k__100827.stl"  # 51 open edges, 6 left after repair; PrusaSlicer slices it


def upload(customer, content: bytes, name: str) -> int:
    response = client_for(customer).post(
        "/api/designs/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    return response.json()["latest_version"]["id"]


def scattered_triangles() -> bytes:
    """Four triangles that touch nothing: a surface with a volume by the divergence sum but no solid at all."""
    corners = np.array([[0, 0, 0], [5, 0, 2], [0, 5, 3]], dtype=float)
    vertices = np.concatenate([corners + [10 + 8 * index, 10, 5 + 3 * index] for index in range(4)])
    buffer = io.BytesIO()
    trimesh.Trimesh(vertices, np.arange(12).reshape(-1, 3), process=False).export(buffer, file_type="stl")
    return buffer.getvalue()


def analysed(version_id: int) -> DesignVersion:
    """Run the analysis of a queued version here; what it queues after commit is not run."""
    assert design_version_analyse(version_id=version_id) == "ready"
    return DesignVersion.objects.get(pk=version_id)


def order_body(version_id: int, **item):
    return {
        "items": [{"design_version": version_id, "material": "pla", "quantity": 1, **item}],
        "shipping_address": BERLIN_ADDRESS,
    }


@needs_slicer
def test_an_open_part_the_slicer_closes_is_printable_at_the_customers_risk(
    customer, makers, django_capture_on_commit_callbacks
):
    # Given a real upload whose surface repair cannot close (PLA, PETG and resin refuse it only for that)
    with django_capture_on_commit_callbacks(execute=True):
        version_id = upload(customer, shared_mesh(OPEN_MESH).read_bytes(), OPEN_MESH)

    # When its analysis is ready the slicer check ran on the reference printers (eager here) and the report
    # changed: the refusal became a warning in the FDM and resin materials; MJF, which PrusaSlicer does not
    # slice, refuses it as before.
    version = DesignVersion.objects.get(pk=version_id)
    report = version.analysis
    assert version.status == "ready"
    assert report["repair"]["open_edges_after"] == 6
    checks = report["slicer_check"]
    assert sorted(checks) == ["fdm", "sla"]
    assert checks["fdm"]["status"] == "done" and checks["sla"]["status"] == "done", checks
    assert (checks["fdm"]["profile"], checks["fdm"]["material"], checks["fdm"]["materials"]) == (
        REFERENCE_PRINTERS["fdm"],
        "pla",
        ["petg", "pla"],
    )
    assert (checks["sla"]["profile"], checks["sla"]["materials"]) == (REFERENCE_PRINTERS["sla"], ["resin-standard"])
    slices = {row.pk: row for row in Slice.objects.all()}
    assert sorted(slices) == sorted([checks["fdm"]["slice"], checks["sla"]["slice"]])
    assert all(row.status == "done" and not row.drops_part for row in slices.values())
    for code in ("pla", "petg", "resin-standard"):
        verdict = report["materials"][code]
        assert (verdict["printable"], verdict["reasons"], verdict["needs_risk_acceptance"]) == (True, [], True)
        assert verdict["slicer_check"] == "done"
        assert verdict["warning_details"][0]["code"] == "not_closed"
        assert verdict["warnings"][0].startswith("The surface is not closed (6 open edges after repair); PrusaSlicer")
    mjf = report["materials"]["pa12-mjf"]
    assert mjf["printable"] is False and "slicer_check" not in mjf
    assert [detail["code"] for detail in mjf["reason_details"]] == ["not_closed"]
    # The report changed without a status move: the version's events are those of one analysis.
    assert list(DesignVersionEvent.objects.filter(version_id=version_id).values_list("to_status", flat=True)) == [
        "queued",
        "analysing",
        "ready",
    ]

    # Then it is quoted with the warning, and ordered only with the customer's acceptance
    client = client_for(customer)
    quote = client.post(
        "/api/quotes/",
        {"design_version": version_id, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
        format="json",
    )
    assert quote.status_code == 201, quote.json()
    assert quote.json()["needs_risk_acceptance"] is True
    assert quote.json()["risk_warnings"] == [report["materials"]["pla"]["warnings"][0]]
    refused = client.post("/api/orders/", order_body(version_id), format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "risk_not_accepted"
    accepted = client.post("/api/orders/", order_body(version_id, accept_risk=True), format="json")
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["items"][0]["risk_accepted"] is True
    assert Order.objects.count() == 1


@needs_slicer
def test_while_the_slicer_check_waits_the_refusal_stands_and_says_so(customer, materials):
    # Given the open part uploaded and analysed, its slices queued but not yet run
    version = analysed(upload(customer, shared_mesh(OPEN_MESH).read_bytes(), OPEN_MESH))
    report = version.analysis

    # Then the report says a check is pending and the refusal stands (a quote says why)
    assert {process: entry["status"] for process, entry in report["slicer_check"].items()} == {
        "fdm": "pending",
        "sla": "pending",
    }
    assert report["materials"]["pla"]["printable"] is False
    assert report["materials"]["pla"]["slicer_check"] == "pending"
    quote = client_for(customer).post(
        "/api/quotes/",
        {"design_version": version.pk, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
        format="json",
    )
    assert quote.status_code == 400 and quote.json()["code"] == "not_printable"

    # When the FDM slice runs, the FDM materials turn printable; resin still waits for its own slice
    assert slice_run(slice_id=report["slicer_check"]["fdm"]["slice"]) == "done"
    version.refresh_from_db()
    assert version.analysis["slicer_check"]["fdm"]["status"] == "done"
    assert version.analysis["materials"]["pla"]["printable"] is True
    assert version.analysis["slicer_check"]["sla"]["status"] == "pending"
    assert version.analysis["materials"]["resin-standard"]["printable"] is False


@needs_slicer
def test_a_surface_the_slicer_cannot_make_a_solid_of_stays_refused_saying_so(
    customer, materials, django_capture_on_commit_callbacks
):
    # Given four loose triangles: refused only because the surface is not closed (their signed volume is > 0)
    with django_capture_on_commit_callbacks(execute=True):
        version_id = upload(customer, scattered_triangles(), "triangles.stl")

    version = DesignVersion.objects.get(pk=version_id)
    report = version.analysis
    # Then PrusaSlicer was asked, could not slice it, and the refusal stays, naming the slicer
    assert report["slicer_check"]["fdm"]["status"] == "failed"
    assert Slice.objects.get(pk=report["slicer_check"]["fdm"]["slice"]).status == "failed"
    verdict = report["materials"]["pla"]
    assert verdict["printable"] is False and verdict["slicer_check"] == "failed"
    assert [detail["code"] for detail in verdict["reason_details"]] == ["not_closed"]
    assert verdict["reasons"][0].startswith(
        "The surface is not a closed solid (12 open edges remain after repair) and PrusaSlicer could not slice it "
        "either (PrusaSlicer could not read the model file)"
    )
    quote = client_for(customer).post(
        "/api/quotes/",
        {"design_version": version_id, "material": "pla", "quantity": 1, "ship_to": {"city": "Berlin"}},
        format="json",
    )
    assert quote.status_code == 400 and "PrusaSlicer could not slice it" in quote.json()["detail"]


def test_without_the_slicer_the_refusal_stands_as_the_analysis_wrote_it(
    settings, customer, materials, django_capture_on_commit_callbacks
):
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"

    with django_capture_on_commit_callbacks(execute=True):
        version_id = upload(customer, scattered_triangles(), "triangles.stl")

    report = DesignVersion.objects.get(pk=version_id).analysis
    assert "slicer_check" not in report
    assert Slice.objects.count() == 0
    verdict = report["materials"]["pla"]
    assert verdict["printable"] is False and "slicer_check" not in verdict
    assert verdict["reasons"] == [
        "The surface is not a closed solid (12 open edges remain after repair), so PLA cannot be printed from it "
        "reliably."
    ]


@needs_slicer
def test_the_check_is_asked_once_however_often_the_signal_fires(customer, materials):
    version = analysed(upload(customer, scattered_triangles(), "triangles.stl"))
    first = version.analysis["slicer_check"]
    slice_ids = sorted(entry["slice"] for entry in first.values())
    assert sorted(first) == ["fdm", "sla"] and len(set(slice_ids)) == 2
    transition = Transition(obj=version, from_status="analysing", to_status="ready", changed=True, event=None)

    # When the door's signal is sent again for the same version, and the check is asked for directly too
    status_changed.send(sender=DesignVersion, transition=transition)
    again = slicer_check_request(version_id=version.pk)

    # Then it is the same slices (their cache keys), each queued once, and the report still waits for them
    assert sorted(row.pk for row in again) == slice_ids
    assert sorted(Slice.objects.values_list("pk", flat=True)) == slice_ids
    assert OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).count() == 2
    version.refresh_from_db()
    assert version.analysis["slicer_check"] == first

    # And once settled, a further signal changes nothing and asks for nothing
    assert [slice_run(slice_id=slice_id) for slice_id in slice_ids] == ["failed", "failed"]
    version.refresh_from_db()
    settled = version.analysis
    assert {entry["status"] for entry in settled["slicer_check"].values()} == {"failed"}
    status_changed.send(sender=DesignVersion, transition=transition)
    assert slicer_check_request(version_id=version.pk) == []
    version.refresh_from_db()
    assert version.analysis == settled
    assert Slice.objects.count() == 2
    assert OutboxMessage.objects.filter(task_name=SLICE_RUN_TASK).count() == 2
