"""The suggested print orientation: chosen for what it costs to print, on a footing that holds a first layer.

Figures in comments are ``orientation.fdm_seconds`` (6 s per 0.2 mm layer, 0.25 s per mm2 of side area,
0.39 s per mm2 of up and down area, 0.025 s per mm3 of support) worked by hand.
"""

import numpy as np
import pytest

from designs.geometry import analyse
from designs.geometry.orientation import OrientationOptions, best_pose, least_support
from designs.geometry.surface import Surface
from tests.designs.geometry.builders import PLA, box, loaded


def _manifold(solid) -> tuple[np.ndarray, np.ndarray]:
    mesh = solid.to_mesh()
    return np.asarray(mesh.vert_properties[:, :3], dtype=np.float64), np.asarray(mesh.tri_verts, dtype=np.int64)


def _report(vertices, faces) -> dict:
    report = analyse(loaded(vertices, faces), materials=[PLA]).report
    return report


def test_flat_plate_is_suggested_flat_even_when_modelled_on_its_edge():
    # given a 100 x 100 x 5 mm plate modelled standing on its 100 x 5 mm edge (support-free both ways)
    report = _report(*box((100.0, 5.0, 100.0)))
    # then it is laid flat: 25 layers x 6 s + 2000 mm2 side x 0.25 + 20000 mm2 up and down x 0.39 = 8450 s,
    # against 500 x 6 + 21000 x 0.25 + 1000 x 0.39 = 8640 s on its edge (PrusaSlicer: 8543 s and 9271 s)
    assert report["suggested_orientation"]["up"] in ("+Y", "-Y")
    assert report["print_extents_mm"][2] == pytest.approx(5.0)
    # and the quote's measurements are the flat pose's
    assert report["facing_areas_mm2"]["up"] == pytest.approx(10_000.0)
    assert report["facing_areas_mm2"]["side"] == pytest.approx(2_000.0)
    # a plate modelled flat stays as modelled
    assert _report(*box((100.0, 100.0, 5.0)))["suggested_orientation"]["up"] == "+Z"


def test_round_tower_stays_upright_because_lying_it_touches_the_bed_along_a_line():
    import manifold3d

    # given a cylinder 10 mm across and 100 mm tall (64 sides)
    report = _report(*_manifold(manifold3d.Manifold.cylinder(100.0, 5.0, 5.0, 64)))
    orientation = report["suggested_orientation"]
    # then lying (cheaper by time) rests on a strip about 1.5 mm wide: not a usable footing, so it stands
    assert orientation["up"] == "+Z"
    lying = next(candidate for candidate in orientation["candidates"] if candidate["up"] == "+X")
    assert lying["usable"] is False and lying["bed_contact_width_mm"] < 2.0
    upright = orientation["candidates"][0]
    assert upright["usable"] is True and upright["bed_contact_area_mm2"] == pytest.approx(78.0, abs=0.5)


def test_square_bar_lies_down_because_that_prints_in_half_the_time():
    # given a 10 x 10 x 100 mm bar standing upright: 500 x 6 + 4000 x 0.25 + 200 x 0.39 = 4078 s, lying
    # 50 x 6 + 2200 x 0.25 + 2000 x 0.39 = 1630 s (PrusaSlicer: 3427 s and 1668 s), on a 10 mm wide face
    report = _report(*box((10.0, 10.0, 100.0)))
    assert report["suggested_orientation"]["up"] in ("+X", "-X", "+Y", "-Y")
    assert report["print_extents_mm"][2] == pytest.approx(10.0)


def test_mushroom_is_turned_over_to_print_without_support():
    import manifold3d

    # given a cap 50 x 50 x 4 mm on a stem 10 x 10 x 20 mm, modelled upright: the cap's underside
    # (2400 mm2) overhangs 20 mm above the bed
    stem = manifold3d.Manifold.cube([10.0, 10.0, 20.0]).translate([20.0, 20.0, 0.0])
    cap = manifold3d.Manifold.cube([50.0, 50.0, 4.0]).translate([0.0, 0.0, 20.0])
    report = _report(*_manifold(stem + cap))
    orientation = report["suggested_orientation"]
    assert orientation["candidates"][0]["support_volume_mm3"] == pytest.approx(48_000.0, rel=1e-6)
    # then it is printed cap down: 120 x 6 + 1600 x 0.25 + 5000 x 0.39 = 3070 s, against 4270 s upright
    # (1200 s of it support) and 3362 s on its side (250 layers, 4.5 cm3 of support under the stem)
    assert orientation["up"] == "-Z"
    assert report["support_volume_mm3"] == 0.0


def test_part_whose_support_free_poses_balance_on_a_tip_is_laid_on_a_face():
    import manifold3d

    # given a bicone (two cones 20 mm tall and 20 mm across, base to base): its sides are 27 degrees from
    # vertical, so on either tip it needs no support at all, but it touches the bed at a point
    lower = manifold3d.Manifold.cylinder(20.0, 0.0, 10.0, 32)
    upper = manifold3d.Manifold.cylinder(20.0, 10.0, 0.0, 32).translate([0.0, 0.0, 20.0])
    report = _report(*_manifold(lower + upper))
    orientation = report["suggested_orientation"]
    on_tip = orientation["candidates"][0]
    assert on_tip["support_volume_mm3"] == 0.0 and on_tip["bed_contact_area_mm2"] == 0.0
    # then it is not suggested on a tip: it rests on the pose with the largest footing
    assert orientation["up"] not in ("+Z", "-Z")
    chosen = orientation["candidates"][orientation["by_process"]["fdm"]]
    largest = max(candidate["bed_contact_area_mm2"] for candidate in orientation["candidates"])
    assert chosen["bed_contact_area_mm2"] >= largest / 2 > 0


def test_cost_is_passed_in_and_other_processes_get_their_own_pose():
    import manifold3d

    # given a T standing upright (its bar needs 4000 mm3 of support)
    stem = manifold3d.Manifold.cube([10.0, 10.0, 20.0]).translate([10.0, 0.0, 0.0])
    bar = manifold3d.Manifold.cube([30.0, 10.0, 5.0]).translate([0.0, 0.0, 20.0])
    vertices, faces = _manifold(stem + bar)
    surface = Surface(vertices=vertices, faces=faces)
    # then a cost passed in decides: the support alone gives a support-free pose, ties to the lowest
    pose, poses = best_pose(surface, None, options=OrientationOptions(), cost=least_support)
    assert (pose.support_volume_mm3, pose.height_mm) == (0.0, 10.0)
    assert [candidate.label for candidate in poses][:2] == ["+Z", "-Z"]
    # and the report names a candidate per process
    report = _report(vertices, faces)
    by_process = report["suggested_orientation"]["by_process"]
    assert set(by_process) == {"fdm", "sla", "metal", "sls", "mjf"}
    candidates = report["suggested_orientation"]["candidates"]
    assert candidates[by_process["sla"]]["support_volume_mm3"] == 0.0
    assert candidates[by_process["sls"]]["height_mm"] == pytest.approx(10.0)
