"""Vase: the outline passes through the asked radii, the wall and bottom are as thick as asked, ribs twist."""

import math

import numpy as np
import pytest

from designs.parametric import ParameterError, generate
from designs.parametric.profile import RadiusProfile
from tests.designs.parametric.helpers import extents, first_hits, section_loops

SMOOTH = {"ribs": 0, "twist": 0}


def _radii_at(mesh, *, z):
    vertices = mesh.vertices[np.abs(mesh.vertices[:, 2] - z) < 1e-9]
    return np.hypot(vertices[:, 0], vertices[:, 1])


def _rib_phase(mesh, *, z, ribs, body_radius):
    """Where the ribs stand, in degrees, from the ribs-th harmonic of the outer ring's radius at ``z``."""
    # With an odd number of ribs the outline is lopsided, so centring its bounding box moves the axis off
    # the origin; the axis is where the centre vertex of the bottom's fan lies.
    on_table = mesh.vertices[mesh.vertices[:, 2] == 0.0]
    axis = on_table[np.argmin(np.hypot(on_table[:, 0], on_table[:, 1]))]
    vertices = mesh.vertices[np.abs(mesh.vertices[:, 2] - z) < 1e-9] - axis
    radii = np.hypot(vertices[:, 0], vertices[:, 1])
    outer = radii > body_radius - 1e-6
    angles = np.arctan2(vertices[outer, 1], vertices[outer, 0])
    harmonic = np.sum(radii[outer] * np.exp(-1j * ribs * angles))
    return math.degrees(-np.angle(harmonic) / ribs)


def test_smooth_outline_passes_through_every_asked_radius():
    # Given radii 32, 40, 44, 40, 33, 30, 32 mm over 120 mm: one every 20 mm of height
    radii = [32, 40, 44, 40, 33, 30, 32]
    # When a smooth vase is generated
    mesh = generate("vase", {"radii": radii, "height": 120} | SMOOTH)
    # Then at each of those heights the outside is a circle of exactly that radius
    for index, radius in enumerate(radii):
        outside = _radii_at(mesh, z=20.0 * index).max()
        assert outside == pytest.approx(radius, abs=1e-9)
    assert mesh.extents[2] == 120.0


def test_wall_is_as_thick_as_asked_where_the_side_is_upright():
    # Given a 1.6 mm wall; at 40 mm the outline turns (44 mm, its widest), so the side is upright there
    mesh = generate("vase", {"wall": 1.6} | SMOOTH)
    assert RadiusProfile(radii=(32, 40, 44, 40, 33, 30, 32), height=120).slope([40.0])[0] == 0.0
    # When measured from the axis outwards and from outside inwards at 40 mm
    inside, outside_gap = first_hits(
        mesh,
        origins=np.array([[0.0, 0.0, 40.0], [100.0, 0.0, 40.0]]),
        directions=np.array([[1.0, 0, 0], [-1, 0, 0]]),
    )
    # Then the side is 1.6 mm thick (within the 1 mm row spacing's chord error)
    assert (100.0 - outside_gap) - inside == pytest.approx(1.6, abs=0.005)


def test_leaning_wall_is_thickened_so_it_stays_as_thick_across():
    # Given a side that leans at exactly 45 degrees (30 to 50 mm over 20 mm) and a 2 mm wall
    mesh = generate("vase", {"radii": [30, 50], "height": 20, "wall": 2, "bottom_thickness": 2} | SMOOTH)
    # When measured horizontally half way up
    inside, outside_gap = first_hits(
        mesh,
        origins=np.array([[0.0, 0.0, 10.0], [100.0, 0.0, 10.0]]),
        directions=np.array([[1.0, 0, 0], [-1, 0, 0]]),
    )
    # Then it is 2 x sqrt(2) mm horizontally: 2 mm across the wall
    assert (100.0 - outside_gap) - inside == pytest.approx(2 * math.sqrt(2), abs=1e-6)


def test_bottom_is_closed_and_as_thick_as_asked():
    # Given a 3.5 mm bottom
    mesh = generate("vase", {"bottom_thickness": 3.5})
    # When looking straight down the middle from above the rim
    (drop,) = first_hits(mesh, origins=np.array([[0.0, 0.0, 200.0]]), directions=np.array([[0.0, 0.0, -1.0]]))
    # Then the first thing met is the floor, 3.5 mm above the table
    assert 200.0 - drop == pytest.approx(3.5, abs=1e-9)


def test_drainage_hole_goes_through_the_bottom_at_the_asked_diameter():
    # Given a 20 mm drainage hole
    mesh = generate("vase", {"drainage_hole_diameter": 20})
    # When looking down the middle and cutting through the bottom
    (drop,) = first_hits(mesh, origins=np.array([[0.0, 0.0, 200.0]]), directions=np.array([[0.0, 0.0, -1.0]]))
    hole = min(section_loops(mesh, z=1.0), key=lambda loop: extents(loop)[0])
    # Then nothing stops the water, and the hole is 20 mm across
    assert drop == math.inf
    assert extents(hole) == pytest.approx((20.0, 20.0), abs=1e-9)


def test_ribs_stand_out_by_their_depth_and_turn_by_the_twist():
    # Given 3 ribs, 2 mm deep, turning 30 degrees over the height
    mesh = generate("vase", {"ribs": 3, "rib_depth": 2, "twist": 30})
    # When the outer rings at the bottom and the rim are analysed
    bottom = _rib_phase(mesh, z=0.0, ribs=3, body_radius=32)
    top = _rib_phase(mesh, z=120.0, ribs=3, body_radius=32)
    # Then the rib pattern at the rim is the bottom's turned by 30 degrees
    assert top - bottom == pytest.approx(30.0, abs=1e-9)
    # And without twist, four ribs (peaks on the axes) stand exactly 2 mm proud of the 44 mm body, never in
    straight = generate("vase", {"ribs": 4, "rib_depth": 2, "twist": 0})
    outer_ring = _radii_at(straight, z=40.0)[_radii_at(straight, z=40.0) > 43.0]
    assert outer_ring.max() == pytest.approx(44.0 + 2.0, abs=1e-9)
    assert outer_ring.min() >= 44.0 - 1e-9


def test_a_side_leaning_past_45_degrees_is_refused_naming_the_radii():
    # Given 30 then 60 mm over 20 mm of height: 56 degrees from upright
    with pytest.raises(ParameterError) as refusal:
        generate("vase", {"radii": [30, 60], "height": 20})
    # Then the pair is named with the lean and what to do
    assert refusal.value.parameter == "radii"
    assert refusal.value.message == (
        "radii[0] to radii[1] (30 to 60 mm over 20 mm of height) make the side lean 56.3 degrees; "
        "at most 45 prints without supports: bring them closer or make the vase taller"
    )


def test_a_drainage_hole_that_leaves_no_rim_is_refused_with_the_largest_that_fits():
    # Given a narrow 12 mm bottom radius with a 1.6 mm wall and a 20 mm hole
    with pytest.raises(ParameterError) as refusal:
        generate("vase", {"radii": [12, 12, 20], "drainage_hole_diameter": 20} | SMOOTH)
    # Then the largest hole that keeps a 3 mm rim is quoted: 2 x (12 - 1.6 - 3) = 14.8, to the 0.5 step
    assert refusal.value.parameter == "drainage_hole_diameter"
    assert refusal.value.message == (
        "drainage_hole_diameter must be at most 14.5 mm so the floor keeps a 3 mm rim (got 20)"
    )
