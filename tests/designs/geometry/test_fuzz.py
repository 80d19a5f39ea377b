"""Damaged files of every format end as a MeshError or a valid mesh, never as another exception."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designs.geometry import AnalysisOptions, LoadLimits, MeshError, analyse, load_mesh_bytes
from tests.designs.geometry.builders import (
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

CUBE = box()
SAMPLES = {
    "stl": binary_stl(*CUBE),
    "ascii_stl": ascii_stl(*CUBE),
    "obj": obj_text(CUBE[0], CUBE[1] + 1),
    "off": off_text(*CUBE),
    "ply_ascii": ply_bytes(*CUBE, encoding="ascii"),
    "ply_binary": ply_bytes(*CUBE),
    "3mf_model": model_xml([(1, *CUBE)]),
    "glb": glb(*gltf_document(*CUBE)),
}
LIMITS = LoadLimits(max_faces=10_000, max_vertices=10_000)


@st.composite
def damaged(draw, original: bytes) -> bytes:
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["replace", "delete", "insert", "truncate"]))
        if action == "replace":
            data[position] = draw(st.integers(0, 255))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 16))]
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[position:]
    return bytes(data)


def _load_or_refuse(data: bytes, file_format: str) -> None:
    try:
        mesh = load_mesh_bytes(data, units=None, limits=LIMITS, file_format=file_format)
    except MeshError as error:
        assert error.code and error.message
        return
    # Whatever loads must be a usable mesh that the analysis accepts.
    assert mesh.face_count > 0 and np.isfinite(mesh.vertices).all()
    assert mesh.faces.min() >= 0 and mesh.faces.max() < mesh.vertex_count
    analyse(mesh, materials=[], options=AnalysisOptions.core())


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_damaged_files_fail_cleanly(kind):
    extension = {"ascii_stl": "stl", "ply_ascii": "ply", "ply_binary": "ply", "3mf_model": "3mf"}.get(kind, kind)

    @settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(data=damaged(SAMPLES[kind]))
    def check(data):
        if kind == "3mf_model":
            data = three_mf(data)
        _load_or_refuse(data, extension)

    check()
