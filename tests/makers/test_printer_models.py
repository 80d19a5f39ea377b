"""Printers are real printer models: PrusaSlicer's vendor bundles give the process, nozzle and build volume; a
maker may override the build volume. Skipped where PrusaSlicer's profiles are not installed (CI has them)."""

import pytest

from makers.models import Printer
from slicing.prusa import BundleError, printer_catalogue
from tests.conftest import client_for

try:
    printer_catalogue()
    HAVE_PROFILES = True
except BundleError:
    HAVE_PROFILES = False

needs_profiles = pytest.mark.skipif(not HAVE_PROFILES, reason="PrusaSlicer's profiles are not installed")


@needs_profiles
def test_anyone_lists_the_printer_models_narrowed_by_vendor_and_process(api):
    response = api.get("/api/printer-models/", {"vendor": "PrusaResearch", "process": "sla"})

    assert response.status_code == 200
    models = {model["id"]: model for model in response.json()}
    assert models["PrusaResearch/SL1S/default"] == {
        "id": "PrusaResearch/SL1S/default",
        "vendor": "Prusa Research",
        "model": "Original Prusa SL1S SPEED",
        "nozzle_mm": None,
        "technology": "SLA",
        "process": "sla",
        "build_volume_mm": [127.0, 80.0, 150.0],
    }
    assert {model["process"] for model in models.values()} == {"sla"}


@needs_profiles
def test_a_printer_chosen_by_model_takes_its_process_nozzle_and_build_volume(maker_user, materials):
    client = client_for(maker_user)

    created = client.post(
        "/api/maker/printers/",
        {"name": "MK3S+", "profile": "PrusaResearch/MK3S/0.4", "materials": ["pla", "petg"]},
        format="json",
    )

    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["process"], body["nozzle_mm"], body["build_volume_overridden"]) == ("fdm", 0.4, False)
    assert (body["build_x_mm"], body["build_y_mm"], body["build_z_mm"]) == (250, 210, 210)
    printer = Printer.objects.get(pk=body["id"])
    assert printer.slicer_build_volume_mm is None


@needs_profiles
def test_a_maker_overrides_the_build_volume_and_changing_the_model_resets_it(maker_user, materials):
    client = client_for(maker_user)
    printer_id = client.post(
        "/api/maker/printers/",
        {
            "name": "Ender",
            "profile": "Creality/ENDER3S1/0.4",
            "materials": ["pla"],
            "build_x_mm": 220,
            "build_y_mm": 220,
            "build_z_mm": 270,
        },
        format="json",
    ).json()["id"]
    printer = Printer.objects.get(pk=printer_id)
    assert (printer.build_volume_mm, printer.build_volume_overridden) == ((220, 220, 270), True)
    assert printer.slicer_build_volume_mm == (220, 220, 270)

    moved = client.patch(f"/api/maker/printers/{printer_id}/", {"profile": "PrusaResearch/MK3S/0.4"}, format="json")

    assert moved.status_code == 200, moved.json()
    assert (moved.json()["build_x_mm"], moved.json()["build_z_mm"], moved.json()["build_volume_overridden"]) == (
        250,
        210,
        False,
    )


@needs_profiles
def test_a_model_of_another_process_or_an_unknown_model_is_refused(maker_user, materials):
    client = client_for(maker_user)

    resin_on_fdm = client.post(
        "/api/maker/printers/",
        {"name": "SL1S", "profile": "PrusaResearch/SL1S/default", "process": "fdm", "materials": ["pla"]},
        format="json",
    )
    unknown = client.post(
        "/api/maker/printers/", {"name": "X", "profile": "Acme/Nope/0.4", "materials": []}, format="json"
    )
    pla_in_resin = client.post(
        "/api/maker/printers/",
        {"name": "SL1S", "profile": "PrusaResearch/SL1S/default", "materials": ["pla"]},
        format="json",
    )

    assert (resin_on_fdm.status_code, resin_on_fdm.json()["code"]) == (400, "process_not_of_model")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_printer_model")
    assert pla_in_resin.json()["detail"] == "PLA is a fdm material; this printer is sla."
    assert Printer.objects.filter(maker__members=maker_user).count() == 0


def test_without_the_profiles_a_model_needs_the_process_and_build_volume(maker_user, materials, monkeypatch):
    # Given a server where PrusaSlicer's profiles are not installed
    monkeypatch.setenv("PRUSASLICER_PROFILES_DIR", "/nonexistent-profiles")
    client = client_for(maker_user)

    bare = client.post(
        "/api/maker/printers/",
        {"name": "MK3S", "profile": "PrusaResearch/MK3S/0.4", "materials": ["pla"]},
        format="json",
    )
    full = client.post(
        "/api/maker/printers/",
        {
            "name": "MK3S",
            "profile": "PrusaResearch/MK3S/0.4",
            "process": "fdm",
            "build_x_mm": 250,
            "build_y_mm": 210,
            "build_z_mm": 210,
            "materials": ["pla"],
        },
        format="json",
    )

    assert (bare.status_code, bare.json()["code"]) == (400, "printer_models_unavailable")
    assert full.status_code == 201, full.json()
    assert client.get("/api/printer-models/").json() == []
