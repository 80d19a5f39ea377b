"""Co-design: a ring from the template, a maker's proposal for a thicker band, the customer's decision."""

from decimal import Decimal

import pytest

from codesign.models import Message, RevisionProposal
from core.models import Notification
from designs.models import Design, DesignVersion
from orders.models import Job, Order, OrderEvent
from orders.services import quoting
from tests.conftest import client_for
from tests.money import BERLIN_ADDRESS, pay
from tests.orders.test_dispatch import member

pytestmark = pytest.mark.django_db
BERLIN = {"lat": 52.52, "lon": 13.405}


@pytest.fixture
def ring_order(customer, makers, django_capture_on_commit_callbacks):
    """A ring in EU size 54 ordered in PLA, confirmed, dispatched and accepted by a Berlin maker."""
    client = client_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        design_id = client.post(
            "/api/templates/ring/designs/", {"parameters": {"size": 54}, "material": "pla"}, format="json"
        ).json()["id"]
    version = Design.objects.get(pk=design_id).latest_version
    assert version.status == "ready", version.error
    order_id = client.post(
        "/api/orders/",
        {
            "items": [{"design_version": version.pk, "material": "pla", "quantity": 1}],
            "ship_to": BERLIN,
            "shipping_address": BERLIN_ADDRESS,
        },
        format="json",
    ).json()["id"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/api/orders/{order_id}/confirm/")
        pay(order_id)
    job = Job.objects.get(order_id=order_id)
    assert client_for(member(job.maker)).post(f"/api/maker/jobs/{job.pk}/accept/").status_code == 200
    return Order.objects.get(pk=order_id), job


def propose(job, django_capture_on_commit_callbacks, **parameters):
    with django_capture_on_commit_callbacks(execute=True):
        return client_for(member(job.maker)).post(
            f"/api/maker/jobs/{job.pk}/proposals/",
            {"parameters": {"size": 54, **parameters}, "message": "A 2.4 mm band will not crack in PLA."},
            format="json",
        )


def test_the_ring_journey(customer, ring_order, django_capture_on_commit_callbacks):
    order, job = ring_order
    item = order.items.get()
    old_total = item.total_price
    maker_client, customer_client = client_for(member(job.maker)), client_for(customer)

    # the maker proposes a thicker band; the new version is generated and analysed like any other
    response = propose(job, django_capture_on_commit_callbacks, band_thickness=2.4)
    assert response.status_code == 201, response.json()
    assert response.json()["version"]["status"] == "queued"  # answered before the analysis ran
    [proposal] = maker_client.get(f"/api/maker/jobs/{job.pk}/proposals/").json()
    assert proposal["status"] == "pending"
    assert proposal["version"]["number"] == 2 and proposal["version"]["status"] == "ready"
    assert proposal["version"]["parameters"]["band_thickness"] == 2.4
    # the customer's design still shows their version until they accept
    assert Design.objects.get(pk=item.design_version.design_id).latest_version.number == 1

    # production waits for the customer's answer
    refused = maker_client.post(f"/api/maker/jobs/{job.pk}/progress/", {"status": "printing"}, format="json")
    assert refused.status_code == 409 and "waiting for the customer" in refused.json()["detail"]

    # the customer sees the new price before deciding
    [shown] = customer_client.get(f"/api/orders/{order.pk}/proposals/").json()
    new_version = DesignVersion.objects.get(pk=proposal["version"]["id"])
    expected = quoting.price(version=new_version, material=item.material, quantity=1).total
    assert Decimal(shown["expected_price"]["total"]) == expected
    assert Decimal(shown["expected_price"]["difference"]) == expected - old_total
    assert expected > old_total  # more band, more material and time

    accepted = customer_client.post(f"/api/proposals/{proposal['id']}/accept/")
    assert accepted.status_code == 200, accepted.json()
    assert Decimal(accepted.json()["price_difference"]) == expected - old_total
    told = Notification.objects.filter(user=member(job.maker), kind="proposal.accepted")
    assert [note.subject for note in told] == [f"Revision accepted for job {job.pk}"]
    item.refresh_from_db()
    order.refresh_from_db()
    assert item.design_version_id == new_version.pk
    assert item.total_price == expected
    assert item.parameters["band_thickness"] == 2.4
    assert order.items_net == expected
    assert Design.objects.get(pk=new_version.design_id).latest_version_id == new_version.pk

    # the maker produces the accepted version
    assert (
        maker_client.post(f"/api/maker/jobs/{job.pk}/progress/", {"status": "printing"}, format="json").status_code
        == 200
    )
    job_body = maker_client.get(f"/api/maker/jobs/{job.pk}/").json()
    assert job_body["items"][0]["version"] == 2

    # all of it is on the timeline and in the thread
    notes = OrderEvent.objects.filter(order=order, kind="note")
    assert [n.details["difference"] for n in notes] == [str(expected - old_total)]
    timeline = customer_client.get(f"/api/orders/{order.pk}/").json()["events"]
    assert any("Revision accepted" in event["reason"] for event in timeline)
    thread = customer_client.get(f"/api/jobs/{job.pk}/messages/").json()
    assert [m["body"].split(":")[0] for m in thread] == [
        "Proposed version 2 of " + new_version.design.name,
        "Revision accepted",
    ]


def test_rejecting_keeps_the_customer_version(customer, ring_order, django_capture_on_commit_callbacks):
    order, job = ring_order
    proposal = propose(job, django_capture_on_commit_callbacks, band_thickness=2.4).json()
    response = client_for(customer).post(f"/api/proposals/{proposal['id']}/reject/", {"reason": "I like it thin"})
    assert response.status_code == 200 and response.json()["status"] == "rejected"
    assert order.items.get().design_version.number == 1
    # the maker hears the answer once, with the customer's reason
    told = Notification.objects.filter(user=member(job.maker), kind="proposal.rejected")
    assert [(note.subject, note.body) for note in told] == [(f"Revision rejected for job {job.pk}", "I like it thin")]
    assert client_for(customer).post(f"/api/proposals/{proposal['id']}/accept/").status_code == 409
    assert (
        client_for(member(job.maker))
        .post(f"/api/maker/jobs/{job.pk}/progress/", {"status": "printing"}, format="json")
        .status_code
        == 200
    )


def test_only_the_order_customer_decides(ring_order, other_customer, django_capture_on_commit_callbacks):
    order, job = ring_order
    proposal = propose(job, django_capture_on_commit_callbacks, band_thickness=2.4).json()
    assert client_for(other_customer).post(f"/api/proposals/{proposal['id']}/accept/").status_code == 404
    assert client_for(member(job.maker)).post(f"/api/proposals/{proposal['id']}/accept/").status_code == 403
    assert RevisionProposal.objects.get(pk=proposal["id"]).status == "pending"


def test_one_pending_proposal_per_item(ring_order, django_capture_on_commit_callbacks):
    order, job = ring_order
    assert propose(job, django_capture_on_commit_callbacks, band_thickness=2.4).status_code == 201
    again = propose(job, django_capture_on_commit_callbacks, band_thickness=3.0)
    assert again.status_code == 409
    assert RevisionProposal.objects.count() == 1


def test_a_proposal_with_a_wall_too_thin_for_the_material_is_refused(
    ring_order, django_capture_on_commit_callbacks, materials
):
    order, job = ring_order
    materials["pla"].min_wall_mm = Decimal("2.0")
    materials["pla"].save()
    response = propose(job, django_capture_on_commit_callbacks, band_thickness=1.5)
    assert response.status_code == 400
    assert "thinner than the 2 mm minimum wall for PLA" in response.json()["detail"]


def test_threads_are_private(customer, other_customer, ring_order, makers, staff):
    order, job = ring_order
    url = f"/api/jobs/{job.pk}/messages/"
    assert client_for(customer).post(url, {"body": "Can you do it by Friday?"}, format="json").status_code == 201
    assert client_for(member(job.maker)).post(url, {"body": "Yes."}, format="json").status_code == 201
    assert [m["author_role"] for m in client_for(staff).get(url).json()] == ["customer", "maker"]
    for outsider in (other_customer, member(makers["munich"])):
        assert client_for(outsider).get(url).status_code == 404
        assert client_for(outsider).post(url, {"body": "hi"}, format="json").status_code == 404
    version = order.items.get().design_version
    version_url = f"/api/designs/{version.design_id}/versions/{version.number}/messages/"
    assert (
        client_for(member(job.maker)).post(version_url, {"body": "The band is thin."}, format="json").status_code == 201
    )
    assert client_for(other_customer).get(version_url).status_code == 404
    assert Message.objects.count() == 3
    assert client_for(customer).post(url, {"body": "   "}, format="json").status_code == 400


def test_a_maker_uploading_a_version_makes_a_proposal(customer, ring_order, django_capture_on_commit_callbacks):
    import io

    import trimesh
    from django.core.files.uploadedfile import SimpleUploadedFile

    order, job = ring_order
    version = order.items.get().design_version
    buffer = io.BytesIO()
    trimesh.creation.annulus(r_min=8.6, r_max=11, height=5).export(buffer, file_type="stl")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(member(job.maker)).post(
            f"/api/designs/{version.design_id}/versions/",
            {"file": SimpleUploadedFile("fixed.stl", buffer.getvalue()), "message": "closed the seam"},
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["proposal"]
    assert RevisionProposal.objects.get().version.number == 2
