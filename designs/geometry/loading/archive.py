"""Reading members of a ZIP archive (3MF) without letting a zip bomb inflate.

Before anything is inflated the central directory is checked: member count, total uncompressed size and
each large member's compression ratio. The directory can lie, so reading is capped as well: a member that
inflates beyond its declared size (or beyond what is left of the budget) stops there with an error.
"""

import io
import struct
import zipfile
import zlib

from ..errors import MeshError
from ..limits import LoadLimits

_CHUNK = 1 << 20


def _megabytes(size: int) -> str:
    if size >= 1 << 30:
        return f"{size / (1 << 30):.1f} GB"
    return f"{size / (1 << 20):.0f} MB"


class SafeArchive:
    def __init__(self, data: bytes, *, limits: LoadLimits, label: str = "3MF") -> None:
        self.limits = limits
        self.label = label
        self.budget = limits.max_archive_total_bytes
        self.data = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
            members = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, NotImplementedError):
            raise MeshError("unreadable", f"The {label} file is not a readable ZIP archive; it may be damaged.")
        if len(members) > limits.max_archive_members:
            raise MeshError(
                "unsafe_archive",
                f"The {label} archive holds {len(members):,} files; we accept up to {limits.max_archive_members:,}.",
            )
        total = sum(member.file_size for member in members)
        if total > limits.max_archive_total_bytes:
            raise MeshError(
                "unsafe_archive",
                f"The {label} archive would unpack to {_megabytes(total)}, more than the "
                f"{_megabytes(limits.max_archive_total_bytes)} we accept (it may be a zip bomb).",
            )
        for member in members:
            if member.file_size > limits.archive_ratio_floor_bytes:
                ratio = member.file_size / max(member.compress_size, 1)
                if ratio > limits.max_archive_ratio:
                    raise MeshError(
                        "unsafe_archive",
                        f"A file inside the {label} archive is compressed {ratio:,.0f} to 1, far beyond what real "
                        f"models reach (limit {limits.max_archive_ratio:g} to 1); it looks like a zip bomb.",
                    )
        self.members = {member.filename: member for member in members}

    def names(self) -> list[str]:
        return list(self.members)

    def find(self, name: str) -> str | None:
        """The member called ``name`` (leading slash and letter case ignored, as 3MF readers do)."""
        wanted = name.lstrip("/").lower()
        for candidate in self.members:
            if candidate.lstrip("/").lower() == wanted:
                return candidate
        return None

    def read(self, name: str) -> bytes:
        member = self.members[name]
        if member.flag_bits & 0x1:
            raise MeshError(
                "unsupported", f"The {self.label} archive is encrypted; please upload it without a password."
            )
        self._check_local_header(member)
        cap = min(member.file_size, self.budget)
        pieces = []
        received = 0
        try:
            with self.zip.open(member) as stream:
                while True:
                    piece = stream.read(min(_CHUNK, cap - received + 1))
                    if not piece:
                        break
                    received += len(piece)
                    if received > cap:
                        raise MeshError(
                            "unsafe_archive",
                            f"A file inside the {self.label} archive unpacks to more than it declares; "
                            "the archive is damaged or built to exhaust memory.",
                        )
                    pieces.append(piece)
        except MeshError:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, RuntimeError) as error:
            raise MeshError("unreadable", f"A file inside the {self.label} archive cannot be unpacked ({error}).")
        self.budget -= received
        return b"".join(pieces)

    def _check_local_header(self, member: zipfile.ZipInfo) -> None:
        """The sizes in the member's own header must match the directory's (unless a descriptor follows)."""
        offset = member.header_offset
        header = self.data[offset : offset + 30]
        if len(header) < 30 or header[:4] != b"PK\x03\x04":
            raise MeshError("unreadable", f"The {self.label} archive is damaged (a file header is missing).")
        flags, compressed, uncompressed = struct.unpack("<H10xII", header[6:26])
        if flags & 0x08 or 0xFFFFFFFF in (compressed, uncompressed):
            return
        if (compressed, uncompressed) != (member.compress_size, member.file_size):
            raise MeshError(
                "unsafe_archive",
                f"A file inside the {self.label} archive declares two different sizes "
                f"({_megabytes(member.file_size)} and {_megabytes(uncompressed)}); the archive is damaged or "
                "built to exhaust memory.",
            )
