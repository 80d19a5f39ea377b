"""Why a part could not be sliced, in words a customer or a maker understands.

Every failure of this package is a ``SlicingError`` whose ``str()`` can be shown as it is: the quote falls back
to the estimate and says why. ``is_final`` tells the worker whether trying again could help (a refusal of the
part is final; a missing slicer or a hang may not be).
"""


class SlicingError(Exception):
    """Base: the part was not sliced; the message says why."""

    is_final = True


class BundleError(SlicingError):
    """A vendor bundle cannot be read or a preset in it cannot be resolved."""


class UnknownPrinter(BundleError):
    """No printer profile with this id in the vendor bundles."""


class NoCompatiblePreset(BundleError):
    """The bundles have no print or material preset for this printer."""


class NotSliceable(SlicingError):
    """PrusaSlicer cannot slice this material or process (powder bed, metal), or not on this printer."""


class SlicerMissing(SlicingError):
    """The ``prusa-slicer`` program is not installed on this server."""

    is_final = False


class SlicerTimedOut(SlicingError):
    """The slicer took longer than its time limit and was stopped."""

    is_final = False


class SlicerFailed(SlicingError):
    """The slicer ran and refused the part, crashed, or wrote no usable file."""

    def __init__(self, message: str, *, detail: str = "", exit_code: int | None = None):
        super().__init__(message)
        self.detail = detail
        self.exit_code = exit_code
