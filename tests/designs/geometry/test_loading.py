"""Every format reads to the same millimetre geometry; units come from the customer, then the file."""

import base64

import numpy as np
import pytest

from designs.geometry import AnalysisOptions, LoadLimits, MeshError, analyse, load_mesh, load_mesh_bytes
from tests.designs.geometry.builders import (
    MATERIALS,
    ascii_stl,
    binary_stl,
    box,
    glb,
    gltf_document,
    model_xml,
    obj_text,
    off_text,
    ply_bytes,
    three_mf,
)

LIMITS = LoadLimits()
CUBE = box((10.0, 20.0, 30.0), origin=(1.0, 2.0, 3.0))


def _bounds(mesh) -> list[list[float]]:
    return [mesh.vertices.min(axis=0).round(6).tolist(), mesh.vertices.max(axis=0).round(6).tolist()]


CUBE_BOUNDS = [[1.0, 2.0, 3.0], [11.0, 22.0, 33.0]]


@pytest.mark.parametrize(
    ("data", "expected_format"),
    [
        (binary_stl(*CUBE), "stl_binary"),
        (ascii_stl(*CUBE), "stl_ascii"),
        (obj_text(CUBE[0], CUBE[1] + 1), "obj"),
        (off_text(*CUBE), "off"),
        (ply_bytes(*CUBE, encoding="ascii"), "ply"),
        (ply_bytes(*CUBE, encoding="binary_little_endian"), "ply"),
        (ply_bytes(*CUBE, encoding="binary_big_endian"), "ply"),
        (three_mf(model_xml([(1, *CUBE)])), "3mf"),
        (glb(*gltf_document(*CUBE)), "glb"),
    ],
)
def test_every_format_loads_the_same_cube(data, expected_format):
    # given a 10 x 20 x 30 mm box at (1, 2, 3) written in one format
    # when it is loaded without a file name
    mesh = load_mesh_bytes(data, units=None, limits=LIMITS)
    # then the format is recognised from the bytes and the geometry is identical: 8 merged corners
    assert mesh.file_format == expected_format
    assert (mesh.face_count, mesh.vertex_count) == (12, 8)
    assert _bounds(mesh) == CUBE_BOUNDS
    assert mesh.vertices.dtype == np.float64 and mesh.faces.dtype == np.int64
    assert mesh.is_merged


def test_gltf_json_with_embedded_data_uri_loads():
    # given a .gltf (JSON) whose buffer is a base64 data URI inside the file
    document, binary = gltf_document(*CUBE, buffer_uri="")
    document["buffers"][0]["uri"] = "data:application/octet-stream;base64," + base64.b64encode(binary).decode()
    import json

    # when it is loaded
    mesh = load_mesh_bytes(json.dumps(document).encode(), units=None, limits=LIMITS, file_format="gltf")
    # then the embedded buffer is used
    assert (mesh.file_format, mesh.face_count, _bounds(mesh)) == ("gltf", 12, CUBE_BOUNDS)


def test_binary_stl_whose_header_starts_with_solid_is_read_as_binary(tmp_path):
    # given a binary STL whose 80-byte header begins with "solid" (trimesh reads such files as zero faces)
    path = tmp_path / "part.stl"
    path.write_bytes(binary_stl(*CUBE, header=b"solid exported by a CAD tool") + b"\n")
    # when it is loaded
    mesh = load_mesh(path, units=None, limits=LIMITS)
    # then all 12 triangles are there and the stray trailing byte is only noted
    assert (mesh.file_format, mesh.face_count) == ("stl_binary", 12)
    assert [warning.code for warning in mesh.warnings] == ["stl_trailing_data"]


def test_obj_polygons_are_triangulated_along_the_outline_including_concave_ones():
    # given an L-shaped (concave) hexagon, a quad and negative (relative) indices in one OBJ
    vertices = np.array([[0, 0, 0], [2, 0, 0], [2, 1, 0], [1, 1, 0], [1, 2, 0], [0, 2, 0]], dtype=float)
    text = (
        obj_text(vertices, [[1, 2, 3, 4, 5, 6]])
        + b"v 5 0 0\nv 6 0 0\nv 6 1 0\nv 5 1 0\nf -4/1/1 -3/2/2 -2/3/3 -1/4/4\n"
    )
    # when it is loaded
    mesh = load_mesh_bytes(text, units=None, limits=LIMITS, file_format="obj")
    # then the L gives 4 triangles covering exactly its area (3) and the quad 2 covering 1
    corners = mesh.vertices[mesh.faces]
    areas = np.linalg.norm(np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]), axis=1) / 2
    assert mesh.face_count == 6
    assert round(float(areas.sum()), 9) == 4.0
    assert np.all(areas > 0)


def test_obj_backslash_continuation_joins_lines():
    # given an OBJ face split over two lines with a trailing backslash (as in trimesh's wallhole.obj)
    text = b"v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 \\\n3 4\n"
    # when it is loaded
    mesh = load_mesh_bytes(text, units=None, limits=LIMITS, file_format="obj")
    # then the quad is one face of four corners (two triangles)
    assert mesh.face_count == 2


def test_3mf_build_transforms_and_components_are_applied():
    # given a 3MF with a component object placing the cube twice (one mirrored) and a build transform
    cube_vertices, cube_faces = box((10.0, 10.0, 10.0))
    components = (
        '<object id="2" type="model"><components>'
        '<component objectid="1" transform="1 0 0 0 1 0 0 0 1 100 0 0" />'
        '<component objectid="1" transform="-1 0 0 0 1 0 0 0 1 -100 0 0" />'
        "</components></object>"
    )
    model = model_xml(
        [(1, cube_vertices, cube_faces)],
        extra_objects=components,
        build='<item objectid="2" transform="1 0 0 0 1 0 0 0 1 0 0 5" />',
    )
    # when it is loaded
    mesh = load_mesh_bytes(three_mf(model), units=None, limits=LIMITS)
    # then both copies sit where the transforms put them, and the mirrored one still faces outward
    assert mesh.face_count == 24
    assert _bounds(mesh) == [[-110.0, 0.0, 5.0], [110.0, 10.0, 15.0]]
    corners = mesh.vertices[mesh.faces]
    volume = np.einsum("ij,ij->i", corners[:, 0], np.cross(corners[:, 1], corners[:, 2])).sum() / 6
    assert round(float(volume), 6) == 2000.0
    assert mesh.metadata["objects"] == 2


def test_glb_node_transforms_are_applied():
    # given a GLB whose node scales by 2 and moves by (5, 0, 0) through a parent node
    cube_vertices, cube_faces = box((1.0, 1.0, 1.0))
    nodes = [{"children": [1], "translation": [5.0, 0.0, 0.0]}, {"mesh": 0, "scale": [2.0, 2.0, 2.0]}]
    document, binary = gltf_document(cube_vertices, cube_faces, nodes=nodes)
    # when it is loaded
    mesh = load_mesh_bytes(glb(document, binary), units=None, limits=LIMITS)
    # then the cube is 2 mm wide starting at x = 5
    assert _bounds(mesh) == [[5.0, 0.0, 0.0], [7.0, 2.0, 2.0]]


@pytest.mark.parametrize(
    ("unit", "chosen", "expected_scale", "expected_source"),
    [
        ("inch", None, 25.4, "file"),
        ("centimeter", None, 10.0, "file"),
        ("meter", None, 1000.0, "file"),
        ("micron", None, 0.001, "file"),
        ("inch", "mm", 1.0, "customer"),
        ("millimeter", "in", 25.4, "customer"),
    ],
)
def test_3mf_unit_is_applied_unless_the_customer_chose_one(unit, chosen, expected_scale, expected_source):
    # given a 3MF declaring a unit (trimesh ignores this attribute)
    model = model_xml([(1, *box((1.0, 2.0, 3.0)))], unit=unit)
    # when it is loaded with or without the customer's choice
    mesh = load_mesh_bytes(three_mf(model), units=chosen, limits=LIMITS)
    # then the vertices are in millimetres at the right scale and the report can say where it came from
    assert (mesh.scale_to_mm, mesh.units_source) == (expected_scale, expected_source)
    assert np.allclose(np.ptp(mesh.vertices, axis=0), np.array([1.0, 2.0, 3.0]) * expected_scale)


def test_customer_choice_overrides_a_different_file_unit_with_a_note():
    # given a 3MF in inches and a customer who says millimetres
    model = model_xml([(1, *box())], unit="inch")
    # when it is loaded
    mesh = load_mesh_bytes(three_mf(model), units="mm", limits=LIMITS)
    # then millimetres are used and the disagreement is noted in plain words
    assert mesh.declared_units == "in"
    assert [(issue.code, issue.message) for issue in mesh.warnings] == [
        ("units_override", "You chose millimetres; the file itself says inches. We used millimetres as you asked.")
    ]


def test_stl_header_unit_is_read_and_default_is_millimetres():
    # given a netfabb-style header "UNITS=CM" and one without a unit
    declared = load_mesh_bytes(binary_stl(*CUBE, header=b"netfabb UNITS=CM"), units=None, limits=LIMITS)
    plain = load_mesh_bytes(binary_stl(*CUBE), units=None, limits=LIMITS)
    # then the first is scaled by 10 and the second is millimetres by default
    assert (declared.applied_units, declared.units_source, declared.scale_to_mm) == ("cm", "file", 10.0)
    assert (plain.applied_units, plain.units_source) == ("mm", "default")


def test_unknown_customer_unit_is_refused():
    # when a client sends a unit we do not know
    with pytest.raises(MeshError) as error:
        load_mesh_bytes(binary_stl(*CUBE), units="furlong", limits=LIMITS)
    # then the message lists the choices
    assert (error.value.code, str(error.value)) == ("bad_units", "Unknown unit 'furlong'; choose one of mm, cm, in, m.")


def test_extension_that_lies_is_noted_and_content_wins():
    # given an OBJ file named .stl
    mesh = load_mesh_bytes(obj_text(CUBE[0], CUBE[1] + 1), units=None, limits=LIMITS, file_format="part.stl")
    # then it is read as OBJ with a note
    assert mesh.file_format == "obj"
    assert [issue.message for issue in mesh.warnings] == [
        "The file is named .stl but its content is OBJ; it was read as OBJ."
    ]


def test_loaded_arrays_are_read_only():
    # given a loaded mesh
    mesh = load_mesh_bytes(binary_stl(*CUBE), units=None, limits=LIMITS)
    # then nobody can change the customer's original by accident
    with pytest.raises(ValueError):
        mesh.vertices[0, 0] = 5.0
    with pytest.raises(ValueError):
        mesh.faces[0, 0] = 1


def test_binary_stl_corners_written_as_negative_zero_merge_with_zero():
    # given a cube at the origin whose corners at 0 are stored as -0.0 in every other triangle (exporters
    # that mirror parts write both)
    vertices, faces = box()
    triangles = vertices[faces].astype("<f4")
    triangles[1::2][triangles[1::2] == 0.0] = np.float32(-0.0)
    data = binary_stl(triangles.reshape(-1, 3), np.arange(len(faces) * 3).reshape(-1, 3))
    # when it is loaded
    mesh = load_mesh_bytes(data, units=None, limits=LIMITS)
    # then the 36 stored corners are the cube's 8 vertices, none of them negative zero
    assert (mesh.source_vertex_count, mesh.vertex_count) == (36, 8)
    assert not np.signbit(mesh.vertices).any()


def _openscad_obj(*cube_origins: tuple[float, float, float]) -> bytes:
    """10 mm cubes written the way OpenSCAD writes an OBJ: one list of corners (corners that bodies share
    written once), then one quad per side, counter-clockwise seen from outside."""
    corners: dict[tuple, int] = {}
    quads = []
    sides = (
        ((0, 0, 0), (0, 1, 0), (1, 1, 0), (1, 0, 0)),
        ((0, 0, 1), (1, 0, 1), (1, 1, 1), (0, 1, 1)),
        ((0, 0, 0), (1, 0, 0), (1, 0, 1), (0, 0, 1)),
        ((0, 1, 0), (0, 1, 1), (1, 1, 1), (1, 1, 0)),
        ((0, 0, 0), (0, 0, 1), (0, 1, 1), (0, 1, 0)),
        ((1, 0, 0), (1, 1, 0), (1, 1, 1), (1, 0, 1)),
    )
    for origin in cube_origins:
        for side in sides:
            points = [tuple(o + 10.0 * step for o, step in zip(origin, corner, strict=True)) for corner in side]
            quads.append([corners.setdefault(point, len(corners) + 1) for point in points])
    return obj_text(np.array(list(corners)), quads, header="# OpenSCAD obj exporter")


@pytest.mark.parametrize(
    ("origins", "non_manifold_edges"),
    [
        # Checked with PrusaSlicer 2.5 (prusa-slicer --info on the same bytes): manifold = yes,
        # number_of_parts = 2, volume = 2000.000244, size 20 x 20 x 10.
        (((0.0, 0.0, 0.0), (10.0, 10.0, 0.0)), 1),
        # Touching at a corner only, plus a loose cube: manifold = yes, number_of_parts = 3, volume = 3000.000488.
        (((0.0, 0.0, 0.0), (10.0, 10.0, 10.0), (20.0, 0.0, 0.0)), 0),
    ],
)
def test_openscad_obj_with_bodies_touching_at_an_edge_or_corner_agrees_with_prusaslicer(origins, non_manifold_edges):
    # given an OpenSCAD-style OBJ whose bodies share corners (and an edge)
    mesh = load_mesh_bytes(_openscad_obj(*origins), units=None, limits=LIMITS, file_format="obj")
    # when analysed
    report = analyse(mesh, materials=MATERIALS, options=AnalysisOptions.core()).report
    # then, as PrusaSlicer: one body per cube, each closed, their volumes summed
    assert report["shells"] == len(origins)
    assert report["volume_mm3"] == pytest.approx(1000.0 * len(origins), rel=1e-9)
    assert report["watertight"] is True and report["repair"]["watertight_after"] is True
    assert report["non_manifold_edges"] == non_manifold_edges and report["open_edges"] == 0


def _ply_with_strips(vertices: np.ndarray, strips: list[list[int]], *, encoding: str) -> bytes:
    """A PLY whose faces come as triangle strips, as scanners write them: ``element tristrips`` with one
    ``vertex_indices`` list per item, -1 between strips."""
    header = (
        f"ply\nformat {encoding} 1.0\nelement vertex {len(vertices)}\nproperty float x\nproperty float y\n"
        f"property float z\nelement tristrips {len(strips)}\nproperty list int int vertex_indices\nend_header\n"
    ).encode()
    if encoding == "ascii":
        body = "".join(f"{float(x)!r} {float(y)!r} {float(z)!r}\n" for x, y, z in vertices)
        body += "".join(f"{len(strip)} " + " ".join(map(str, strip)) + "\n" for strip in strips)
        return header + body.encode()
    order = ">" if encoding == "binary_big_endian" else "<"
    body = np.asarray(vertices, dtype=order + "f4").tobytes()
    for strip in strips:
        body += np.asarray([len(strip), *strip], dtype=order + "i4").tobytes()
    return header + body


# The six sides of CUBE as quads (a, b, c, d counter-clockwise from outside): a strip a b d c is the two
# triangles a b d and b c d, the same winding.
_CUBE_SIDES = [(0, 3, 2, 1), (4, 5, 6, 7), (0, 1, 5, 4), (2, 3, 7, 6), (1, 2, 6, 5), (3, 0, 4, 7)]


def _triangles_by_position(mesh) -> list:
    """Each triangle as its corners' coordinates, starting at its smallest corner (winding kept)."""
    found = []
    for face in mesh.faces:
        corners = [tuple(np.round(mesh.vertices[index], 6)) for index in face]
        start = corners.index(min(corners))
        found.append(tuple(corners[start:] + corners[:start]))
    return sorted(found)


@pytest.mark.parametrize("encoding", ["ascii", "binary_little_endian", "binary_big_endian"])
def test_ply_triangle_strips_load_like_the_same_faces(encoding):
    vertices, _faces = CUBE
    sides = [[a, b, d, c] for a, b, c, d in _CUBE_SIDES]
    # given the cube as strips: three sides in one item separated by -1, one joined to the next by
    # repeating a vertex (the usual stitching, whose zero-area triangles are not faces), one alone
    stitched = sides[3] + [sides[3][-1], sides[4][0]] + sides[4]
    strips = [sides[0] + [-1] + sides[1] + [-1] + sides[2], stitched, sides[5] + [-1]]
    from_strips = load_mesh_bytes(_ply_with_strips(vertices, strips, encoding=encoding), units=None, limits=LIMITS)
    # and the same cube as a plain face list
    triangles = np.array([triangle for a, b, c, d in _CUBE_SIDES for triangle in ((a, b, d), (b, c, d))])
    from_faces = load_mesh_bytes(ply_bytes(vertices, triangles, encoding=encoding), units=None, limits=LIMITS)
    # then both hold the same 12 triangles, wound the same way: a closed 6000 mm3 box
    assert from_strips.face_count == from_faces.face_count == 12
    assert _triangles_by_position(from_strips) == _triangles_by_position(from_faces)
    report = analyse(from_strips, materials=MATERIALS, options=AnalysisOptions.core()).report
    assert report["watertight"] is True and report["winding_consistent"] is True and report["inverted"] is False
    assert report["volume_mm3"] == pytest.approx(6000.0)


def test_ply_triangle_strip_with_an_index_past_the_vertices_is_refused():
    vertices, _faces = CUBE
    data = _ply_with_strips(vertices, [[0, 1, 2, 8]], encoding="ascii")
    with pytest.raises(MeshError) as refusal:
        load_mesh_bytes(data, units=None, limits=LIMITS)
    assert refusal.value.code == "bad_indices"
