import os

import pytest

from slicing.prusa import bundles
from slicing.prusa.bundles import load_bundle, parse_ini, resolve_inherits
from slicing.prusa.errors import BundleError
from slicing.prusa.profiles import flatten, printer_catalogue, printer_profile, select_presets

# A tiny vendor bundle in PrusaSlicer's format: two parents with a shared key, an abstract preset, a rename.
TOY_BUNDLE = """\
# Toy vendor
[vendor]
name = Toy Works
config_version = 0.0.1

[printer_model:T1]
name = Toy T1 && T1+
variants = 0.4; 0.6
technology = FFF

[printer:*common*]
printer_technology = FFF
bed_shape = 10x0,210x0,210x150,10x150
max_print_height = 180
nozzle_diameter = 0.4
printer_notes = PRINTER_VENDOR_TOY\\nPRINTER_MODEL_T1
retract_length = 1
printer_model = T1
printer_variant = 0.4
renamed_from = "Old toy"

[printer:*fast*]
retract_length = 2
retract_speed = 60

[printer:Toy T1]
inherits = *common*; *fast*
renamed_from = "Toy T1 classic"

[printer:Toy T1 0.6 nozzle]
inherits = Toy T1
nozzle_diameter = 0.6
printer_variant = 0.6

[print:*base*]
perimeters = 2
fill_density = 15%

[print:0.20mm NORMAL @T1]
inherits = *base*
layer_height = 0.2
compatible_printers_condition = printer_notes=~/.*PRINTER_MODEL_T1.*/ and nozzle_diameter[0]==0.4

[print:0.20mm DRAFT @T1]
inherits = *base*
layer_height = 0.2
compatible_printers_condition = printer_notes=~/.*PRINTER_MODEL_T1.*/ and nozzle_diameter[0]!=0.6

[print:0.30mm NORMAL @T1 0.6]
inherits = *base*
layer_height = 0.3
compatible_printers_condition = printer_notes=~/.*PRINTER_MODEL_T1.*/ and nozzle_diameter[0]==0.6

[filament:Toy PLA]
filament_type = PLA
temperature = 210
compatible_printers_condition = nozzle_diameter[0]==0.4

[filament:Toy PLA big nozzle]
filament_type = PLA
temperature = 220
compatible_printers_condition = nozzle_diameter[0]==0.6

[filament:Toy PETG]
filament_type = PETG
temperature = 240
"""


@pytest.fixture
def toy_folder(tmp_path):
    (tmp_path / "Toy.ini").write_text(TOY_BUNDLE, encoding="utf-8")
    return tmp_path


def test_later_parent_wins_own_keys_win_and_renames_are_not_inherited(toy_folder):
    bundle = load_bundle(toy_folder / "Toy.ini")

    printer = bundle.preset("printer", "Toy T1")
    assert printer["retract_length"] == "2"  # *fast* comes after *common*
    assert printer["retract_speed"] == "60"
    assert printer["max_print_height"] == "180"
    assert printer["renamed_from"] == '"Toy T1 classic"'
    assert "inherits" not in printer

    child = bundle.preset("printer", "Toy T1 0.6 nozzle")
    assert child["nozzle_diameter"] == "0.6"
    assert child["retract_length"] == "2"  # through two levels
    assert "renamed_from" not in child
    assert sorted(bundle.presets["printer"]) == ["Toy T1", "Toy T1 0.6 nozzle"]  # no *abstract* ones
    assert bundle.vendor_name == "Toy Works"


def test_unknown_parent_and_cycles_are_errors():
    with pytest.raises(BundleError, match="unknown preset"):
        resolve_inherits({"a": {"inherits": "*nowhere*"}})
    with pytest.raises(BundleError, match="inherits itself"):
        resolve_inherits({"a": {"inherits": "b"}, "b": {"inherits": "a"}})


def test_ini_reader_keeps_values_verbatim():
    sections = parse_ini("; comment\n[print:x]\nkey = a = b ; not a comment\nempty =\n")
    assert sections == [("print:x", {"key": "a = b ; not a comment", "empty": ""})]


def test_bundle_is_parsed_once_per_file_version(toy_folder):
    path = toy_folder / "Toy.ini"
    first = load_bundle(path)
    assert load_bundle(path) is first

    path.write_text(TOY_BUNDLE.replace("max_print_height = 180", "max_print_height = 190"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert load_bundle(path).preset("printer", "Toy T1")["max_print_height"] == "190"


def test_toy_catalogue_and_preset_choice(toy_folder):
    profiles = printer_catalogue(toy_folder)

    assert [profile.id for profile in profiles] == ["Toy/T1/0.4", "Toy/T1/0.6"]
    assert profiles[0].model_name == "Toy T1 & T1+"
    assert profiles[0].build_volume_mm == (200.0, 150.0, 180.0)
    assert profiles[1].nozzle_mm == 0.6

    choice = select_presets("Toy/T1/0.4", "pla", folder=toy_folder)
    assert (choice.print, choice.material) == ("0.20mm NORMAL @T1", "Toy PLA")  # NORMAL over DRAFT
    wide = select_presets("Toy/T1/0.6", "pla", folder=toy_folder)
    assert (wide.print, wide.material) == ("0.30mm NORMAL @T1 0.6", "Toy PLA big nozzle")
    assert wide.warnings == ("no 0.2 mm print profile for this printer; used 0.30mm NORMAL @T1 0.6",)


def test_flat_config_has_every_preset_and_no_bundle_keys(toy_folder, tmp_path):
    config = flatten(
        "Toy/T1/0.4", "petg", overrides={"fill_density": "20%"}, build_volume_mm=(300, 250, 200), folder=toy_folder
    )

    assert config.values["temperature"] == "240"
    assert config.values["perimeters"] == "2"
    assert config.values["fill_density"] == "20%"
    assert config.values["bed_shape"] == "0x0,300x0,300x250,0x250"
    assert config.values["max_print_height"] == "200"
    assert config.values["print_settings_id"] == "0.20mm NORMAL @T1"
    assert config.values["filament_settings_id"] == "Toy PETG"
    assert not {"inherits", "compatible_printers_condition", "renamed_from"} & set(config.values)
    assert config.profile.build_volume_mm == (300.0, 250.0, 200.0)
    text = config.write(tmp_path / "flat.ini").read_text()
    assert "printer_notes = PRINTER_VENDOR_TOY\\nPRINTER_MODEL_T1\n" in text


def test_unknown_printer(toy_folder):
    from slicing.prusa.errors import UnknownPrinter

    with pytest.raises(UnknownPrinter):
        printer_profile("Toy/T9/0.4", toy_folder)
    with pytest.raises(UnknownPrinter):
        printer_profile("Nobody/T1/0.4", toy_folder)


def test_profiles_folder_comes_from_the_environment(monkeypatch, toy_folder):
    monkeypatch.setenv(bundles.PROFILES_DIR_ENV, str(toy_folder))
    assert [profile.id for profile in printer_catalogue()] == ["Toy/T1/0.4", "Toy/T1/0.6"]
