"""The report on small parts with known answers, and on two real files with known problems."""

import json

import numpy as np
import pytest

from designs.geometry import AnalysisOptions, LoadLimits, analyse, load_mesh
from tests.designs.geometry.builders import MATERIALS, NYLON, PETG, PLA, RESIN, box, hollow_box, loaded, t_shape
from tests.meshes import shared_mesh

CONTRACT_KEYS = {
    "faces", "vertices", "shells", "bounding_box_mm", "volume_mm3", "area_mm2", "watertight", "winding_consistent",
    "open_edges", "non_manifold_edges", "degenerate_faces", "units_suspected", "issues", "repair", "min_wall_mm",
    "overhang_area_mm2", "support_volume_mm3", "materials",
}  # fmt: skip


def _plain(value) -> bool:
    """Only JSON types all the way down (no numpy scalars)."""
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list):
        return all(_plain(item) for item in value)
    return value is None or type(value) in (bool, int, float, str)


def test_cube_report_is_exact_and_json_ready():
    # given a 10 mm cube
    report = analyse(loaded(*box()), materials=MATERIALS).report
    # then the contract keys are there with exact values
    assert set(report) >= CONTRACT_KEYS
    assert _plain(report)
    json.dumps(report)
    assert (report["faces"], report["vertices"], report["shells"]) == (12, 8, 1)
    assert (report["volume_mm3"], report["area_mm2"]) == (1000.0, 600.0)
    assert report["bounding_box_mm"] == [10.0, 10.0, 10.0]
    assert report["oriented_extents_mm"] == [10.0, 10.0, 10.0]
    assert (report["watertight"], report["winding_consistent"], report["inverted"]) == (True, True, False)
    assert (report["open_edges"], report["non_manifold_edges"], report["degenerate_faces"]) == (0, 0, 0)
    assert report["min_wall_mm"] == pytest.approx(10.0, abs=1e-3)
    assert report["overhang_area_mm2"] == 0.0 and report["support_volume_mm3"] == 0.0
    assert report["repair"]["performed"] is False
    assert report["units_suspected"] is None
    assert {code: verdict["printable"] for code, verdict in report["materials"].items()} == {
        "pla": True,
        "petg": True,
        "resin": True,
        "nylon": True,
    }
    assert set(report["timings_ms"]) >= {"repair", "bounds", "thickness", "orientation"}


def test_thin_walled_box_is_printed_at_risk_in_a_material_with_a_thicker_minimum():
    # given a 20 mm hollow box with 0.6 mm walls
    report = analyse(loaded(*hollow_box(20.0, 0.6)), materials=[PETG, RESIN]).report
    # then the wall is 0.6 mm, one region of the whole box (both sides of the walls)
    assert report["min_wall_mm"] == pytest.approx(0.6, abs=0.005)
    assert report["thin_wall"]["samples"] == 4000
    [region] = report["thin_wall"]["regions"]
    assert region["thickness_mm"] == pytest.approx(0.6, abs=0.005)
    assert region["area_mm2"] == pytest.approx(6 * (20**2 + 18.8**2), rel=0.1)
    # (samples close to the box edges measure along a wall, hence not all of them)
    assert 0.8 < report["thin_wall"]["fraction_below_minimum"]["petg"] < 1.0
    # and PETG (0.8 mm recommended, 0.34 mm formable) can print it, at the customer's risk
    petg = report["materials"]["petg"]
    assert (petg["printable"], petg["reasons"], petg["needs_risk_acceptance"]) == (True, [], True)
    assert petg["warning_details"][0]["code"] == "thin_wall"
    assert petg["warnings"][0].startswith("A wall 0.6 mm thick (about ")
    assert petg["warnings"][0].endswith(
        "is thinner than the 0.8 mm recommended for PETG: it may print weak or incomplete, so it can only be "
        "printed at your own risk."
    )
    resin = report["materials"]["resin"]
    assert (resin["printable"], resin["needs_risk_acceptance"]) == (True, False)
    assert [detail["code"] for detail in resin["warning_details"]] == ["needs_support"]  # the cavity's ceiling
    assert report["volume_mm3"] == 1355.33  # 20^3 - 18.8^3, to six significant digits


def test_part_too_long_for_the_build_volume():
    # given a 220 x 20 x 20 mm bar
    report = analyse(loaded(*box((220.0, 20.0, 20.0))), materials=[PLA, PETG]).report
    # then PLA's 200 mm cube cannot hold it in any orientation
    assert report["materials"]["pla"]["printable"] is False
    assert report["materials"]["pla"]["reasons"] == [
        "220 mm exceeds the 200 mm build size for PLA (build volume 200 x 200 x 200 mm), in any orientation."
    ]
    # and PETG's 250 mm height holds it standing up
    assert report["materials"]["petg"]["printable"] is True
    assert report["materials"]["petg"]["warnings"][0] == (
        "Fits the 200 x 200 x 250 mm build volume of PETG only when turned (as modelled it is 220 x 20 x 20 mm)."
    )


def test_diagonal_part_fits_by_its_oriented_box():
    # given a 190 x 10 x 10 bar lying at 45 degrees in the XY plane (axis-aligned box about 141 x 141)
    vertices, faces = box((190.0, 10.0, 10.0), origin=(-95.0, -5.0, -5.0))
    turn = np.radians(45.0)
    rotation = np.array([[np.cos(turn), -np.sin(turn), 0], [np.sin(turn), np.cos(turn), 0], [0, 0, 1]])
    report = analyse(loaded(vertices @ rotation.T, faces), materials=[RESIN]).report
    # then its oriented extents are its true size, which is what the build volume is compared with
    assert report["oriented_extents_mm"] == pytest.approx([190.0, 10.0, 10.0], abs=1e-6)
    assert report["materials"]["resin"]["reasons"] == [
        "190 mm exceeds the 150 mm build size for Standard resin (build volume 130 x 80 x 150 mm), in any orientation."
    ]


def test_t_shape_overhang_support_and_suggested_orientation():
    # given a T standing upright: its bar overhangs 200 mm2, 20 mm above the bed
    report = analyse(loaded(*t_shape()), materials=[PLA, NYLON]).report
    as_modelled = report["suggested_orientation"]["candidates"][0]
    assert as_modelled["up"] == "+Z"
    assert as_modelled["overhang_area_mm2"] == pytest.approx(200.0, abs=1e-6)
    assert as_modelled["support_volume_mm3"] == pytest.approx(4000.0, abs=1e-3)
    # then upside down (bar on the bed) and flat on its side need no support at all; flat is lower, so wins
    upside_down = report["suggested_orientation"]["candidates"][1]
    assert (upside_down["up"], upside_down["overhang_area_mm2"], upside_down["support_volume_mm3"]) == ("-Z", 0.0, 0.0)
    assert report["suggested_orientation"]["up"] == "+Y"
    assert report["suggested_orientation"]["description"] == "lay it on its side: +Y up"
    assert (report["overhang_area_mm2"], report["support_volume_mm3"]) == (0.0, 0.0)
    assert report["suggested_orientation"]["rotation"] == [[1.0, 0.0, 0.0], [0.0, 0.0, -1.0], [0.0, 1.0, 0.0]]
    assert report["print_extents_mm"] == [30.0, 25.0, 10.0]
    assert report["volume_mm3"] == pytest.approx(10 * 10 * 20 + 30 * 10 * 5, abs=1e-9)


def test_inverted_part_reports_positive_volume_and_a_warning():
    vertices, faces = box()
    report = analyse(loaded(vertices, faces[:, ::-1]), materials=[PLA]).report
    assert report["volume_mm3"] == 1000.0
    assert report["inverted"] is True
    assert report["repair"]["volume_before_mm3"] == -1000.0
    assert {"code": "inverted", "severity": "warning", "message": (
        "1 of 1 bodies were inside out (their faces pointed inward); repair turned them the right way out."
    )} in report["issues"]  # fmt: skip
    assert report["materials"]["pla"]["printable"] is True


def test_open_part_that_repair_cannot_close_is_not_printable():
    # given a cube missing a whole side and a hole limit too small for it
    vertices, faces = box()
    options = AnalysisOptions(repair=AnalysisOptions().repair.__class__(max_hole_edges=3))
    report = analyse(loaded(vertices, faces[2:]), materials=[PLA], options=options).report
    assert (report["watertight"], report["open_edges"], report["volume_reliable"]) == (False, 4, False)
    assert report["materials"]["pla"]["reasons"][0] == (
        "The surface is not a closed solid (4 open edges remain after repair), so PLA cannot be printed from it "
        "reliably."
    )


def test_core_options_skip_thickness_orientation_and_layers():
    report = analyse(loaded(*box()), materials=[PLA], options=AnalysisOptions.core()).report
    assert (report["min_wall_mm"], report["thin_wall"], report["suggested_orientation"]) == (None, None, None)
    assert report["overhang_area_mm2"] is None and report["print_extents_mm"] is None
    # the FDM estimate's layer figures come from the full report; a quote treats None as "not measured"
    assert report["facing_areas_mm2"] is None and report["layer_contours"] is None
    assert "layers" not in report["timings_ms"]
    assert report["materials"]["pla"] == {
        "printable": True,
        "reasons": [],
        "warnings": ["Wall thickness was not checked."],
        "reason_details": [],
        "warning_details": [{"code": "thickness_not_checked", "message": "Wall thickness was not checked."}],
        "needs_risk_acceptance": False,
    }


def test_metre_file_is_suspected_and_explained():
    # given trimesh's ADIS16480 sensor housing, saved in metres (about 0.04 units across)
    mesh = load_mesh(shared_mesh("trimesh__ADIS16480.STL"), units=None, limits=LoadLimits())
    report = analyse(mesh, materials=[PLA], options=AnalysisOptions.core()).report
    # then metres are suspected, with the size it would have
    assert report["units_suspected"] == "m"
    assert {
        "code": "units_suspected",
        "severity": "warning",
        "message": "The part is only 0.044 x 0.014 x 0.047 mm (read in millimetres because the file does not say). "
        "If the file is in metres it is 44 x 14 x 47 mm; please check the unit before ordering.",
    } in report["issues"]


def test_metre_file_read_in_metres_is_not_suspected():
    mesh = load_mesh(shared_mesh("trimesh__ADIS16480.STL"), units="m", limits=LoadLimits())
    report = analyse(mesh, materials=[PLA], options=AnalysisOptions.core()).report
    assert report["units_suspected"] is None
    assert report["bounding_box_mm"] == pytest.approx([44.0, 14.0, 47.0], abs=1e-3)


def test_thin_plate_thickness_is_measured():
    # given trimesh's tray bottom, a 1/8 inch (3.175 mm) plate
    mesh = load_mesh(shared_mesh("trimesh__1002_tray_bottom.STL"), units=None, limits=LoadLimits())
    report = analyse(mesh, materials=[PLA]).report
    # then the robust minimum wall is the plate thickness
    assert report["min_wall_mm"] == pytest.approx(3.175, abs=1e-3)
    assert report["thin_wall"]["median_mm"] == pytest.approx(3.175, abs=1e-3)


def test_analysis_does_not_modify_the_mesh_and_returns_the_repaired_copy():
    vertices, faces = box()
    mesh = loaded(vertices, faces[:, ::-1])
    result = analyse(mesh, materials=[PLA], options=AnalysisOptions.core())
    assert np.array_equal(mesh.faces, faces[:, ::-1])
    assert result.repaired is not None and np.array_equal(result.repaired.faces, faces)
    assert analyse(loaded(*box()), materials=[PLA], options=AnalysisOptions.core()).repaired is None


def test_part_smaller_than_the_finest_detail_is_refused():
    # given a 0.3 mm cube (say, a file in metres read as millimetres by mistake)
    report = analyse(loaded(*box((0.3, 0.3, 0.3))), materials=[PLA, RESIN], options=AnalysisOptions.core()).report
    # then PLA (0.4 mm detail) refuses it and resin (0.2 mm) does not for that reason
    assert report["materials"]["pla"]["reasons"] == [
        "The part is only 0.3 mm across, smaller than the 0.4 mm detail PLA can reproduce."
    ]
    assert report["materials"]["resin"]["reasons"] == []
    assert report["units_suspected"] == "m"


def test_highlights_mark_the_open_edges_and_the_thin_walls():
    # given a 10 mm cube missing one side: its rim is the four edges of that square
    vertices, faces = box()
    report = analyse(loaded(vertices, faces[2:]), materials=[PLA]).report
    rim = report["highlights"]["open_edges"]
    assert len(rim) == 4
    corners = {tuple(point) for segment in rim for point in segment}
    missing_side = {tuple(float(value) for value in vertices[index]) for index in np.unique(faces[:2])}
    assert corners == missing_side
    assert "non_manifold_edges" not in report["highlights"]
    # given a hollow box with 0.6 mm walls: the thin places are points on its surface, at most 500
    report = analyse(loaded(*hollow_box(20.0, 0.6)), materials=[PETG, RESIN]).report
    thin = np.array(report["highlights"]["thin_walls"])
    assert 100 < len(thin) <= 500
    on_outer = np.isclose(thin, 0, atol=0.02) | np.isclose(thin, 20, atol=0.02)
    on_inner = np.isclose(thin, 0.6, atol=0.02) | np.isclose(thin, 19.4, atol=0.02)
    assert np.all(np.any(on_outer | on_inner, axis=1))
    json.dumps(report, allow_nan=False)


def test_a_clean_part_has_nothing_to_highlight():
    report = analyse(loaded(*box((30.0, 30.0, 30.0))), materials=[PLA]).report
    assert report["highlights"] == {}


def test_core_report_of_a_clean_stl_loads_neither_scipy_nor_trimesh_nor_the_skipped_checks(tmp_path):
    # given a clean binary STL, analysed for the core report in a fresh process (as a worker's first task)
    import subprocess
    import sys
    from pathlib import Path

    from tests.designs.geometry.builders import binary_stl

    path = tmp_path / "cube.stl"
    path.write_bytes(binary_stl(*box()))
    script = (
        "import sys\n"
        "from designs.geometry import AnalysisOptions, LoadLimits, analyse, load_mesh\n"
        f"mesh = load_mesh({str(path)!r}, units=None, limits=LoadLimits())\n"
        "report = analyse(mesh, materials=[], options=AnalysisOptions.core()).report\n"
        "print(report['volume_mm3'], sorted({name.split('.')[0] for name in sys.modules} & {'scipy', 'trimesh'}))\n"
        "checks = ('layers', 'orientation', 'thickness', 'walls')\n"
        "print(sorted(name for name in checks if f'designs.geometry.{name}' in sys.modules))\n"
    )
    repository = Path(__file__).resolve().parents[3]
    # when it runs
    output = subprocess.run(
        [sys.executable, "-c", script], cwd=repository, capture_output=True, text=True, check=True
    ).stdout
    # then the report is right and the imports that cost a fresh process 0.2-0.6 s were never made, nor
    # were the modules of the checks the core report skips (about 15 ms to compile without a bytecode cache)
    assert output.split() == ["1000.0", "[]", "[]"]


def test_work_meant_for_a_second_thread_runs_in_the_caller_when_no_thread_starts(monkeypatch):
    # given a process that cannot start another thread (an address-space cap leaves no room for its stack)
    import threading

    from designs.geometry.background import Background

    def refuse(self):
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    # when an analysis runs, then it completes in one thread with the same report
    report = analyse(loaded(*box()), materials=MATERIALS, options=AnalysisOptions.core()).report
    assert (report["volume_mm3"], report["shells"], report["oriented_extents_mm"]) == (1000.0, 1, [10.0, 10.0, 10.0])
    # and a job's own error reaches the caller either way
    failing = Background(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        failing.result()


def test_watertight_after_a_rounding_merge_only_when_the_merge_closed_it():
    # given a cube whose top corners were written twice with a 1e-12 mm error (rounding noise) ...
    vertices, faces = box()
    noisy = np.concatenate([vertices, vertices[4:] + 1e-12])
    noisy_faces = faces.copy()
    noisy_faces[2:4] += 4
    report = analyse(loaded(noisy, noisy_faces), materials=MATERIALS, options=AnalysisOptions.core()).report
    # then joining the noise closes it: watertight, and the repair section says corners were joined
    assert report["watertight"] is True and report["open_edges"] == 0
    assert report["repair"]["changes"]["vertices_merged_close"] == 4
    assert "vertices_merged_close" in {issue["code"] for issue in report["issues"]}
    # given the same noise and, besides, a real hole (one triangle of a side missing)
    open_report = analyse(
        loaded(noisy, np.delete(noisy_faces, 8, axis=0)), materials=MATERIALS, options=AnalysisOptions.core()
    ).report
    # then the merge happens but the file is reported as it is: open, three open edges; repair closes it
    assert open_report["repair"]["changes"]["vertices_merged_close"] == 4
    assert open_report["watertight"] is False and open_report["open_edges"] == 3
    assert open_report["repair"]["watertight_after"] is True and open_report["repair"]["changes"]["holes_filled"] == 1


def test_bounding_box_is_the_uploaded_parts_even_when_repair_drops_faces():
    # given a 10 mm cube and a face that collapsed to a line reaching 50 mm out (repair drops it)
    vertices, faces = box()
    vertices = np.concatenate([vertices, [[50.0, 0.0, 0.0]]])
    faces = np.concatenate([faces, [[1, 8, 8]]])
    for options in (AnalysisOptions.core(), AnalysisOptions(thickness=False)):
        result = analyse(loaded(vertices, faces), materials=MATERIALS, options=options)
        # then the repaired copy is the cube, but the report measures what was uploaded
        assert result.repaired is not None and result.repaired.vertices[:, 0].max() == 10.0
        assert result.report["bounding_box_mm"] == [50.0, 10.0, 10.0]
        assert result.report["bounding_box_max_mm"] == [50.0, 10.0, 10.0]
        assert result.report["volume_mm3"] == pytest.approx(1000.0)


def test_importing_the_geometry_asks_for_plain_pages_unless_told_to_keep_the_defaults():
    # given a fresh process that imports the geometry (numpy's default is 2 MB pages for large arrays)
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = "import designs.geometry, numpy\nprint(numpy._core.multiarray._get_madvise_hugepage())\n"
    repository = Path(__file__).resolve().parents[3]
    environment = {key: value for key, value in os.environ.items() if key != "NUMPY_MADVISE_HUGEPAGE"}

    def hugepages(**extra) -> str:
        return subprocess.run(
            [sys.executable, "-c", script],
            cwd=repository,
            env={**environment, **extra},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    # when it runs, then numpy asks for plain pages (huge-page faults made the core report 2x slower at
    # random on the Intel VM); with the opt-out, or an explicit numpy setting, numpy's choice stands
    assert hugepages() == "False"
    assert hugepages(MAKERNET_DEFAULT_ALLOCATION="1") == "True"
    assert hugepages(NUMPY_MADVISE_HUGEPAGE="1") == "True"
