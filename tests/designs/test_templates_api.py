import pytest

from designs.models import Design, DesignVersion
from tests.conftest import client_for
from tests.factories import MaterialFactory

pytestmark = pytest.mark.django_db


def test_templates_are_listed_for_anyone(api):
    response = api.get("/api/templates/")
    assert response.status_code == 200
    templates = {t["slug"]: t for t in response.json()}
    assert {"box-with-lid", "phone-stand", "ring", "cable-clip", "vase", "spur-gear"} <= set(templates)
    size = next(p for p in templates["ring"]["parameters"] if p["name"] == "size")
    assert {"name", "type", "unit", "min", "max", "step", "default", "help"} <= set(size)
    assert api.get("/api/templates/ring/").json()["slug"] == "ring"
    assert api.get("/api/templates/teapot/").status_code == 404


def test_a_ring_in_size_54_is_generated_and_analysed(customer, django_capture_on_commit_callbacks):
    MaterialFactory()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(customer).post(
            "/api/templates/ring/designs/", {"parameters": {"size": 54}, "name": "My ring"}, format="json"
        )
    assert response.status_code == 201, response.json()
    body = client_for(customer).get(f"/api/designs/{response.json()['id']}/").json()
    version = body["latest_version"]
    assert body["status"] == "ready", version["error"]
    assert body["source"] == "template" and body["template_slug"] == "ring"
    assert version["parameters"]["size"] == 54
    assert version["analysis"]["watertight"] is True
    # the inner diameter of EU size 54 is 54 / pi = 17.19 mm: the ring is wider than that
    assert min(version["analysis"]["bounding_box_mm"][:2]) > 17.19
    assert version["file_url"]  # the generated mesh is stored as the version's file


@pytest.mark.parametrize(
    ("parameters", "fragment"),
    [
        ({"size": 500}, "size must be between"),
        ({"size": "big"}, "size"),
        ({"band_widht": 4}, "band_widht"),
    ],
)
def test_bad_parameters_are_400_naming_the_parameter(customer, parameters, fragment):
    response = client_for(customer).post("/api/templates/ring/designs/", {"parameters": parameters}, format="json")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert Design.objects.count() == 0


def test_a_wall_thinner_than_the_material_allows_is_refused(customer):
    MaterialFactory(code="tpu", name="TPU 95A", min_wall_mm="2.00")
    response = client_for(customer).post(
        "/api/templates/ring/designs/",
        {"parameters": {"size": 54, "band_thickness": 1.5}, "material": "tpu"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["parameter"] == "band_thickness"
    assert "band_thickness 1.5 mm is thinner than the 2 mm minimum wall for TPU 95A" in body["detail"]
    assert DesignVersion.objects.count() == 0


def test_live_preview_returns_a_glb(customer):
    response = client_for(customer).post(
        "/api/templates/spur-gear/preview/", {"parameters": {"teeth": 12}}, format="json"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "model/gltf-binary"
    assert response.content[:4] == b"glTF"
