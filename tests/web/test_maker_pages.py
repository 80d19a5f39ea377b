"""The maker's job board and job page: accept, decline with a reason, progress with photo and tracking, the
plate drawing, revision proposals."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from codesign.models import RevisionProposal
from orders.models import Job
from orders.services import jobs as job_services
from tests.web.conftest import client_as, jpeg

pytestmark = pytest.mark.django_db


def test_the_board_shows_offers_with_a_countdown(world):
    response = client_as(world.maker).get("/maker/jobs/")
    page = response.content.decode()
    assert [job.pk for job in response.context["offers"]] == [world.job.pk]
    assert response.context["in_hand"] == []
    expires = world.job.offer_expires_at.isoformat()
    assert f'<time data-countdown datetime="{expires}">3 h 59 min</time>' in page
    assert "2 × Cube" in page
    assert client_as(world.other_maker).get("/maker/jobs/").context["offers"] == []


def test_accepting_an_offer_takes_the_job(world):
    response = client_as(world.maker).post(f"/maker/jobs/{world.job.pk}/accept/")
    assert response["Location"] == f"/maker/jobs/{world.job.pk}/"
    world.job.refresh_from_db()
    world.order.refresh_from_db()
    assert (world.job.status, world.order.status) == ("accepted", "in_production")


def test_an_expired_offer_cannot_be_accepted(world):
    Job.objects.filter(pk=world.job.pk).update(offer_expires_at=timezone.now() - timedelta(minutes=1))
    response = client_as(world.maker).post(f"/maker/jobs/{world.job.pk}/accept/", follow=True)
    assert "This offer has expired; the job has gone to another maker." in response.content.decode()
    assert Job.objects.get(pk=world.job.pk).status == "offered"


def test_declining_needs_a_reason(world):
    response = client_as(world.maker).post(f"/maker/jobs/{world.job.pk}/decline/", {"reason": ""})
    assert response.status_code == 400
    assert response.context["decline_form"].errors == {"reason": ["This field is required."]}
    assert Job.objects.get(pk=world.job.pk).status == "offered"
    response = client_as(world.maker).post(f"/maker/jobs/{world.job.pk}/decline/", {"reason": "printer down"})
    assert response["Location"] == "/maker/jobs/"
    job = Job.objects.get(pk=world.job.pk)
    assert (job.status, job.decline_reason) == ("declined", "printer down")


def test_progress_printing_printed_with_photo_shipped_with_tracking(world):
    client = client_as(world.maker)
    client.post(f"/maker/jobs/{world.job.pk}/accept/")
    page = client.get(f"/maker/jobs/{world.job.pk}/").content.decode()
    assert '<input type="hidden" name="status" value="printing">' in page
    client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "printing"})
    missing_photo = client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "printed"})
    assert missing_photo.status_code == 400
    assert "Attach a photo of the printed parts." in missing_photo.content.decode()
    assert Job.objects.get(pk=world.job.pk).status == "printing"
    client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "printed", "photo": jpeg()})
    page = client.get(f"/maker/jobs/{world.job.pk}/").content.decode()
    assert '<label for="id_tracking">Tracking number</label>' in page
    assert f'src="/api/jobs/{world.job.pk}/photo/"' in page
    missing_tracking = client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "shipped"})
    assert "Give the tracking number of the parcel." in missing_tracking.content.decode()
    client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "shipped", "tracking": "JJD0001", "carrier": "DHL"})
    job = Job.objects.get(pk=world.job.pk)
    world.order.refresh_from_db()
    assert (job.status, job.tracking_number, job.carrier, world.order.status) == (
        "shipped",
        "JJD0001",
        "DHL",
        "shipped",
    )
    events = list(job.events.values_list("to_status", flat=True))
    assert events == ["offered", "accepted", "printing", "printed", "shipped"]


def test_a_photo_that_is_not_an_image_is_refused(world):
    client = client_as(world.maker)
    client.post(f"/maker/jobs/{world.job.pk}/accept/")
    client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "printing"})
    response = client.post(
        f"/maker/jobs/{world.job.pk}/progress/",
        {"status": "printed", "photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")},
    )
    assert response.status_code == 400
    assert Job.objects.get(pk=world.job.pk).status == "printing"


def test_the_job_page_draws_every_part_on_the_plate_and_links_the_files(world):
    page = client_as(world.maker).get(f"/maker/jobs/{world.job.pk}/").content.decode()
    batch = world.job.batch
    batch.refresh_from_db()
    placements = [p for plate in batch.packing["plates"] for p in plate["placements"]]
    assert len(placements) == 2
    assert page.count('<rect class="part c0"') == 2
    assert f'viewBox="-2 -2 {batch.packing["build_volume_mm"][0] + 4}' in page
    version = world.version
    assert f'<a href="/api/designs/{version.design_id}/versions/{version.number}/file/">original file</a>' in page
    assert "20 x 20 x 20 mm" in page


def test_the_maker_proposes_a_revision_by_file(world):
    client = client_as(world.maker)
    client.post(f"/maker/jobs/{world.job.pk}/accept/")
    item = world.order.items.get()
    response = client.post(
        f"/maker/jobs/{world.job.pk}/proposals/",
        {
            "order_item": item.pk,
            "message": "Rounded the edges",
            "file": SimpleUploadedFile("fixed.stl", b"solid f\nendsolid f\n"),
        },
    )
    assert response["Location"] == f"/maker/jobs/{world.job.pk}/#proposals"
    proposal = RevisionProposal.objects.get()
    assert (proposal.status, proposal.message, proposal.version.number) == (
        "pending",
        "Rounded the edges",
        world.version.number + 1,
    )
    # Printing waits for the customer's answer.
    refused = client.post(f"/maker/jobs/{world.job.pk}/progress/", {"status": "printing"})
    assert refused.status_code == 400
    assert Job.objects.get(pk=world.job.pk).status == "accepted"


def test_a_proposal_needs_a_message(world):
    client = client_as(world.maker)
    item = world.order.items.get()
    response = client.post(
        f"/maker/jobs/{world.job.pk}/proposals/",
        {"order_item": item.pk, "message": "", "file": SimpleUploadedFile("f.stl", b"solid f\nendsolid f\n")},
        follow=True,
    )
    assert "Explain what you changed and why." in response.content.decode()
    assert not RevisionProposal.objects.exists()


def test_giving_up_a_job_needs_a_reason_and_sends_the_parts_on(world):
    client = client_as(world.maker)
    client.post(f"/maker/jobs/{world.job.pk}/accept/")
    assert client.post(f"/maker/jobs/{world.job.pk}/fail/", {"reason": ""}).status_code == 400
    client.post(f"/maker/jobs/{world.job.pk}/fail/", {"reason": "nozzle broke"})
    assert Job.objects.get(pk=world.job.pk).status == "failed"


def test_a_job_of_another_maker_is_not_found(world):
    job_services.job_accept(job_id=world.job.pk, actor=world.maker)
    client = client_as(world.other_maker)
    for path in ("", "accept/", "progress/", "fail/", "proposals/"):
        method = client.get if not path else client.post
        assert method(f"/maker/jobs/{world.job.pk}/{path}").status_code == 404
    assert Job.objects.get(pk=world.job.pk).status == "accepted"
