"""Spur gear: outside, pitch and root circles follow the module, teeth are involutes, the bore is exact."""

import math

import numpy as np
import pytest
from shapely.geometry import LineString, Polygon

from designs.parametric import ParameterError, generate
from designs.parametric.shapes.spur_gear import FACET_ERROR_MM
from tests.designs.parametric.helpers import KERNEL_PRECISION_MM, extents, section_loops

# Even tooth counts keep the gear symmetric, so centring its bounding box keeps its axis on the origin.
GEARS = [
    {"module": 1.5, "teeth": 24, "pressure_angle": 20},
    {"module": 0.5, "teeth": 8, "pressure_angle": 30, "bore_diameter": 0},
    {"module": 2, "teeth": 60, "pressure_angle": 14.5},
    {"module": 5, "teeth": 120, "pressure_angle": 25},
]


def _outline(mesh):
    return Polygon(max(section_loops(mesh, z=1.0), key=lambda loop: extents(loop)[0]))


def _circle(radius, *, start, points=20_000):
    angles = start + np.linspace(0.0, 2 * math.pi, points)
    return LineString(np.column_stack((radius * np.cos(angles), radius * np.sin(angles))))


@pytest.mark.parametrize("gear", GEARS)
def test_outside_diameter_is_module_times_teeth_plus_two(gear):
    # Given a gear of module m and z teeth
    # When generated
    mesh = generate("spur-gear", gear)
    # Then its tips reach exactly m x (z + 2) across
    tips = np.hypot(mesh.vertices[:, 0], mesh.vertices[:, 1]).max()
    assert 2 * tips == pytest.approx(gear["module"] * (gear["teeth"] + 2), abs=KERNEL_PRECISION_MM)


@pytest.mark.parametrize("gear", GEARS)
def test_root_circle_is_module_times_teeth_minus_two_and_a_half(gear):
    # Given a gear of module m and z teeth
    mesh = generate("spur-gear", gear)
    bore_radius = gear.get("bore_diameter", 5) / 2
    # When the corners of its toothed outline are measured from the axis
    radii = np.hypot(mesh.vertices[:, 0], mesh.vertices[:, 1])
    outline = radii[radii > bore_radius + 0.5]
    # Then the deepest lie exactly on the root circle, m x (z - 2.5) across
    assert 2 * outline.min() == pytest.approx(gear["module"] * (gear["teeth"] - 2.5), abs=KERNEL_PRECISION_MM)


@pytest.mark.parametrize("gear", GEARS)
def test_pitch_circle_is_module_times_teeth_and_teeth_are_as_thick_as_gaps(gear):
    # Given a gear of module m and z teeth
    module, teeth = gear["module"], gear["teeth"]
    mesh = generate("spur-gear", gear)
    # When its pitch circle (m x z across, started in the middle of a gap) is laid over its outline
    pitch = _circle(module * teeth / 2, start=math.pi / teeth)
    inside = pitch.intersection(_outline(mesh))
    arcs = [part.length for part in inside.geoms]
    # Then the circle crosses z teeth, each half a circular pitch (pi x m / 2) thick there, less at most
    # the 0.01 mm facet error on each flank (the flank's chords lie inside the involute)
    assert len(arcs) == teeth
    assert max(arcs) <= math.pi * module / 2 + KERNEL_PRECISION_MM
    assert min(arcs) >= math.pi * module / 2 - 2 * FACET_ERROR_MM


def test_bore_is_the_asked_diameter_through_the_middle():
    # Given an 8 mm bore
    mesh = generate("spur-gear", {"bore_diameter": 8, "thickness": 12})
    # When cut half way through
    bore = min(section_loops(mesh, z=6.0), key=lambda loop: extents(loop)[0])
    # Then the bore is 8 mm across both ways, centred on the axis, right through the 12 mm face width
    assert extents(bore) == pytest.approx((8.0, 8.0), abs=KERNEL_PRECISION_MM)
    assert bore.max(axis=0) + bore.min(axis=0) == pytest.approx([0.0, 0.0], abs=KERNEL_PRECISION_MM)
    assert mesh.extents[2] == pytest.approx(12.0, abs=KERNEL_PRECISION_MM)
    assert mesh.euler_number == 0


def test_keyway_is_a_quarter_of_the_bore_wide_and_an_eighth_deep():
    # Given a 12 mm bore with a keyway, on a gear big enough for it
    mesh = generate("spur-gear", {"teeth": 30, "module": 2, "bore_diameter": 12, "keyway": True})
    bore = min(section_loops(mesh, z=1.0), key=lambda loop: extents(loop)[0])
    # When the bore's outline is measured
    slot_top = bore[bore[:, 1] > 6.0 + 1e-6]
    # Then the slot reaches 6 + 1.5 mm from the axis and is 3 mm wide
    assert bore[:, 1].max() == pytest.approx(7.5, abs=KERNEL_PRECISION_MM)
    assert np.ptp(slot_top[:, 0]) == pytest.approx(3.0, abs=KERNEL_PRECISION_MM)


def test_no_bore_gives_a_solid_gear():
    mesh = generate("spur-gear", {"bore_diameter": 0})
    assert mesh.euler_number == 2


def test_bore_past_the_root_circle_is_refused_with_the_largest_that_fits():
    # Given module 1.5 and 24 teeth: root circle 32.25 mm, 1.5 mm rim
    with pytest.raises(ParameterError) as refusal:
        generate("spur-gear", {"bore_diameter": 30})
    # Then the bore is refused with the largest that keeps the rim
    assert refusal.value.parameter == "bore_diameter"
    assert refusal.value.message == (
        "bore_diameter must be at most 29.2 mm, which keeps a 1.5 mm rim inside the 32.25 mm root circle (got 30)"
    )


def test_keyway_in_a_small_bore_is_refused():
    with pytest.raises(ParameterError) as refusal:
        generate("spur-gear", {"bore_diameter": 5, "keyway": True})
    assert refusal.value.parameter == "keyway"
    assert refusal.value.message == "keyway needs a bore_diameter of at least 6 mm (got 5)"
