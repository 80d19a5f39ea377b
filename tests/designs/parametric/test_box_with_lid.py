"""Box with lid: the space inside is what the customer asked for, and the lid's lip fits it."""

import pytest

from designs.parametric import ParameterError, generate
from tests.designs.parametric.helpers import KERNEL_PRECISION_MM, extents, section_loops


def _box_and_lid(values):
    mesh = generate("box-with-lid", values)
    lid, box = sorted(mesh.split(only_watertight=True), key=lambda shell: shell.extents[2])
    return box, lid


def test_box_outside_is_the_inside_plus_walls_and_floor():
    # Given a 60 x 40 x 30 mm space inside with 2 mm walls
    # When the box is generated
    box, _ = _box_and_lid({"inner_width": 60, "inner_depth": 40, "inner_height": 30, "wall": 2})
    # Then the box is 64 x 44 mm outside and 32 mm tall (30 inside + 2 floor)
    assert box.extents.tolist() == pytest.approx([64.0, 44.0, 32.0], abs=KERNEL_PRECISION_MM)


def test_cavity_is_exactly_the_inner_size():
    # Given a 72.5 x 33 mm inside with rounded outside corners
    # When the box is cut half way up its inside
    box, _ = _box_and_lid({"inner_width": 72.5, "inner_depth": 33, "inner_height": 20, "corner_radius": 5})
    loops = sorted(section_loops(box, z=2 + 10), key=lambda loop: extents(loop)[0])
    # Then the cavity is 72.5 x 33 mm and the outside 76.5 x 37 mm
    assert extents(loops[0]) == pytest.approx((72.5, 33.0), abs=KERNEL_PRECISION_MM)
    assert extents(loops[1]) == pytest.approx((76.5, 37.0), abs=KERNEL_PRECISION_MM)


def test_lid_lip_is_the_inner_size_minus_the_clearance_on_each_side():
    # Given a 60 x 40 mm inside, 2 mm walls and 0.25 mm clearance
    # When the lid's lip is cut half way up (lip 7.5 mm tall for a 30 mm deep box)
    _, lid = _box_and_lid({"wall": 2, "lid_clearance": 0.25})
    loops = sorted(section_loops(lid, z=2 + 7.5 / 2), key=lambda loop: extents(loop)[0])
    # Then the lip is 59.5 x 39.5 mm outside, with a 2 mm wall
    assert extents(loops[1]) == pytest.approx((59.5, 39.5), abs=KERNEL_PRECISION_MM)
    assert extents(loops[0]) == pytest.approx((55.5, 35.5), abs=KERNEL_PRECISION_MM)
    # And the lid plate is the box's outside, as thick as the wall, the lip on top of it
    assert lid.extents.tolist() == pytest.approx([64.0, 44.0, 9.5], abs=KERNEL_PRECISION_MM)


def test_square_box_and_lid_have_the_volume_of_their_walls():
    # Given square corners, 60 x 40 x 30 inside, 2 mm walls, 0.2 mm clearance, a 7.5 mm lip
    # When generated
    mesh = generate("box-with-lid", {"corner_radius": 0})
    # Then box = 64*44*32 - 60*40*30 and lid = 64*44*2 + (59.6*39.6 - 55.6*35.6)*7.5
    assert mesh.volume == pytest.approx(18112.0 + 8488.0, abs=1e-3)


def test_box_and_lid_lie_side_by_side_along_the_narrow_side_six_mm_apart():
    # Given a box deeper than wide
    # When generated
    box, lid = _box_and_lid({"inner_width": 20, "inner_depth": 100})
    # Then they sit next to each other along X, 6 mm apart, on the plate
    assert lid.bounds[0][0] - box.bounds[1][0] == pytest.approx(6.0, abs=KERNEL_PRECISION_MM)
    assert box.bounds[0][2] == lid.bounds[0][2] == 0.0


def test_a_small_box_with_thick_walls_gets_a_solid_lip():
    # Given a 10 x 10 mm inside with 5 mm walls: the lip's hollow would be negative
    # When generated
    _, lid = _box_and_lid({"inner_width": 10, "inner_depth": 10, "wall": 5, "corner_radius": 0})
    # Then the lip is a solid 9.6 mm square plug
    loops = section_loops(lid, z=5 + 1.5)
    assert len(loops) == 1
    assert extents(loops[0]) == pytest.approx((9.6, 9.6), abs=KERNEL_PRECISION_MM)


def test_clearance_as_wide_as_the_wall_is_refused():
    # Given a clearance as wide as a 0.8 mm wall
    # When generated
    with pytest.raises(ParameterError) as refusal:
        generate("box-with-lid", {"wall": 0.8, "lid_clearance": 0.8})
    # Then the clearance is named with the wall it must stay under
    assert refusal.value.parameter == "lid_clearance"
    assert refusal.value.message == "lid_clearance must be less than the wall (0.8 mm) (got 0.8)"


def test_corner_radius_past_half_the_narrowest_side_is_refused():
    # Given a 10 mm deep box (14 mm outside) with 7 mm corners
    with pytest.raises(ParameterError) as refusal:
        generate("box-with-lid", {"inner_depth": 10, "corner_radius": 7})
    # Then the radius is refused with the limit
    assert refusal.value.parameter == "corner_radius"
    assert refusal.value.message == (
        "corner_radius must be less than half the box's narrowest outside side (7 mm) (got 7)"
    )
