"""First-hit ray casting on a mesh with Embree (embreex), shared by thickness and support estimates.

Embree works in float32, so the mesh is moved to the origin and scaled to about 100 units first, as
trimesh does, which keeps hits precise on parts that sit far from the origin or are very small.
"""

import resource

import numpy as np

from .arrays import column_bounds, largest_extent

NO_HIT = -1
# Embree reserves a few hundred megabytes of address space for its first scene and crashes the process
# (a segfault, not an error) when an address-space limit refuses it. We check the headroom first.
EMBREE_ADDRESS_SPACE_BYTES = 512 * 1024 * 1024
# Plus the scene itself: about 60 bytes per face in its float32 copies and acceleration structure.
EMBREE_BYTES_PER_FACE = 64


def _address_space_headroom() -> float:
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return float("inf")
    try:
        with open("/proc/self/statm") as handle:
            used = int(handle.read().split()[0]) * resource.getpagesize()
    except (OSError, ValueError):
        return float("inf")
    return soft - used


class RayScene:
    """An Embree scene over a mesh; build it once, cast many batches."""

    def __init__(self, vertices: np.ndarray, faces: np.ndarray) -> None:
        from embreex import rtcore_scene
        from embreex.mesh_construction import TriangleMesh

        needed = EMBREE_ADDRESS_SPACE_BYTES + EMBREE_BYTES_PER_FACE * len(faces)
        if _address_space_headroom() < needed:
            raise MemoryError(f"ray casting needs about {needed // 2**20} MB more address space than is left")
        self.origin = column_bounds(vertices)[0]
        size = largest_extent(vertices)
        self.scale = 100.0 / size if size > 0 else 1.0
        self.scene = rtcore_scene.EmbreeScene()
        TriangleMesh(
            scene=self.scene,
            vertices=((vertices - self.origin) * self.scale).astype(np.float32),
            indices=faces.astype(np.int32),
        )

    def first_hits(self, origins: np.ndarray, directions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Distance (mm, along unit ``directions``) and face of each ray's first hit (NO_HIT / inf)."""
        if len(origins) == 0:
            return np.zeros(0), np.zeros(0, dtype=np.int64)
        scaled = ((origins - self.origin) * self.scale).astype(np.float32)
        result = self.scene.run(scaled, directions.astype(np.float32), output=1)
        faces = np.asarray(result["primID"], dtype=np.int64)
        distance = np.asarray(result["tfar"], dtype=np.float64) / self.scale
        distance[faces < 0] = np.inf
        faces[faces < 0] = NO_HIT
        return distance, faces
