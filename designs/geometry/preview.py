"""The GLB the browser shows: normals included and a non-metallic material, so three.js does not render
it black; very large meshes are decimated (vertex clustering) to keep the download small."""

from os import PathLike
from pathlib import Path

import numpy as np

from .decimate import decimate
from .mesh import LoadedMesh

# A browser preview needs no more: 100k faces is a 1.2 MB GLB that renders smoothly on a phone, where 300k
# cost 7 MB and two seconds to write for the same look at preview size.
PREVIEW_MAX_FACES = 100_000
_BASE_COLOUR = [0.72, 0.74, 0.78, 1.0]
# Edges sharper than this get split normals, so flat CAD faces look flat and curves stay smooth.
_SMOOTHING_ANGLE_DEGREES = 30.0


def write_preview_glb(mesh: LoadedMesh, path: str | PathLike, *, max_faces: int = PREVIEW_MAX_FACES) -> int:
    """Write the preview to ``path``; returns the number of faces written."""
    import trimesh
    from trimesh.visual.material import PBRMaterial

    vertices, faces = decimate(mesh.vertices, mesh.faces, max_faces=max_faces)
    shape = trimesh.Trimesh(vertices=np.asarray(vertices), faces=np.asarray(faces), process=False)
    try:
        shaded = trimesh.graph.smooth_shade(shape, angle=np.radians(_SMOOTHING_ANGLE_DEGREES), facet_minarea=None)
    except (ValueError, IndexError):
        shaded = shape
    material = PBRMaterial(
        name="preview",
        baseColorFactor=_BASE_COLOUR,
        metallicFactor=0.0,
        roughnessFactor=0.65,
        doubleSided=True,
    )
    shaded.visual = trimesh.visual.TextureVisuals(material=material)
    data = shaded.export(file_type="glb", include_normals=True)
    Path(path).write_bytes(data)
    return len(faces)
