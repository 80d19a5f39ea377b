"""The unit override path end to end: an upload modelled in inches is flagged, and a revision uploaded as inches
(the customer's choice) is analysed at the scaled size without the warning."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from designs.models import DesignVersion
from tests.conftest import client_for
from tests.designs.geometry.builders import binary_stl, box
from tests.factories import MaterialFactory

pytestmark = pytest.mark.django_db

BRACKET_IN_INCHES = binary_stl(*box((2.0, 1.5, 0.5)))
WARNING = (
    "The part is only 2 x 1.5 x 0.5 mm (read in millimetres because the file does not say). "
    "If the file is in inches it is 50.8 x 38.1 x 12.7 mm; please check the unit before ordering."
)


def test_an_inch_part_is_flagged_and_a_revision_in_inches_is_not(customer, django_capture_on_commit_callbacks):
    MaterialFactory()
    client = client_for(customer)
    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(
            "/api/designs/", {"file": SimpleUploadedFile("bracket.stl", BRACKET_IN_INCHES)}, format="multipart"
        )
    assert created.status_code == 201, created.json()
    design_id = created.json()["id"]
    first = client.get(f"/api/designs/{design_id}/").json()["latest_version"]
    assert (first["status"], first["analysis"]["units_suspected"]) == ("ready", "in")
    assert [issue["message"] for issue in first["analysis"]["issues"] if issue["code"] == "units_suspected"] == [
        WARNING
    ]
    # the design page says so too
    browser = Client()
    browser.force_login(customer)
    page = browser.get(f"/designs/{design_id}/").content.decode()
    assert WARNING in page

    with django_capture_on_commit_callbacks(execute=True):
        revised = client.post(
            f"/api/designs/{design_id}/versions/",
            {"file": SimpleUploadedFile("bracket.stl", BRACKET_IN_INCHES), "units": "in"},
            format="multipart",
        )

    assert revised.status_code == 201, revised.json()
    second = client.get(f"/api/designs/{design_id}/").json()["latest_version"]
    assert (second["number"], second["status"]) == (2, "ready")
    report = second["analysis"]
    assert report["units_suspected"] is None
    assert [issue for issue in report["issues"] if issue["code"] == "units_suspected"] == []
    assert report["bounding_box_mm"] == [50.8, 38.1, 12.7]
    assert report["units"]["applied"] == "in" and report["units"]["source"] == "customer"
    assert DesignVersion.objects.get(pk=second["id"]).units == "in"
    assert DesignVersion.objects.get(pk=first["id"]).analysis["units_suspected"] == "in"  # the first one is kept
