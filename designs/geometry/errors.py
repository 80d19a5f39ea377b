"""The one error the geometry package raises for a file that cannot be used."""


class MeshError(Exception):
    """A problem with the customer's file, told in plain words.

    ``code`` is a short stable slug the platform can branch on: "empty_file", "too_large" (bytes),
    "unreadable", "truncated", "no_faces", "too_many_faces", "too_many_vertices", "non_finite",
    "bad_indices", "out_of_range" (absurd coordinates), "unsafe_archive" (zip bombs), "unsafe_xml" (DTDs and
    entities), "external_reference" (glTF data in other files), "unsupported", "bad_units". ``message`` is
    written for the customer and is also ``str(error)``. Every one of them is final: retrying cannot help.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"MeshError({self.code!r}, {self.message!r})"
