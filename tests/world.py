"""A small world for order tests: materials, makers in three cities, a customer with a ready design."""

from decimal import Decimal

import pytest

from catalogue.models import Material
from tests.factories import MakerFactory, MaterialFactory, PrinterFactory, ReadyVersionFactory, UserFactory


@pytest.fixture
def materials(db):
    pla = MaterialFactory()
    petg = MaterialFactory(code="petg", name="PETG", price_per_cm3=Decimal("0.12"), colours=["black", "orange"])
    resin = MaterialFactory(
        code="resin-standard",
        name="Standard resin",
        process="sla",
        density_g_cm3=Decimal("1.15"),
        price_per_cm3=Decimal("0.30"),
        machine_rate_per_hour=Decimal("4.00"),
        setup_fee=Decimal("8.00"),
        handling_per_part=Decimal("1.00"),
        min_wall_mm=Decimal("0.60"),
        min_detail_mm=Decimal("0.10"),
        max_x_mm=145,
        max_y_mm=145,
        max_z_mm=185,
        colours=["grey"],
    )
    mjf = MaterialFactory(
        code="pa12-mjf",
        name="PA12 (HP MJF)",
        process="mjf",
        density_g_cm3=Decimal("1.01"),
        price_per_cm3=Decimal("0.40"),
        machine_rate_per_hour=Decimal("9.00"),
        setup_fee=Decimal("15.00"),
        handling_per_part=Decimal("1.50"),
        min_wall_mm=Decimal("0.60"),
        min_detail_mm=Decimal("0.25"),
        max_x_mm=380,
        max_y_mm=284,
        max_z_mm=380,
        colours=["grey"],
    )
    return {m.code: m for m in (pla, petg, resin, mjf)}


@pytest.fixture
def makers(materials):
    """Berlin (two FDM shops, one SLA), Munich (FDM + MJF), Paris (FDM)."""
    pla, petg, resin, mjf = (materials[c] for c in ("pla", "petg", "resin-standard", "pa12-mjf"))
    berlin = MakerFactory(
        name="Berlin FDM", slug="berlin-fdm", city="Berlin", latitude=52.50, longitude=13.40, reliability=0.9
    )
    berlin_small = MakerFactory(
        name="Berlin Small",
        slug="berlin-small",
        city="Berlin",
        latitude=52.52,
        longitude=13.38,
        capacity=1,
        reliability=0.7,
        price_factor=Decimal("0.90"),
    )
    berlin_resin = MakerFactory(
        name="Berlin Resin", slug="berlin-resin", city="Berlin", latitude=52.48, longitude=13.44
    )
    munich = MakerFactory(name="Munich Works", slug="munich-works", city="Munich", latitude=48.14, longitude=11.58)
    paris = MakerFactory(
        name="Paris Atelier", slug="paris-atelier", city="Paris", country="FR", latitude=48.85, longitude=2.35
    )
    PrinterFactory(maker=berlin, materials=[pla, petg])
    PrinterFactory(maker=berlin_small, materials=[pla])
    PrinterFactory(maker=berlin_resin, process="sla", build_x_mm=145, build_y_mm=145, build_z_mm=185, materials=[resin])
    PrinterFactory(maker=munich, materials=[pla, petg])
    PrinterFactory(maker=munich, process="mjf", build_x_mm=380, build_y_mm=284, build_z_mm=380, materials=[mjf])
    PrinterFactory(maker=paris, materials=[pla, petg])
    for maker, name in (
        (berlin, "berlin"),
        (berlin_small, "berlin-small"),
        (berlin_resin, "berlin-resin"),
        (munich, "munich"),
        (paris, "paris"),
    ):
        maker.members.add(UserFactory(username=f"maker-{name}", role="maker"))
    return {
        "berlin": berlin,
        "berlin_small": berlin_small,
        "berlin_resin": berlin_resin,
        "munich": munich,
        "paris": paris,
    }


@pytest.fixture
def version(customer, materials):
    """A ready 20 mm cube owned by the customer."""
    return ReadyVersionFactory(design__owner=customer, design__name="Cube")


def all_material_codes():
    return list(Material.objects.values_list("code", flat=True))
