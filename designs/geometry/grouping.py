"""Grouping equal rows fast, the work under vertex merging, edge counting and duplicate detection.

``np.unique(axis=0)`` sorts rows lexicographically through a void view and ``np.argsort`` on 64-bit keys
is about five times slower than ``np.sort`` (which numpy runs with AVX-512 here). So each row gets one
64-bit key: a hash of the row in the high bits and the row's index in the low bits. Sorting those plain
integers yields both the groups and the permutation. Every group is verified afterwards, and groups that
a collision (unlucky or crafted) put together are split again exactly, so the result never depends on
luck. (Edge keys, which fit in one word exactly, are packed the same way in ``edges``.)
"""

from dataclasses import dataclass
from functools import cached_property

import numpy as np

_FINAL_MULTIPLIER = np.uint64(0x94D049BB133111EB)


_COLUMN_MULTIPLIERS = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xC2B2AE3D27D4EB4F),
    np.uint64(0x165667B19E3779F9),
    np.uint64(0xD6E8FEB86659FD93),
)


def hash_rows(words: np.ndarray) -> np.ndarray:
    """One uint64 per row of a (n, k) uint32 or uint64 array.

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
    # The 64-bit key buffer the sort used, of no further use once ``starts`` is known: a caller may fill
    # it with a result of the same length instead of touching another 8 bytes per row of fresh memory.
    scratch: np.ndarray | None = None

    @cached_property
    def start_positions(self) -> np.ndarray:
        return np.flatnonzero(self.starts)

    @property
    def sizes(self) -> np.ndarray:
        positions = self.start_positions
        return np.diff(np.append(positions, len(self.order)))


def sort_into_groups(words: np.ndarray, *, verify: bool = True) -> SortedGroups:
    """Group equal rows of an (n, k) uint32 or uint64 array by hash.

    ``verify=False`` leaves the groups as the hash made them (the caller checks them; see
    ``group_equal_rows``); otherwise groups that a collision put together are split exactly.
    """
    row_count = len(words)
    if row_count == 0:
        return SortedGroups(order=np.zeros(0, dtype=np.int64), starts=np.zeros(0, dtype=bool))
    index_bits = bits_needed(row_count)
    shift = np.uint64(index_bits)
    packed = np.empty(row_count, dtype=np.uint64)
    hash_mask = np.uint64(((1 << 64) - 1) ^ ((1 << index_bits) - 1))
    offsets = np.arange(min(_CHUNK, row_count), dtype=np.uint64)
    # Slices keep the hash's temporaries in the CPU cache (whole-array passes are about twice as slow).
    for begin in range(0, row_count, _CHUNK):
        stop = min(begin + _CHUNK, row_count)
        block = packed[begin:stop]
        block[...] = hash_rows(words[begin:stop])
        block &= hash_mask
        block |= offsets[: stop - begin] + np.uint64(begin)
    packed.sort()
    order = np.empty(row_count, dtype=_index_type(row_count))
    index_mask = np.uint64((1 << index_bits) - 1)
    for begin in range(0, row_count, _CHUNK):
        block = packed[begin : begin + _CHUNK]
        order[begin : begin + _CHUNK] = block & index_mask
        block >>= shift
    starts = np.empty(row_count, dtype=bool)
    starts[0] = True
    np.not_equal(packed[1:], packed[:-1], out=starts[1:])
    if verify:
        _split_collisions(words, order, starts)
    return SortedGroups(order=order, starts=starts, scratch=packed)


_CHUNK = 1 << 14


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
    """Number the distinct rows of an (n, k) uint32 or uint64 array by first appearance.

    The rows are grouped by hash alone, then every row is compared with its group's first row (gathered
    from the small table of distinct rows, which stays in cache: much cheaper than comparing neighbours
    in hash order across the whole array). Only when that finds a collision are the groups split exactly.
    """
    row_count = len(words)
    if row_count == 0:
        empty = np.zeros(0, dtype=np.int64)
        return RowGroups(inverse=empty, first_row=empty)
    groups = sort_into_groups(words, verify=False)
    # Inside a hash group the rows are in ascending order (the row index is the key's low bits).
    result = _number_by_first_row(groups, groups.order[groups.start_positions])
    if _every_row_matches(words, result.inverse, result.first_row):
        return result
    _split_collisions(words, groups.order, groups.starts)
    # A new object: the split changed ``starts`` under the old one's cached start positions.
    groups = SortedGroups(order=groups.order, starts=groups.starts, scratch=groups.scratch)
    return _number_by_first_row(groups, np.minimum.reduceat(groups.order, groups.start_positions))


def _number_by_first_row(groups: SortedGroups, first_row: np.ndarray) -> RowGroups:
    row_count = len(groups.order)
    group_count = len(first_row)
    # Rank groups by first row with the same packed-sort trick (first rows are distinct and < row_count).
    group_bits = bits_needed(group_count)
    packed = first_row.astype(np.uint64) << np.uint64(group_bits)
    packed |= np.arange(group_count, dtype=np.uint64)
    packed.sort()
    index_type = _index_type(row_count)
    by_first = (packed & np.uint64((1 << group_bits) - 1)).astype(index_type)
    del packed
    rank = np.empty(group_count, dtype=index_type)
    rank[by_first] = np.arange(group_count, dtype=index_type)
    # int64 (in the sort's spare buffer when there is one): np.take gathers about twice as fast with int64
    # indices, and faces are int64 anyway.
    inverse = groups.scratch.view(np.int64) if groups.scratch is not None else np.empty(row_count, dtype=np.int64)
    inverse[groups.order] = np.repeat(rank, groups.sizes)
    return RowGroups(inverse=inverse, first_row=first_row[by_first])


def _every_row_matches(words: np.ndarray, inverse: np.ndarray, first_row: np.ndarray) -> bool:
    """Whether every row equals the first row of its group (gathered whole rows at a time, in slices)."""
    table = np.ascontiguousarray(words[first_row])
    gathered = np.empty((min(_CHUNK, len(words)), words.shape[1]), dtype=words.dtype)
    for begin in range(0, len(words), _CHUNK):
        stop = min(begin + _CHUNK, len(words))
        part = gathered[: stop - begin]
        np.take(table, inverse[begin:stop], axis=0, out=part)
        if not np.array_equal(part, words[begin:stop]):
            return False
    return True
