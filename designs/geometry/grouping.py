"""Grouping equal rows fast, the work under vertex merging, edge counting and duplicate detection.

``np.unique(axis=0)`` sorts rows lexicographically through a void view and ``np.argsort`` on 64-bit keys
is about five times slower than ``np.sort`` (which numpy runs with AVX-512 here). So each row gets one
64-bit key whose low bits hold the row's index: sorting those plain integers yields both the sorted keys
and the permutation. When the row fits in the remaining bits (edge keys of a mesh with fewer than about a
million vertices) the key is exact; otherwise it is a hash and every group is verified afterwards, and
groups that a collision (unlucky or crafted) put together are split again exactly, so the result never
depends on luck.
"""

from dataclasses import dataclass

import numpy as np

_FINAL_MULTIPLIER = np.uint64(0x94D049BB133111EB)


_COLUMN_MULTIPLIERS = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
)


def hash_rows(words: np.ndarray) -> np.ndarray:
    """One uint64 per row of a (n, k) uint64 array.

    Each column is multiplied by its own odd constant and the products are combined; multiplication
    carries every input bit into the high bits, which are the ones ``sort_into_groups`` keeps. A final
    xor-shift and multiply spread them further. Quality only affects speed: groups are verified exactly.
    """
    result = words[:, 0] * _COLUMN_MULTIPLIERS[0]
    scratch = np.empty_like(result)
    for column in range(1, words.shape[1]):
        np.multiply(words[:, column], _COLUMN_MULTIPLIERS[column % len(_COLUMN_MULTIPLIERS)], out=scratch)
        result += scratch
        np.right_shift(result, np.uint64(29), out=scratch)
        result ^= scratch
    np.right_shift(result, np.uint64(32), out=scratch)
    result ^= scratch
    result *= _FINAL_MULTIPLIER
    return result


def _index_type(count: int):
    """int32 indices (half the memory traffic) whenever they fit."""
    return np.int32 if count < 2**31 else np.int64


def bits_needed(count: int) -> int:
    """Bits to hold the numbers 0 .. count - 1."""
    return max(1, int(count - 1).bit_length())


@dataclass(frozen=True, eq=False)
class SortedGroups:
    """Rows ordered so that equal rows sit next to each other.

    ``order[i]`` is a row index; ``starts[i]`` is True where a new group begins in that order.
    """

    order: np.ndarray
    starts: np.ndarray

    @property
    def start_positions(self) -> np.ndarray:
        return np.flatnonzero(self.starts)

    @property
    def sizes(self) -> np.ndarray:
        positions = self.start_positions
        return np.diff(np.append(positions, len(self.order)))

    def group_of_position(self) -> np.ndarray:
        """The group number of each position of ``order`` (groups numbered in sorted order)."""
        return np.cumsum(self.starts, dtype=_index_type(len(self.starts))) - 1

    def group_of_row(self) -> np.ndarray:
        result = np.empty(len(self.order), dtype=np.int64)
        result[self.order] = self.group_of_position()
        return result


def sort_into_groups(words: np.ndarray, *, exact_key: np.ndarray | None = None, key_bits: int = 64) -> SortedGroups:
    """Group equal rows of an (n, k) uint64 array.

    ``exact_key`` (uint64 using at most ``key_bits`` bits, equal exactly when rows are equal) skips hashing
    and verification when it fits beside the row index in one word.
    """
    row_count = len(words)
    if row_count == 0:
        return SortedGroups(order=np.zeros(0, dtype=np.int64), starts=np.zeros(0, dtype=bool))
    index_bits = bits_needed(row_count)
    shift = np.uint64(index_bits)
    is_exact = exact_key is not None and key_bits + index_bits <= 64
    if is_exact:
        packed = exact_key.astype(np.uint64, copy=True)
        packed <<= shift
    else:
        packed = hash_rows(words)
        packed >>= shift
        packed <<= shift
    packed |= np.arange(row_count, dtype=np.uint64)
    packed.sort()
    order = (packed & np.uint64((1 << index_bits) - 1)).astype(_index_type(row_count))
    packed >>= shift
    starts = np.empty(row_count, dtype=bool)
    starts[0] = True
    np.not_equal(packed[1:], packed[:-1], out=starts[1:])
    del packed
    if not is_exact:
        _split_collisions(words, order, starts)
    return SortedGroups(order=order, starts=starts)


def _split_collisions(words: np.ndarray, order: np.ndarray, starts: np.ndarray) -> None:
    """Check every hash group holds equal rows; re-sort exactly (in place) the groups that do not."""
    mismatch = np.zeros(len(order) - 1, dtype=bool)
    for column in range(words.shape[1]):
        values = words[:, column][order]
        mismatch |= values[1:] != values[:-1]
    mismatch &= ~starts[1:]
    if not mismatch.any():
        return
    group = np.cumsum(starts) - 1
    bad_groups = np.unique(group[1:][mismatch])
    positions = np.flatnonzero(np.isin(group, bad_groups))
    rows = order[positions]
    columns = [words[rows, column] for column in range(words.shape[1])]
    resorted = np.lexsort([*columns[::-1], group[positions]])
    rows = rows[resorted]
    order[positions] = rows
    previous = order[positions - 1]
    differs = group[positions] != group[positions - 1]
    for column in range(words.shape[1]):
        differs |= words[rows, column] != words[previous, column]
    differs[positions == 0] = True
    starts[positions] = differs


@dataclass(frozen=True, eq=False)
class RowGroups:
    """Equal rows grouped and numbered in order of their first row (so output keeps the input order).

    ``inverse[i]`` is the group of row ``i``; ``first_row[g]`` the first row of group ``g``.
    """

    inverse: np.ndarray
    first_row: np.ndarray

    @property
    def count(self) -> int:
        return len(self.first_row)


def group_equal_rows(words: np.ndarray) -> RowGroups:
    """Number the distinct rows of an (n, k) uint64 array by first appearance."""
    row_count = len(words)
    if row_count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RowGroups(inverse=empty, first_row=empty)
    groups = sort_into_groups(words)
    start_positions = groups.start_positions
    first_row = np.minimum.reduceat(groups.order, start_positions)
    group_count = len(first_row)
    # Rank groups by first row with the same packed-sort trick (first rows are distinct and < row_count).
    group_bits = bits_needed(group_count)
    packed = first_row.astype(np.uint64) << np.uint64(group_bits)
    packed |= np.arange(group_count, dtype=np.uint64)
    packed.sort()
    by_first = (packed & np.uint64((1 << group_bits) - 1)).astype(np.int64)
    index_type = _index_type(row_count)
    rank = np.empty(group_count, dtype=index_type)
    rank[by_first] = np.arange(group_count, dtype=index_type)
    inverse = np.empty(row_count, dtype=index_type)
    inverse[groups.order] = rank[groups.group_of_position()]
    return RowGroups(inverse=inverse, first_row=first_row[by_first])
