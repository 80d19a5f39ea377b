"""Thin walls are regions with an area; sharp edges, tips, chamfers, teeth and many small parts are not walls."""

import re

import manifold3d
import numpy as np
import pytest

from designs.geometry import analyse
from tests.designs.geometry.builders import PLA, RESIN, box, combine, hollow_box, loaded


def _mesh(solid: manifold3d.Manifold) -> tuple[np.ndarray, np.ndarray]:
    mesh = solid.to_mesh()
    return np.asarray(mesh.vert_properties[:, :3], dtype=np.float64), np.asarray(mesh.tri_verts, dtype=np.int64)


def wedge() -> tuple[np.ndarray, np.ndarray]:
    """A triangular prism 40 x 40 x 10 mm in 8 faces: a right triangle 40 long and 10 high, extruded 40 mm
    along y; its knife edge (14 degrees) runs along x = 40 on the bed."""
    vertices = np.array([[0, 0, 0], [40, 0, 0], [0, 0, 10], [0, 40, 0], [40, 40, 0], [0, 40, 10]], dtype=np.float64)
    faces = np.array(
        [
            [0, 2, 1], [3, 4, 5],  # the two triangular ends
            [0, 1, 4], [0, 4, 3],  # bottom
            [0, 3, 5], [0, 5, 2],  # back (x = 0)
            [1, 2, 5], [1, 5, 4],  # the slope (written inward, hence the turn below)
        ],
        dtype=np.int64,
    )  # fmt: skip
    return vertices, faces[:, ::-1].copy()


def pyramid(base: float = 20.0, height: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    half = base / 2
    vertices = np.array(
        [[-half, -half, 0], [half, -half, 0], [half, half, 0], [-half, half, 0], [0, 0, height]], dtype=np.float64
    )
    faces = np.array([[0, 2, 1], [0, 3, 2], [0, 1, 4], [1, 2, 4], [2, 3, 4], [3, 0, 4]], dtype=np.int64)
    return vertices, faces


def chamfered_box(size: float = 20.0, height: float = 10.0, chamfer: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """A box with every edge cut at 45 degrees (the hull of its corners moved in along each edge)."""
    points = []
    for corner in np.array(np.meshgrid([0.0, size], [0.0, size], [0.0, height])).reshape(3, -1).T:
        inward = np.where(corner == 0.0, chamfer, -chamfer)
        for axis in range(3):
            point = corner.copy()
            point[axis] += inward[axis]
            points.append(point.tolist())
    return _mesh(manifold3d.Manifold.hull_points(points))


def block_with_fin(fin: float) -> tuple[np.ndarray, np.ndarray]:
    """A 20 x 20 x 10 mm block with a 10 x 10 mm plate ``fin`` mm thick standing on its top."""
    block = manifold3d.Manifold.cube([20.0, 20.0, 10.0])
    plate = manifold3d.Manifold.cube([10.0, fin, 10.0]).translate([5.0, 10.0 - fin / 2, 10.0])
    return _mesh(block + plate)


def _pla(report: dict) -> dict:
    return report["materials"]["pla"]


def _wall_codes(verdict: dict) -> tuple[list[str], list[str]]:
    reasons = [detail["code"] for detail in verdict["reason_details"]]
    warnings = [detail["code"] for detail in verdict["warning_details"]]
    return reasons, warnings


def test_a_wedge_has_a_knife_edge_not_a_wall():
    # given a 40 x 40 x 10 mm wedge of 8 faces (its knife edge is 14 degrees)
    vertices, faces = wedge()
    assert len(faces) == 8
    report = analyse(loaded(vertices, faces), materials=[PLA]).report
    # then PLA prints it without a thin-wall warning, and the thin strip along the edge is a sharp edge
    assert report["volume_mm3"] == pytest.approx(40 * 40 * 10 / 2)
    assert (_pla(report)["printable"], _pla(report)["needs_risk_acceptance"]) == (True, False)
    assert _wall_codes(_pla(report)) == ([], [])
    assert report["thin_wall"]["regions"] == []
    assert "thin_walls" not in report["highlights"]
    sharp = [issue for issue in report["issues"] if issue["code"] == "sharp_edges"]
    assert [issue["severity"] for issue in sharp] == ["info"]
    # (a strip 0.8 / tan 14 = 3.2 mm wide on each side of the 40 mm edge: about 2 x 128 mm2 at most)
    assert 100 < report["thin_wall"]["sharp_edge_area_mm2"] < 300
    assert len(report["highlights"]["sharp_edges"]) > 0


@pytest.mark.parametrize(
    "name, shape",
    [
        ("square pyramid", lambda: pyramid()),
        ("steep square pyramid", lambda: pyramid(base=10.0, height=40.0)),
        ("cone", lambda: _mesh(manifold3d.Manifold.cylinder(30.0, 8.0, 0.0, 64))),
        ("tapered tip", lambda: _mesh(manifold3d.Manifold.cylinder(40.0, 3.0, 0.05, 48))),
        ("chamfered box", lambda: chamfered_box()),
    ],
)
def test_tips_chamfers_and_points_are_printable_in_pla(name, shape):
    # given a solid whose only thin places are tips, points and edges
    report = analyse(loaded(*shape()), materials=[PLA]).report
    # then it is printable in PLA with no thin-wall reason, warning or risk
    verdict = _pla(report)
    assert (name, verdict["printable"], verdict["reasons"], verdict["needs_risk_acceptance"]) == (name, True, [], False)
    assert "thin_wall" not in _wall_codes(verdict)[1]
    assert report["thin_wall"]["regions"] == []


def test_a_spur_gear_is_printable_in_pla():
    # given the platform's own involute spur gear (module 1: tooth tips are a few tenths of a millimetre wide)
    from designs.parametric import generate

    gear = generate("spur-gear", {"module": 1.0, "teeth": 20, "thickness": 6.0, "bore_diameter": 5.0})
    report = analyse(loaded(np.asarray(gear.vertices), np.asarray(gear.faces)), materials=[PLA]).report
    # then its teeth are sharp edges, not walls
    verdict = _pla(report)
    assert (verdict["printable"], verdict["reasons"], verdict["needs_risk_acceptance"]) == (True, [], False)
    assert report["thin_wall"]["regions"] == []


def test_a_plate_of_thirty_small_boxes_is_printable_in_pla():
    # given 30 separate 5 mm cubes on a 6 x 5 grid, 2 mm apart
    cubes = [box((5.0, 5.0, 5.0), (7.0 * column, 7.0 * row, 0.0)) for row in range(5) for column in range(6)]
    report = analyse(loaded(*combine(*cubes)), materials=[PLA]).report
    # then it is 30 bodies with 5 mm walls and nothing thin
    assert report["shells"] == 30
    assert report["min_wall_mm"] == pytest.approx(5.0, abs=1e-3)
    verdict = _pla(report)
    assert (verdict["printable"], verdict["reasons"], verdict["needs_risk_acceptance"]) == (True, [], False)
    assert report["thin_wall"]["regions"] == []


@pytest.mark.parametrize("fin", [0.2, 0.3])
def test_a_fin_thinner_than_one_extruded_line_is_refused_in_pla(fin):
    # given a solid block with a 10 x 10 mm plate ``fin`` mm thick on it
    report = analyse(loaded(*block_with_fin(fin)), materials=[PLA, RESIN]).report
    # then the plate is one thin-wall region of about 200 mm2 (both sides), as thick as modelled
    [region] = report["thin_wall"]["regions"]
    assert region["thickness_mm"] == pytest.approx(fin, abs=1e-3)
    assert region["area_mm2"] == pytest.approx(200.0, rel=0.15)
    assert region["center_mm"] == pytest.approx([10.0, 10.0, 15.0], abs=0.6)
    assert report["min_wall_mm"] == pytest.approx(fin, abs=1e-3)
    # and PLA refuses it, naming the wall, where it is and why
    verdict = _pla(report)
    assert verdict["printable"] is False
    assert verdict["needs_risk_acceptance"] is False
    [reason] = verdict["reason_details"]
    assert (reason["code"], reason["regions"]) == ("thin_wall", [0])
    assert re.fullmatch(
        rf"A wall {fin:g} mm thick \(about \d+ mm2 of surface, near 10, 10, 15 mm\) is thinner than the 0\.34 mm "
        r"PLA can form at all \(the narrowest line a 0\.4 mm nozzle lays\)\.",
        reason["message"],
    )
    assert verdict["reasons"] == [reason["message"]]
    # and the viewer marks the plate: every highlighted thin place is on one of its two sides
    thin = np.array(report["highlights"]["thin_walls"])
    assert len(thin) > 100
    assert np.allclose(np.abs(thin[:, 1] - 10.0), fin / 2, atol=0.01)
    # while resin (0.2 mm formable, 0.5 mm recommended) only warns
    resin = report["materials"]["resin"]
    assert (resin["printable"], resin["needs_risk_acceptance"]) == (True, True)
    assert [detail["code"] for detail in resin["warning_details"]] == ["thin_wall"]


def test_a_half_millimetre_wall_is_printable_in_pla_at_the_customers_risk():
    # given a solid block with a 10 x 10 mm plate 0.5 mm thick on it
    report = analyse(loaded(*block_with_fin(0.5)), materials=[PLA]).report
    verdict = _pla(report)
    # then PLA can print it, with a thin-wall warning the customer must accept
    assert (verdict["printable"], verdict["reasons"], verdict["needs_risk_acceptance"]) == (True, [], True)
    warning = verdict["warning_details"][0]
    assert (warning["code"], warning["regions"]) == ("thin_wall", [0])
    assert re.fullmatch(
        r"A wall 0\.5 mm thick \(about \d+ mm2 of surface, near 10, 10, 15 mm\) is thinner than the 0\.8 mm "
        r"recommended for PLA: it may print weak or incomplete, so it can only be printed at your own risk\.",
        warning["message"],
    )
    assert verdict["warnings"][0] == warning["message"]
    assert report["thin_wall"]["regions"][0]["thickness_mm"] == pytest.approx(0.5, abs=1e-3)


def test_a_hollow_box_with_thin_walls_is_refused_and_its_regions_are_listed():
    # given a 20 mm box with a sealed cavity and 0.3 mm walls all round
    report = analyse(loaded(*hollow_box(20.0, 0.3)), materials=[PLA]).report
    # then the walls are refused in PLA (the six sides may join into one region at the corners)
    assert _pla(report)["printable"] is False
    assert [detail["code"] for detail in _pla(report)["reason_details"]] == ["thin_wall"]
    regions = report["thin_wall"]["regions"]
    assert sum(region["area_mm2"] for region in regions) == pytest.approx(6 * (20**2 + 19.4**2), rel=0.1)
    assert all(region["thickness_mm"] == pytest.approx(0.3, abs=1e-3) for region in regions)


def test_the_same_mesh_gives_the_same_regions():
    first = analyse(loaded(*block_with_fin(0.3)), materials=[PLA]).report
    second = analyse(loaded(*block_with_fin(0.3)), materials=[PLA]).report
    assert first["thin_wall"]["regions"] == second["thin_wall"]["regions"]
    assert first["materials"] == second["materials"]


def test_formable_wall_defaults_by_process_and_never_above_the_recommended_minimum():
    from dataclasses import replace

    assert PLA.formable_wall_mm == 0.34
    assert RESIN.formable_wall_mm == 0.2
    assert replace(PLA, min_formable_wall_mm=0.45).formable_wall_mm == 0.45
    assert replace(PLA, min_wall_mm=0.3).formable_wall_mm == 0.3
