from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Quote
from tests.conftest import client_for
from tests.factories import ReadyVersionFactory, cube_report

pytestmark = pytest.mark.django_db

BERLIN = {"lat": 52.52, "lon": 13.405}


def quote(user, **body):
    payload = {"quantity": 1, "ship_to": BERLIN, **body}
    return client_for(user).post("/api/quotes/", payload, format="json")


def test_quote_of_a_cube_in_pla_is_itemised_and_adds_up(customer, version, makers):
    # given a ready 20 mm cube (8 cm3, 24 cm2, 20 mm tall) and PLA at 0.10 EUR/cm3, 3.00 EUR/h, 5.00 set-up
    response = quote(customer, design_version=version.pk, material="pla")
    assert response.status_code == 201, response.json()
    body = response.json()
    lines = {line["code"]: Decimal(line["amount"]) for line in body["lines"]}
    # then, checked by hand:
    #   extruded (FdmModel; the report has no facing areas, so top = bottom = 8000 / 20 = 400 mm2 and the
    #   side 2400 - 800 = 1600 mm2): perimeters 1600 x 2 x 0.4070796 mm = 1302.65 mm3, top and bottom
    #   800 x 3 x 0.2 = 480 mm3, sparse (8000 - 1302.65 - 480) x 0.2 x 0.96 = 1193.73 mm3 -> 2976.38 mm3
    #   material 2.97638 cm3 x 0.10                                   = 0.30
    #   machine  1302.65 x 0.307065 s/mm3 (perimeters at 30 and 60 mm/s) + 480 / 1.628318 (solid, 20 mm/s)
    #            + 1193.73 / 6.513272 (infill, 80 mm/s) - 80 x 0.204710 (first layer at 30 mm/s)
    #            = 861.67 s x 1.05 = 904.76 s + 100 layers x 1.3 s = 1034.76 s = 0.28743 h x 3.00 = 0.86
    #   handling 0.50, set-up 5.00                                    -> total 6.66
    assert lines == {
        "material": Decimal("0.30"),
        "machine_time": Decimal("0.86"),
        "handling": Decimal("0.50"),
        "setup": Decimal("5.00"),
    }
    assert Decimal(body["total"]) == Decimal("6.66") == sum(lines.values())
    assert body["currency"] == "EUR"
    assert body["lead_time_days"] >= 1
    valid_until = timezone.datetime.fromisoformat(body["valid_until"])
    assert abs(valid_until - (timezone.now() + timedelta(days=14))) < timedelta(minutes=1)
    assert Quote.objects.filter(customer=customer, total=Decimal("6.66")).count() == 1


def test_quote_lists_nearby_makers_first_and_says_why_others_are_out(customer, version, makers):
    body = quote(customer, design_version=version.pk, material="pla").json()
    names = [maker["name"] for maker in body["makers"]]
    # Berlin makers with PLA are in; the Berlin resin shop has no PLA; Munich (~500 km) and Paris are too far
    assert set(names) == {"Berlin FDM", "Berlin Small"}
    first = body["makers"][0]
    assert {"maker", "distance_km", "co2_kg", "lead_time_days", "price", "score", "score_parts"} <= set(first)
    assert first["distance_km"] < 10
    assert abs(sum(first["score_parts"].values()) - first["score"]) < 1e-3
    excluded = {entry["name"]: entry["reason"] for entry in body["excluded"]}
    assert "PLA" in excluded["Berlin Resin"] or "no printer" in excluded["Berlin Resin"]
    # makers outside the search radius are not candidates at all (the SQL box prefilter drops them)
    assert "Munich Works" not in excluded and "Paris Atelier" not in excluded
    assert body["search_radius_km"] == 400


def test_quote_in_three_materials(customer, version, makers):
    totals = {}
    for material in ("pla", "petg", "pa12-mjf"):
        response = quote(customer, design_version=version.pk, material=material, quantity=3)
        assert response.status_code == 201, response.json()
        totals[material] = Decimal(response.json()["total"])
    assert totals["pla"] < totals["petg"] < totals["pa12-mjf"]


def test_quantity_lowers_the_unit_price(customer, version, makers):
    one = quote(customer, design_version=version.pk, material="pla", quantity=1).json()
    ten = quote(customer, design_version=version.pk, material="pla", quantity=10).json()
    assert Decimal(ten["unit_price"]) < Decimal(one["unit_price"])
    assert any(line["code"] == "quantity_discount" for line in ten["lines"])


def test_ship_to_a_city_from_the_offline_table(customer, version, makers):
    body = quote(customer, design_version=version.pk, material="pla", ship_to={"city": "München"}).json()
    assert body["ship_to"]["label"].startswith("Munich")
    assert [maker["name"] for maker in body["makers"]] == ["Munich Works"]


@pytest.mark.parametrize(
    ("status", "fragment"),
    [("queued", "still being analysed"), ("analysing", "still being analysed"), ("failed", "could not be analysed")],
)
def test_a_version_that_is_not_ready_cannot_be_quoted(customer, materials, status, fragment):
    version = ReadyVersionFactory(design__owner=customer, status=status, error="bad file")
    response = quote(customer, design_version=version.pk, material="pla")
    assert response.status_code == 400
    assert fragment in response.json()["detail"]
    assert Quote.objects.count() == 0


def test_a_part_not_printable_in_the_material_gets_the_reasons(customer, materials):
    report = cube_report(printable=False, reasons=["wall 0.6 mm is thinner than the 0.8 mm minimum for PLA"])
    version = ReadyVersionFactory(design__owner=customer, analysis=report)
    response = quote(customer, design_version=version.pk, material="pla")
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "Not printable in PLA: wall 0.6 mm is thinner than the 0.8 mm minimum for PLA."
    )


def test_someone_elses_version_is_not_found(other_customer, version, makers):
    response = quote(other_customer, design_version=version.pk, material="pla")
    assert response.status_code == 400
    assert "not found" in response.json()["detail"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"material": "unobtainium"}, "Unknown material"),
        ({"material": "pla", "quantity": 0}, "quantity"),
        ({"material": "pla", "ship_to": {"city": "Atlantis"}}, "Unknown city"),
        ({"material": "pla", "ship_to": {"lat": 95, "lon": 0}}, "lat"),
        ({"material": "pla", "ship_to": {}}, "lat and lon"),
        ({"material": "pla", "colour": "gold"}, "not one of them"),
    ],
)
def test_bad_quote_requests_are_400_with_a_reason(customer, version, makers, body, fragment):
    response = quote(customer, design_version=version.pk, **body)
    assert response.status_code == 400, response.json()
    assert fragment in response.json()["detail"]


def test_only_customers_may_quote(maker_user, staff, api, version):
    assert client_for(maker_user).post("/api/quotes/", {}, format="json").status_code == 403
    assert client_for(staff).post("/api/quotes/", {}, format="json").status_code == 403
    assert api.post("/api/quotes/", {}, format="json").status_code == 401


def test_materials_catalogue_is_public(api, materials):
    response = api.get("/api/materials/")
    assert response.status_code == 200
    codes = [m["code"] for m in response.json()]
    assert sorted(codes) == sorted(materials)
    pla = next(m for m in response.json() if m["code"] == "pla")
    assert pla["max_build_mm"] == [250, 210, 210]
    assert pla["min_wall_mm"] == "0.80"
    assert pla["needs_support"] is True
