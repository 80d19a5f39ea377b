"""Repair does what slicers do on import, counts each change and never touches the original."""

import time

import numpy as np
import pytest

from designs.geometry import LoadLimits, RepairOptions, analyse, load_mesh, repair_mesh
from designs.geometry.fins import fin_faces
from designs.geometry.topology import build_edge_topology
from tests.designs.geometry.builders import MATERIALS, box, combine, hollow_box, loaded


def test_clean_cube_needs_no_repair():
    mesh = loaded(*box())
    result = repair_mesh(mesh)
    assert not result.performed
    assert result.mesh is mesh
    assert result.volume_before_mm3 == pytest.approx(1000.0, abs=1e-9)
    assert set(result.changes.values()) == {0}


def test_cube_with_one_face_removed_is_closed_by_hole_filling():
    # given a 10 mm cube missing one triangle of its top
    vertices, faces = box()
    mesh = loaded(vertices, np.delete(faces, 2, axis=0))
    # when repaired
    result = repair_mesh(mesh)
    # then the triangular hole is closed, the copy is watertight and the volume is the cube's again
    assert result.as_read.open_edges == 3
    assert result.changes["holes_filled"] == 1
    assert result.changes["faces_added"] == 1
    assert result.repaired.is_watertight and result.repaired.is_winding_consistent
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-9)
    # (measured about the box centre, the missing half of the top took a 50 mm2 x 5 mm / 3 cone with it)
    assert result.volume_before_mm3 == pytest.approx(1000.0 - 250.0 / 3, abs=1e-9)


def test_square_hole_of_four_edges_is_filled():
    vertices, faces = box()
    result = repair_mesh(loaded(vertices, faces[2:]))
    assert (result.changes["holes_filled"], result.changes["faces_added"]) == (1, 2)
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-9)
    assert result.repaired.open_edges == 0


def test_holes_larger_than_the_limit_stay_open():
    vertices, faces = box()
    result = repair_mesh(loaded(vertices, faces[2:]), options=RepairOptions(max_hole_edges=3))
    assert (result.changes["holes_filled"], result.holes_left_open, result.largest_hole_left_edges) == (0, 1, 4)
    assert not result.repaired.is_watertight


def test_inside_out_cube_is_turned_and_reported():
    # given a cube with every face wound inward (negative volume)
    vertices, faces = box()
    result = repair_mesh(loaded(vertices, faces[:, ::-1]))
    # then it is turned outward and counted as an inverted body
    assert result.volume_before_mm3 == pytest.approx(-1000.0, abs=1e-9)
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-9)
    assert (result.inverted_shells, result.changes["faces_flipped"], result.changes["bodies_turned_outward"]) == (
        1,
        12,
        1,
    )


def test_a_few_flipped_faces_are_turned_back():
    # given a cube with two faces wound the wrong way
    vertices, faces = box()
    faces = faces.copy()
    faces[[1, 7]] = faces[[1, 7]][:, ::-1]
    result = repair_mesh(loaded(vertices, faces))
    # then exactly those two are flipped (the majority keeps its winding) and nothing is "inverted"
    assert result.as_read.inconsistent_edges == 6
    assert result.changes["faces_flipped"] == 2
    assert result.inverted_shells == 0
    assert result.repaired.is_winding_consistent
    assert np.array_equal(result.mesh.faces, box()[1])


def test_duplicate_and_degenerate_faces_are_removed():
    # given a cube with a duplicated face, a face collapsed to a line and a zero-area sliver on a crowded edge
    vertices, faces = box()
    extra = np.array([faces[0], [0, 0, 1], faces[5]])
    mesh = loaded(vertices, np.concatenate([faces, extra]))
    result = repair_mesh(mesh)
    # then all are dropped, counted, and the cube is clean again
    assert result.duplicate_faces == 2
    assert result.degenerate_faces == 1
    assert (result.changes["duplicate_faces_removed"], result.changes["degenerate_faces_removed"]) == (2, 1)
    assert result.repaired.is_watertight and result.repaired.non_manifold_edges == 0
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-9)


def test_modelled_cavity_keeps_its_inward_faces():
    # given a 20 mm box with a sealed 16 mm cavity modelled correctly (cavity faces point into it)
    result = repair_mesh(loaded(*hollow_box(20.0, 2.0)))
    # then nothing is turned: the solid is 20^3 - 16^3
    assert not result.performed
    assert result.shell_count == 2
    assert result.volume_after_mm3 == pytest.approx(8000.0 - 4096.0, abs=1e-6)


def test_inside_out_hollow_box_turns_with_its_cavity():
    # given the same hollow box entirely inside out
    vertices, faces = hollow_box(20.0, 2.0)
    result = repair_mesh(loaded(vertices, faces[:, ::-1]))
    # then both surfaces turn together and the cavity stays a cavity
    assert result.volume_before_mm3 == pytest.approx(-(8000.0 - 4096.0), abs=1e-6)
    assert result.volume_after_mm3 == pytest.approx(8000.0 - 4096.0, abs=1e-6)
    assert result.changes["bodies_turned_outward"] == 2
    assert result.inverted_shells == 2


def test_one_inverted_body_among_several():
    # given two separate cubes, the second inside out
    first = box()
    second_vertices, second_faces = box(origin=(20.0, 0.0, 0.0))
    result = repair_mesh(loaded(*combine(first, (second_vertices, second_faces[:, ::-1]))))
    assert result.volume_before_mm3 == pytest.approx(0.0, abs=1e-9)
    assert result.volume_after_mm3 == pytest.approx(2000.0, abs=1e-9)
    assert (result.shell_count, result.inverted_shells) == (2, 1)


def test_rounding_gaps_are_closed_without_changing_the_shape():
    # given a cube whose top corners were written twice, once with a 1e-12 mm error
    vertices, faces = box()
    vertices = np.concatenate([vertices, vertices[4:] + 1e-12])
    faces = faces.copy()
    faces[2:4] = faces[2:4] + 4  # the top face uses the noisy copies
    result = repair_mesh(loaded(vertices, faces))
    assert result.changes["vertices_merged_close"] == 4
    assert result.as_read.is_watertight
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-6)


def test_sheets_and_stray_triangles_are_not_turned_into_pillows():
    # given a single triangle (a "soup" of one)
    result = repair_mesh(loaded(np.array([[0.0, 0, 0], [1, 0, 0], [0, 1, 0]]), np.array([[0, 1, 2]])))
    # then its rim is not "filled" with its own reverse
    assert result.changes["holes_filled"] == 0
    assert result.holes_left_open == 1


def _cube_with_inner_flap():
    """A 10 mm cube with a sheet hanging inside it from its bottom front edge (two triangles, free on
    three sides): the kind of wall a union of boxes leaves behind."""
    vertices, faces = box()
    flap_corners = np.array([[10.0, 5.0, 5.0], [0.0, 5.0, 5.0]])
    flap = np.array([[0, 1, 8], [0, 8, 9]])
    return np.concatenate([vertices, flap_corners]), np.concatenate([faces, flap])


def test_a_sheet_hanging_inside_the_part_is_a_fin():
    # given a closed cube with a flap hanging from one of its edges (that edge has three faces, the flap's
    # other edges one)
    vertices, faces = _cube_with_inner_flap()
    topology = build_edge_topology(vertices, faces)
    assert (topology.open_edges, topology.non_manifold_edges) == (3, 1)
    # then the flap's two faces are what can go so that every edge has a partner again
    assert np.flatnonzero(fin_faces(topology)).tolist() == [12, 13]
    # and repair closes the cube with its volume
    result = repair_mesh(loaded(vertices, faces))
    assert result.repaired.is_watertight
    assert result.volume_after_mm3 == pytest.approx(1000.0, abs=1e-9)


def test_a_free_standing_sheet_is_not_a_fin():
    # given a cube and, apart from it, a loose sheet of two triangles
    vertices, faces = combine(
        box(), (np.array([[20.0, 0, 0], [30, 0, 0], [30, 10, 0], [20, 10, 0]]), np.array([[0, 1, 2], [0, 2, 3]]))
    )
    assert not fin_faces(build_edge_topology(vertices, faces)).any()
    result = repair_mesh(loaded(vertices, faces))
    # then the sheet is left (and reported open), not deleted
    assert result.changes["fin_faces_removed"] == 0
    assert result.repaired.faces == 14 and result.repaired.open_edges == 4


@pytest.mark.xfail(
    strict=True,
    reason="known: around an edge with three faces the leftover faces are paired by position, which can "
    "glue the face of the body with the hole to the other body; pairing wedges first fixes this case but "
    "changed holes__55581 (needles at a T-junction), so it is not done yet",
)
def test_a_body_with_a_hole_beside_a_crowded_edge_is_filled_not_dropped():
    # given two cubes sharing an edge, one of them missing the triangle next to that edge
    first = box()
    second_vertices, second_faces = box(origin=(10.0, 10.0, 0.0))
    vertices, faces = combine(first, (second_vertices, np.delete(second_faces, 10, axis=0)))
    result = repair_mesh(loaded(vertices, faces))
    # then the hole is filled and both bodies stay
    assert result.as_read.non_manifold_edges == 1
    assert result.changes["fin_faces_removed"] == 0
    assert result.changes["holes_filled"] == 1
    assert result.repaired.is_watertight and result.shell_count == 2
    assert result.volume_after_mm3 == pytest.approx(2000.0, abs=1e-9)


def test_original_is_never_modified():
    vertices, faces = box()
    faces = faces.copy()
    faces[0] = faces[0][::-1]
    mesh = loaded(vertices, np.delete(faces, 5, axis=0))
    before_vertices, before_faces = mesh.vertices.copy(), mesh.faces.copy()
    result = repair_mesh(mesh)
    assert result.performed and result.mesh is not mesh
    assert np.array_equal(mesh.vertices, before_vertices) and np.array_equal(mesh.faces, before_faces)


@pytest.mark.slow
def test_repair_of_a_damaged_large_mesh_is_fast():
    # given a 300k-face sphere with 2% of faces flipped and 0.5% deleted (the bench's damage pattern)
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=7, radius=20.0)
    generator = np.random.default_rng(0)
    faces = sphere.faces.copy()
    flipped = generator.choice(len(faces), size=len(faces) // 50, replace=False)
    faces[flipped] = faces[flipped][:, ::-1]
    keep = np.ones(len(faces), dtype=bool)
    keep[generator.choice(len(faces), size=len(faces) // 200, replace=False)] = False
    mesh = loaded(sphere.vertices, faces[keep])
    # when repaired
    started = time.perf_counter()
    result = repair_mesh(mesh)
    elapsed = time.perf_counter() - started
    # then it is whole again (holes filled, winding consistent) in well under the 5 s goal; neighbouring
    # deleted faces make larger holes whose patches differ slightly from the lost curved surface
    assert result.repaired.is_watertight and result.repaired.is_winding_consistent
    assert result.volume_after_mm3 == pytest.approx(float(sphere.volume), rel=1e-6)
    assert elapsed < 3.0


def test_a_concave_hole_far_from_the_origin_is_ear_clipped_inside_its_outline():
    # given an L-shaped prism 1 m from the origin (its cap is concave: a fan from the wrong corner would
    # cover ground outside the L) with its whole top cap missing
    outline = np.array([(0, 0), (20, 0), (20, 5), (5, 5), (5, 20), (0, 20)], dtype=float) + (1000.0, 1000.0)
    corners = len(outline)
    bottom = np.column_stack([outline, np.zeros(corners)])
    vertices = np.vstack([bottom, bottom + (0.0, 0.0, 8.0)])
    sides = []
    for i in range(corners):
        j = (i + 1) % corners
        sides += [(i, j, corners + j), (i, corners + j, corners + i)]
    floor = [(0, 2, 1), (0, 3, 2), (0, 4, 3), (0, 5, 4)]  # a fan from the convex corner (0, 0) is inside the L
    mesh = loaded(vertices, np.array(sides + floor, dtype=np.int64))
    # when repaired
    result = repair_mesh(mesh)
    # then the six-edge rim is closed by four triangles that all face up and cover exactly the L (175 mm2)
    assert (result.changes["holes_filled"], result.changes["faces_added"]) == (1, 4)
    assert result.repaired.is_watertight and result.repaired.is_winding_consistent
    faces = np.asarray(result.mesh.faces)
    patch = faces[np.all(np.isin(faces, np.arange(corners, 2 * corners)), axis=1)]
    triangle = np.asarray(result.mesh.vertices)[patch]
    normals = np.cross(triangle[:, 1] - triangle[:, 0], triangle[:, 2] - triangle[:, 0])
    assert len(patch) == 4 and np.all(normals[:, 2] > 0)
    assert np.abs(normals[:, 2]).sum() / 2 == pytest.approx(20 * 5 + 5 * 15)
    assert result.volume_after_mm3 == pytest.approx(175.0 * 8.0)


PLY_WHOSE_COUNTS_LIE = """ply
format ascii 1.0
element vertex 9
property float x
property float y
property float z
element face 12
property list uchar int vertex_indices
end_header
0 0 0
20 0 0
20 20 0
0 20 0
0 0 20
20 0 20
20 20 20
0 20 20
3 0 2 1
3 0 3 2
3 4 5 6
3 4 6 7
3 0 1 5
3 0 5 4
3 1 2 6
3 1 6 5
3 2 3 7
3 2 7 6
3 3 0 4
3 3 4 7
"""


def test_a_part_that_is_all_sheet_is_not_repaired_away(tmp_path):
    # Given a cube's PLY whose vertex count is one too many (found by the fuzz corpus: ply-count-lie-0), so that
    # every face is read one line late and what loads is a sheet with free edges hanging on crowded edges.
    path = tmp_path / "lying.ply"
    path.write_text(PLY_WHOSE_COUNTS_LIE)
    mesh = load_mesh(path, units=None, limits=LoadLimits())

    # When it is analysed with every check on
    report = analyse(mesh, materials=MATERIALS).report

    # Then repair drops no fin (it would drop the whole part) and the report is complete.
    assert report["repair"]["changes"]["fin_faces_removed"] == 0
    assert (report["faces"], report["repair"]["faces_after"]) == (12, 11)
    assert report["suggested_orientation"] is not None
