"""Parameter validation: what customers send becomes canonical values, or a refusal in plain words."""

import json
import math

import pytest
from hypothesis import given, settings

from designs.parametric import TEMPLATES, Parameter, ParameterError, get_template, validate_parameters
from tests.designs.parametric.helpers import valid_parameters

RING = get_template("ring")
GEAR = get_template("spur-gear")
VASE = get_template("vase")


def _refusal(template, raw) -> ParameterError:
    with pytest.raises(ParameterError) as refusal:
        validate_parameters(template, raw)
    return refusal.value


def test_missing_parameters_take_their_defaults():
    # Given nothing but a band width
    # When validated
    values = validate_parameters(RING, {"band_width": 5})
    # Then every other parameter has its default, in canonical form
    assert values == {
        "size": 54.0,
        "size_system": "EU",
        "band_width": 5.0,
        "band_thickness": 1.8,
        "profile": "comfort",
    }


def test_equivalent_requests_give_identical_values():
    # Given the same ring asked for as text, as integers and with float noise
    as_text = {"size": " 54 ", "band_width": "4.0", "band_thickness": "1.80", "size_system": "eu"}
    as_numbers = {"size": 54, "band_width": 4, "band_thickness": 1.8, "size_system": "EU"}
    with_noise = {"size": 54.0000000001, "band_width": 3.9999999999, "band_thickness": 0.6 * 3}
    # When validated
    # Then all three give the same dict, which survives a JSON round trip unchanged
    assert validate_parameters(RING, as_text) == validate_parameters(RING, as_numbers)
    assert validate_parameters(RING, with_noise) == validate_parameters(RING, as_numbers)
    values = validate_parameters(RING, as_text)
    assert json.loads(json.dumps(values)) == values
    assert repr(values["band_thickness"]) == "1.8"


def test_out_of_range_number_is_refused_naming_the_parameter_and_its_range():
    refusal = _refusal(RING, {"band_width": 40})
    assert isinstance(refusal, ValueError)
    assert refusal.parameter == "band_width"
    assert refusal.message == "band_width must be between 2 and 12 mm (got 40)"
    assert str(refusal) == refusal.message


def test_number_off_its_step_is_refused_with_the_step():
    refusal = _refusal(RING, {"band_width": 4.05})
    assert refusal.parameter == "band_width"
    assert refusal.message == "band_width must be in steps of 0.1 mm (got 4.05)"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (True, "true"),
        ("abc", '"abc"'),
        ("", '""'),
        ("nan", '"nan"'),
        ("inf", '"inf"'),
        ("1_0", '"1_0"'),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (None, "nothing"),
        ([4], "a list"),
        ({"value": 4}, "an object"),
        (10**400, "a number too large"),
    ],
)
def test_things_that_are_not_finite_numbers_are_refused(raw, shown):
    # Given a value that is not a plain finite number (a bool included)
    refusal = _refusal(RING, {"band_width": raw})
    # Then it is refused as not a number, with the range and the value quoted
    assert refusal.parameter == "band_width"
    assert refusal.message == f"band_width must be a number between 2 and 12 mm (got {shown})"


def test_whole_numbers_are_accepted_as_integers_and_fractions_refused():
    assert validate_parameters(GEAR, {"teeth": 20.0})["teeth"] == 20
    assert validate_parameters(GEAR, {"teeth": "31"})["teeth"] == 31
    assert type(validate_parameters(GEAR, {"teeth": 20.0})["teeth"]) is int
    refusal = _refusal(GEAR, {"teeth": 20.5})
    assert refusal.message == "teeth must be a whole number between 8 and 120 (got 20.5)"
    assert _refusal(GEAR, {"teeth": 7}).message == "teeth must be between 8 and 120 (got 7)"


def test_choices_match_without_regard_to_case_and_refuse_others_listing_them():
    assert validate_parameters(RING, {"profile": " D-Shape "})["profile"] == "d-shape"
    refusal = _refusal(RING, {"profile": "square"})
    assert refusal.parameter == "profile"
    assert refusal.message == 'profile must be one of flat, comfort, d-shape (got "square")'
    assert _refusal(RING, {"profile": 1}).message == "profile must be one of flat, comfort, d-shape (got 1)"


@pytest.mark.parametrize(("raw", "expected"), [(True, True), ("on", True), ("false", False), (0, False), (1, True)])
def test_booleans_accept_form_words_and_zero_or_one(raw, expected):
    values = validate_parameters(GEAR, {"keyway": raw, "bore_diameter": 8})
    assert values["keyway"] is expected


@pytest.mark.parametrize(("raw", "shown"), [("maybe", '"maybe"'), (2, "2"), (None, "nothing")])
def test_other_booleans_are_refused(raw, shown):
    assert _refusal(GEAR, {"keyway": raw}).message == f"keyway must be true or false (got {shown})"


def test_number_lists_accept_lists_and_typed_text():
    assert validate_parameters(VASE, {"radii": "30, 35.5; 40"})["radii"] == [30.0, 35.5, 40.0]
    assert validate_parameters(VASE, {"radii": (30, "35.5", 40)})["radii"] == [30.0, 35.5, 40.0]


def test_number_lists_refuse_bad_lengths_and_name_a_bad_element():
    assert _refusal(VASE, {"radii": [30]}).message == "radii needs between 2 and 12 values (got 1)"
    assert _refusal(VASE, {"radii": [30] * 13}).message == "radii needs between 2 and 12 values (got 13)"
    refusal = _refusal(VASE, {"radii": [30, 500]})
    assert refusal.parameter == "radii"
    assert refusal.message == "radii[1] must be between 10 and 120 mm (got 500)"
    assert _refusal(VASE, {"radii": 30}).message == "radii must be a list of numbers between 10 and 120 mm (got 30)"


def test_unknown_names_are_refused_listing_the_known_ones():
    refusal = _refusal(RING, {"band_widht": 5, "colour": "red"})
    assert refusal.parameter == "band_widht"
    assert refusal.message == (
        "unknown parameters band_widht, colour for Ring; "
        "known parameters: size, size_system, band_width, band_thickness, profile"
    )


def test_parameters_that_are_not_an_object_are_refused():
    refusal = _refusal(RING, [("size", 54)])
    assert refusal.parameter == "parameters"
    assert refusal.message == "parameters must be an object of names and values"


def test_negative_zero_becomes_zero():
    value = validate_parameters(VASE, {"drainage_hole_diameter": -0.0})["drainage_hole_diameter"]
    assert math.copysign(1.0, value) == 1.0


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_validating_canonical_values_again_changes_nothing(slug):
    template = TEMPLATES[slug]

    @settings(max_examples=40, deadline=None, database=None)
    @given(values=valid_parameters(template))
    def check(values):
        # Given canonical values
        # When validated again, also after a JSON round trip
        # Then they come back unchanged
        assert validate_parameters(template, values) == values
        assert validate_parameters(template, json.loads(json.dumps(values))) == values

    check()


def test_parameter_to_dict_is_the_api_shape():
    # Given the ring's band thickness, a wall
    # When listed for the API
    # Then it has the contract's keys with its label and role
    assert RING.parameter("band_thickness").to_dict() == {
        "name": "band_thickness",
        "type": "number",
        "unit": "mm",
        "min": 1.2,
        "max": 3.5,
        "step": 0.1,
        "default": 1.8,
        "help": "How thick the band is from the inside to the outside, where it is thickest.",
        "label": "Band thickness",
        "role": "wall",
    }
    assert RING.parameter("profile").to_dict()["choices"] == ["flat", "comfort", "d-shape"]
    radii = VASE.parameter("radii").to_dict()
    assert (radii["min_length"], radii["max_length"], radii["default"]) == (
        2,
        12,
        [32, 40, 44, 40, 33, 30, 32],
    )


def test_a_parameter_schema_that_makes_no_sense_is_refused_when_declared():
    with pytest.raises(ValueError, match="unknown type"):
        Parameter(name="x", type="colour", label="X", help="X.", default=1)
    with pytest.raises(ValueError, match="needs choices"):
        Parameter(name="x", type="choice", label="X", help="X.", default="a")


def test_huge_numbers_are_refused_as_out_of_range_not_a_crash():
    from designs.parametric import ParameterError, get_template, validate_parameters

    for raw in (1e308, -1e308, "1e308", 10**400):
        try:
            validate_parameters(get_template("ring"), {"band_width": raw})
        except ParameterError as error:
            assert error.parameter == "band_width"
            assert "band_width must be" in error.message
        else:
            raise AssertionError(f"{raw!r} was accepted")
