"""Merging, edge counts, body counts and the fast grouping under them."""

import numpy as np

from designs.geometry import grouping
from designs.geometry.topology import build_edge_topology, merge_vertices, shell_labels
from tests.designs.geometry.builders import box, combine


def _topology(vertices, faces):
    merged = merge_vertices(vertices, faces)
    return merged, build_edge_topology(merged.vertices, merged.faces)


def test_triangle_soup_merges_to_shared_corners():
    # given a cube stored as a soup (every face with its own three corners, as in STL)
    vertices, faces = box()
    soup = vertices[faces].reshape(-1, 3)
    # when merged by position
    merged = merge_vertices(soup, None)
    # then the 36 corners become the 8 corners of the cube, in order of first appearance
    assert (merged.source_vertex_count, len(merged.vertices)) == (36, 8)
    assert merged.vertices[0].tolist() == soup[0].tolist()
    assert np.array_equal(merged.vertices[merged.faces], vertices[faces])


def test_negative_zero_merges_with_zero():
    # given two copies of one corner, written as 0.0 and -0.0
    vertices = np.array([[0.0, 1.0, 2.0], [-0.0, 1.0, 2.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    merged = merge_vertices(vertices, np.array([[0, 2, 3], [1, 3, 2]]))
    # then they are one vertex
    assert len(merged.vertices) == 3


def test_closed_cube_counts():
    merged, topology = _topology(*box())
    assert (topology.edge_count, topology.open_edges, topology.non_manifold_edges) == (18, 0, 0)
    assert topology.is_closed and topology.is_winding_consistent


def test_cube_without_one_face_has_two_open_edges_per_missing_triangle():
    vertices, faces = box()
    _merged, topology = _topology(vertices, faces[2:])
    # the missing square's outline (4 edges) is open; its diagonal disappears with it
    assert (topology.edge_count, topology.open_edges) == (17, 4)
    assert not topology.is_closed


def test_two_cubes_sharing_an_edge_are_two_closed_bodies():
    # given two cubes touching along one edge (trimesh's shared.STL in miniature)
    first = box((1.0, 1.0, 1.0))
    second = box((1.0, 1.0, 1.0), origin=(1.0, 1.0, 0.0))
    merged, topology = _topology(*combine(first, second))
    # then that edge is non-manifold (four faces), every face is still glued to its own cube, and slicers'
    # body count (2) is kept
    count, labels = shell_labels(topology)
    assert (topology.non_manifold_edges, topology.unpaired_half_edges, count) == (1, 0, 2)
    assert topology.is_closed
    assert len(set(labels[:12])) == 1 and len(set(labels[12:])) == 1


def test_flipped_face_is_an_inconsistent_winding():
    vertices, faces = box()
    faces = faces.copy()
    faces[4] = faces[4][::-1]
    _merged, topology = _topology(vertices, faces)
    # the flipped triangle disagrees with its three neighbours
    assert topology.inconsistent_edges == 3
    assert topology.is_closed


def test_duplicate_faces_are_found_along_edges():
    # given a cube with two copies of one face, one of them reversed
    vertices, faces = box()
    faces = np.concatenate([faces, faces[[0]], faces[[0]][:, ::-1]])
    _merged, topology = _topology(vertices, faces)
    # then the two later copies are duplicates, the first stays
    assert np.flatnonzero(topology.duplicate_faces).tolist() == [12, 13]


def test_hash_collisions_are_split_exactly(monkeypatch):
    # given a hash that collides for most rows (as a crafted file might try)
    monkeypatch.setattr(grouping, "hash_rows", lambda words: (words[:, 0] % np.uint64(3)) << np.uint64(40))
    rows = np.random.default_rng(3).integers(0, 6, (2000, 3)).astype(np.uint64)
    # when the rows are grouped
    groups = grouping.group_equal_rows(rows)
    # then the groups are exactly the distinct rows, numbered by first appearance
    unique_rows, first_index = np.unique(rows, axis=0, return_index=True)
    assert groups.count == len(unique_rows)
    assert np.array_equal(rows[groups.first_row][groups.inverse], rows)
    assert np.array_equal(groups.first_row, np.sort(first_index))


def test_numpy_and_scipy_components_agree():
    # given a random sparse graph with many components, chains and repeated edges
    from designs.geometry.components import _with_numpy, _with_scipy

    generator = np.random.default_rng(5)
    first = np.concatenate([generator.integers(0, 5000, 4000), np.arange(100, 999)])
    second = np.concatenate([generator.integers(0, 5000, 4000), np.arange(101, 1000)])
    # then both give the same labels, numbered by each component's smallest node
    count_numpy, labels_numpy = _with_numpy(5000, first, second)
    count_scipy, labels_scipy = _with_scipy(5000, first, second)
    assert count_numpy == count_scipy
    assert np.array_equal(labels_numpy, labels_scipy)
    assert labels_numpy[0] == 0 and labels_numpy[100] == labels_numpy[999]


def test_duplicate_pair_is_found_when_every_edge_has_two_faces():
    # given a closed cube and, apart from it, one triangle stored twice (once reversed): every edge then
    # has exactly two faces, the case decided from the bodies alone
    cube = box()
    triangle = (np.array([[20.0, 0.0, 0.0], [21.0, 0.0, 0.0], [20.0, 1.0, 0.0]]), np.array([[0, 1, 2], [0, 2, 1]]))
    merged, topology = _topology(*combine(cube, triangle))
    # then the topology takes its fast path and marks the later copy, as the general path would
    assert topology.is_all_paired and topology.non_manifold_edges == 0
    assert np.flatnonzero(topology.duplicate_faces).tolist() == [13]
    assert topology.shells[0] == 2


def test_packed_and_hashed_edge_sorts_agree():
    # given a mesh with every kind of edge: two cubes sharing an edge (non-manifold), a flipped face and a
    # missing one (open edges)
    from designs.geometry.edges import EdgeTopology, _sort_hashed_half_edges

    vertices, faces = combine(box(), box(origin=(10.0, 10.0, 0.0)))
    faces = faces[1:].copy()
    faces[5] = faces[5][::-1]
    merged = merge_vertices(vertices, faces)
    packed = build_edge_topology(merged.vertices, merged.faces)
    # when the edges are grouped by hashing (the path for meshes too large for one 64-bit key)
    corners = packed.corners
    order, starts = _sort_hashed_half_edges(corners)
    hashed = EdgeTopology(vertices=merged.vertices, corners=corners, order=order, starts=starts, descending=None)
    # then every count, pairing and body is the same
    for name in ("edge_count", "open_edges", "non_manifold_edges", "unpaired_half_edges", "inconsistent_edges"):
        assert getattr(hashed, name) == getattr(packed, name), name
    assert (packed.open_edges, packed.non_manifold_edges, packed.inconsistent_edges) == (3, 1, 3)
    assert np.array_equal(hashed.partner, packed.partner)
    assert np.array_equal(hashed.duplicate_faces, packed.duplicate_faces)
    assert np.array_equal(hashed.shells[1], packed.shells[1])


def test_components_of_long_chains_and_self_loops_match_scipy():
    # given a chain joined from its far end backwards (the deepest forest for the hooking), self-loops,
    # isolated nodes and a second chain interleaved with the first
    from designs.geometry.components import _with_numpy, _with_scipy

    count = 20_000
    odd_backwards = np.arange(9_999, 2, -2)
    even_forwards = np.arange(0, 9_998, 2)
    loops = np.arange(15_000, 15_010)
    first = np.concatenate([odd_backwards, even_forwards, loops])
    second = np.concatenate([odd_backwards - 2, even_forwards + 2, loops])
    # then the contraction finds the same components as scipy, numbered by smallest node
    count_numpy, labels_numpy = _with_numpy(count, first, second)
    count_scipy, labels_scipy = _with_scipy(count, first, second)
    assert count_numpy == count_scipy == 2 + (count - 10_000)
    assert np.array_equal(labels_numpy, labels_scipy)
    assert labels_numpy[9_999] == labels_numpy[1] and labels_numpy[9_998] == labels_numpy[0] != labels_numpy[1]
