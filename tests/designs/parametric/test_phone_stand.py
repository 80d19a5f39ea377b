"""Phone stand: the back rest leans at the asked angle and the slot holds a device of the asked thickness."""

import math

import numpy as np
import pytest

from designs.parametric import generate
from tests.designs.parametric.helpers import KERNEL_PRECISION_MM, section_loops


def _back_rest_face(mesh):
    """Area and normal of the largest flat face looking forwards and up: the surface the device leans on."""
    candidates = [
        (area, normal)
        for area, normal in zip(mesh.facets_area, mesh.facets_normal, strict=True)
        if normal[0] < -1e-6 and normal[2] > 1e-6
    ]
    return max(candidates, key=lambda candidate: candidate[0])


@pytest.mark.parametrize("angle", [50, 65, 73, 80])
def test_back_rest_leans_at_the_asked_angle_from_the_table(angle):
    # Given a stand with a back rest at `angle` degrees
    # When it is generated
    mesh = generate("phone-stand", {"angle": angle})
    # Then the surface the device leans on is tilted exactly `angle` degrees from the table
    area, normal = _back_rest_face(mesh)
    assert math.degrees(math.acos(normal[2])) == pytest.approx(angle, abs=1e-6)
    assert normal[1] == pytest.approx(0.0, abs=1e-12)
    # And it is the large face the device rests on: most of the rest's length over the full width
    rest_length = (80 - 4) / math.sin(math.radians(angle))
    assert 0.9 * rest_length * 70 < area < rest_length * 70


def test_slot_is_the_device_thickness_wide_at_its_floor_and_opens_with_the_lean():
    # Given a 10.5 mm device, a 4 mm thick stand leaning 65 degrees
    # When the stand is cut 2 mm above the slot floor (z = 4 + 2)
    mesh = generate("phone-stand", {"device_thickness": 10.5, "thickness": 4, "angle": 65})
    loops = sorted(section_loops(mesh, z=6.0), key=lambda loop: loop[:, 0].min())
    lip, rest = loops[0], loops[1]
    # Then the gap between lip and back rest is 10.5 mm plus the 2 mm rise over tan(65 degrees)
    gap = rest[:, 0].min() - lip[:, 0].max()
    assert gap == pytest.approx(10.5 + 2 / math.tan(math.radians(65)), abs=KERNEL_PRECISION_MM)
    # And the lip is the stand's thickness, the back rest its thickness measured across the lean
    assert np.ptp(lip[:, 0]) == pytest.approx(4.0, abs=KERNEL_PRECISION_MM)
    assert np.ptp(rest[:, 0]) == pytest.approx(4 / math.sin(math.radians(65)), abs=KERNEL_PRECISION_MM)


def test_stand_is_as_wide_as_asked_and_reaches_nearly_the_back_height():
    # Given a 120 mm wide stand with its back rest 150 mm high
    # When generated
    mesh = generate("phone-stand", {"width": 120, "back_height": 150})
    # Then it is 120 mm wide, and its top lies within the 1 mm edge rounding of 150 mm
    assert mesh.extents[1] == pytest.approx(120.0, abs=KERNEL_PRECISION_MM)
    assert 149.0 < mesh.extents[2] <= 150.0


def test_front_lip_rises_the_asked_height_above_the_slot_floor():
    # Given a 4 mm base and a 14 mm lip
    # When generated
    mesh = generate("phone-stand", {"lip_height": 14, "thickness": 4})
    # Then the lip (the front 4 mm) tops out at 4 + 14 mm, where its flat top sits between the roundings
    front = mesh.vertices[mesh.vertices[:, 0] <= mesh.bounds[0][0] + 4 + KERNEL_PRECISION_MM]
    assert front[:, 2].max() == pytest.approx(18.0, abs=KERNEL_PRECISION_MM)
