"""Ring: the inside fits the finger size asked for, and the band has the asked width and thickness."""

import math

import numpy as np
import pytest

from designs.parametric import ParameterError, generate
from designs.parametric.definitions.ring import inner_diameter
from tests.designs.parametric.helpers import KERNEL_PRECISION_MM, first_hits

RAYS = 720


def _inside_diameters(mesh, *, z):
    """Twice the distance from the ring's axis to its inside, along 720 directions at height ``z``."""
    angles = np.linspace(0.0, 2 * math.pi, RAYS, endpoint=False)
    origins = np.tile([0.0, 0.0, z], (RAYS, 1))
    directions = np.column_stack((np.cos(angles), np.sin(angles), np.zeros(RAYS)))
    return 2 * first_hits(mesh, origins=origins, directions=directions)


@pytest.mark.parametrize("profile", ["flat", "comfort", "d-shape"])
def test_eu_size_54_has_an_inside_diameter_of_54_over_pi(profile):
    # Given EU size 54 (54 mm inside circumference) with a 4 mm band
    # When the ring is generated and measured from its axis in every direction, half way up the band
    mesh = generate("ring", {"size": 54, "size_system": "EU", "band_width": 4, "profile": profile})
    diameters = _inside_diameters(mesh, z=2.0)
    # Then every measured diameter is 17.19 mm within 0.05 mm, and the facets stray less than 0.02 mm
    assert 54 / math.pi == pytest.approx(17.1887, abs=1e-4)
    assert np.all(np.abs(diameters - 54 / math.pi) < 0.05)
    assert diameters.max() == pytest.approx(54 / math.pi, abs=1e-4)
    assert diameters.min() > 54 / math.pi - 2 * 0.02


def test_us_size_7_has_an_inside_diameter_of_17_32_mm():
    # Given US size 7, whose inside diameter is 11.63 + 0.8128 x 7 = 17.3196 mm
    # When generated and measured
    mesh = generate("ring", {"size": 7, "size_system": "US"})
    diameters = _inside_diameters(mesh, z=mesh.extents[2] / 2)
    # Then the inside matches the US chart
    assert inner_diameter(size=7, size_system="US") == pytest.approx(17.3196, abs=1e-9)
    assert np.all(np.abs(diameters - 17.3196) < 0.05)


@pytest.mark.parametrize("profile", ["flat", "comfort", "d-shape"])
def test_band_width_and_thickness_are_exact(profile):
    # Given a 6.5 mm wide, 2.2 mm thick band in EU size 60
    # When generated
    mesh = generate("ring", {"size": 60, "band_width": 6.5, "band_thickness": 2.2, "profile": profile})
    # Then the band is 6.5 mm high on the plate and its outside diameter is the inside plus twice 2.2 mm
    assert mesh.extents[2] == pytest.approx(6.5, abs=KERNEL_PRECISION_MM)
    assert mesh.extents[0] == pytest.approx(60 / math.pi + 4.4, abs=KERNEL_PRECISION_MM)


def test_comfort_fit_is_thinner_at_its_edges_than_in_its_middle():
    # Given a comfort-fit band 1.8 mm thick
    # When measured from the axis at the middle and near the edge of the band
    mesh = generate("ring", {"profile": "comfort", "band_thickness": 1.8, "band_width": 4})
    middle = _inside_diameters(mesh, z=2.0).max() / 2
    edge = _inside_diameters(mesh, z=0.05).max() / 2
    # Then the inside bulges inwards in the middle: at the edge the inside lies 0.3 x 1.8 mm further out
    assert middle == pytest.approx(54 / math.pi / 2, abs=1e-4)
    assert 0.45 < edge - middle <= 0.3 * 1.8


def test_a_us_size_given_as_eu_is_refused_with_the_eu_range():
    # Given size 7 in the EU system
    with pytest.raises(ParameterError) as refusal:
        generate("ring", {"size": 7, "size_system": "EU"})
    # Then the size is refused with the EU range
    assert refusal.value.parameter == "size"
    assert refusal.value.message == "size must be between 44 and 76 for EU sizes (got 7)"


def test_too_wide_a_band_is_refused_with_its_range():
    with pytest.raises(ParameterError) as refusal:
        generate("ring", {"band_width": 40})
    assert refusal.value.parameter == "band_width"
    assert refusal.value.message == "band_width must be between 2 and 12 mm (got 40)"
