"""Checks every generated mesh must pass, measurements on meshes, and hypothesis strategies for parameters."""

import math

import numpy as np
import trimesh
from hypothesis import assume
from hypothesis import strategies as st

from designs.parametric import ParameterError, Template, validate_parameters
from designs.parametric.definitions.spur_gear import SMALLEST_KEYED_BORE_MM, largest_bore
from designs.parametric.definitions.vase import DRAINAGE_RIM_MM, floor_inner_radius

# manifold3d snaps 2-D outlines to a grid of about 3e-9 mm, so "exact" sizes agree to this.
KERNEL_PRECISION_MM = 1e-6
MOST_FACES = 150_000
# Faces thinner than this (a micrometre) are slivers a slicer may choke on.
SLIVER_HEIGHT_MM = 1e-6


def assert_printable_mesh(mesh: trimesh.Trimesh, *, shells: int) -> None:
    """What every template promises for any valid parameters.

    Closed and outward (watertight, consistent winding, positive volume), the intended number of shells, on
    the plate (min z = 0) and centred in X and Y, no sliver faces or repeated vertices, a sensible face count.
    """
    assert isinstance(mesh, trimesh.Trimesh)
    assert mesh.is_watertight
    assert mesh.is_winding_consistent
    assert mesh.volume > 0
    assert mesh.body_count == shells
    assert mesh.bounds[0][2] == 0.0
    centre = (mesh.bounds[0][:2] + mesh.bounds[1][:2]) / 2
    assert np.abs(centre).max() < 1e-9
    assert len(mesh.nondegenerate_faces(height=SLIVER_HEIGHT_MM)) == len(mesh.faces)
    assert len(np.unique(mesh.vertices, axis=0)) == len(mesh.vertices)
    assert 12 <= len(mesh.faces) <= MOST_FACES


def section_loops(mesh: trimesh.Trimesh, *, z: float) -> list[np.ndarray]:
    """Closed outlines (x, y) where the horizontal plane at ``z`` cuts the mesh."""
    section = mesh.section(plane_origin=[0.0, 0.0, z], plane_normal=[0.0, 0.0, 1.0])
    return [np.asarray(loop)[:, :2] for loop in section.discrete]


def extents(loop: np.ndarray) -> tuple[float, float]:
    size = loop.max(axis=0) - loop.min(axis=0)
    return float(size[0]), float(size[1])


def first_hits(mesh: trimesh.Trimesh, *, origins: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Distance along each ray to the first surface it meets (inf where it meets none)."""
    intersector = trimesh.ray.ray_triangle.RayMeshIntersector(mesh)
    locations, ray_index, _ = intersector.intersects_location(origins, directions, multiple_hits=True)
    distances = np.full(len(origins), np.inf)
    for location, ray in zip(locations, ray_index, strict=True):
        distances[ray] = min(distances[ray], float(np.linalg.norm(location - origins[ray])))
    return distances


def _on_grid(low: float, high: float, step: float) -> st.SearchStrategy[float]:
    return st.integers(0, round((high - low) / step)).map(lambda index: low + index * step)


def _parameter_strategy(parameter) -> st.SearchStrategy:
    if parameter.type == "number":
        return _on_grid(parameter.min, parameter.max, parameter.step)
    if parameter.type == "integer":
        return st.integers(int(parameter.min), int(parameter.max))
    if parameter.type == "choice":
        return st.sampled_from(parameter.choices)
    if parameter.type == "boolean":
        return st.booleans()
    return st.lists(
        _on_grid(parameter.min, parameter.max, parameter.step),
        min_size=parameter.min_length,
        max_size=parameter.max_length,
    )


def _ring_size_in_system(draw, raw: dict) -> dict:
    low, high = (2.0, 16.0) if raw["size_system"] == "US" else (44.0, 76.0)
    return raw | {"size": draw(_on_grid(low, high, 0.25))}


def _gear_bore_that_fits(draw, raw: dict) -> dict:
    largest = largest_bore(module=raw["module"], teeth=raw["teeth"], keyway=raw["keyway"])
    if raw["keyway"] and largest < SMALLEST_KEYED_BORE_MM:
        return raw | {"keyway": False, "bore_diameter": 0.0}
    smallest = SMALLEST_KEYED_BORE_MM if raw["keyway"] else 0.0
    bore = draw(_on_grid(smallest, max(smallest, largest), 0.1)) if largest >= smallest else 0.0
    return raw | {"bore_diameter": bore}


def _vase_profile_that_prints(draw, raw: dict) -> dict:
    """A random walk of radii whose steps stay within 30 % of the spacing, so the side never passes 45°."""
    count = draw(st.integers(2, 12))
    spacing = raw["height"] / (count - 1)
    largest_step = math.floor(0.3 * spacing * 2) / 2
    radii = [draw(_on_grid(10, 120, 0.5))]
    for _ in range(count - 1):
        step = draw(_on_grid(-largest_step, largest_step, 0.5)) if largest_step > 0 else 0.0
        radii.append(min(120.0, max(10.0, radii[-1] + step)))
    raw = raw | {"radii": radii}
    room = math.floor(4 * (floor_inner_radius(raw) - DRAINAGE_RIM_MM)) / 2
    return raw | {"drainage_hole_diameter": draw(_on_grid(0, min(30.0, room), 0.5)) if room >= 0.5 else 0.0}


# Dependent parameters are drawn after the ones they depend on, so few examples are thrown away.
_ADJUSTERS = {
    "ring": _ring_size_in_system,
    "spur-gear": _gear_bore_that_fits,
    "vase": _vase_profile_that_prints,
}


@st.composite
def valid_parameters(draw, template: Template) -> dict:
    """Canonical parameters from anywhere in the template's space that pass its cross-checks."""
    raw = draw(st.fixed_dictionaries({p.name: _parameter_strategy(p) for p in template.parameters}))
    adjust = _ADJUSTERS.get(template.slug)
    if adjust is not None:
        raw = adjust(draw, raw)
    try:
        return validate_parameters(template, raw)
    except ParameterError:
        assume(False)
        raise
