"""Repair: what slicers do on import, done quickly and counted, on a copy of the customer's mesh.

Order of the steps, and why:
1. drop faces that collapsed when vertices at one position were merged (a line or a point bounds nothing);
2. close gaps that are only rounding noise: open-edge vertices closer than ``snap_tolerance`` of the part
   size are merged (binary STL stores float32, so one exporter may write 0.0 and -2.7e-16 for one corner);
3. drop duplicate faces and zero-area faces that sit on edges shared by three or more faces (removing them
   opens nothing; needle faces that close a T-junction stay);
4. make the winding consistent inside each body (``winding.consistent_flips``);
5. close holes whose rim has at most ``max_hole_edges`` edges;
6. turn free-standing bodies outward (positive volume); a body inside another keeps its winding relative to
   it, so modelled cavities stay cavities (``winding.outward_flips``).
The mesh "as read" (after 1 and 2, which change no surface) is what the report's topology counts
describe; the repaired mesh is what volume, area and printing checks use.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .arrays import extents, largest_extent
from .background import Background
from .errors import MeshError
from .fins import fin_faces
from .holes import fill_holes
from .mesh import LoadedMesh
from .topology import (
    EdgeTopology,
    build_edge_topology,
    collapsed_face_mask,
    compact_vertices,
    measure_faces,
    merge_vertices,
    shell_labels,
)
from .winding import consistent_flips, outward_flips


@dataclass(frozen=True)
class RepairOptions:
    max_hole_edges: int = 100
    # Fraction of the bounding-box diagonal under which open-edge vertices are the same point.
    snap_tolerance: float = 1e-7


@dataclass(frozen=True)
class SurfaceSummary:
    """Counts that describe one state of the mesh (as read, or repaired)."""

    faces: int
    vertices: int
    open_edges: int
    non_manifold_edges: int
    unpaired_half_edges: int
    inconsistent_edges: int
    signed_volume_mm3: float
    area_mm2: float

    @property
    def is_watertight(self) -> bool:
        """Closed: no open edges and no face left unglued around a non-manifold edge."""
        return self.faces > 0 and self.open_edges == 0 and self.unpaired_half_edges == 0

    @property
    def is_winding_consistent(self) -> bool:
        return self.inconsistent_edges == 0


@dataclass(frozen=True, eq=False)
class RepairResult:
    """The repaired copy (``mesh``; the input object itself when nothing changed) and what changed."""

    mesh: LoadedMesh
    performed: bool
    changes: dict
    as_read: SurfaceSummary
    repaired: SurfaceSummary
    shell_count: int
    shell_labels: np.ndarray
    shell_volumes: np.ndarray
    degenerate_faces: int
    duplicate_faces: int
    inverted_shells: int
    holes_left_open: int
    largest_hole_left_edges: int
    timings_ms: dict = field(default_factory=dict)
    # Where the file is broken, for the viewer: (k, 2, 3) segments in mm, at most PROBLEM_EDGES_SHOWN each.
    problem_edges: dict = field(default_factory=dict)
    # With ``keep_cross`` and no change: (3, m) cross products and doubled areas of ``mesh``'s faces.
    face_cross: np.ndarray | None = None
    face_double_areas: np.ndarray | None = None

    @property
    def volume_before_mm3(self) -> float:
        return self.as_read.signed_volume_mm3

    @property
    def volume_after_mm3(self) -> float:
        return self.repaired.signed_volume_mm3


def repair_mesh(
    mesh: LoadedMesh, *, options: RepairOptions = RepairOptions(), keep_cross: bool = False
) -> RepairResult:
    """Repair a copy of ``mesh`` (never modified) and report every change by count.

    ``keep_cross``: when nothing changes, the result keeps the faces' cross products and doubled areas
    (``face_cross``, ``face_double_areas``) for the caller's ``Surface`` of the same mesh.
    """
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round((now - clock) * 1000, 1)
        clock = now

    if mesh.is_merged:
        vertices, faces = mesh.vertices, mesh.faces
    else:
        merged = merge_vertices(mesh.vertices, mesh.faces)
        vertices, faces = merged.vertices, merged.faces
    collapsed = collapsed_face_mask(faces)
    collapsed_count = int(np.count_nonzero(collapsed))
    if collapsed_count == len(faces):
        raise MeshError("no_faces", "The model has no triangle with an area; there is nothing to print.")
    if collapsed_count:
        faces = faces[~collapsed]
    topology = build_edge_topology(vertices, faces)
    lap("edges")

    vertices_snapped = 0
    if topology.open_edges:
        faces, vertices_snapped, newly_collapsed = _snap_rounding_gaps(vertices, faces, topology, options)
        if vertices_snapped:
            topology = build_edge_topology(vertices, faces)
        collapsed_count += newly_collapsed
    lap("snap")

    problem_edges = _problem_edges(vertices, topology)
    # When every edge has two faces the bodies are needed right away (they also find the duplicate
    # faces): a second thread searches them while this one measures the faces. (Sorting the edges beside
    # the measuring was slower: both are many small array steps, which then queue for the GIL.)
    bodies = Background(shell_labels, topology) if topology.is_all_paired else None
    measures = measure_faces(vertices, faces, corners=topology.corners, keep_cross=keep_cross)
    face_cross = measures.cross

    volume_terms = measures.volume_terms
    area_twice = measures.double_areas
    thin = measures.degenerate_mask(largest_extent(vertices))
    del measures
    as_read = SurfaceSummary(
        faces=len(faces),
        vertices=len(vertices) - vertices_snapped,
        open_edges=topology.open_edges,
        non_manifold_edges=topology.non_manifold_edges,
        unpaired_half_edges=topology.unpaired_half_edges,
        inconsistent_edges=topology.inconsistent_edges,
        signed_volume_mm3=float(volume_terms.sum()),
        area_mm2=float(area_twice.sum() / 2),
    )
    lap("measure")
    if bodies is not None:
        bodies.result()
        lap("bodies")

    duplicates = topology.duplicate_faces
    removable_thin = thin
    if thin.any():
        crowded_edges = topology.faces_per_edge[topology.edge_of_half_edge].reshape(3, -1) >= 3
        removable_thin = thin & crowded_edges.all(axis=0)
    removed = duplicates | removable_thin
    if removed.any():
        faces = faces[~removed]
        volume_terms = volume_terms[~removed]
        area_twice = area_twice[~removed]
        topology = build_edge_topology(vertices, faces)
    lap("clean")

    fins_removed = 0
    while True:
        shell_count, labels = shell_labels(topology)
        shell_face_counts = np.bincount(labels, minlength=shell_count)
        flips = consistent_flips(topology, labels=labels, face_weights=area_twice)
        lap("winding")

        open_half_edges = topology.open_half_edges()
        owner = open_half_edges % max(len(faces), 1)
        forward = ~flips[owner]
        filling = fill_holes(
            vertices=vertices,
            rim_start=np.where(forward, topology.start[open_half_edges], topology.end[open_half_edges]),
            rim_end=np.where(forward, topology.end[open_half_edges], topology.start[open_half_edges]),
            rim_shell=labels[owner],
            shell_face_counts=shell_face_counts,
            max_hole_edges=options.max_hole_edges,
        )
        lap("holes")
        # A rim that cannot be closed may be the free edge of a sheet hanging inside or outside the part
        # (``fins``): once, drop such sheets and orient and fill again without them.
        if fins_removed or not filling.holes_left_open or not topology.non_manifold_edges:
            break
        fins = fin_faces(topology)
        fins_removed = int(np.count_nonzero(fins))
        if not fins_removed or fins_removed == len(faces):
            # Nothing hangs from the part, or it is all sheet: dropping everything would be no repair.
            fins_removed = 0
            break
        faces = faces[~fins]
        volume_terms = volume_terms[~fins]
        area_twice = area_twice[~fins]
        topology = build_edge_topology(vertices, faces)
        lap("fins")

    any_flips = bool(flips.any())
    oriented = faces
    if any_flips:
        oriented = faces.copy()
        oriented[flips] = oriented[flips][:, ::-1]
        volume_terms = np.where(flips, -volume_terms, volume_terms)
    if len(filling.new_faces):
        vertex_shell = np.zeros(len(vertices), dtype=np.int64)
        vertex_shell[faces.reshape(-1)] = np.repeat(labels, 3)
        patch = measure_faces(vertices, filling.new_faces)
        oriented = np.concatenate([oriented, filling.new_faces])
        labels = np.concatenate([labels, vertex_shell[filling.new_faces[:, 0]]])
        volume_terms = np.concatenate([volume_terms, patch.volume_terms])
        area_twice = np.concatenate([area_twice, patch.double_areas])
    # Sheets and stray triangles have no inside, so the sign of their "volume" means nothing; bodies with
    # a few holes left open still have a clear inside and are turned like closed ones.
    has_inside = shell_face_counts > np.bincount(labels[owner], minlength=shell_count)
    outward = outward_flips(
        vertices=vertices,
        faces=oriented,
        labels=labels,
        shell_count=shell_count,
        volume_terms=volume_terms,
        closed_shells=has_inside,
    )
    turned_shells = outward.shell_flips
    any_turned = bool(turned_shells.any())
    turned = turned_shells[labels] if any_turned else np.zeros(len(oriented), dtype=bool)
    if any_turned:
        oriented = oriented.copy() if oriented is faces else oriented
        oriented[turned] = oriented[turned][:, ::-1]
        volume_terms = np.where(turned, -volume_terms, volume_terms)
    # Bodies that were consistently wound but entirely inside out: the "inverted" warning.
    flipped_per_shell = (
        np.bincount(labels[: len(flips)], weights=flips, minlength=shell_count) if any_flips else np.zeros(shell_count)
    )
    inverted_shells = int(np.count_nonzero(turned_shells & (flipped_per_shell == 0)))
    lap("orient")

    net_flips = flips ^ turned[: len(flips)]
    changes = {
        "vertices_merged_close": vertices_snapped,
        "degenerate_faces_removed": collapsed_count + int(np.count_nonzero(removable_thin & ~duplicates)),
        "duplicate_faces_removed": int(np.count_nonzero(duplicates)),
        "fin_faces_removed": fins_removed,
        "faces_flipped": int(np.count_nonzero(net_flips)),
        "bodies_turned_outward": int(np.count_nonzero(turned_shells)),
        "holes_filled": filling.holes_filled,
        "faces_added": len(filling.new_faces),
    }
    performed = any(changes.values())
    final_vertices, final_faces = compact_vertices(vertices, oriented) if performed else (vertices, oriented)
    if len(filling.new_faces):
        final_topology = build_edge_topology(final_vertices, final_faces)
        open_after = final_topology.open_edges
        non_manifold_after = final_topology.non_manifold_edges
        unpaired_after = final_topology.unpaired_half_edges
        inconsistent_after = final_topology.inconsistent_edges
    else:
        open_after = topology.open_edges
        non_manifold_after = topology.non_manifold_edges
        unpaired_after = topology.unpaired_half_edges
        inconsistent_after = (
            _inconsistent_after_flips(topology, net_flips) if net_flips.any() else topology.inconsistent_edges
        )
    repaired_summary = SurfaceSummary(
        faces=len(final_faces),
        vertices=len(final_vertices),
        open_edges=open_after,
        non_manifold_edges=non_manifold_after,
        unpaired_half_edges=unpaired_after,
        inconsistent_edges=inconsistent_after,
        signed_volume_mm3=float(volume_terms.sum()),
        area_mm2=float(area_twice.sum() / 2),
    )
    repaired_mesh = mesh.with_geometry(vertices=final_vertices, faces=final_faces) if performed else mesh
    lap("finish")
    return RepairResult(
        mesh=repaired_mesh,
        performed=performed,
        changes=changes,
        as_read=as_read,
        repaired=repaired_summary,
        shell_count=shell_count,
        shell_labels=labels,
        # Turning a body negates each of its terms, which negates their sum exactly.
        shell_volumes=np.where(turned_shells, -outward.shell_volumes, outward.shell_volumes),
        degenerate_faces=collapsed_count + int(np.count_nonzero(thin)),
        duplicate_faces=int(np.count_nonzero(duplicates)),
        inverted_shells=inverted_shells,
        holes_left_open=filling.holes_left_open,
        largest_hole_left_edges=filling.largest_hole_left_edges,
        timings_ms=timings,
        problem_edges=problem_edges,
        face_cross=None if performed else face_cross,
        face_double_areas=None if performed or face_cross is None else area_twice,
    )


PROBLEM_EDGES_SHOWN = 500


def _problem_edges(vertices: np.ndarray, topology: EdgeTopology) -> dict[str, np.ndarray]:
    """Open and non-manifold edges as coordinate segments (a sample when there are many)."""
    found = {}
    if not (topology.open_edges or topology.non_manifold_edges):
        return found
    for name, per_edge in (
        ("open_edges", topology.faces_per_edge == 1),
        ("non_manifold_edges", topology.faces_per_edge > 2),
    ):
        if not per_edge.any():
            continue
        half_edges = np.flatnonzero(per_edge[topology.edge_of_half_edge])
        _, first = np.unique(topology.edge_of_half_edge[half_edges], return_index=True)
        chosen = half_edges[np.sort(first)][:PROBLEM_EDGES_SHOWN]
        found[name] = np.stack([vertices[topology.start[chosen]], vertices[topology.end[chosen]]], axis=1)
    return found


def _snap_rounding_gaps(
    vertices: np.ndarray, faces: np.ndarray, topology: EdgeTopology, options: RepairOptions
) -> tuple[np.ndarray, int, int]:
    """Merge open-edge vertices that lie within rounding noise of each other.

    Returns the new faces, how many vertices were merged away and how many faces collapsed as a result.
    Only vertices on open edges are candidates, so a closed mesh never pays for the search.
    """
    from scipy.spatial import cKDTree

    rim = topology.open_half_edges()
    candidates = np.unique(np.concatenate([topology.start[rim], topology.end[rim]]))
    diagonal = float(np.linalg.norm(extents(vertices)))
    tolerance = diagonal * options.snap_tolerance
    if tolerance <= 0 or len(candidates) < 2:
        return faces, 0, 0
    pairs = cKDTree(vertices[candidates]).query_pairs(tolerance, output_type="ndarray")
    if len(pairs) == 0:
        return faces, 0, 0
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    count = len(candidates)
    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    _groups, group_of = connected_components(graph, directed=False)
    representative = np.full(int(group_of.max()) + 1, -1, dtype=np.int64)
    representative[group_of[::-1]] = candidates[::-1]
    mapping = np.arange(len(vertices))
    mapping[candidates] = representative[group_of]
    merged_away = int(np.count_nonzero(mapping[candidates] != candidates))
    snapped = mapping[faces]
    collapsed = collapsed_face_mask(snapped)
    return snapped[~collapsed], merged_away, int(np.count_nonzero(collapsed))


def _inconsistent_after_flips(topology: EdgeTopology, flipped: np.ndarray) -> int:
    """Glued half-edge pairs still running the same way once ``flipped`` faces are reversed."""
    paired = np.flatnonzero(topology.partner >= 0)
    if len(paired) == 0:
        return 0
    face_count = topology.face_count
    same = topology.start[paired] == topology.start[topology.partner[paired]]
    same ^= flipped[paired % face_count] ^ flipped[topology.partner[paired] % face_count]
    return int(np.count_nonzero(same)) // 2
