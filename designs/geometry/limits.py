"""Limits that keep a hostile or broken file from exhausting memory or time."""

from dataclasses import dataclass

MEGABYTE = 1024 * 1024


@dataclass(frozen=True)
class LoadLimits:
    """Upper bounds checked *before* anything is allocated from a count the file claims.

    The Django side builds one from settings; the defaults suit a 2 GB analysis worker.
    """

    max_bytes: int = 100 * MEGABYTE
    max_faces: int = 5_000_000
    # An STL stores three corners per face, so after merging a mesh has about half as many vertices as
    # faces; formats with an index (PLY, OFF, OBJ, 3MF) may also carry unused ones.
    max_vertices: int = 10_000_000
    # Archives (3MF): the sum of the uncompressed sizes we are willing to inflate, and the largest
    # compression ratio we accept for a member bigger than ``archive_ratio_floor_bytes``.
    max_archive_total_bytes: int = 1024 * MEGABYTE
    max_archive_ratio: float = 100.0
    archive_ratio_floor_bytes: int = 1 * MEGABYTE
    max_archive_members: int = 10_000
    # 3MF and glTF can instance one object many times; this bounds the faces after flattening as well.
    max_instances: int = 10_000
    # Coordinates beyond this (after unit conversion) are not a part anybody prints: usually garbage bytes.
    max_coordinate_mm: float = 1_000_000.0
