"""Cable clip: the channel fits the cable, the strap is the asked thickness, the screw hole the asked size."""

import numpy as np
import pytest

from designs.parametric import ParameterError, generate
from tests.designs.parametric.helpers import KERNEL_PRECISION_MM, extents, first_hits, section_loops


def _loops_by_x(mesh, *, z):
    return sorted(section_loops(mesh, z=z), key=lambda loop: loop[:, 0].min())


def test_channel_is_the_cable_diameter_wide_and_high():
    # Given an 8 mm cable and a 2 mm strap
    # When the clip is cut between the tab's top (2 mm) and the cable's axis (4 mm)
    mesh = generate("cable-clip", {"cable_diameter": 8, "thickness": 2})
    left_leg, right_leg = _loops_by_x(mesh, z=3.0)
    # Then the legs stand exactly 8 mm apart and are 2 mm thick
    assert right_leg[:, 0].min() - left_leg[:, 0].max() == pytest.approx(8.0, abs=KERNEL_PRECISION_MM)
    assert np.ptp(left_leg[:, 0]) == pytest.approx(2.0, abs=KERNEL_PRECISION_MM)
    assert np.ptp(right_leg[:, 0]) == pytest.approx(2.0, abs=KERNEL_PRECISION_MM)
    # And from the wall up the middle of the channel, the strap's inside is 8 mm high, its outside 10 mm
    axis_x = (right_leg[:, 0].min() + left_leg[:, 0].max()) / 2
    (rise,) = first_hits(mesh, origins=np.array([[axis_x, 0.0, 0.01]]), directions=np.array([[0.0, 0.0, 1.0]]))
    assert rise + 0.01 == pytest.approx(8.0, abs=1e-4)
    assert mesh.extents[2] == pytest.approx(10.0, abs=KERNEL_PRECISION_MM)


def test_screw_hole_is_the_asked_diameter_and_clear_of_the_strap():
    # Given a 4.2 mm screw hole next to a 6 mm cable with a 2 mm strap
    # When the tab is cut half way through its thickness
    mesh = generate("cable-clip", {"screw_hole_diameter": 4.2, "cable_diameter": 6, "thickness": 2})
    hole = min(section_loops(mesh, z=1.0), key=lambda loop: extents(loop)[1])
    # The strap's outside face on the tab's side, seen above the tab.
    strap_outside = _loops_by_x(mesh, z=2.5)[0][:, 0].min()
    # Then the hole is 4.2 mm across both ways, through the middle of the clip's width
    assert extents(hole) == pytest.approx((4.2, 4.2), abs=KERNEL_PRECISION_MM)
    assert (hole[:, 1].min() + hole[:, 1].max()) / 2 == pytest.approx(0.0, abs=KERNEL_PRECISION_MM)
    # And a screw head twice the hole's size clears the strap: the hole's centre is 4.2 + 0.5 mm from it
    hole_centre = (hole[:, 0].min() + hole[:, 0].max()) / 2
    assert strap_outside - hole_centre == pytest.approx(4.2 + 0.5, abs=KERNEL_PRECISION_MM)


def test_clip_is_as_wide_as_asked():
    mesh = generate("cable-clip", {"width": 17.5})
    assert mesh.extents[1] == pytest.approx(17.5, abs=KERNEL_PRECISION_MM)


def test_screw_hole_too_wide_for_the_clip_is_refused():
    # Given a 6 mm hole in an 8 mm wide clip (1.5 mm must stay on each side)
    with pytest.raises(ParameterError) as refusal:
        generate("cable-clip", {"screw_hole_diameter": 6, "width": 8})
    # Then the hole is refused with the largest that fits
    assert refusal.value.parameter == "screw_hole_diameter"
    assert refusal.value.message == "screw_hole_diameter must be at most 5 mm when the clip is 8 mm wide (got 6)"
