"""PrusaSlicer as a library: real printer profiles in, time, material, layers and a print file out. No Django.

Why it exists: a quote from a mesh's volume is a guess; the maker's own printer, run through the slicer it
would use, gives the hours and grams the job really takes and the file the maker prints. PrusaSlicer 2.5's
command line cannot choose a vendor preset by name, so this package reads the vendor bundles itself
(``bundles``: INI parsing and ``inherits`` resolved the way PrusaSlicer does it, cached per file version),
picks the print and material presets PrusaSlicer would call compatible (``conditions`` evaluates the bundles'
``compatible_*_condition`` language, ``profiles`` ranks the candidates), writes one flat INI, and runs the
slicer in a caller-owned temporary folder as its own process group under time and memory limits
(``runner``). Every failure is a ``SlicingError`` whose text a customer can read.

Configuration: ``PRUSASLICER_PROFILES_DIR`` (default ``/usr/share/PrusaSlicer/profiles``) and
``PRUSASLICER_BIN`` (default ``prusa-slicer`` on ``PATH``). Printer ids are
``"<bundle file>/<printer_model>/<variant>"``, e.g. ``"PrusaResearch/MK3S/0.4"``, ``"Creality/ENDER3V2/0.4"``,
``"PrusaResearch/SL1S/default"``.

Typical use::

    config = flatten("PrusaResearch/MK3S/0.4", "pla")
    with tempfile.TemporaryDirectory() as folder:
        result = slice_plate([MeshInput(path, copies=3)], config, folder, limits=SliceLimits(time_seconds=120))
"""

from .bundles import DEFAULT_PROFILES_DIR, PROFILES_DIR_ENV, Bundle, load_bundle, load_bundles
from .conditions import ConditionError, evaluate
from .errors import (
    BundleError,
    NoCompatiblePreset,
    NotSliceable,
    SlicerFailed,
    SlicerMissing,
    SlicerTimedOut,
    SlicingError,
    UnknownPrinter,
)
from .profiles import (
    FFF,
    MATERIAL_KINDS,
    NOT_SLICEABLE,
    SLA,
    FlatConfig,
    MaterialKind,
    PresetChoice,
    PrinterProfile,
    flatten,
    material_kind,
    printer_catalogue,
    printer_profile,
    select_presets,
    write_ini,
)
from .runner import (
    EXECUTABLE_ENV,
    MeshInput,
    SliceLimits,
    SliceResult,
    available,
    read_gcode_summary,
    read_sla_summary,
    slice_plate,
    version,
)

__all__ = [
    "DEFAULT_PROFILES_DIR",
    "EXECUTABLE_ENV",
    "FFF",
    "MATERIAL_KINDS",
    "NOT_SLICEABLE",
    "PROFILES_DIR_ENV",
    "SLA",
    "Bundle",
    "BundleError",
    "ConditionError",
    "FlatConfig",
    "MaterialKind",
    "MeshInput",
    "NoCompatiblePreset",
    "NotSliceable",
    "PresetChoice",
    "PrinterProfile",
    "SliceLimits",
    "SliceResult",
    "SlicerFailed",
    "SlicerMissing",
    "SlicerTimedOut",
    "SlicingError",
    "UnknownPrinter",
    "available",
    "evaluate",
    "flatten",
    "load_bundle",
    "load_bundles",
    "material_kind",
    "printer_catalogue",
    "printer_profile",
    "read_gcode_summary",
    "read_sla_summary",
    "select_presets",
    "slice_plate",
    "version",
    "write_ini",
]
