"""Closing small holes: trace the rims (boundary loops) and triangulate each one.

A rim is followed along the direction of its faces' half-edges, and the patch is wound the other way,
so it continues the surrounding orientation. Triangles (three-edge holes, the commonest: one face
missing) are closed in one vectorised step; longer rims are ear-clipped in the plane that fits them best.
"""

from dataclasses import dataclass

import numpy as np

from .loading.polygons import triangulate_polygon

# Tracing rims walks edge by edge in Python; beyond this many open edges the mesh is a soup, not a part
# with holes, and filling would only invent surfaces.
MAX_OPEN_EDGES_TO_TRACE = 200_000


@dataclass(frozen=True, eq=False)
class HoleFilling:
    new_faces: np.ndarray
    holes_filled: int
    holes_left_open: int
    largest_hole_left_edges: int
    edges_closed: int
    closed_rim_mask: np.ndarray


def fill_holes(
    *,
    vertices: np.ndarray,
    rim_start: np.ndarray,
    rim_end: np.ndarray,
    rim_shell: np.ndarray,
    shell_face_counts: np.ndarray,
    max_hole_edges: int,
) -> HoleFilling:
    """Triangulate every closed rim with at most ``max_hole_edges`` edges.

    ``rim_start`` / ``rim_end`` are the open half-edges in the direction their face runs them and
    ``rim_shell`` the body each belongs to. A body whose rims have as many edges as it has faces is a
    sheet or a stray triangle, not a part with a hole: closing it would invent a zero-volume pillow, so it
    is left open.
    """
    empty = np.zeros((0, 3), dtype=np.int64)
    closed = np.zeros(len(rim_start), dtype=bool)
    if len(rim_start) == 0:
        return HoleFilling(empty, 0, 0, 0, 0, closed)
    if len(rim_start) > MAX_OPEN_EDGES_TO_TRACE:
        return HoleFilling(empty, 0, 1, len(rim_start), 0, closed)
    loops, broken_edges = trace_loops(rim_start, rim_end)
    rim_edges_per_shell = np.bincount(rim_shell, minlength=len(shell_face_counts))
    is_sheet = shell_face_counts <= rim_edges_per_shell
    fillable = []
    left = []
    for loop in loops:
        if len(loop) <= max_hole_edges and not is_sheet[rim_shell[loop[0]]]:
            fillable.append(loop)
        else:
            left.append(loop)
    for loop in fillable:
        closed[loop] = True
    corners = [rim_start[np.asarray(loop, dtype=np.int64)] for loop in fillable]
    patches = []
    triangles = [loop for loop in corners if len(loop) == 3]
    if triangles:
        patches.append(np.asarray(triangles, dtype=np.int64)[:, [0, 2, 1]])
    for loop in corners:
        if len(loop) > 3:
            patches.append(_triangulate_rim(vertices, loop))
    new_faces = np.concatenate(patches) if patches else empty
    largest_left = max([len(loop) for loop in left] + [broken_edges])
    return HoleFilling(
        new_faces=new_faces,
        holes_filled=len(fillable),
        holes_left_open=len(left) + (1 if broken_edges else 0),
        largest_hole_left_edges=largest_left,
        edges_closed=sum(len(loop) for loop in fillable),
        closed_rim_mask=closed,
    )


def trace_loops(rim_start: np.ndarray, rim_end: np.ndarray) -> tuple[list[list[int]], int]:
    """Closed rims as lists of open half-edge indices, and how many open edges formed no closed rim.

    Where several rims meet at one vertex (a pinch) the walk closes a rim as soon as it can, and a rim
    that still passes a vertex twice is cut there into simple loops, so no patch reuses a vertex.
    """
    order = np.argsort(rim_start, kind="stable")
    sorted_start = rim_start[order]
    starts = rim_start.tolist()
    ends = rim_end.tolist()
    first = np.searchsorted(sorted_start, rim_end, side="left").tolist()
    last = np.searchsorted(sorted_start, rim_end, side="right").tolist()
    order_list = order.tolist()
    used = [False] * len(starts)
    loops: list[list[int]] = []
    broken = 0
    for seed in range(len(starts)):
        if used[seed]:
            continue
        walk = [seed]
        used[seed] = True
        current = seed
        closed = False
        while True:
            if ends[current] == starts[seed]:
                closed = True
                break
            following = -1
            for position in range(first[current], last[current]):
                candidate = order_list[position]
                if not used[candidate]:
                    following = candidate
                    break
            if following < 0:
                break
            used[following] = True
            walk.append(following)
            current = following
        if closed:
            loops.extend(_split_at_repeated_vertices(walk, starts))
        else:
            broken += len(walk)
    return [loop for loop in loops if len(loop) >= 3], broken


def _split_at_repeated_vertices(walk: list[int], starts: list[int]) -> list[list[int]]:
    pending: list[int] = []
    position_of: dict[int, int] = {}
    loops = []
    for half_edge in walk:
        vertex = starts[half_edge]
        if vertex in position_of:
            cut = position_of[vertex]
            loops.append(pending[cut:])
            for dropped in pending[cut:]:
                position_of.pop(starts[dropped], None)
            pending = pending[:cut]
        position_of[vertex] = len(pending)
        pending.append(half_edge)
    loops.append(pending)
    return loops


def _triangulate_rim(vertices: np.ndarray, loop: np.ndarray) -> np.ndarray:
    """Ear-clip a rim in its best-fit plane; its triangles run against the rim's half-edges (reversed loop) so
    they join the surrounding faces consistently."""
    return triangulate_polygon(vertices, loop[::-1])
