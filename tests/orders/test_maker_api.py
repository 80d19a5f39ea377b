import threading
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from PIL import Image

from orders.models import Job, JobEvent
from orders.services.dispatch import order_dispatch
from tests.conftest import client_for
from tests.orders.test_dispatch import confirmed_order, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def offered(customer, version, makers):
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    return Job.objects.get(order=order)


def png_bytes() -> bytes:
    import io

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 50, 50)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_maker_sees_only_its_own_jobs(offered, makers):
    mine = client_for(member(offered.maker)).get("/api/maker/jobs/").json()
    assert [job["id"] for job in mine["results"]] == [offered.pk]
    job = mine["results"][0]
    assert {"id", "status", "order", "batch", "material", "quantity", "offer_expires_at"} <= set(job)
    assert job["order"] == offered.order_id and job["material"] == "pla"
    other = member(makers["munich"])
    assert client_for(other).get("/api/maker/jobs/").json()["count"] == 0
    assert client_for(other).get(f"/api/maker/jobs/{offered.pk}/").status_code == 404
    assert client_for(other).post(f"/api/maker/jobs/{offered.pk}/accept/").status_code == 404
    assert Job.objects.get(pk=offered.pk).status == "offered"


def test_other_roles_are_refused_the_maker_api(offered, customer, staff):
    for user in (customer, staff):
        assert client_for(user).get("/api/maker/jobs/").status_code == 403
        assert client_for(user).post(f"/api/maker/jobs/{offered.pk}/accept/").status_code == 403


def test_accept_then_a_second_accept_is_409(offered):
    client = client_for(member(offered.maker))
    first = client.post(f"/api/maker/jobs/{offered.pk}/accept/")
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    again = client.post(f"/api/maker/jobs/{offered.pk}/accept/")
    assert again.status_code == 409
    assert JobEvent.objects.filter(job=offered, to_status="accepted").count() == 1


def test_an_expired_offer_cannot_be_accepted(offered):
    Job.objects.filter(pk=offered.pk).update(offer_expires_at=timezone.now() - timedelta(seconds=1))
    response = client_for(member(offered.maker)).post(f"/api/maker/jobs/{offered.pk}/accept/")
    assert response.status_code == 409
    assert "expired" in response.json()["detail"]
    assert Job.objects.get(pk=offered.pk).status == "offered"


def test_decline_needs_a_reason(offered):
    client = client_for(member(offered.maker))
    assert client.post(f"/api/maker/jobs/{offered.pk}/decline/", {}).status_code == 400
    assert Job.objects.get(pk=offered.pk).status == "offered"


def test_progress_rules(offered):
    client = client_for(member(offered.maker))
    url = f"/api/maker/jobs/{offered.pk}/progress/"
    # printing before accepting is a forbidden move
    response = client.post(url, {"status": "printing"}, format="json")
    assert response.status_code == 409 and response.json()["allowed"] == [
        "accepted",
        "cancelled",
        "declined",
        "expired",
    ]
    client.post(f"/api/maker/jobs/{offered.pk}/accept/")
    assert client.post(url, {"status": "printing"}, format="json").json()["status"] == "printing"
    # printed needs a photo, shipped a tracking number
    assert "photo" in client.post(url, {"status": "printed"}, format="json").json()["detail"]
    photo = ContentFile(png_bytes(), name="parts.png")
    response = client.post(url, {"status": "printed", "photo": photo}, format="multipart")
    assert response.status_code == 200, response.json()
    assert response.json()["photo_url"]
    assert "tracking" in client.post(url, {"status": "shipped"}, format="json").json()["detail"]
    body = client.post(url, {"status": "shipped", "tracking": "JJD0001", "carrier": "DHL"}, format="json").json()
    assert body["status"] == "shipped" and body["tracking_number"] == "JJD0001"
    assert client.post(url, {"status": "exploded"}, format="json").status_code == 400


def test_the_job_photo_is_for_the_maker_the_customer_and_staff(offered, customer, other_customer, staff, makers):
    client = client_for(member(offered.maker))
    client.post(f"/api/maker/jobs/{offered.pk}/accept/")
    client.post(f"/api/maker/jobs/{offered.pk}/progress/", {"status": "printing"}, format="json")
    client.post(
        f"/api/maker/jobs/{offered.pk}/progress/",
        {"status": "printed", "photo": ContentFile(png_bytes(), name="p.png")},
        format="multipart",
    )
    url = f"/api/jobs/{offered.pk}/photo/"
    for user in (member(offered.maker), customer, staff):
        response = client_for(user).get(url)
        assert response.status_code == 200
        assert response["X-Content-Type-Options"] == "nosniff"
    for user in (other_customer, member(makers["munich"])):
        assert client_for(user).get(url).status_code == 404


def test_a_maker_downloads_the_design_only_for_its_jobs(offered, makers, version):
    url = f"/api/designs/{version.design_id}/versions/{version.number}/"
    assert client_for(member(offered.maker)).get(url).status_code == 200
    assert client_for(member(makers["munich"])).get(url).status_code == 404


def test_batches_for_staff_and_own_maker(offered, staff, makers, customer):
    assert client_for(staff).get("/api/batches/").json()["count"] == 1
    batch = client_for(member(offered.maker)).get("/api/batches/").json()["results"][0]
    assert batch["plates"] == 1 and batch["jobs"][0]["id"] == offered.pk
    assert client_for(member(makers["munich"])).get("/api/batches/").json()["count"] == 0
    assert client_for(customer).get("/api/batches/").json()["count"] == 0


def test_makers_edit_their_profile_and_printers(maker_user, materials):
    client = client_for(maker_user)
    response = client.patch(
        "/api/maker/profile/", {"capacity": 5, "city": "Potsdam", "price_factor": "0.1"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["capacity"] == 5 and response.json()["price_factor"] == "1.00"  # staff-only field
    created = client.post(
        "/api/maker/printers/",
        {
            "name": "Voron 2.4",
            "process": "fdm",
            "build_x_mm": 350,
            "build_y_mm": 350,
            "build_z_mm": 340,
            "materials": ["pla", "petg"],
            "colours": ["black"],
            "is_online": True,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    printer_id = created.json()["id"]
    wrong = client.post(
        "/api/maker/printers/",
        {
            "name": "Resin",
            "process": "fdm",
            "build_x_mm": 100,
            "build_y_mm": 100,
            "build_z_mm": 100,
            "materials": ["resin-standard"],
        },
        format="json",
    )
    assert wrong.status_code == 400 and "sla material" in wrong.json()["detail"]
    offline = client.patch(f"/api/maker/printers/{printer_id}/", {"is_online": False}, format="json")
    assert offline.json()["is_online"] is False


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_accepts_exactly_one_wins(customer, version, makers):
    """Threads with their own database connections race for one offer: one 200, nineteen 409, no 500."""
    order = confirmed_order(customer, version)
    order_dispatch(order_id=order.pk)
    job = Job.objects.get(order=order)
    user = member(job.maker)
    barrier = threading.Barrier(20)
    results = []

    def accept():
        from django.db import connections

        try:
            client = client_for(user)
            barrier.wait()
            response = client.post(f"/api/maker/jobs/{job.pk}/accept/")
            results.append(response.status_code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(results) == [200] + [409] * 19, (connection.vendor, results)
    assert JobEvent.objects.filter(job=job, to_status="accepted").count() == 1
    assert Job.objects.get(pk=job.pk).status == "accepted"


def test_a_photo_that_is_not_an_image_is_refused_and_metadata_is_dropped(offered):
    import io

    from PIL import Image

    client = client_for(member(offered.maker))
    client.post(f"/api/maker/jobs/{offered.pk}/accept/")
    client.post(f"/api/maker/jobs/{offered.pk}/progress/", {"status": "printing"}, format="json")
    fake = ContentFile(b"<html><script>alert(1)</script></html>", name="p.png")
    response = client.post(
        f"/api/maker/jobs/{offered.pk}/progress/", {"status": "printed", "photo": fake}, format="multipart"
    )
    assert response.status_code == 400
    assert Job.objects.get(pk=offered.pk).status == "printing"
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # camera make; GPS would be dropped the same way
    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), (10, 200, 10)).save(buffer, format="JPEG", exif=exif)
    response = client.post(
        f"/api/maker/jobs/{offered.pk}/progress/",
        {"status": "printed", "photo": ContentFile(buffer.getvalue(), name="p.jpg")},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    stored = Job.objects.get(pk=offered.pk).photo
    with Image.open(stored.open("rb")) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 2048
        assert not image.getexif()


def test_the_printer_rules_hold_for_every_change_not_only_a_new_printer(maker_user, materials):
    # given an FDM printer loaded with PLA
    client = client_for(maker_user)
    created = client.post(
        "/api/maker/printers/",
        {
            "name": "MK3S",
            "process": "fdm",
            "build_x_mm": 250,
            "build_y_mm": 210,
            "build_z_mm": 210,
            "materials": ["pla"],
        },
        format="json",
    )
    printer_id = created.json()["id"]
    before = client.get("/api/maker/printers/").json()

    # when the maker makes it a resin printer but leaves the PLA in it, or gives it a 2.5 m axis
    to_resin = client.patch(f"/api/maker/printers/{printer_id}/", {"process": "sla"}, format="json")
    too_tall = client.patch(f"/api/maker/printers/{printer_id}/", {"build_z_mm": 2500 * 2}, format="json")

    # then both are refused with the reason, and nothing changed
    assert to_resin.status_code == 400
    assert to_resin.json()["detail"] == "PLA is a fdm material; this printer is sla."
    assert (to_resin.json()["code"], to_resin.json()["field"]) == ("material_not_for_process", "materials")
    assert too_tall.status_code == 400
    assert too_tall.json() == {
        "detail": "Build sizes must be between 10 and 3000 mm.",
        "code": "bad_build_size",
        "field": "build_z_mm",
    }
    assert client.get("/api/maker/printers/").json() == before
