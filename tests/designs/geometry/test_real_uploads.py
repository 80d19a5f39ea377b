"""The 34 real Thingiverse uploads in ``../shared/meshes/real-uploads``: every one slices and fits a 250 x 210
x 210 mm printer (PrusaSlicer, reference.tsv), so the PLA verdict may refuse one for thin walls only where a
slicer would leave a real wall out."""

import os

import pytest

from designs.geometry import LoadLimits, MaterialSpec, analyse, load_mesh
from tests.meshes import require_shared_meshes

PLA_ON_A_PRUSA = MaterialSpec(
    code="pla",
    name="PLA",
    process="fdm",
    min_wall_mm=0.8,
    min_detail_mm=0.4,
    build_volume_mm=(250.0, 210.0, 210.0),
    needs_support=True,
)


def test_real_uploads_are_refused_for_thin_walls_only_where_a_wall_is_too_thin_to_form():
    # given the 34 uploads, analysed as the platform does (load, repair, thickness, orientation)
    folder = require_shared_meshes() / "real-uploads"
    if not folder.is_dir():
        if os.environ.get("PLATFORM_REQUIRE_SHARED_MESHES") == "1":
            pytest.fail(f"{folder} not found")
        pytest.skip(f"{folder} is not present on this machine")
    paths = sorted(folder.glob("*.stl"))
    assert len(paths) == 34
    refused_for_thin_walls, at_risk = {}, set()
    for path in paths:
        report = analyse(load_mesh(path, units=None, limits=LoadLimits()), materials=[PLA_ON_A_PRUSA]).report
        verdict = report["materials"]["pla"]
        codes = [detail["code"] for detail in verdict["reason_details"]]
        if "thin_wall" in codes:
            refused_for_thin_walls[path.name] = verdict["reasons"][codes.index("thin_wall")]
        if verdict["needs_risk_acceptance"]:
            at_risk.add(path.name)
    # then one is refused for thin walls (it was 15 when thickness was the 1st percentile of all samples):
    # 68435, a cookie-cutter-like outline of 0.635 mm walls, has one side modelled tapering from 0.03 to
    # 0.3 mm over about 7 x 12 mm (its inner and outer outlines are not parallel there). A slicer lays no
    # line narrower than 0.34 mm and drops walls under about 0.1 mm, so that side prints with a gap.
    assert list(refused_for_thin_walls) == ["many_small_holes__68435.stl"]
    assert refused_for_thin_walls["many_small_holes__68435.stl"].startswith("A wall 0.166 mm thick (about ")
    # and the walls between 0.34 and 0.8 mm are printable at the customer's risk: a 106 mm plate 0.75 mm
    # thick, a small part made of 0.4 mm walls, and a bar whose walls are 1/64 inch (0.397 mm: one line of
    # a 0.4 mm nozzle) once repair has closed it (its stray sheets dropped)
    assert at_risk == {"complex__40922.stl", "holes__42722.stl", "multiple_components__132444.stl"}
