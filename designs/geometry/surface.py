"""Per-face quantities of a final (repaired) mesh that several checks share."""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .arrays import largest_extent
from .topology import double_areas, face_cross_products


@dataclass(frozen=True, eq=False)
class Surface:
    vertices: np.ndarray
    faces: np.ndarray

    @cached_property
    def _cross(self) -> np.ndarray:
        cross, _corner = face_cross_products(self.vertices, self.faces)
        return cross

    @cached_property
    def areas(self) -> np.ndarray:
        return double_areas(self._cross) / 2.0

    @cached_property
    def normals_by_axis(self) -> np.ndarray:
        """(3, m) unit normals, one row per axis (zero for faces without area)."""
        lengths = 2.0 * self.areas
        return self._cross / np.where(lengths > 0, lengths, 1.0)

    @classmethod
    def with_products(cls, vertices: np.ndarray, faces: np.ndarray, cross: np.ndarray | None, double_areas_=None):
        """A surface whose (3, m) cross products (and doubled areas) were already computed, bit for bit as
        ``face_cross_products`` and ``double_areas`` make them (``measure_faces(keep_cross=True)``)."""
        surface = cls(vertices=vertices, faces=faces)
        if cross is not None:
            surface.__dict__["_cross"] = cross
            if double_areas_ is not None:
                surface.__dict__["areas"] = double_areas_ / 2.0
        return surface

    def normals_of(self, faces: np.ndarray) -> np.ndarray:
        """(k, 3) unit normals of some faces."""
        return self.normals_by_axis[:, faces].T

    @cached_property
    def centroids_by_axis(self) -> np.ndarray:
        """(3, m) face centroids, one row per axis (gathered per axis: faster than (m, 3, 3) rows)."""
        corners = np.ascontiguousarray(self.faces.T)
        result = np.zeros((3, len(self.faces)))
        for axis in range(3):
            column = np.ascontiguousarray(self.vertices[:, axis])
            for corner in range(3):
                result[axis] += np.take(column, corners[corner])
        result /= 3.0
        return result

    def along(self, by_axis: np.ndarray, direction: np.ndarray) -> np.ndarray:
        """Dot product of (3, m) rows with a direction, without transposing."""
        return by_axis[0] * direction[0] + by_axis[1] * direction[1] + by_axis[2] * direction[2]

    @cached_property
    def size(self) -> float:
        return largest_extent(self.vertices)

    @cached_property
    def ray_scene(self):
        from .raycast import RayScene

        return RayScene(self.vertices, self.faces)
