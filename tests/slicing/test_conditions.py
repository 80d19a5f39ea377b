import pytest

from slicing.prusa.conditions import ConditionError, evaluate

MK3S = {
    "printer_notes": "Don't remove\\nPRINTER_VENDOR_PRUSA3D\\nPRINTER_MODEL_MK3\\n",
    "printer_model": "MK3S",
    "nozzle_diameter": "0.4",
}
NOT_MMU = "! (printer_notes=~/.*PRINTER_MODEL_MK(2.5|3).*/ and single_extruder_multi_material)"
MMU = {**MK3S, "nozzle_diameter": "0.4,0.4,0.4,0.4,0.4", "single_extruder_multi_material": "1"}


@pytest.mark.parametrize(
    ("condition", "config", "expected"),
    [
        ("", MK3S, True),
        ("printer_notes=~/.*PRINTER_VENDOR_PRUSA3D.*/ and nozzle_diameter[0]==0.4", MK3S, True),
        ("printer_notes=~/.*PRINTER_VENDOR_PRUSA3D.*/ and nozzle_diameter[0]==0.6", MK3S, False),
        ('printer_model=="MK3S"', MK3S, True),
        (
            'printer_model!="MINI" and ' + NOT_MMU,
            MK3S,
            True,
        ),
        (
            'printer_model!="MINI" and ' + NOT_MMU,
            MMU,
            False,
        ),
        ("nozzle_diameter[0]>0.35 and num_extruders==1 && ! single_extruder_multi_material", MK3S, True),
        ("num_extruders>1", MMU, True),
        ("printer_notes!~/.*PRINTER_MODEL_MK(2|2.5).*/", MK3S, True),
        # A regex must match the whole value, as boost's regex_match does.
        ("printer_model=~/.*GMAX2/", {"printer_model": "GMAX2PRO"}, False),
        ("printer_model=~/MK3/", MK3S, False),
        ('nozzle_diameter[0]==0.8 or nozzle_diameter[0]==0.4 and printer_model=="MK3S"', MK3S, True),
        ('(nozzle_diameter[0]==0.8 or nozzle_diameter[0]==0.4) and printer_model=="MINI"', MK3S, False),
        ("layer_height == 0.05", {"layer_height": "0.05"}, True),
        ("not (layer_height >= 0.1)", {"layer_height": "0.05"}, True),
    ],
)
def test_conditions_of_the_bundles(condition, config, expected):
    assert evaluate(condition, config) is expected


@pytest.mark.parametrize("condition", ["printer_model ==", "printer_model === 1", "unknown_option == 1", "(a"])
def test_unreadable_condition_is_an_error(condition):
    with pytest.raises(ConditionError):
        evaluate(condition, MK3S)


def test_every_condition_in_the_installed_bundles_is_readable():
    from slicing.prusa.bundles import bundle_paths, parse_ini, profiles_dir

    if not profiles_dir().is_dir():
        pytest.skip("PrusaSlicer's profiles are not installed")
    conditions = [
        values[key]
        for path in bundle_paths()
        for _, values in parse_ini(path.read_text(encoding="utf-8"))
        for key in ("compatible_printers_condition", "compatible_prints_condition")
        if key in values
    ]
    assert len(conditions) > 500
    for condition in conditions:
        evaluate(condition, {**MK3S, "layer_height": "0.2"})
