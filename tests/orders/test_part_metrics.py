"""``quoting.part_metrics``: the quote measures the part in the pose chosen for its process."""

import pytest

from orders.services.quoting import part_metrics
from tests.designs.geometry.builders import PLA, loaded


def _t_report() -> dict:
    import manifold3d
    import numpy as np

    from designs.geometry import analyse

    stem = manifold3d.Manifold.cube([10.0, 10.0, 20.0]).translate([10.0, 0.0, 0.0])
    bar = manifold3d.Manifold.cube([30.0, 10.0, 5.0]).translate([0.0, 0.0, 20.0])
    mesh = (stem + bar).to_mesh()
    vertices = np.asarray(mesh.vert_properties[:, :3], dtype=np.float64)
    return analyse(loaded(vertices, np.asarray(mesh.tri_verts, dtype=np.int64)), materials=[PLA]).report


def test_fdm_uses_the_suggested_pose_and_other_processes_their_own_candidate():
    report = _t_report()
    fdm = part_metrics(report, "fdm")
    assert fdm.height_mm == pytest.approx(report["print_extents_mm"][2])
    assert fdm.side_area_mm2 == report["facing_areas_mm2"]["side"]
    assert part_metrics(report) == fdm
    orientation = report["suggested_orientation"]
    for process in ("sla", "sls"):
        candidate = orientation["candidates"][orientation["by_process"][process]]
        metrics = part_metrics(report, process)
        assert metrics.height_mm == pytest.approx(candidate["print_extents_mm"][2])
        assert metrics.support_volume_mm3 == candidate["support_volume_mm3"]


def test_reports_without_by_process_fall_back_on_the_suggested_pose():
    report = _t_report()
    del report["suggested_orientation"]["by_process"]
    assert part_metrics(report, "sla") == part_metrics(report)


def test_a_core_report_has_no_layer_figures_and_reads_as_not_measured():
    import numpy as np

    from designs.geometry import AnalysisOptions, analyse
    from tests.designs.geometry.builders import box

    vertices, faces = box()
    report = analyse(loaded(vertices, np.asarray(faces)), materials=[PLA], options=AnalysisOptions.core()).report
    metrics = part_metrics(report)
    assert (metrics.up_area_mm2, metrics.side_area_mm2, metrics.loops_per_layer) == (None, None, None)
