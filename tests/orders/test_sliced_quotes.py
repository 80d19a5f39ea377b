"""Quotes: an instant estimate, then each maker's offer sliced on that maker's printer model."""

from decimal import Decimal

import pytest

from accounts.models import Role
from slicing.models import Slice, SliceEvent
from tests.conftest import client_for
from tests.factories import MakerFactory, MaterialFactory, PrinterFactory
from tests.money import delivery, pay
from tests.slicing.conftest import MK3S, box_stl, needs_slicer, stored_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    pla = MaterialFactory()
    version = stored_version(box_stl((20, 20, 20)))
    customer = version.design.owner
    customer.role = Role.CUSTOMER
    customer.save(update_fields=["role"])
    modelled = MakerFactory(name="Prusa Farm", latitude=52.50, longitude=13.40, price_factor=Decimal("1.10"))
    PrinterFactory(maker=modelled, name="MK3S+", profile=MK3S, nozzle_mm=0.4, materials=[pla])
    unmodelled = MakerFactory(name="Garage", latitude=52.51, longitude=13.41)
    PrinterFactory(maker=unmodelled, name="Home-made", materials=[pla])
    return {"version": version, "customer": customer, "modelled": modelled, "unmodelled": unmodelled}


def ask_for_quote(client, version, capture):
    with capture(execute=True):
        response = client.post(
            "/api/quotes/",
            {"design_version": version.pk, "material": "pla", "quantity": 2, "ship_to": {"city": "Berlin"}},
            format="json",
        )
    assert response.status_code == 201, response.json()
    return response.json()


def offers_of(body) -> dict:
    return {offer["name"]: offer for offer in body["makers"]}


@needs_slicer
def test_each_offer_gets_the_slicers_figures_for_its_printer(world, django_capture_on_commit_callbacks):
    client = client_for(world["customer"])

    # When a quote is asked for (the slices run at commit: eager tasks in tests)
    created = ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)
    answer = client.get(f"/api/quotes/{created['id']}/").json()

    # Then the maker with a printer model quotes the slicer's hours and material for two cubes on its MK3S ...
    part_slice = Slice.objects.get()
    assert (part_slice.status, part_slice.printer_profile, part_slice.copies) == ("done", MK3S, 1)
    sliced = offers_of(answer)["Prusa Farm"]
    assert sliced["basis"] == "sliced"
    assert sliced["printer"] == {"id": sliced["printer"]["id"], "name": "MK3S+", "profile": MK3S}
    assert sliced["machine_hours"] == round(2 * part_slice.print_time_s / 3600, 3)
    assert sliced["mass_g"] == round(2 * part_slice.mass_g, 2)
    # ... priced at its own level (material and time lines from the slice, times its 1.10)
    material_each = (Decimal(str(part_slice.material_cm3)) * Decimal("0.08") * Decimal("1.10")).quantize(
        Decimal("0.01")
    )
    assert Decimal(sliced["price"]) > material_each * 2
    # ... and the maker without one keeps the estimate, saying why
    estimate = offers_of(answer)["Garage"]
    assert (estimate["basis"], estimate["slice"]) == ("estimate", None)
    assert estimate["basis_note"] == "This printer has no printer model the slicer knows: the figures are estimates."
    assert estimate["machine_hours"] == created["machine_hours"]
    assert answer["slicing_pending"] == 0


@needs_slicer
def test_a_second_quote_reuses_the_slice(world, django_capture_on_commit_callbacks):
    client = client_for(world["customer"])
    ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)
    events = list(SliceEvent.objects.values_list("to_status", flat=True))

    again = ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)

    assert Slice.objects.count() == 1
    assert list(SliceEvent.objects.values_list("to_status", flat=True)) == events == ["queued", "slicing", "done"]
    assert offers_of(again)["Prusa Farm"]["basis"] == "sliced"


def test_without_the_slicer_the_offers_stay_estimates_and_say_so(world, settings, django_capture_on_commit_callbacks):
    settings.PRUSASLICER_BIN = "/nonexistent/prusa-slicer"
    client = client_for(world["customer"])

    answer = ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)

    offer = offers_of(answer)["Prusa Farm"]
    assert (offer["basis"], offer["slice"]) == ("estimate", None)
    assert offer["basis_note"] == (
        "The slicer is not available on this server (/nonexistent/prusa-slicer is not installed): "
        "the figures are estimates."
    )
    assert Slice.objects.count() == 0


def test_someone_elses_quote_is_not_found(world, other_customer, django_capture_on_commit_callbacks):
    created = ask_for_quote(client_for(world["customer"]), world["version"], django_capture_on_commit_callbacks)

    assert client_for(other_customer).get(f"/api/quotes/{created['id']}/").status_code == 404


@needs_slicer
def test_the_quote_page_shows_each_makers_figures_and_stops_refreshing_when_sliced(
    world, client, django_capture_on_commit_callbacks
):
    created = ask_for_quote(client_for(world["customer"]), world["version"], django_capture_on_commit_callbacks)
    client.force_login(world["customer"])

    page = client.get(f"/quotes/{created['id']}/").content.decode()
    live = client.get(f"/quotes/{created['id']}/live/").content.decode()

    assert "sliced for this printer" in page and "MK3S+" in page
    assert "This printer has no printer model the slicer knows" in page
    assert f'data-live-state="settled-{created["id"]}"' in live
    assert "data-live-final" in page  # nothing left to slice: the page does not poll


@needs_slicer
def test_the_maker_downloads_the_file_sliced_for_its_printer_once_the_job_is_theirs(
    world, tmp_path, django_capture_on_commit_callbacks
):
    from orders.services.ordering import ItemRequest, order_confirm, order_place
    from orders.services.quoting import ShipTo
    from slicing.prusa import read_gcode_summary
    from tests.factories import UserFactory

    # Given three copies ordered and confirmed near the maker with a printer model (dispatch and slicing run)
    world["unmodelled"].is_active = False
    world["unmodelled"].save(update_fields=["is_active"])
    maker_user = UserFactory(username="pia", role=Role.MAKER)
    world["modelled"].members.add(maker_user)
    with django_capture_on_commit_callbacks(execute=True):
        order = order_place(
            customer=world["customer"],
            items=[ItemRequest(design_version_id=world["version"].pk, material_code="pla", quantity=3)],
            delivery=delivery(ShipTo(52.5, 13.4, "Berlin")),
        )
        order_confirm(order_id=order.pk, actor=world["customer"])
        pay(order.pk)
    client = client_for(maker_user)
    job = client.get("/api/maker/jobs/").json()["results"][0]

    # When the maker looks before and after accepting
    before = client.get(f"/api/maker/jobs/{job['id']}/")
    too_early = client.get(f"/api/maker/jobs/{job['id']}/print-file/")
    client.post(f"/api/maker/jobs/{job['id']}/accept/")
    after = client.get(f"/api/maker/jobs/{job['id']}/").json()
    download = client.get(after["print_file_url"])

    # Then the file is offered only to the job's maker once accepted ...
    assert before.json()["print_file_url"] is None
    assert (too_early.status_code, too_early.json()["code"]) == (409, "job_not_accepted")
    assert after["print_file"]["status"] == "done" and after["print_file"]["printer"] == "MK3S+"
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="job-{job["id"]}.gcode"'
    # ... and the job's machine hours are what the file itself says for its three copies.
    path = tmp_path / "job.gcode"
    path.write_bytes(b"".join(download.streaming_content))
    summary = read_gcode_summary(path)
    assert after["machine_hours_basis"] == "sliced"
    assert after["machine_hours"] == round(summary["print_time_s"] / 3600, 3)
    assert gcode_objects(path) == 3
    other_maker = client_for(UserFactory(username="otto", role=Role.MAKER))
    assert other_maker.get(after["print_file_url"]).status_code == 404


def gcode_objects(path) -> int:
    """How many copies the G-code prints (PrusaSlicer labels each object instance)."""
    import re

    return len(set(re.findall(r"; printing object .* id:\d+ copy (\d+)", path.read_text())))


@needs_slicer
def test_an_offer_whose_slice_leaves_much_of_the_part_out_is_not_printable(world, django_capture_on_commit_callbacks):
    client = client_for(world["customer"])
    created = ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)
    reason = (
        "PrusaSlicer leaves out much of this part: the slicer's top layer is at 4.0 mm but the part is 20.0 mm tall."
    )
    Slice.objects.update(drops_part=True, drop_reason=reason)

    offer = offers_of(client.get(f"/api/quotes/{created['id']}/").json())["Prusa Farm"]

    assert (offer["printable"], offer["basis"]) == (False, "estimate")
    assert offer["basis_note"] == f"This printer cannot make the part as it is: {reason} The figures are estimates."


@needs_slicer
def test_a_sliced_offer_uses_its_printers_correction(world, django_capture_on_commit_callbacks):
    from makers.models import Printer
    from orders.pricing.prices import SlicedFigures, quote_part
    from orders.services.quoting import material_pricing, part_metrics

    # Given the Prusa Farm's printer learnt that its prints take 1.25 times the slicer's time (one print measured)
    Printer.objects.filter(maker=world["modelled"]).update(correction_factor=1.25, correction_samples=1)
    client = client_for(world["customer"])

    # When a quote is sliced on it
    created = ask_for_quote(client, world["version"], django_capture_on_commit_callbacks)
    answer = client.get(f"/api/quotes/{created['id']}/").json()

    # Then its hours are the slicer's times 1.25, priced as such; the garage (no correction) is untouched
    part_slice = Slice.objects.get()
    sliced = offers_of(answer)["Prusa Farm"]
    assert sliced["basis"] == "sliced"
    assert sliced["correction"]["factor"] == 1.25 and sliced["correction"]["samples"] == 1
    assert sliced["machine_hours"] == round(2 * part_slice.print_time_s / 3600 * 1.25, 3)
    expected = quote_part(
        part=part_metrics(world["version"].analysis, "fdm"),
        material=material_pricing(part_slice.material),
        quantity=2,
        price_factor=Decimal("1.10"),
        sliced=SlicedFigures(
            print_hours=part_slice.machine_hours, material_cm3=part_slice.material_cm3, mass_g=part_slice.mass_g
        ),
        time_factor=1.25,
    )
    assert sliced["price"] == str(expected.total)
    assert offers_of(answer)["Garage"]["correction"] is None
