"""Hostile and broken files end as a MeshError with a reason, before anything large is allocated."""

import builtins
import io
import json
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from designs.geometry import LoadLimits, MeshError, load_mesh, load_mesh_bytes
from designs.geometry.loading.safexml import parse_small_xml
from tests.designs.geometry.builders import (
    binary_stl,
    box,
    glb,
    gltf_document,
    model_xml,
    obj_text,
    off_text,
    ply_bytes,
    three_mf,
    zip_bomb,
)

LIMITS = LoadLimits()
CUBE = box()


def _error(data: bytes, *, file_format: str | None = None, limits: LoadLimits = LIMITS) -> MeshError:
    with pytest.raises(MeshError) as caught:
        load_mesh_bytes(data, units=None, limits=limits, file_format=file_format)
    return caught.value


def test_empty_file(tmp_path):
    # given an empty upload
    path = tmp_path / "empty.stl"
    path.write_bytes(b"")
    # when it is loaded
    with pytest.raises(MeshError) as caught:
        load_mesh(path, units=None, limits=LIMITS)
    # then it is refused as empty, not read as a mesh with zero faces
    assert (caught.value.code, caught.value.message) == (
        "empty_file",
        "The file is empty (0 bytes). Please upload the model again.",
    )


def test_file_over_the_size_limit_is_refused_before_reading(tmp_path):
    # given a 2 KB file and a 1 KB limit
    path = tmp_path / "big.stl"
    path.write_bytes(binary_stl(*CUBE) + b"\0" * 1400)
    # when it is loaded
    with pytest.raises(MeshError) as caught:
        load_mesh(path, units=None, limits=LoadLimits(max_bytes=1024))
    # then it fails on size
    assert caught.value.code == "too_large"


def test_random_bytes_are_not_a_model():
    # given 10 KB of random bytes with no name
    data = np.random.default_rng(7).integers(0, 256, 10_000, dtype=np.uint8).tobytes()
    # then they are not recognised
    error = _error(data)
    assert (error.code, error.message) == (
        "unreadable",
        "We could not recognise this file as a 3D model (STL, OBJ, PLY, OFF, 3MF or GLB).",
    )


def test_random_bytes_named_stl_fail_clearly():
    # given random bytes called part.stl: read as a binary STL, whose count cannot match
    data = np.random.default_rng(7).integers(0, 256, 10_000, dtype=np.uint8).tobytes()
    error = _error(data, file_format="part.stl")
    # then the count the header claims is compared with the bytes and refused
    assert error.code == "truncated"
    assert error.message.startswith("The file says it holds ")


def test_html_page_named_stl_says_it_is_a_web_page():
    # given the download page saved instead of the model
    data = b"<!DOCTYPE html>\n<html><head><title>Thingiverse</title></head><body>Download</body></html>"
    error = _error(data, file_format="model.stl")
    # then the customer is told what happened
    assert error.code == "unreadable"
    assert error.message.startswith("This file is a web page (HTML), not a 3D model.")


def test_binary_stl_claiming_more_faces_than_it_holds():
    # given a 12-face STL whose header claims 1,000 faces
    data = binary_stl(*CUBE, count=1000)
    error = _error(data, file_format="stl")
    # then it is reported as cut off, with both numbers
    assert (error.code, error.message) == (
        "truncated",
        "The file says it holds 1,000 triangles but only has room for 12; it was probably cut off while saving "
        "or uploading. Please export it again.",
    )


def test_binary_stl_claiming_fewer_faces_than_it_holds_reads_them_all():
    # given a 12-face STL whose header claims 5
    data = binary_stl(*CUBE, count=5)
    # when it is loaded
    mesh = load_mesh_bytes(data, units=None, limits=LIMITS, file_format="stl")
    # then all 12 faces are read (admesh does the same) and the mismatch is noted
    assert mesh.face_count == 12
    assert [issue.message for issue in mesh.warnings] == [
        "The STL header says 5 triangles but the file holds 12; all 12 were read."
    ]


def test_binary_stl_over_the_face_limit_is_refused_from_the_header():
    # given a 12-face STL and a limit of 10 faces
    error = _error(binary_stl(*CUBE), limits=LoadLimits(max_faces=10))
    # then the count in the header is enough to refuse it
    assert error.code == "too_many_faces"
    assert error.message.startswith("The model has 12 triangles; we accept up to 10.")


def test_ply_header_claiming_two_billion_vertices_is_refused_before_allocating():
    # given a tiny PLY whose header claims 2^31 vertices
    data = ply_bytes(*CUBE, vertex_count=2**31)
    tracemalloc.start()
    try:
        error = _error(data)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then it is refused from the header, without allocating anything sizeable
    assert (error.code, error.message) == (
        "too_many_vertices",
        "The PLY header announces 2,147,483,648 vertices; we accept up to 10,000,000.",
    )
    assert peak < 5_000_000


def test_ply_face_count_over_the_limit_is_refused_from_the_header():
    # given a PLY announcing 12 faces and a limit of 10
    error = _error(ply_bytes(*CUBE), limits=LoadLimits(max_faces=10))
    # then the header's count is enough
    assert error.code == "too_many_faces"
    assert error.message.startswith("The model has 12 triangles; we accept up to 10.")


def test_off_counts_over_the_limits_are_refused_from_the_header():
    assert _error(off_text(*CUBE), limits=LoadLimits(max_faces=10)).code == "too_many_faces"
    assert _error(off_text(*CUBE), limits=LoadLimits(max_vertices=7)).code == "too_many_vertices"


def test_ply_count_larger_than_the_file_is_truncated():
    # given a PLY claiming 5,000 vertices (within limits) with data for 8
    error = _error(ply_bytes(*CUBE, vertex_count=5000))
    # then it is refused as too short for its own header
    assert error.code == "truncated"


@pytest.mark.parametrize("bad_value", ["nan", "inf", "-inf"])
def test_non_finite_coordinates_are_refused_with_a_count(bad_value):
    # given an OBJ where two vertices hold a non-number
    text = obj_text(CUBE[0], CUBE[1] + 1).replace(b"v 10.0 0.0 0.0\n", f"v {bad_value} 0.0 0.0\n".encode())
    text = text.replace(b"v 0.0 10.0 10.0\n", f"v 0.0 {bad_value} 10.0\n".encode())
    # when it is loaded
    error = _error(text, file_format="obj")
    # then it fails and says how many vertices are affected
    assert (error.code, error.message) == (
        "non_finite",
        "2 of the 8 vertices have coordinates that are not numbers (NaN) or are infinite. The file is damaged; "
        "please export it again.",
    )


def test_nan_in_binary_stl_counts_corners():
    # given a binary STL with one NaN corner
    vertices = CUBE[0].copy()
    vertices[3, 2] = np.nan
    error = _error(binary_stl(vertices, CUBE[1]))
    # then every stored corner that uses it is counted (vertex 3 is a corner of 4 faces)
    assert error.code == "non_finite"
    assert error.message.startswith("4 of the 36 vertices")


@pytest.mark.parametrize(
    ("data", "file_format", "message"),
    [
        (obj_text(CUBE[0], [[1, 2, 9]]), "obj", "1 faces of the OBJ file refer to vertices that do not exist"),
        (obj_text(CUBE[0], [[1, 2, -20]]), "obj", "1 faces of the OBJ file refer to vertices that do not exist"),
        (off_text(CUBE[0], [[0, 1, 8], [0, 1, -1]]), "off", "2 faces of the OFF file refer to vertices"),
        (ply_bytes(CUBE[0], np.array([[0, 1, 2], [0, 1, 99]])), "ply", "1 faces of the PLY file refer to vertices"),
        (ply_bytes(CUBE[0], np.array([[0, -1, 2]])), "ply", "1 faces of the PLY file refer to vertices"),
        (three_mf(model_xml([(1, CUBE[0], np.array([[0, 1, 8]]))])), "3mf", "1 triangles of the 3MF model refer"),
        (glb(*gltf_document(CUBE[0], np.array([[0, 1, 8]]))), "glb", "1 triangles of the glTF model refer"),
    ],
)
def test_out_of_range_and_negative_indices(data, file_format, message):
    # given faces pointing past the vertex list (or before it)
    error = _error(data, file_format=file_format)
    # then the file is refused as damaged, with a count
    assert error.code == "bad_indices"
    assert error.message.startswith(message)


def test_obj_over_the_face_limit():
    error = _error(obj_text(CUBE[0], CUBE[1] + 1), file_format="obj", limits=LoadLimits(max_faces=5))
    assert error.code == "too_many_faces"


def test_3mf_zip_bomb_is_refused_from_the_directory_without_inflating(monkeypatch):
    # given a 1.5 MB 3MF whose model part inflates to 1.5 GB
    bomb = zip_bomb(inflated_bytes=1500 << 20)
    assert len(bomb) < 2_000_000
    opened = []
    original_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, *a, **k: opened.append(a) or original_open(self, *a, **k))
    # when it is loaded
    started = time.perf_counter()
    error = _error(bomb, file_format="3mf")
    # then it is refused by its declared size before any member is opened
    assert error.code == "unsafe_archive"
    assert error.message == (
        "The 3MF archive would unpack to 1.5 GB, more than the 1.0 GB we accept (it may be a zip bomb)."
    )
    assert opened == []
    assert time.perf_counter() - started < 1.0


def test_3mf_member_with_an_absurd_compression_ratio_is_refused():
    # given a member that inflates 1000 to 1 but stays under the total size limit
    error = _error(zip_bomb(inflated_bytes=200 << 20), file_format="3mf")
    # then the ratio alone is enough
    assert error.code == "unsafe_archive"
    assert "compressed 1,0" in error.message and "zip bomb" in error.message


def test_3mf_directory_that_lies_about_the_size_is_caught_without_inflating():
    # given a bomb whose central directory claims 1 KB (so neither size nor ratio looks suspicious)
    bomb = zip_bomb(inflated_bytes=1500 << 20, declared_size=1024)
    tracemalloc.start()
    try:
        error = _error(bomb, file_format="3mf")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then the member's own header betrays it and nothing near its real size is ever held in memory
    assert error.code == "unsafe_archive"
    assert error.message.startswith("A file inside the 3MF archive declares two different sizes")
    assert peak < 20_000_000


def test_3mf_member_inflating_beyond_its_declared_size_is_capped(monkeypatch):
    # given a bomb that lies consistently in both headers (1 KB declared), read through the capped reader
    from designs.geometry.loading import archive

    monkeypatch.setattr(archive.SafeArchive, "_check_local_header", lambda self, member: None)
    bomb = zip_bomb(inflated_bytes=1500 << 20, declared_size=1024)
    tracemalloc.start()
    try:
        error = _error(bomb, file_format="3mf")
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # then reading stops at the declared size (the data then fails its checksum) and memory stays small
    assert error.code == "unreadable"
    assert peak < 20_000_000


_BILLION_LAUGHS = (
    '<!DOCTYPE model [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
    '<!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>'
)
_EXTERNAL_ENTITY = '<!DOCTYPE model [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("prolog", [_BILLION_LAUGHS, _EXTERNAL_ENTITY])
def test_3mf_with_entity_declarations_is_refused(prolog):
    # given a 3MF model part that declares entities (expansion bomb, or a server file)
    model = model_xml([(1, *CUBE)], prolog=prolog).replace(b'name="', b'name="&lol9;')
    model = model.replace(b'<object id="1" type="model">', b'<object id="1" type="model" name="&secret;">')
    # when it is loaded
    error = _error(three_mf(model), file_format="3mf")
    # then nothing is expanded or fetched: declarations are refused outright
    assert error.code == "unsafe_xml"
    assert error.message.startswith("The 3MF model contains an XML document type or entity declaration")


def test_3mf_relationships_part_with_a_declaration_is_refused():
    # given a 3MF whose _rels/.rels carries an external entity
    data = three_mf(model_xml([(1, *CUBE)]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w") as target:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "_rels/.rels":
                content = content.replace(b"?>", b"?>" + _EXTERNAL_ENTITY.encode(), 1)
            target.writestr(member, content)
    error = _error(buffer.getvalue(), file_format="3mf")
    assert error.code == "unsafe_xml"


def test_hardened_parser_does_not_resolve_entities_even_if_asked():
    # given XML with an internal entity, bypassing the declaration check (defence in depth)
    from lxml import etree

    from designs.geometry.loading.safexml import hardened_parser

    document = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY i "expanded">]><r>&e;&i;</r>'
    root = etree.fromstring(document, parser=hardened_parser())
    # then neither the external nor the internal entity is replaced by content
    assert "root:" not in etree.tostring(root).decode()
    assert "expanded" not in (root.text or "")
    with pytest.raises(MeshError):
        parse_small_xml(document, label="test")


def test_obj_material_and_texture_paths_are_never_opened(tmp_path, monkeypatch):
    # given an OBJ naming a material library outside the upload folder, and absolute texture paths
    secret = tmp_path / "secret.mtl"
    secret.write_text("newmtl x\nmap_Kd /etc/passwd\n")
    header = f"mtllib ../{secret.name}\nmtllib {secret}\nmtllib /etc/passwd\nusemtl x"
    path = tmp_path / "upload" / "part.obj"
    path.parent.mkdir()
    path.write_bytes(obj_text(CUBE[0], CUBE[1] + 1, header=header))
    opened = []
    original_open = builtins.open
    monkeypatch.setattr(
        builtins, "open", lambda file, *a, **k: opened.append(str(file)) or original_open(file, *a, **k)
    )
    # when it is loaded
    mesh = load_mesh(path, units=None, limits=LIMITS)
    # then the geometry loads and the only file opened is the upload itself
    assert mesh.face_count == 12
    assert opened == [str(path)]


@pytest.mark.parametrize("uri", ["mesh.bin", "../../etc/passwd", "file:///etc/passwd", "https://example.com/a.bin"])
def test_gltf_buffer_pointing_outside_the_file_is_refused(uri):
    # given a glTF whose buffer lives in another file or URL
    document, _binary = gltf_document(*CUBE, buffer_uri=uri)
    # when it is loaded (as GLB and as JSON glTF)
    for data, file_format in ((glb(document), "glb"), (json.dumps(document).encode(), "gltf")):
        error = _error(data, file_format=file_format)
        # then it is refused and nothing is fetched
        assert error.code == "external_reference"
        assert uri[:40] in error.message


def test_glb_accessor_reaching_past_its_buffer_is_refused():
    # given an accessor that claims more vertices than its buffer view holds
    document, binary = gltf_document(*CUBE)
    document["accessors"][0]["count"] = 10_000
    error = _error(glb(document, binary))
    assert (error.code, error.message) == (
        "unreadable",
        "The glTF model is damaged: accessor 0 reaches past the end of its buffer view.",
    )


def test_truncated_glb_is_refused():
    data = glb(*gltf_document(*CUBE))
    error = _error(data[: len(data) // 2], file_format="glb")
    assert error.code == "truncated"


def test_points_only_files_have_no_faces():
    # given an OBJ with vertices and no faces
    error = _error(b"v 0 0 0\nv 1 0 0\nv 0 1 0\n", file_format="obj")
    assert (error.code, error.message) == ("no_faces", "The OBJ file contains no faces (only points or lines).")


def test_coordinates_far_beyond_any_part_are_refused():
    # given a binary STL whose corners are 1e30 mm away (garbage floats)
    error = _error(binary_stl(CUBE[0] * 1e30, CUBE[1]))
    assert error.code == "out_of_range"


def test_file_whose_triangles_all_collapse_has_nothing_to_print():
    # given a binary STL whose one triangle has three identical corners
    error = _error(binary_stl(np.zeros((3, 3)), np.array([[0, 1, 2]])))
    # then it is refused instead of analysed as an empty part
    assert (error.code, error.message) == (
        "no_faces",
        "All 1 triangles in the file have no area (their corners coincide); there is nothing to print.",
    )
