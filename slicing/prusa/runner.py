"""Run ``prusa-slicer`` on one build plate as a killable subprocess and read back time, material and layers.

The slicer is third-party C++ that can crash, hang or eat memory on a hostile mesh, so it runs in its own
process group (a timeout kills the whole group), under an address-space limit, in a temporary folder the
caller owns, with its own ``--datadir`` so it never touches the worker's home. Its refusals become messages a
customer can read; the raw log stays in the exception's ``detail`` for staff.
"""

import contextlib
import functools
import os
import re
import resource
import shutil
import signal
import subprocess
import time
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import SlicerFailed, SlicerMissing, SlicerTimedOut
from .profiles import FFF, SLA, FlatConfig

EXECUTABLE_ENV = "PRUSASLICER_BIN"
DEFAULT_EXECUTABLE = "prusa-slicer"

# The estimates and totals sit just before the configuration dump at the end of a G-code file (about 11 KB
# from the end for a Prusa MK3S profile); read that much, more only if a profile writes a longer dump.
_TAIL_BYTES = 64 * 1024
_TAIL_MAX_BYTES = 1024 * 1024
_CHUNK_BYTES = 1024 * 1024

_OBJECT_LABEL = re.compile(rb"^; printing object (.*) id:(\d+) copy (\d+)", re.MULTILINE)
_Z_MARK = re.compile(rb"^;Z:([0-9.]+)", re.MULTILINE)
_DURATION_PART = re.compile(r"(\d+)\s*([dhms])")
_OUT_OF_MEMORY = ("bad_alloc", "failed to map segment", "Resource temporarily unavailable", "Cannot allocate memory")
_LOG_PREFIX = re.compile(r"^\[[^\]]*\]\s*\[[^\]]*\]\s*\[(\w+)\]\s*")


@dataclass(frozen=True)
class MeshInput:
    """One mesh file (STL, 3MF, OBJ) and how many copies of it go on the plate."""

    path: Path
    copies: int = 1


@dataclass(frozen=True)
class SliceLimits:
    """Per-run limits; the worker's queue sets its own on top."""

    time_seconds: float = 300.0
    # Address space, not resident memory: PrusaSlicer 2.5's libraries alone need about 250 MB of it, and
    # each worker thread maps its own stack and heap arenas; the 3DBenchy peaks at about 125 MB resident.
    memory_bytes: int | None = 4 * 1024**3


@dataclass(frozen=True)
class SliceResult:
    """What the slicer made of one plate. Times in seconds, lengths in millimetres."""

    technology: str  # FFF or SLA
    print_time_s: float  # the printer's normal mode
    layers: int
    objects: int  # objects on the plate, copies counted
    output_path: Path  # the G-code or the SLA archive
    printer_id: str
    print_preset: str
    material_preset: str
    slicer_version: str
    max_z_mm: float = 0.0
    silent_time_s: float | None = None
    filament_mm: float | None = None
    filament_cm3: float | None = None
    filament_g: float | None = None
    resin_ml: float | None = None
    elapsed_s: float = 0.0
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def material_cm3(self) -> float:
        """Material the printer will use (filament or resin; 1 ml = 1 cm3), supports included."""
        return (self.filament_cm3 if self.technology == FFF else self.resin_ml) or 0.0


def executable(override: str | None = None) -> str:
    """The slicer program: ``override`` (a caller's setting), else ``PRUSASLICER_BIN``, else ``prusa-slicer``."""
    return override or os.environ.get(EXECUTABLE_ENV) or DEFAULT_EXECUTABLE


def available(program: str | None = None) -> bool:
    """Whether the slicer can be run on this server (``program`` as for ``executable``)."""
    return shutil.which(executable(program)) is not None


@functools.lru_cache(maxsize=4)
def _version_of(path: str) -> str:
    completed = subprocess.run(
        [path, "--help"], capture_output=True, text=True, timeout=30, check=False, start_new_session=True
    )
    match = re.search(r"PrusaSlicer-(\S+)", completed.stdout + completed.stderr)
    return match.group(1) if match else ""


def version(program: str | None = None) -> str | None:
    """The installed slicer's version (``"2.5.0+UNKNOWN"``), or None when it is not installed."""
    path = shutil.which(executable(program))
    return _version_of(path) if path else None


def parse_duration(text: str) -> float:
    """``"1d 2h 3m 4s"`` (any subset, PrusaSlicer's format) -> seconds."""
    factors = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    parts = _DURATION_PART.findall(text)
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return float(sum(int(number) * factors[unit] for number, unit in parts))


def _sum_numbers(text: str) -> float:
    # Multi-extruder printers write one value per extruder: "12.3, 0.0".
    return sum(float(part) for part in text.split(",") if part.strip())


def _read_tail(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        end = handle.tell()
        handle.seek(max(0, end - size))
        return handle.read()


def read_gcode_summary(path: Path) -> dict[str, float | str]:
    """The estimates at the end of a PrusaSlicer G-code file, without reading the whole file."""
    size = _TAIL_BYTES
    while True:
        tail = _read_tail(path, size).decode("utf-8", errors="replace")
        if "; estimated printing time (normal mode)" in tail or size >= _TAIL_MAX_BYTES:
            break
        size *= 4
    values: dict[str, str] = {}
    for line in tail.splitlines():
        if line.startswith("; ") and " = " in line:
            key, _, value = line[2:].partition(" = ")
            values.setdefault(key.strip(), value.strip())
    summary: dict[str, float | str] = {}
    if "estimated printing time (normal mode)" in values:
        summary["print_time_s"] = parse_duration(values["estimated printing time (normal mode)"])
    if "estimated printing time (silent mode)" in values:
        summary["silent_time_s"] = parse_duration(values["estimated printing time (silent mode)"])
    for key, name in (("filament used [mm]", "filament_mm"), ("filament used [cm3]", "filament_cm3")):
        if key in values:
            summary[name] = _sum_numbers(values[key])
    grams = values.get("total filament used [g]") or values.get("filament used [g]")
    if grams:
        summary["filament_g"] = _sum_numbers(grams)
    if "max_print_height" in values:
        summary["max_print_height"] = float(values["max_print_height"])
    return summary


def scan_gcode(path: Path) -> tuple[int, int, float]:
    """Layers, objects (copies counted) and the top Z of a G-code file, in one pass of C-speed searches."""
    layers = 0
    objects: set[bytes] = set()
    max_z = 0.0
    carry = b""
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            block = carry + chunk
            cut = block.rfind(b"\n") + 1
            block, carry = block[:cut], block[cut:]
            layers += block.count(b"\n;LAYER_CHANGE\n") + block.startswith(b";LAYER_CHANGE\n")
            for match in _OBJECT_LABEL.finditer(block):
                objects.add(match.group(2) + b":" + match.group(3))
            marks = _Z_MARK.findall(block)
            if marks:
                max_z = max(max_z, max(float(mark) for mark in marks))
    return layers, len(objects), max_z


def read_sla_summary(path: Path) -> dict[str, float | str]:
    """Time, resin and layers from the ``config.ini`` inside an SL1/SL1S archive."""
    try:
        with zipfile.ZipFile(path) as archive:
            text = archive.read("config.ini").decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise SlicerFailed("PrusaSlicer wrote an unreadable resin print file", detail=str(error))
    values = {}
    for line in text.splitlines():
        key, separator, value = line.partition(" = ")
        if separator:
            values[key.strip()] = value.strip()
    layers = int(values.get("numFast", 0)) + int(values.get("numSlow", 0))
    layer_height = float(values.get("layerHeight", 0) or 0)
    return {
        "print_time_s": float(values.get("printTime", 0) or 0),
        "resin_ml": float(values.get("usedMaterial", 0) or 0),
        "layers": layers,
        "max_z_mm": round(layers * layer_height, 3),
        "version": values.get("prusaSlicerVersion", "").removeprefix("PrusaSlicer-"),
    }


def _limit_resources(memory_bytes: int | None):
    def apply():  # runs in the child between fork and exec
        if memory_bytes:
            resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _log_lines(log_path: Path) -> list[str]:
    try:
        text = _read_tail(log_path, _TAIL_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return []
    lines = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or "=>" in line or "[trace]" in line or "[info]" in line:
            continue
        lines.append(_LOG_PREFIX.sub("", line))
    return lines


def _refusal(lines: list[str], returncode: int, objects: int, limits: SliceLimits) -> SlicerFailed:
    """PrusaSlicer's own complaint, turned into a sentence for the customer."""
    text = "\n".join(lines)
    detail = text[-4000:]
    # Under the address-space limit a load, a thread or an allocation fails, depending on where it hits.
    if any(sign in text for sign in _OUT_OF_MEMORY):
        limit = f" ({limits.memory_bytes // 1024**2} MB)" if limits.memory_bytes else ""
        return SlicerFailed(f"PrusaSlicer ran out of memory{limit} on this part", detail=detail, exit_code=returncode)
    if "could not fit on the bed" in text:
        what = "The copies do not fit together" if objects > 1 else "The part does not fit"
        return SlicerFailed(f"{what} on this printer's bed", detail=detail, exit_code=returncode)
    if "No layers were detected" in text or "print is empty" in text.lower():
        return SlicerFailed(
            "PrusaSlicer found nothing to print: the part is too thin or too small to give a single layer, "
            "or its surface is not closed",
            detail=detail,
            exit_code=returncode,
        )
    if "Loading of a model file failed" in text or "empty file" in text or "No such file" in text:
        return SlicerFailed("PrusaSlicer could not read the model file", detail=detail, exit_code=returncode)
    own = next((line.split("what():", 1)[1].strip() for line in lines if "what():" in line), None)
    own = own or next((line for line in reversed(lines) if "error" in line.lower()), None)
    own = own or (lines[-1] if lines else "")
    if returncode < 0 and not own:
        return SlicerFailed(f"PrusaSlicer crashed (signal {-returncode})", detail=detail, exit_code=returncode)
    own = re.sub(r"^error:\s*", "", own, flags=re.IGNORECASE).rstrip(".")
    message = f"PrusaSlicer refused the part: {own or 'no reason given'}"
    return SlicerFailed(message, detail=detail, exit_code=returncode)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def slice_plate(
    meshes: Sequence[MeshInput | str | os.PathLike],
    config: FlatConfig,
    workdir: str | os.PathLike,
    *,
    limits: SliceLimits = SliceLimits(),
    output_name: str | None = None,
    extra_args: Sequence[str] = (),
    program: str | None = None,
) -> SliceResult:
    """Slice the meshes (with their copies) as one plate on the printer of ``config``.

    ``workdir`` must exist and belong to the caller (a ``TemporaryDirectory``): the configuration, the log,
    PrusaSlicer's data folder and the output file are written there. One mesh with copies uses
    ``--duplicate``; several meshes are merged (``--merge``) and arranged by PrusaSlicer. ``program`` is the
    slicer to run (default: ``executable()``).
    """
    workdir = Path(workdir)
    inputs = [item if isinstance(item, MeshInput) else MeshInput(Path(item)) for item in meshes]
    if not inputs or any(item.copies < 1 for item in inputs):
        raise ValueError("slice_plate needs at least one mesh and at least one copy of each")
    technology = config.choice.technology
    suffix = ".gcode" if technology == FFF else ".sl1s" if config.profile.model_id == "SL1S" else ".sl1"
    output = workdir / (output_name or f"plate{suffix}")
    ini = config.write(workdir / "config.ini")
    log_path = workdir / "slicer.log"
    (workdir / "datadir").mkdir(exist_ok=True)

    command = [executable(program), "--loglevel", "1", "--datadir", str(workdir / "datadir")]
    command += ["--export-gcode" if technology == FFF else "--export-sla", "--load", str(ini), "-o", str(output)]
    command += list(extra_args)
    total_objects = sum(item.copies for item in inputs)
    if len(inputs) == 1:
        if inputs[0].copies > 1:
            command += ["--duplicate", str(inputs[0].copies)]
        command.append(str(Path(inputs[0].path).resolve()))
    else:
        command.append("--merge")
        for item in inputs:
            command += [str(Path(item.path).resolve())] * item.copies

    started = time.monotonic()
    with log_path.open("wb") as log:
        try:
            process = subprocess.Popen(
                command,
                cwd=workdir,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a timeout can kill every thread and child
                preexec_fn=_limit_resources(limits.memory_bytes),
                env={**os.environ, "HOME": str(workdir), "DISPLAY": ""},
            )
        except FileNotFoundError:
            raise SlicerMissing("PrusaSlicer is not installed on this server")
        try:
            returncode = process.wait(timeout=limits.time_seconds)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            raise SlicerTimedOut(f"PrusaSlicer took longer than {limits.time_seconds:g} s on this part and was stopped")
        finally:
            # Nothing of the slicer may outlive the call, whatever happened above.
            if process.returncode is None:
                _kill_group(process)
    elapsed = time.monotonic() - started
    lines = _log_lines(log_path)
    if returncode != 0 or not output.is_file() or output.stat().st_size == 0:
        raise _refusal(lines, returncode, total_objects, limits)

    warnings = list(config.choice.warnings)
    warnings += [line for line in lines if "warning" in line.lower()]
    common = {
        "technology": technology,
        "output_path": output,
        "printer_id": config.choice.printer_id,
        "print_preset": config.choice.print,
        "material_preset": config.choice.material,
        "elapsed_s": round(elapsed, 3),
    }
    if technology == SLA:
        summary = read_sla_summary(output)
        return SliceResult(
            print_time_s=float(summary["print_time_s"]),
            layers=int(summary["layers"]),
            objects=total_objects,
            slicer_version=str(summary["version"]),
            max_z_mm=float(summary["max_z_mm"]),
            resin_ml=float(summary["resin_ml"]),
            warnings=tuple(warnings),
            **common,
        )

    summary = read_gcode_summary(output)
    if "print_time_s" not in summary:
        raise SlicerFailed("PrusaSlicer wrote a G-code file without a time estimate", detail="\n".join(lines))
    layers, objects, max_z = scan_gcode(output)
    _check_height(max_z, config.values)
    return SliceResult(
        print_time_s=float(summary["print_time_s"]),
        silent_time_s=_optional(summary.get("silent_time_s")),
        layers=layers,
        objects=objects,
        slicer_version=_gcode_version(output),
        max_z_mm=max_z,
        filament_mm=_optional(summary.get("filament_mm")),
        filament_cm3=_optional(summary.get("filament_cm3")),
        filament_g=_optional(summary.get("filament_g")),
        warnings=tuple(warnings),
        **common,
    )


def _optional(value) -> float | None:
    return None if value is None else float(value)


def _check_height(max_z: float, values: Mapping[str, str]) -> None:
    # PrusaSlicer 2.5's command line slices a part taller than the printer without a word.
    try:
        height = float(values.get("max_print_height", "0") or 0)
    except ValueError:
        return
    if height and max_z > height + 0.01:
        raise SlicerFailed(f"The part is {max_z:.0f} mm tall; this printer prints up to {height:.0f} mm")


def _gcode_version(path: Path) -> str:
    with path.open("rb") as handle:
        head = handle.read(256).decode("utf-8", errors="replace")
    match = re.search(r"generated by PrusaSlicer (\S+)", head)
    return match.group(1) if match else ""
