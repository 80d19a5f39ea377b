"""PrusaSlicer's vendor bundles read as data: printer models, presets, and their ``inherits`` chains resolved.

PrusaSlicer 2.5 cannot pick a preset by name on its command line, so we resolve a preset ourselves and hand it
a flat configuration. The bundles are a few hundred kilobytes of INI; they are parsed once per file version
(path + modification time) and kept in memory.

Inheritance follows PrusaSlicer's ``flatten_configbundle_hierarchy``: a preset's own keys win; with several
parents (``inherits = *a*; *b*``) a later parent's value wins over an earlier one's; ``renamed_from`` is never
inherited; presets named ``*like this*`` are abstract and never offered.
"""

import functools
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BundleError

logger = logging.getLogger(__name__)

PROFILES_DIR_ENV = "PRUSASLICER_PROFILES_DIR"
DEFAULT_PROFILES_DIR = Path("/usr/share/PrusaSlicer/profiles")

# Preset groups of a bundle, as the section prefixes name them.
PRESET_KINDS = ("printer", "print", "filament", "sla_print", "sla_material")


@dataclass(frozen=True)
class Bundle:
    """One vendor bundle (``PrusaResearch.ini``, ``Creality.ini``...) with every concrete preset flattened."""

    vendor_id: str  # the file name without ``.ini``, PrusaSlicer's own vendor id
    vendor_name: str
    path: Path
    models: dict[str, dict[str, str]]  # printer_model id -> its section
    presets: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)  # kind -> name -> flat config

    def preset(self, kind: str, name: str) -> dict[str, str]:
        try:
            return self.presets[kind][name]
        except KeyError:
            raise BundleError(f"{self.vendor_id} has no {kind} preset {name!r}")


def profiles_dir(folder: str | os.PathLike | None = None) -> Path:
    """The bundle folder: the argument, else ``$PRUSASLICER_PROFILES_DIR``, else the Debian package's folder."""
    if folder:
        return Path(folder)
    return Path(os.environ.get(PROFILES_DIR_ENV) or DEFAULT_PROFILES_DIR)


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def split_names(value: str) -> list[str]:
    """``a; "b c"; d`` -> ``["a", "b c", "d"]`` (the form of ``inherits`` and ``compatible_printers``)."""
    return [unquote(part) for part in value.split(";") if part.strip()]


def parse_ini(text: str) -> list[tuple[str, dict[str, str]]]:
    """Sections in file order, each as ``(name, {key: value})``; the rules of boost's INI reader."""
    sections: list[tuple[str, dict[str, str]]] = []
    current: dict[str, str] | None = None
    for number, raw_line in enumerate(text.splitlines(), start=1):
        line = raw_line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = {}
            sections.append((line[1:-1].strip(), current))
            continue
        key, separator, value = line.partition("=")
        if not separator or current is None:
            raise BundleError(f"line {number}: expected 'key = value' inside a section: {line[:60]!r}")
        current[key.strip()] = value.strip()
    return sections


def resolve_inherits(raw: Mapping[str, Mapping[str, str]], kind: str = "preset") -> dict[str, dict[str, str]]:
    """Flatten every preset of one group; the result has no ``inherits`` key."""
    resolved: dict[str, dict[str, str]] = {}
    visiting: set[str] = set()

    def flat(name: str) -> dict[str, str]:
        if name in resolved:
            return resolved[name]
        if name not in raw:
            raise BundleError(f"{kind} preset inherits an unknown preset {name!r}")
        if name in visiting:
            raise BundleError(f"{kind} preset {name!r} inherits itself")
        visiting.add(name)
        own = raw[name]
        merged: dict[str, str] = {}
        for parent in split_names(own.get("inherits", "")):
            merged.update({key: value for key, value in flat(parent).items() if key != "renamed_from"})
        merged.update(own)
        merged.pop("inherits", None)
        visiting.discard(name)
        resolved[name] = merged
        return merged

    for name in raw:
        flat(name)
    return resolved


def parse_bundle(path: Path) -> Bundle:
    """Read and flatten one bundle file (no cache; see ``load_bundle``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise BundleError(f"cannot read {path}: {error}")
    vendor_name = path.stem
    models: dict[str, dict[str, str]] = {}
    raw: dict[str, dict[str, dict[str, str]]] = {kind: {} for kind in PRESET_KINDS}
    for section, values in parse_ini(text):
        group, _, name = section.partition(":")
        if section == "vendor":
            vendor_name = values.get("name", vendor_name)
        elif group == "printer_model" and name:
            models[name] = values
        elif group in raw and name:
            raw[group][name] = values
    presets = {}
    for kind, sections in raw.items():
        flat = resolve_inherits(sections, kind)
        presets[kind] = {name: config for name, config in flat.items() if not name.startswith("*")}
    return Bundle(vendor_id=path.stem, vendor_name=vendor_name, path=path, models=models, presets=presets)


@functools.lru_cache(maxsize=64)
def _load_bundle_cached(path: str, modified_ns: int, size: int) -> Bundle:
    return parse_bundle(Path(path))


def load_bundle(path: str | os.PathLike) -> Bundle:
    """A parsed bundle, cached until the file changes (a bundle update replaces the file)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        raise BundleError(f"cannot read {path}: {error}")
    return _load_bundle_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def bundle_paths(folder: str | os.PathLike | None = None) -> list[Path]:
    folder = profiles_dir(folder)
    if not folder.is_dir():
        raise BundleError(f"no PrusaSlicer profiles folder at {folder} (set {PROFILES_DIR_ENV})")
    return sorted(folder.glob("*.ini"))


def load_bundles(folder: str | os.PathLike | None = None) -> dict[str, Bundle]:
    """Every vendor bundle in the folder by vendor id; a bundle that fails to read is left out."""
    bundles = {}
    for path in bundle_paths(folder):
        try:
            bundles[path.stem] = load_bundle(path)
        except BundleError as error:
            # One broken vendor file must not hide the other vendors' printers.
            logger.warning("skipping PrusaSlicer bundle %s: %s", path.name, error)
    return bundles
