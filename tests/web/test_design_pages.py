"""The upload page, the design page (report, viewer, versions, conversation) and the quote form."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from codesign.models import Message
from core.models import OutboxMessage
from designs.models import Design, DesignVersion
from designs.services.analysis import DESIGN_VERSION_ANALYSE_TASK
from orders.models import Quote
from tests.factories import ReadyVersionFactory, cube_report
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db

TETRAHEDRON_STL = b"""solid t
facet normal 0 0 -1
outer loop
vertex 0 0 0
vertex 0 10 0
vertex 10 0 0
endloop
endfacet
facet normal 0 -1 0
outer loop
vertex 0 0 0
vertex 10 0 0
vertex 0 0 10
endloop
endfacet
facet normal -1 0 0
outer loop
vertex 0 0 0
vertex 0 0 10
vertex 0 10 0
endloop
endfacet
facet normal 1 1 1
outer loop
vertex 10 0 0
vertex 0 10 0
vertex 0 0 10
endloop
endfacet
endsolid t
"""


def stl(name="bracket.stl", content=TETRAHEDRON_STL):
    return SimpleUploadedFile(name, content, content_type="model/stl")


def test_uploading_without_javascript_stores_version_one_and_queues_its_analysis(customer):
    response = client_as(customer).post("/designs/upload/", {"file": stl(), "name": "Bracket", "units": "mm"})
    design = Design.objects.get(owner=customer)
    assert (response.status_code, response["Location"]) == (302, f"/designs/{design.pk}/")
    version = design.versions.get()
    assert (design.name, version.number, version.status, version.units) == ("Bracket", 1, "queued", "mm")
    assert version.original_filename == "bracket.stl"
    assert (
        OutboxMessage.objects.filter(task_name=DESIGN_VERSION_ANALYSE_TASK, kwargs={"version_id": version.pk}).count()
        == 1
    )


def test_the_same_file_twice_gives_back_the_first_design(customer):
    client = client_as(customer)
    client.post("/designs/upload/", {"file": stl()})
    response = client.post("/designs/upload/", {"file": stl("again.stl")}, follow=True)
    assert Design.objects.filter(owner=customer).count() == 1
    assert "You uploaded this file before: here is that design." in response.content.decode()


def test_an_unsupported_file_is_refused_with_the_services_message(customer):
    response = client_as(customer).post("/designs/upload/", {"file": stl("notes.txt", b"hello")})
    assert response.status_code == 400
    assert "Files with .txt are not supported." in response.content.decode()
    assert not Design.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_stored(customer, settings):
    settings.DESIGN_UPLOAD_MAX_BYTES = 200
    response = client_as(customer).post("/designs/upload/", {"file": stl()})
    assert response.status_code == 400
    assert "larger than the 0.000190735 MB upload limit" in response.content.decode()
    assert not DesignVersion.objects.exists()


def test_the_upload_page_posts_to_the_api_with_a_progress_bar(customer):
    page = client_as(customer).get("/designs/upload/").content.decode()
    assert 'data-api-url="/api/designs/"' in page
    assert '<progress id="upload-progress-bar"' in page
    assert '<label for="id_file">Mesh file</label>' in page


def report_with_problems(materials):
    report = cube_report(20.0, materials=materials)
    report.update(
        watertight=False,
        open_edges=12,
        issues=[
            {"code": "multiple_bodies", "severity": "info", "message": "The model has 2 separate bodies."},
            {"code": "open_edges", "severity": "error", "message": "The surface has 12 open edges (holes)."},
        ],
        repair={
            "performed": True,
            "volume_before_mm3": 7900.0,
            "volume_after_mm3": 8000.0,
            "changes": {"holes_filled": 3, "faces_flipped": 0},
        },
        highlights={"open_edges": [[[0, 0, 0], [1, 0, 0]]], "thin_points": [[5, 5, 5]]},
    )
    report["materials"]["resin-standard"] = {
        "printable": False,
        "reasons": ["Wall 0.5 mm is thinner than the 0.6 mm minimum for Standard resin."],
        "warnings": [],
    }
    return report


def test_the_design_page_shows_the_report_the_viewer_and_the_quote_form(customer, materials):
    version = ReadyVersionFactory(
        design__owner=customer, design__name="Bracket", analysis=report_with_problems(list(materials))
    )
    version.preview.save("p.glb", SimpleUploadedFile("p.glb", b"glb"), save=True)
    page = client_as(customer).get(f"/designs/{version.design_id}/").content.decode()
    # The viewer loads the preview through the permission-checked file view, highlights ride along as JSON.
    assert f'data-src="/api/designs/{version.design_id}/versions/{version.number}/preview/"' in page
    highlights = '{"open_edges": [[[0, 0, 0], [1, 0, 0]]], "thin_points": [[5, 5, 5]]}'
    assert f'<script id="highlights-data" type="application/json">{highlights}</script>' in page
    # Issues come errors first, with their severity as a colour class.
    assert page.index("severity-error") < page.index("severity-info")
    assert "The surface has 12 open edges (holes)." in page
    assert "Wall 0.5 mm is thinner than the 0.6 mm minimum for Standard resin." in page
    assert "<dt>Volume before</dt><dd>7.90 cm³</dd>" in page
    assert "<dt>Volume after</dt><dd>8.00 cm³</dd>" in page
    assert "<dt>Holes filled</dt><dd>3</dd>" in page
    # Only printable materials can be quoted; the cheapest is chosen first.
    form = client_as(customer).get(f"/designs/{version.design_id}/").context["quote_form"]
    assert [code for code, _ in form.fields["material"].choices] == ["petg", "pla", "pa12-mjf"]
    assert form.initial == {"material": "pla"}


def test_a_material_waiting_for_the_slicer_check_says_so(customer, materials):
    report = cube_report(materials=["pla", "petg"])
    reason = "The surface is not a closed solid (6 open edges remain after repair), so PLA cannot be printed from it."
    report["materials"]["pla"] = {
        "printable": False,
        "reasons": [reason],
        "reason_details": [{"code": "not_closed", "message": reason}],
        "warnings": [],
        "slicer_check": "pending",
    }
    report["materials"]["petg"] = {"printable": False, "reasons": [reason.replace("PLA", "PETG")], "warnings": []}
    version = ReadyVersionFactory(design__owner=customer, analysis=report)

    page = client_as(customer).get(f"/designs/{version.design_id}/").content.decode()

    assert page.count("checking with the slicer") == 1
    assert page.count('<span class="badge badge-bad">not printable</span>') == 1


def test_a_design_being_analysed_polls_and_offers_no_quote(customer, materials):
    version = ReadyVersionFactory(design__owner=customer, status="analysing", analysis=None)
    response = client_as(customer).get(f"/designs/{version.design_id}/")
    page = response.content.decode()
    assert f'data-poll-url="/api/designs/{version.design_id}/versions/{version.number}/"' in page
    assert 'data-status="analysing"' in page
    assert "quote_form" not in response.context


def test_a_failed_analysis_says_why(customer, materials):
    version = ReadyVersionFactory(
        design__owner=customer, status="failed", analysis=None, error="The file is not a mesh.", error_code="unreadable"
    )
    page = client_as(customer).get(f"/designs/{version.design_id}/").content.decode()
    assert "The file is not a mesh." in page
    assert "<code>unreadable</code>" in page


def test_a_quote_lists_the_makers_and_why_others_are_excluded(customer, version, makers):
    response = client_as(customer).post(
        f"/designs/{version.design_id}/quote/",
        {"version": version.number, "material": "pla", "quantity": 3, "city": "Berlin"},
    )
    quote = Quote.objects.get(customer=customer)
    assert response["Location"] == f"/quotes/{quote.pk}/"
    assert (quote.quantity, quote.material.code, quote.ship_to_latitude) == (3, "pla", 52.52)
    page = client_as(customer).get(f"/quotes/{quote.pk}/").content.decode()
    names = [maker["name"] for maker in quote.result["makers"]]
    assert names[0] == "Berlin FDM"
    for maker in quote.result["makers"]:
        assert maker["name"] in page
    for excluded in quote.result["excluded"]:
        assert excluded["reason"] in page
    assert "Order and pay" in page and 'name="postcode"' in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"city": "Atlantis"}, "Unknown city &#x27;Atlantis&#x27;: give lat and lon instead."),
        (
            {"city": "Berlin", "colour": "orange"},
            "PLA comes in black, white, red; &#x27;orange&#x27; is not one of them.",
        ),
        ({}, "Say where to ship: a city, or a latitude and a longitude."),
    ],
)
def test_quote_errors_are_shown_on_the_design_page(customer, version, makers, data, message):
    response = client_as(customer).post(
        f"/designs/{version.design_id}/quote/", {"version": version.number, "material": "pla", "quantity": 1, **data}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Quote.objects.exists()


def test_the_owner_uploads_a_new_version(customer, version):
    response = client_as(customer).post(
        f"/designs/{version.design_id}/versions/", {"file": stl("v2.stl"), "message": "thicker walls"}
    )
    assert response["Location"] == f"/designs/{version.design_id}/?version={version.number + 1}"
    new = DesignVersion.objects.get(design=version.design, number=version.number + 1)
    assert (new.status, new.message, new.created_by) == ("queued", "thicker walls", customer)


def test_a_message_on_a_version_reaches_the_thread(customer, version):
    client = client_as(customer)
    response = client.post(
        f"/designs/{version.design_id}/versions/{version.number}/messages/", {"body": "Matte, please"}
    )
    assert response["Location"] == f"/designs/{version.design_id}/?version={version.number}#conversation"
    assert list(Message.objects.values_list("author__username", "body", "design_version")) == [
        ("carol", "Matte, please", version.pk)
    ]
    assert "Matte, please" in client.get(f"/designs/{version.design_id}/").content.decode()
    empty = client.post(f"/designs/{version.design_id}/versions/{version.number}/messages/", {"body": " "}, follow=True)
    assert "Write a message first." in empty.content.decode()
    assert Message.objects.count() == 1


def test_someone_else_cannot_write_in_the_thread(version, other_customer):
    response = client_as(other_customer).post(
        f"/designs/{version.design_id}/versions/{version.number}/messages/", {"body": "hi"}
    )
    assert response.status_code == 404
    assert not Message.objects.exists()
