"""The template catalogue and the customizer page: a form generated from the schema, creating a design."""

from decimal import Decimal

import pytest

from designs.models import Design
from designs.parametric import TEMPLATES
from tests.factories import MaterialFactory
from tests.web.conftest import client_as

pytestmark = pytest.mark.django_db


def test_the_catalogue_lists_every_template(customer):
    page = client_as(None).get("/templates/").content.decode()
    for template in TEMPLATES.values():
        assert f'<a href="/templates/{template.slug}/">{template.name}</a>' in page


def test_the_form_has_a_labelled_input_per_parameter_with_its_range(customer, materials):
    page = client_as(customer).get("/templates/ring/").content.decode()
    assert '<label for="parameter-size">Ring size</label>' in page
    assert 'name="size" id="parameter-size" value="54"' in page
    assert 'min="2.0"' in page and 'max="76.0"' in page and 'step="0.25"' in page
    assert '<option value="comfort" selected>comfort</option>' in page
    assert 'data-preview-url="/api/templates/ring/preview/"' in page
    gear = client_as(customer).get("/templates/spur-gear/").content.decode()
    assert '<input type="checkbox" name="keyway" id="parameter-keyway" value="true"' in gear


def test_creating_a_design_from_the_form(customer, materials):
    response = client_as(customer).post(
        "/templates/ring/",
        {
            "size": "56",
            "size_system": "EU",
            "band_width": "5",
            "band_thickness": "2",
            "profile": "flat",
            "name": "Mine",
        },
    )
    design = Design.objects.get(owner=customer)
    assert response["Location"] == f"/designs/{design.pk}/"
    version = design.latest_version
    assert (design.name, design.source, version.template_slug, version.status) == ("Mine", "template", "ring", "queued")
    assert version.parameters == {
        "size": 56.0,
        "size_system": "EU",
        "band_width": 5.0,
        "band_thickness": 2.0,
        "profile": "flat",
    }


def test_an_out_of_range_value_is_refused_and_the_form_keeps_what_was_typed(customer, materials):
    response = client_as(customer).post("/templates/ring/", {"size": "99", "band_width": "5"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "size must be between 2 and 76 (got &quot;99&quot;)" in page
    assert 'name="size" id="parameter-size" value="99"' in page
    assert 'aria-invalid="true"' in page
    assert not Design.objects.exists()


def test_a_wall_thinner_than_the_chosen_material_allows_is_refused(customer, materials):
    MaterialFactory(code="steel", name="Steel", process="metal", min_wall_mm=Decimal("2.00"))
    response = client_as(customer).post("/templates/ring/", {"band_thickness": "1.8", "material": "steel"})
    assert response.status_code == 400
    assert "band_thickness 1.8 mm is thinner than the 2 mm minimum wall for Steel" in response.content.decode()
    assert not Design.objects.exists()


def test_only_customers_create_designs(maker_user):
    assert client_as(maker_user).post("/templates/ring/", {}).status_code == 404
    anonymous = client_as(None).post("/templates/ring/", {})
    assert anonymous["Location"] == "/login/?next=/templates/ring/"
    assert not Design.objects.exists()
