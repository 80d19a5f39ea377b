"""Every shared real mesh against what trimesh, MeshLab, manifold3d, admesh and PrusaSlicer say about it.

Where the independent tools agree we must agree with them (volume within 0.5%, the same closed/open
verdict, the same body count, bounding box within 0.1 mm). Where they disagree, ``DECISIONS`` holds our
answer for that file and the reason it is the right one. A new file whose tools disagree and that has
no decision fails here until someone decides.
"""

import json
import statistics

import pytest

from designs.geometry import LoadLimits, analyse, load_mesh, write_preview_glb, write_thumbnail_png
from tests.designs.geometry.builders import MATERIALS
from tests.meshes import groundtruth, shared_mesh, shared_mesh_names

NAMES = shared_mesh_names()
_REPORTS: dict[str, tuple] = {}

# file -> {quantity: (our expected value, why)}. Volumes in mm3; None means "no trustworthy volume".
DECISIONS = {
    "benchy__3DBenchy.3mf": {
        "watertight": (
            True,
            "8 faces collapse to lines once corners are merged; trimesh keeps them and counts "
            "their edges as non-manifold (and so 5 bodies). Slicers drop them: closed, one body.",
        ),
        "shells": (
            1,
            "see watertight: without the collapsed faces the boat is one body (MeshLab, admesh, "
            "PrusaSlicer, manifold3d).",
        ),
    },
    "numpystl__triamid.stl": {
        "watertight": (
            True,
            "every edge has two faces, so the surface is closed; manifold3d refuses it only "
            "because 13 edges are wound inconsistently, which we report as winding_consistent=false.",
        ),
        "volume": (
            10.6667,
            "the stored winding is inconsistent, so trimesh's and MeshLab's signed sum (2.667) "
            "mixes inward and outward faces; oriented consistently (as admesh and PrusaSlicer do) the "
            "solid is 32/3 mm3.",
        ),
    },
    "thingi10k__1004825.stl": {
        "volume": (
            97.042,
            "all 10 bodies are inside out: trimesh, MeshLab and manifold3d give the signed -97.042; "
            "the material is 97.042 mm3 (admesh, PrusaSlicer) and the report says inverted.",
        ),
    },
    "thingi10k__100827.stl": {
        "volume": (
            None,
            "the surface is open (51 open edges, 17 inconsistent edges): trimesh's 27 is the signed "
            "sum of an open surface, and admesh (1029.8) and PrusaSlicer (1032.7) invent different "
            "patches. No volume is trustworthy, so the report marks it unreliable and refuses to print.",
        ),
    },
    "thingi10k__138207.stl": {
        "watertight": (
            True,
            "every face is stored three times; each copy closes the same solid, so every face is "
            "glued (admesh, manifold3d). trimesh and MeshLab call its 78 six-face edges non-manifold; "
            "we report them too (non_manifold_edges, duplicate_faces).",
        ),
        "shells": (
            1,
            "the three copies are one stand: after removing the 104 duplicates one body is left "
            "(MeshLab's answer; admesh/PrusaSlicer's 10 and manifold3d's 3 come from how they split the "
            "copies).",
        ),
        "volume": (
            2236.95,
            "duplicates hold no extra material: one copy's volume (admesh, PrusaSlicer), not "
            "three times it (trimesh, manifold3d: 6710.86).",
        ),
    },
    "thingi10k__68247.stl": {
        "volume": (
            8611.26,
            "inside out: trimesh, MeshLab and manifold3d give the signed -8611.26; the material is "
            "8611.26 mm3 (admesh, PrusaSlicer) and the report says inverted.",
        ),
    },
    "thingi10k__73342.stl": {
        "watertight": (
            True,
            "after merging corners, 20 faces collapse to lines; trimesh keeps them (2 open, 12 "
            "non-manifold edges). Without them the surface is closed (MeshLab, admesh, PrusaSlicer).",
        ),
        "shells": (1, "see watertight: one body without the collapsed faces."),
        "volume": (
            21928.0,
            "36 faces point inward (20 inconsistent edges); oriented consistently, as admesh and "
            "PrusaSlicer do, the solid is 21928 mm3, not the mixed signed sum 21657.4.",
        ),
    },
    "thingi10k__90225.stl": {
        "watertight": (
            True,
            "8 faces collapse to lines after merging; without them the surface is closed "
            "(MeshLab, admesh, PrusaSlicer, manifold3d).",
        ),
        "shells": (1, "see watertight."),
    },
    "trimesh__ADIS16480.STL": {
        "volume": (
            2.81925e-05,
            "admesh and PrusaSlicer print the volume with two significant digits (2.8e-05); "
            "trimesh, MeshLab and manifold3d agree on 2.81925e-05.",
        ),
    },
    "trimesh__boolean.glb": {
        "watertight": (
            True,
            "two bodies touch along 3 edges (four faces each); every face is glued within its "
            "own body, so each body is closed (trimesh, admesh, manifold3d); MeshLab counts the "
            "shared edges as non-manifold, which we report as non_manifold_edges=3.",
        ),
        "shells": (
            28,
            "the bodies touching along an edge stay separate bodies (trimesh, admesh, PrusaSlicer, "
            "manifold3d); MeshLab joins them into 27.",
        ),
    },
    "trimesh__cycloidal.ply": {
        "watertight": (
            True,
            "the 242 non-manifold edges are parts of the assembly pressed against each other; "
            "each part is closed (admesh, PrusaSlicer, manifold3d).",
        ),
        "shells": (
            118,
            "parts pressed together stay separate parts: 118 like admesh, PrusaSlicer and manifold3d "
            "(trimesh splits one more, MeshLab joins touching ones).",
        ),
    },
    "trimesh__featuretype.3MF": {
        "volume": (
            190680.0,
            'the model declares unit="inch"; trimesh and admesh ignore it (11.636), PrusaSlicer '
            "applies it: 11.636 in3 = 190,680 mm3.",
        ),
        "bbox": (([-63.5, -31.75, 0.0], [63.5, 31.75, 34.925]), "inches applied, as PrusaSlicer does."),
    },
    "trimesh__featuretype.STL": {
        "watertight": (
            True,
            "288 corners differ from their neighbours only by rounding (0 versus -2.7e-16 mm); "
            "joined, the surface is closed (trimesh, manifold3d). MeshLab and admesh's exact check "
            "see 576 open edges; admesh closes them itself as 'nearby' edges.",
        ),
    },
    "trimesh__multibody.stl": {
        "watertight": (
            True,
            "both bodies are closed (trimesh, MeshLab); manifold3d refuses them only for their "
            "inconsistent winding, reported as winding_consistent=false.",
        ),
        "volume": (
            0.00742322,
            "the winding is inconsistent; trimesh and MeshLab sum the stored signs (0.01404), "
            "oriented consistently the two bodies hold 0.007423 mm3 (PrusaSlicer).",
        ),
    },
    "trimesh__shared.STL": {
        "watertight": (
            True,
            "two cubes share one edge; each cube is closed (admesh, PrusaSlicer, manifold3d); "
            "trimesh and MeshLab call the shared edge non-manifold, reported as non_manifold_edges=1.",
        ),
        "shells": (
            2,
            "two cubes touching along an edge are two bodies (trimesh, admesh, PrusaSlicer, "
            "manifold3d); MeshLab joins them.",
        ),
    },
    "trimesh__soup.stl": {
        "shells": (
            100,
            "100 unconnected triangles are 100 pieces (trimesh, MeshLab); admesh reports one part "
            "after its own repair.",
        ),
        "volume": (
            None,
            "100 loose triangles enclose nothing; trimesh's 0.168 is a signed sum over an open "
            "surface and admesh says 0. The report marks the volume unreliable.",
        ),
    },
    "trimesh__wallhole.obj": {
        "watertight": (
            True,
            "trimesh and MeshLab count the OBJ's per-face corner copies as separate vertices "
            "(92 and 84 open edges). Merged by position, with its concave polygons triangulated along "
            "their outline, the surface is closed (admesh; manifold3d after merging).",
        ),
        "shells": (1, "see watertight: one body once corners are merged (admesh)."),
    },
}

# A binary STL whose header starts with "solid": trimesh loads zero faces, admesh and PrusaSlicer fail, so
# its truth is the ASCII version of the same half donut.
SAME_AS = {"numpystl__HalfDonut_bin_solidheader.stl": "numpystl__HalfDonut_ascii.stl"}


def _number(text: str) -> float | None:
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def _vector(text: str) -> list[float] | None:
    if not text or not text.startswith("["):
        return None
    return [float(value) for value in text.strip("[]").split(",")]


def _yes(text: str) -> bool | None:
    return {"yes": True, "no": False}.get((text or "").strip())


def tool_values(row: dict) -> dict:
    closed_columns = {
        "trimesh": _yes(row["trimesh_watertight"]),
        "pymeshlab": _yes(row["pymeshlab_watertight(no boundary & no nm edges)"]),
        "admesh (exact open-edge check)": None
        if _number(row["admesh_open_edges_exact_check"]) is None
        else _number(row["admesh_open_edges_exact_check"]) == 0,
        "manifold3d": {"NoError": True, "NotManifold": False}.get(row["manifold3d_status"]),
    }
    return {
        "volume": {
            "trimesh": _number(row["trimesh_volume"]),
            "pymeshlab": _number(row["pymeshlab_volume(only if closed)"]),
            "manifold3d": _number(row["manifold3d_volume"]),
            "admesh": _number(row["admesh_volume_after_repair"]),
            "prusaslicer": _number(row["prusaslicer_volume"]),
        },
        "watertight": closed_columns,
        "shells": {
            "trimesh": _number(row["trimesh_bodies"]),
            "pymeshlab": _number(row["pymeshlab_components"]),
            "admesh": _number(row["admesh_parts_after_repair"]),
            "prusaslicer": _number(row["prusaslicer_parts"]),
            "manifold3d": _number(row["manifold3d_components"]),
        },
        "bbox": {
            tool: (_vector(row[f"{tool}_bbox_min"]), _vector(row[f"{tool}_bbox_max"]))
            for tool in ("trimesh", "pymeshlab", "admesh", "prusaslicer")
        },
    }


def consensus(quantity: str, values: dict):
    """The tools' common answer, or raise if they disagree (then a decision is needed)."""
    present = {tool: value for tool, value in values.items() if value is not None and value != (None, None)}
    if not present:
        return None
    answers = list(present.values())
    if quantity == "volume":
        middle = statistics.median(answers)
        agree = all(abs(value - middle) <= 0.005 * abs(middle) for value in answers)
        result = middle
    elif quantity == "bbox":
        first = answers[0]
        agree = all(
            max(abs(a - b) for a, b in zip(value[0] + value[1], first[0] + first[1], strict=True)) <= 0.1
            for value in answers
        )
        result = first
    else:
        agree = len(set(answers)) == 1
        result = answers[0]
    if not agree:
        raise AssertionError(f"tools disagree on {quantity}: {present}; add a decision with the reason")
    return result


def expectations(name: str) -> dict:
    row = groundtruth()[SAME_AS.get(name, name)]
    tools = tool_values(row)
    result = {}
    for quantity in ("volume", "watertight", "shells", "bbox"):
        decided = DECISIONS.get(name, {}).get(quantity)
        if decided is not None:
            result[quantity] = ("decided", decided[0])
        else:
            result[quantity] = ("tools agree", consensus(quantity, tools[quantity]))
    return result


def report_for(name: str):
    if name not in _REPORTS:
        mesh = load_mesh(shared_mesh(name), units=None, limits=LoadLimits())
        _REPORTS[name] = (mesh, analyse(mesh, materials=MATERIALS))
    return _REPORTS[name]


def test_every_shared_mesh_is_covered():
    # given the shared folder (skips when absent, fails in CI)
    shared_mesh(NAMES[0] if NAMES else "MANIFEST.tsv")
    # then every decision and alias names a file that exists
    assert set(DECISIONS) <= set(NAMES) and set(SAME_AS) <= set(NAMES)
    assert len(NAMES) == 29


@pytest.mark.parametrize("name", NAMES)
def test_report_agrees_with_the_independent_tools(name):
    # given what the tools say (or what we decided where they disagree)
    expected = expectations(name)
    # when we analyse the file
    _mesh, result = report_for(name)
    report = result.report
    # then volume, closed verdict, bodies and bounding box match
    _source, volume = expected["volume"]
    if volume is None:
        assert report["volume_reliable"] is False
        assert not any(verdict["printable"] for verdict in report["materials"].values())
    else:
        assert report["volume_mm3"] == pytest.approx(volume, rel=0.005)
        assert report["volume_reliable"] is True
    assert report["watertight"] is expected["watertight"][1]
    assert report["shells"] == expected["shells"][1]
    _source, bbox = expected["bbox"]
    if bbox is not None:
        assert report["bounding_box_min_mm"] == pytest.approx(bbox[0], abs=0.1)
        assert report["bounding_box_max_mm"] == pytest.approx(bbox[1], abs=0.1)


@pytest.mark.parametrize(
    ("name", "inverted"),
    [("thingi10k__1004825.stl", True), ("thingi10k__68247.stl", True), ("numpystl__rear_case.stl", False)],
)
def test_inside_out_files_are_flagged(name, inverted):
    _mesh, result = report_for(name)
    assert result.report["inverted"] is inverted
    assert result.report["volume_mm3"] > 0


def test_triplicated_faces_are_counted():
    report = report_for("thingi10k__138207.stl")[1].report
    assert (report["duplicate_faces"], report["non_manifold_edges"], report["faces"]) == (104, 78, 156)
    assert report["repair"]["changes"]["duplicate_faces_removed"] == 104


def test_binary_stl_with_solid_header_matches_its_ascii_twin():
    binary = report_for("numpystl__HalfDonut_bin_solidheader.stl")[1].report
    ascii_twin = report_for("numpystl__HalfDonut_ascii.stl")[1].report
    assert (binary["faces"], binary["format"], ascii_twin["format"]) == (288, "stl_binary", "stl_ascii")
    for key in ("volume_mm3", "area_mm2", "shells", "watertight", "bounding_box_mm"):
        assert binary[key] == pytest.approx(ascii_twin[key], rel=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_report_preview_and_thumbnail_for_every_mesh(name, tmp_path):
    # given the analysed file
    mesh, result = report_for(name)
    report = result.report
    # then the report is plain JSON with sane values, and a preview and a thumbnail can be made
    json.loads(json.dumps(report, allow_nan=False))
    assert report["faces"] > 0 and report["vertices"] > 0 and report["shells"] > 0
    assert all(extent >= 0 for extent in report["bounding_box_mm"])
    assert report["area_mm2"] > 0
    assert set(report["materials"]) == {material.code for material in MATERIALS}
    verdict_keys = {"printable", "reasons", "warnings", "reason_details", "warning_details", "needs_risk_acceptance"}
    assert all(verdict_keys == set(verdict) for verdict in report["materials"].values())
    assert all(issue["severity"] in ("error", "warning", "info") for issue in report["issues"])
    shown = result.repaired or mesh
    write_preview_glb(shown, tmp_path / "preview.glb")
    write_thumbnail_png(shown, tmp_path / "thumbnail.png")
    assert (tmp_path / "preview.glb").stat().st_size > 100
    assert (tmp_path / "thumbnail.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
