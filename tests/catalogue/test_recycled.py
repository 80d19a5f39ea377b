"""The recycled-material flag (catalogue Material.is_recycled) and where it matters.

Found by reading the code: the materials API carries it (``is_recycled``) and the admin lists and filters by it.
Nothing else reads it: prices, the makers' shipping CO2 and the pages are the same for a recycled material as for
its twin with the same figures. These tests pin that down exactly, so a change in either direction is deliberate.
"""

from decimal import Decimal

import pytest
from django.test import Client

from catalogue.models import Material
from orders.services import quoting
from orders.services.quoting import ShipTo
from tests.conftest import client_for
from tests.factories import MaterialFactory, ReadyVersionFactory, cube_report

pytestmark = pytest.mark.django_db

BERLIN = ShipTo(52.52, 13.405, "Berlin, DE")


@pytest.fixture
def twins(materials, makers):
    """PETG and recycled PETG: the same figures, one flag apart; both loaded on every printer that loads PETG."""
    petg = materials["petg"]
    recycled = MaterialFactory(
        code="petg-recycled",
        name="Recycled PETG",
        price_per_cm3=petg.price_per_cm3,
        colours=list(petg.colours),
        is_recycled=True,
    )
    for maker in makers.values():
        for printer in maker.printers.filter(materials=petg):
            printer.materials.add(recycled)
    return petg, recycled


def test_the_materials_api_says_which_material_is_recycled(twins):
    petg, recycled = twins

    body = client_for(None).get("/api/materials/").json()

    flags = {material["code"]: material["is_recycled"] for material in body}
    assert flags == {
        "pla": False,
        "petg": False,
        "resin-standard": False,
        "pa12-mjf": False,
        "petg-recycled": True,
    }
    assert next(material for material in body if material["code"] == "petg-recycled")["price_per_cm3"] == "0.120"


def test_a_recycled_material_costs_the_same_and_travels_the_same(customer, twins):
    petg, recycled = twins
    version = ReadyVersionFactory(design__owner=customer, analysis=cube_report(20.0))

    plain_price = quoting.price(version=version, material=petg, quantity=3)
    recycled_price = quoting.price(version=version, material=recycled, quantity=3)
    plain = quoting.quote_create(customer=customer, version=version, material=petg, quantity=3, ship_to=BERLIN)
    green = quoting.quote_create(customer=customer, version=version, material=recycled, quantity=3, ship_to=BERLIN)

    def figures(breakdown) -> dict:
        # everything but the material's code, its name in the line labels and the moment of pricing
        figures = {
            key: value for key, value in breakdown.as_dict().items() if key not in ("material", "lines", "valid_until")
        }
        figures["lines"] = [{k: v for k, v in line.items() if k != "label"} for line in breakdown.as_dict()["lines"]]
        return figures

    assert figures(recycled_price) == figures(plain_price)
    assert (recycled_price.unit_price, recycled_price.total) == (plain_price.unit_price, plain_price.total)
    assert green.total == plain.total
    assert plain.total > Decimal("0")

    def offers(quote):
        return [(m["name"], m["price"], m["co2_kg"], m["distance_km"]) for m in quote.result["makers"]]

    assert offers(green) == offers(plain)
    assert [name for name, *_rest in offers(green)] == ["Berlin FDM"]  # the only PETG maker within reach


def test_the_admin_filters_materials_by_the_flag(twins, staff):
    staff.is_superuser = True
    staff.save()
    client = Client()
    client.force_login(staff)

    response = client.get("/admin/catalogue/material/", {"is_recycled__exact": "1"})

    assert response.status_code == 200
    assert [material.code for material in response.context["cl"].result_list] == ["petg-recycled"]
    assert Material.objects.filter(is_recycled=True).count() == 1
