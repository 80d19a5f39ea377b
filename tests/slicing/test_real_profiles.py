"""The vendor bundles PrusaSlicer 2.5 installs (Debian package): real printers, real numbers."""

import pytest

from slicing.prusa.bundles import profiles_dir
from slicing.prusa.errors import NotSliceable
from slicing.prusa.profiles import flatten, printer_catalogue, printer_profile, select_presets

pytestmark = pytest.mark.skipif(
    not (profiles_dir() / "PrusaResearch.ini").is_file(), reason="PrusaSlicer's vendor bundles are not installed"
)


def test_catalogue_holds_the_known_printers():
    ids = {profile.id for profile in printer_catalogue()}

    assert len(ids) > 300
    assert {
        "PrusaResearch/MK3S/0.4",
        "PrusaResearch/MINI/0.6",
        "Creality/ENDER3V2/0.4",
        "Voron/Voron_v2_250/0.4",
        "PrusaResearch/SL1S/default",
    } <= ids


@pytest.mark.parametrize(
    ("printer_id", "technology", "nozzle", "volume", "preset"),
    [
        ("PrusaResearch/MK3S/0.4", "FFF", 0.4, (250.0, 210.0, 210.0), "Original Prusa i3 MK3S & MK3S+"),
        ("PrusaResearch/MK3S/0.6", "FFF", 0.6, (250.0, 210.0, 210.0), "Original Prusa i3 MK3S & MK3S+ 0.6 nozzle"),
        # The Ender-3 V2's bed polygon starts at x = 5: 210 mm usable, not the 220 of the brochure.
        ("Creality/ENDER3V2/0.4", "FFF", 0.4, (210.0, 220.0, 250.0), "Creality Ender-3 V2 (0.4 mm nozzle)"),
        ("PrusaResearch/SL1S/default", "SLA", None, (127.0, 80.0, 150.0), "Original Prusa SL1S SPEED"),
    ],
)
def test_printer_profiles(printer_id, technology, nozzle, volume, preset):
    profile = printer_profile(printer_id)

    assert (profile.technology, profile.nozzle_mm, profile.build_volume_mm, profile.preset) == (
        technology,
        nozzle,
        volume,
        preset,
    )


@pytest.mark.parametrize(
    ("printer_id", "material", "print_preset", "material_preset"),
    [
        ("PrusaResearch/MK3S/0.4", "pla", "0.20mm QUALITY @MK3", "Generic PLA"),
        ("PrusaResearch/MK3S/0.4", "r-petg", "0.20mm QUALITY @MK3", "Generic PETG"),
        ("PrusaResearch/MK3S/0.4", "asa", "0.20mm QUALITY @MK3", "Prusament ASA"),
        ("PrusaResearch/MK3S/0.4", "tpu", "0.20mm QUALITY @MK3", "Generic FLEX"),
        ("PrusaResearch/MINI/0.4", "petg", "0.20mm QUALITY @MINI", "Generic PETG @MINI"),
        ("Creality/ENDER3V2/0.4", "pla", "0.20 mm NORMAL (0.4 mm nozzle) @CREALITY", "Generic PLA @CREALITY"),
        ("PrusaResearch/SL1S/default", "resin-standard", "0.05 Normal @SL1S", "Prusa Orange Tough @0.05 SL1S"),
    ],
)
def test_presets_chosen_for_real_printers(printer_id, material, print_preset, material_preset):
    choice = select_presets(printer_id, material)

    assert (choice.print, choice.material) == (print_preset, material_preset)


def test_a_vendor_without_the_filament_borrows_a_generic_one_and_says_so():
    choice = select_presets("Creality/ENDER3V2/0.4", "tpu")

    assert (choice.material_vendor_id, choice.material) == ("PrusaResearch", "Generic FLEX")
    assert choice.warnings == ("Creality has no FLEX filament profile; used PrusaResearch's Generic FLEX",)


@pytest.mark.parametrize("material", ["pa12-sls", "pa12-mjf", "steel-316l", "unobtainium"])
def test_materials_prusaslicer_cannot_slice(material):
    with pytest.raises(NotSliceable):
        flatten("PrusaResearch/MK3S/0.4", material)


def test_filament_on_a_resin_printer_is_refused_in_words():
    with pytest.raises(NotSliceable, match="pla is a filament material; the Original Prusa SL1S SPEED is a resin"):
        flatten("PrusaResearch/SL1S/default", "pla")
