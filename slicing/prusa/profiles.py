"""Printer profiles (vendor + model + nozzle) and the one flat configuration PrusaSlicer is given per slice.

A maker's printer names a profile from the vendor bundles, so time and material come from that machine's own
limits and speeds. The bundles pair print and material presets with printers through conditions; we pick, for
a printer and one of our material codes, the presets PrusaSlicer itself would list as compatible, preferring a
0.20 mm (FFF) or 0.05 mm (SLA) "quality/normal" print and a generic filament, and merge them into one INI.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .bundles import PROFILES_DIR_ENV, Bundle, load_bundle, load_bundles, profiles_dir, split_names, unquote
from .conditions import ConditionError, evaluate
from .errors import BundleError, NoCompatiblePreset, NotSliceable, UnknownPrinter

FFF = "FFF"
SLA = "SLA"
DEFAULT_LAYER_HEIGHT = {FFF: 0.2, SLA: 0.05}

# The bundle whose generic filaments stand in when a vendor ships none of a type (Creality has no FLEX).
GENERIC_FILAMENT_VENDOR = "PrusaResearch"

# Keys that only link presets inside a bundle; PrusaSlicer's full configurations do not carry them.
_BUNDLE_ONLY_KEYS = frozenset(
    {
        "inherits",
        "renamed_from",
        "compatible_printers",
        "compatible_printers_condition",
        "compatible_prints",
        "compatible_prints_condition",
        "alias",
    }
)

# Print preset names that are tuned for something else than an ordinary part (soluble supports, vase mode,
# the fastest drafts, firmware experiments): never the first choice.
_SPECIAL_PRINT = re.compile(r"SOLUBLE|Linear Advance|100mms|VASE|DRAFT|SPEED|FAST|UltraDetail|MMU", re.IGNORECASE)
_ORDINARY_PRINT = re.compile(r"QUALITY|NORMAL|OPTIMAL|STANDARD|Normal", re.IGNORECASE)


@dataclass(frozen=True)
class MaterialKind:
    """How one of our material codes maps onto PrusaSlicer presets."""

    code: str
    technology: str  # FFF or SLA
    filament_types: tuple[str, ...] = ()  # ``filament_type`` values in order of preference (FFF)


# Our catalogue's codes (orders' Material.code); ASA falls back to ABS settings when a vendor ships no ASA.
MATERIAL_KINDS = {
    "pla": MaterialKind("pla", FFF, ("PLA",)),
    "petg": MaterialKind("petg", FFF, ("PETG", "PET")),
    "r-petg": MaterialKind("r-petg", FFF, ("PETG", "PET")),
    "asa": MaterialKind("asa", FFF, ("ASA", "ABS")),
    "tpu": MaterialKind("tpu", FFF, ("FLEX",)),
    "resin-standard": MaterialKind("resin-standard", SLA),
}
# Processes PrusaSlicer has no notion of: their quotes stay estimates.
NOT_SLICEABLE = {
    "pa12-sls": "SLS powder-bed nylon",
    "pa12-mjf": "HP Multi Jet Fusion nylon",
    "steel-316l": "metal powder-bed fusion",
}


@dataclass(frozen=True)
class PrinterProfile:
    """A real printer model with one nozzle, as the vendor bundles describe it."""

    id: str  # "PrusaResearch/MK3S/0.4": bundle file name / printer_model / variant
    vendor_id: str
    vendor: str
    model_id: str
    model_name: str
    variant: str
    technology: str  # FFF or SLA
    nozzle_mm: float | None  # None for resin printers
    build_volume_mm: tuple[float, float, float]
    preset: str  # the printer preset's name in the bundle
    family: str = ""


@dataclass(frozen=True)
class PresetChoice:
    """The presets picked for one printer and material, and anything worth telling about the choice."""

    printer_id: str
    technology: str
    printer: str
    print: str
    material: str
    material_vendor_id: str
    layer_height: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class FlatConfig:
    """Everything PrusaSlicer needs for one slice, ready for ``--load``."""

    choice: PresetChoice
    profile: PrinterProfile
    values: dict[str, str]

    def write(self, path: str | os.PathLike) -> Path:
        return write_ini(self.values, path)


def material_kind(code: str) -> MaterialKind:
    """The PrusaSlicer side of a material code, or ``NotSliceable`` saying why there is none."""
    normalised = code.strip().lower().replace("_", "-")
    if normalised in MATERIAL_KINDS:
        return MATERIAL_KINDS[normalised]
    if normalised in NOT_SLICEABLE:
        raise NotSliceable(
            f"PrusaSlicer slices filament and resin printers only; {NOT_SLICEABLE[normalised]} is quoted "
            "from the part's volume instead"
        )
    raise NotSliceable(f"no PrusaSlicer material profile is known for the material {code!r}")


def _bed_extents(bed_shape: str) -> tuple[float, float]:
    points = []
    for point in bed_shape.split(","):
        x, _, y = point.strip().partition("x")
        points.append((float(x), float(y)))
    if not points:
        return (0.0, 0.0)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    return (round(max(xs) - min(xs), 3), round(max(ys) - min(ys), 3))


def _first_number(value: str) -> float | None:
    try:
        return float(value.split(",")[0])
    except (ValueError, AttributeError):
        return None


def _printer_preset_rank(name: str, config: Mapping[str, str]) -> tuple:
    # The plain single-nozzle machine, not its multi-material or single-extruder-MMU variant.
    return (
        config.get("single_extruder_multi_material", "0") == "1",
        len(config.get("nozzle_diameter", "").split(",")) > 1,
        len(name),
        name,
    )


def _profiles_of(bundle: Bundle) -> list[PrinterProfile]:
    profiles = []
    by_model_variant: dict[tuple[str, str], list[str]] = {}
    for name, config in bundle.presets["printer"].items():
        key = (config.get("printer_model", ""), config.get("printer_variant", ""))
        by_model_variant.setdefault(key, []).append(name)
    for model_id, model in bundle.models.items():
        technology = model.get("technology", FFF).upper()
        for variant in split_names(model.get("variants", "")):
            names = by_model_variant.get((model_id, variant))
            if not names:
                continue
            config = bundle.presets["printer"]
            preset = min(names, key=lambda name: _printer_preset_rank(name, config[name]))
            values = config[preset]
            x, y = _bed_extents(values.get("bed_shape", "0x0,200x0,200x200,0x200"))
            z = float(values.get("max_print_height", "200") or 200)
            profiles.append(
                PrinterProfile(
                    id=f"{bundle.vendor_id}/{model_id}/{variant}",
                    vendor_id=bundle.vendor_id,
                    vendor=bundle.vendor_name,
                    model_id=model_id,
                    model_name=model.get("name", model_id).replace("&&", "&"),
                    variant=variant,
                    technology=technology,
                    nozzle_mm=_first_number(values.get("nozzle_diameter", "")) if technology == FFF else None,
                    build_volume_mm=(x, y, z),
                    preset=preset,
                    family=model.get("family", ""),
                )
            )
    return profiles


def printer_catalogue(folder: str | os.PathLike | None = None) -> list[PrinterProfile]:
    """Every printer model + nozzle of every vendor bundle, in the bundles' own order."""
    return [profile for bundle in load_bundles(folder).values() for profile in _profiles_of(bundle)]


def printer_profile(printer_id: str, folder: str | os.PathLike | None = None) -> PrinterProfile:
    """One printer profile by id (``"PrusaResearch/MK3S/0.4"``); ``UnknownPrinter`` when there is none."""
    vendor_id, _, _ = printer_id.partition("/")
    folder_path = profiles_dir(folder)
    if not folder_path.is_dir():
        raise BundleError(f"no PrusaSlicer profiles folder at {folder_path} (set {PROFILES_DIR_ENV})")
    path = folder_path / f"{vendor_id}.ini"
    if not vendor_id or not path.is_file():
        raise UnknownPrinter(f"no printer profile {printer_id!r}: PrusaSlicer has no {vendor_id!r} profiles here")
    for profile in _profiles_of(load_bundle(path)):
        if profile.id == printer_id:
            return profile
    raise UnknownPrinter(f"no printer profile {printer_id!r} in PrusaSlicer's {vendor_id} profiles")


def _compatible(preset: Mapping[str, str], printer_name: str, printer: Mapping[str, str], print_config=None) -> bool:
    # PrusaSlicer's rule: an explicit list of printer names wins over the condition.
    names = split_names(preset.get("compatible_printers", ""))
    try:
        if names:
            printer_ok = printer_name in names
        else:
            printer_ok = evaluate(preset.get("compatible_printers_condition", ""), printer)
        if not printer_ok:
            return False
        if print_config is not None:
            print_names = split_names(preset.get("compatible_prints", ""))
            if print_names:
                return print_config.get("print_settings_id", "") in print_names
            return evaluate(preset.get("compatible_prints_condition", ""), print_config)
    except ConditionError:
        # PrusaSlicer shows such a preset everywhere; we would rather not guess with it.
        return False
    return True


def _layer(config: Mapping[str, str]) -> float:
    return _first_number(config.get("layer_height", "")) or 0.0


def _pick_print(bundle: Bundle, kind: str, profile: PrinterProfile, printer: Mapping[str, str], layer: float):
    default_key = "default_print_profile" if kind == "print" else "default_sla_print_profile"
    default = unquote(printer.get(default_key, ""))
    candidates = [
        (name, config) for name, config in bundle.presets[kind].items() if _compatible(config, profile.preset, printer)
    ]
    if not candidates:
        raise NoCompatiblePreset(f"PrusaSlicer's {bundle.vendor_id} profiles have no print settings for {profile.id}")

    def rank(item):
        name, config = item
        return (
            round(abs(_layer(config) - layer), 4),
            name != default,
            bool(_SPECIAL_PRINT.search(name)),
            not _ORDINARY_PRINT.search(name),
            len(name),
            name,
        )

    return min(candidates, key=rank)


def _pick_filament(
    bundle: Bundle, kind: MaterialKind, profile: PrinterProfile, printer, print_config, folder
) -> tuple[str, str, list[str]]:
    default_materials = split_names(bundle.models.get(profile.model_id, {}).get("default_materials", ""))
    warnings: list[str] = []

    def candidates(source: Bundle):
        found = []
        for name, config in source.presets["filament"].items():
            # PrusaSlicer's default filament_type is PLA, and a few bundles rely on it.
            filament_type = unquote(config.get("filament_type", "PLA")).upper()
            if filament_type in kind.filament_types and _compatible(config, profile.preset, printer, print_config):
                found.append((kind.filament_types.index(filament_type), name))
        return found

    def rank(item):
        type_rank, name = item
        return (type_rank, not name.startswith("Generic"), name not in default_materials, len(name), name)

    found = candidates(bundle)
    if found:
        type_rank, name = min(found, key=rank)
        if type_rank:
            warnings.append(
                f"{bundle.vendor_id} has no {kind.filament_types[0]} filament profile for this printer; used {name}"
            )
        return bundle.vendor_id, name, warnings
    generic_path = profiles_dir(folder) / f"{GENERIC_FILAMENT_VENDOR}.ini"
    if bundle.vendor_id != GENERIC_FILAMENT_VENDOR and generic_path.is_file():
        generic = [item for item in candidates(load_bundle(generic_path)) if item[1].startswith("Generic")]
        if generic:
            _, name = min(generic, key=rank)
            warnings.append(
                f"{bundle.vendor_id} has no {kind.filament_types[0]} filament profile; "
                f"used {GENERIC_FILAMENT_VENDOR}'s {name}"
            )
            return GENERIC_FILAMENT_VENDOR, name, warnings
    raise NoCompatiblePreset(
        f"PrusaSlicer has no {'/'.join(kind.filament_types)} filament profile for the {profile.model_name}"
    )


def _pick_resin(bundle: Bundle, profile: PrinterProfile, printer, print_config) -> str:
    default = unquote(printer.get("default_sla_material_profile", ""))
    default_materials = split_names(bundle.models.get(profile.model_id, {}).get("default_materials", ""))
    names = [
        name
        for name, config in bundle.presets["sla_material"].items()
        if _compatible(config, profile.preset, printer, print_config)
    ]
    if not names:
        raise NoCompatiblePreset(f"PrusaSlicer has no resin profile for the {profile.model_name} at this layer height")
    return min(names, key=lambda name: (name != default, name not in default_materials, "Tough" not in name, name))


def select_presets(
    printer_id: str,
    material_code: str,
    layer_height: float | None = None,
    folder: str | os.PathLike | None = None,
) -> PresetChoice:
    """The print and material presets PrusaSlicer would accept for this printer and material."""
    kind = material_kind(material_code)
    profile = printer_profile(printer_id, folder)
    if kind.technology != profile.technology:
        what = "a filament" if kind.technology == FFF else "a resin"
        machine = "resin (SLA)" if profile.technology == SLA else "filament (FFF)"
        raise NotSliceable(f"{material_code} is {what} material; the {profile.model_name} is a {machine} printer")
    bundle = load_bundle(profiles_dir(folder) / f"{profile.vendor_id}.ini")
    printer = bundle.preset("printer", profile.preset)
    layer = layer_height if layer_height is not None else DEFAULT_LAYER_HEIGHT[profile.technology]
    print_kind = "print" if profile.technology == FFF else "sla_print"
    print_name, print_config = _pick_print(bundle, print_kind, profile, printer, layer)
    print_config = {**print_config, "print_settings_id": print_name}
    warnings = []
    if abs(_layer(print_config) - layer) > 1e-6:
        warnings.append(f"no {layer:g} mm print profile for this printer; used {print_name}")
    if profile.technology == FFF:
        material_vendor, material, more = _pick_filament(bundle, kind, profile, printer, print_config, folder)
        warnings += more
    else:
        material_vendor, material = bundle.vendor_id, _pick_resin(bundle, profile, printer, print_config)
    return PresetChoice(
        printer_id=profile.id,
        technology=profile.technology,
        printer=profile.preset,
        print=print_name,
        material=material,
        material_vendor_id=material_vendor,
        layer_height=_layer(print_config),
        warnings=tuple(warnings),
    )


def flatten(
    printer_id: str,
    material_code: str,
    layer_height: float | None = None,
    overrides: Mapping[str, object] | None = None,
    *,
    build_volume_mm: tuple[float, float, float] | None = None,
    folder: str | os.PathLike | None = None,
) -> FlatConfig:
    """One configuration for ``prusa-slicer --load``: printer + print + material presets, then the overrides.

    ``build_volume_mm`` replaces the bed with a rectangle of that size and the height limit (a maker's own
    printer may be bigger or smaller than the stock model).
    """
    choice = select_presets(printer_id, material_code, layer_height, folder)
    profile = printer_profile(printer_id, folder)
    bundle = load_bundle(profiles_dir(folder) / f"{profile.vendor_id}.ini")
    material_bundle = load_bundle(profiles_dir(folder) / f"{choice.material_vendor_id}.ini")
    if choice.technology == FFF:
        parts = [
            ("printer", bundle.preset("printer", choice.printer)),
            ("print", bundle.preset("print", choice.print)),
            ("filament", material_bundle.preset("filament", choice.material)),
        ]
        ids = {
            "printer_settings_id": choice.printer,
            "print_settings_id": choice.print,
            "filament_settings_id": choice.material,
        }
    else:
        parts = [
            ("printer", bundle.preset("printer", choice.printer)),
            ("sla_print", bundle.preset("sla_print", choice.print)),
            ("sla_material", material_bundle.preset("sla_material", choice.material)),
        ]
        ids = {
            "printer_settings_id": choice.printer,
            "sla_print_settings_id": choice.print,
            "sla_material_settings_id": choice.material,
        }
    values: dict[str, str] = {}
    for _, config in parts:
        values.update({key: value for key, value in config.items() if key not in _BUNDLE_ONLY_KEYS})
    values.update(ids)
    values["printer_technology"] = choice.technology
    if build_volume_mm is not None:
        x, y, z = (float(size) for size in build_volume_mm)
        values["bed_shape"] = f"0x0,{x:g}x0,{x:g}x{y:g},0x{y:g}"
        values["max_print_height"] = f"{z:g}"
        profile = PrinterProfile(**{**profile.__dict__, "build_volume_mm": (x, y, z)})
    for key, value in (overrides or {}).items():
        values[key] = _ini_value(value)
    return FlatConfig(choice=choice, profile=profile, values=values)


def _ini_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list | tuple):
        return ",".join(_ini_value(item) for item in value)
    return str(value)


def write_ini(values: Mapping[str, str], path: str | os.PathLike) -> Path:
    """Write ``key = value`` lines, the format of PrusaSlicer's own ``--save``."""
    path = Path(path)
    lines = [f"{key} = {value}" for key, value in values.items()]
    for line in lines:
        if "\n" in line or "\r" in line:
            raise ValueError(f"an INI value cannot span lines: {line[:60]!r}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
