"""Previews for the browser (GLB) and thumbnails (PNG) made without a display."""

import json
import struct

import numpy as np
from PIL import Image

from designs.geometry import write_preview_glb, write_thumbnail_png
from designs.geometry.decimate import decimate
from tests.designs.geometry.builders import box, loaded, t_shape


def _glb_document(path) -> dict:
    data = path.read_bytes()
    length, _kind = struct.unpack_from("<II", data, 12)
    return json.loads(data[20 : 20 + length])


def test_preview_glb_has_normals_and_a_non_metallic_material(tmp_path):
    # given a T-shaped part
    path = tmp_path / "preview.glb"
    # when the preview is written
    faces = write_preview_glb(loaded(*t_shape()), path)
    # then three.js gets normals and a matte, non-metallic material (not the black default)
    document = _glb_document(path)
    primitive = document["meshes"][0]["primitives"][0]
    material = document["materials"][primitive["material"]]["pbrMetallicRoughness"]
    assert "NORMAL" in primitive["attributes"]
    assert material["metallicFactor"] == 0.0
    assert np.allclose(material["baseColorFactor"][:3], [0.72, 0.74, 0.78], atol=0.003)  # stored as bytes
    assert faces == len(t_shape()[1])


def test_large_meshes_are_decimated_for_the_preview(tmp_path):
    # given a finely subdivided sphere of 81,920 faces and a cap of 10,000
    import trimesh

    sphere = trimesh.creation.icosphere(subdivisions=6, radius=10.0)
    path = tmp_path / "preview.glb"
    # when the preview is written
    faces = write_preview_glb(loaded(sphere.vertices, sphere.faces), path, max_faces=10_000)
    # then it stays under the cap and still looks like the sphere (same size)
    assert 2_000 < faces <= 10_000
    document = _glb_document(path)
    position = document["accessors"][document["meshes"][0]["primitives"][0]["attributes"]["POSITION"]]
    assert np.allclose(position["max"], [10.0, 10.0, 10.0], atol=0.5)


def test_decimation_keeps_small_meshes_untouched():
    vertices, faces = box()
    assert decimate(vertices, faces, max_faces=100) == (vertices, faces)


def test_thumbnail_is_a_256_pixel_png_showing_the_part(tmp_path):
    # given a cube
    path = tmp_path / "thumbnail.png"
    # when the thumbnail is written (no display, no OpenGL)
    write_thumbnail_png(loaded(*box()), path)
    # then it is a 256 x 256 PNG with the part in the middle on a light background
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert image.shape == (256, 256, 3)
    assert image[0, 0].tolist() == [244, 245, 247]
    centre = image[128, 128]
    assert centre[2] > centre[0] + 30  # the blue-grey part, not the background
    part = np.any(np.abs(image - [244, 245, 247]) > 10, axis=2)
    assert 0.2 < part.mean() < 0.8
    # three visible sides of the cube are shaded differently (a three-quarter view)
    shades = {tuple(colour) for colour in image[part].tolist()}
    assert len(shades) >= 3


def test_thumbnail_of_an_inside_out_part_still_shows_it(tmp_path):
    vertices, faces = box()
    path = tmp_path / "thumbnail.png"
    write_thumbnail_png(loaded(vertices, faces[:, ::-1]), path, size=64)
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)
    assert image.shape == (64, 64, 3)
    assert np.any(np.abs(image - [244, 245, 247]) > 10, axis=2).mean() > 0.2
