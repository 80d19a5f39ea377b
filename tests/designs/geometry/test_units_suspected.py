"""Inch (and metre) detection: a part far too small in millimetres is flagged with the size it would have in the
likelier unit (designs/geometry/analysis.py ``suspect_units``), and the customer's unit choice is what settles it."""

from designs.geometry import AnalysisOptions, LoadLimits, analyse, load_mesh_bytes
from tests.designs.geometry.builders import MATERIALS, binary_stl, box

LIMITS = LoadLimits()
# A bracket modelled in inches: 2 x 1.5 x 0.5 in (50.8 x 38.1 x 12.7 mm), saved as a unit-less STL.
BRACKET_IN_INCHES = binary_stl(*box((2.0, 1.5, 0.5)))


def _report(data: bytes, units: str | None) -> dict:
    mesh = load_mesh_bytes(data, units=units, limits=LIMITS)
    return analyse(mesh, materials=MATERIALS, options=AnalysisOptions.core()).report


def _unit_issues(report: dict) -> list[dict]:
    return [issue for issue in report["issues"] if issue["code"] == "units_suspected"]


def test_a_part_modelled_in_inches_is_flagged_with_its_size_in_inches():
    report = _report(BRACKET_IN_INCHES, units=None)

    assert report["units_suspected"] == "in"
    assert report["bounding_box_mm"] == [2.0, 1.5, 0.5]
    assert report["units"] == {"declared": None, "applied": "mm", "source": "default", "scale_to_mm": 1.0}
    assert _unit_issues(report) == [
        {
            "code": "units_suspected",
            "severity": "warning",
            "message": "The part is only 2 x 1.5 x 0.5 mm (read in millimetres because the file does not say). "
            "If the file is in inches it is 50.8 x 38.1 x 12.7 mm; please check the unit before ordering.",
        }
    ]


def test_choosing_inches_scales_the_part_and_the_warning_goes():
    report = _report(BRACKET_IN_INCHES, units="in")

    assert report["units_suspected"] is None
    assert _unit_issues(report) == []
    assert report["bounding_box_mm"] == [50.8, 38.1, 12.7]
    assert report["volume_mm3"] == 24580.6  # 1.5 cubic inches, 16387.064 mm3 each, to six digits
    assert report["units"] == {"declared": None, "applied": "in", "source": "customer", "scale_to_mm": 25.4}


def test_choosing_millimetres_keeps_the_warning_and_says_it_was_the_customers_choice():
    report = _report(BRACKET_IN_INCHES, units="mm")

    assert report["units_suspected"] == "in"
    assert _unit_issues(report)[0]["message"] == (
        "The part is only 2 x 1.5 x 0.5 mm (read in millimetres as you chose). "
        "If the file is in inches it is 50.8 x 38.1 x 12.7 mm; please check the unit before ordering."
    )


def test_a_part_under_a_millimetre_is_suspected_to_be_in_metres_not_inches():
    report = _report(binary_stl(*box((0.05, 0.04, 0.02))), units=None)

    assert report["units_suspected"] == "m"
    assert _unit_issues(report)[0]["message"] == (
        "The part is only 0.05 x 0.04 x 0.02 mm (read in millimetres because the file does not say). "
        "If the file is in metres it is 50 x 40 x 20 mm; please check the unit before ordering."
    )


def test_the_inch_threshold_is_a_quarter_inch():
    # a part whose largest side reaches a quarter inch (6.35 mm) is plausible in millimetres; just under it is not
    # (6.35 itself is 6.3499999 once stored as an STL's 32-bit float, so the plausible side here is 6.4)
    assert _report(binary_stl(*box((6.4, 3.0, 2.0))), units=None)["units_suspected"] is None
    assert _report(binary_stl(*box((6.3, 3.0, 2.0))), units=None)["units_suspected"] == "in"
    # and a part in centimetres is never second-guessed: the rule is for parts read in millimetres
    assert _report(binary_stl(*box((0.5, 0.3, 0.2))), units="cm")["units_suspected"] is None
