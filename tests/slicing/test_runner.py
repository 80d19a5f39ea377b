"""PrusaSlicer itself: cubes, copies, resin, refusals and a timeout, on the installed vendor profiles."""

import time
from pathlib import Path

import pytest
import trimesh

from slicing.prusa.bundles import profiles_dir
from slicing.prusa.errors import SlicerFailed, SlicerMissing, SlicerTimedOut
from slicing.prusa.profiles import flatten
from slicing.prusa.runner import (
    EXECUTABLE_ENV,
    MeshInput,
    SliceLimits,
    available,
    parse_duration,
    read_gcode_summary,
    slice_plate,
    version,
)
from tests.meshes import require_shared_meshes

needs_slicer = pytest.mark.skipif(
    not available() or not (profiles_dir() / "PrusaResearch.ini").is_file(),
    reason="PrusaSlicer (prusa-slicer and its vendor profiles) is not installed",
)
MK3S = "PrusaResearch/MK3S/0.4"


def box(folder: Path, name: str, size) -> Path:
    path = folder / name
    trimesh.creation.box(extents=size).export(path)
    return path


@pytest.fixture
def mk3s_pla():
    return flatten(MK3S, "pla")


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("28m 57s", 1737), ("1h 6m 6s", 3966), ("45s", 45), ("1d 2h 0m 1s", 93601)],
)
def test_durations_as_prusaslicer_writes_them(text, seconds):
    assert parse_duration(text) == seconds


def test_gcode_summary_is_read_from_the_tail_only(tmp_path):
    path = tmp_path / "plate.gcode"
    body = "G1 X1 Y1 E0.1\n" * 200_000  # 2.8 MB of moves the reader must not need
    tail = (
        "; filament used [mm] = 100.5, 20.0\n; filament used [cm3] = 0.30\n; filament used [g] = 0.37\n"
        "; total filament used [g] = 0.40\n; estimated printing time (normal mode) = 1h 6m 6s\n"
        "; estimated printing time (silent mode) = 1h 7m 0s\n; max_print_height = 210\n"
    )
    path.write_text(body + tail)

    assert read_gcode_summary(path) == {
        "filament_mm": 120.5,
        "filament_cm3": 0.30,
        "filament_g": 0.40,
        "print_time_s": 3966.0,
        "silent_time_s": 4020.0,
        "max_print_height": 210.0,
    }


def test_missing_slicer_is_said_plainly(monkeypatch, tmp_path, mk3s_pla):
    monkeypatch.setenv(EXECUTABLE_ENV, "/nonexistent/prusa-slicer")

    assert available() is False
    assert version() is None
    with pytest.raises(SlicerMissing, match="PrusaSlicer is not installed on this server"):
        slice_plate([box(tmp_path, "cube.stl", (20, 20, 20))], mk3s_pla, tmp_path)


@needs_slicer
def test_version():
    assert version().startswith("2.")


@needs_slicer
def test_cube_in_pla_on_a_mk3s(tmp_path, mk3s_pla):
    cube = box(tmp_path, "cube.stl", (20, 20, 20))

    result = slice_plate([cube], mk3s_pla, tmp_path)

    assert result.technology == "FFF"
    # 0.20mm QUALITY @MK3: 2 perimeters, 5 top / 4 bottom layers, 15 % gyroid: about 3 cm3 of 8.
    assert 2.5 <= result.filament_cm3 <= 3.6
    assert result.filament_g == pytest.approx(result.filament_cm3 * 1.24, rel=0.02)
    assert 15 * 60 <= result.print_time_s <= 45 * 60
    assert (result.layers, result.objects, result.max_z_mm) == (100, 1, 20.0)
    assert (result.printer_id, result.print_preset, result.material_preset) == (
        MK3S,
        "0.20mm QUALITY @MK3",
        "Generic PLA",
    )
    assert result.slicer_version.startswith("2.")
    assert result.output_path.is_file() and result.output_path.parent == tmp_path
    # The file the maker gets says the same time as the result.
    assert read_gcode_summary(result.output_path)["print_time_s"] == result.print_time_s


@needs_slicer
def test_three_copies_on_one_plate(tmp_path, mk3s_pla):
    cube = box(tmp_path, "cube.stl", (20, 20, 20))
    (tmp_path / "one").mkdir()
    (tmp_path / "three").mkdir()

    one = slice_plate([cube], mk3s_pla, tmp_path / "one")
    three = slice_plate([MeshInput(cube, copies=3)], mk3s_pla, tmp_path / "three")

    assert three.objects == 3
    assert three.filament_cm3 == pytest.approx(3 * one.filament_cm3, rel=0.03)
    assert 1.5 * one.print_time_s < three.print_time_s < 3.5 * one.print_time_s
    assert three.layers == one.layers == 100


@needs_slicer
def test_several_parts_with_their_copies_are_merged_on_one_plate(tmp_path, mk3s_pla):
    cube = box(tmp_path, "cube.stl", (20, 20, 20))
    small = box(tmp_path, "small.stl", (10, 10, 10))

    result = slice_plate([MeshInput(cube, copies=2), MeshInput(small, copies=1)], mk3s_pla, tmp_path)

    assert result.objects == 3
    assert result.layers == 100


@needs_slicer
@pytest.mark.parametrize(
    ("size", "copies", "message"),
    [
        ((400, 20, 20), 1, "The part does not fit on this printer's bed"),
        ((120, 120, 10), 3, "The copies do not fit together on this printer's bed"),
        ((20, 20, 300), 1, "The part is 300 mm tall; this printer prints up to 210 mm"),
        ((20, 20, 0.01), 1, "PrusaSlicer found nothing to print: the part is too thin"),
    ],
)
def test_refusals_are_readable(tmp_path, mk3s_pla, size, copies, message):
    part = box(tmp_path, "part.stl", size)

    with pytest.raises(SlicerFailed) as refused:
        slice_plate([MeshInput(part, copies)], mk3s_pla, tmp_path)

    assert str(refused.value).startswith(message)


@needs_slicer
def test_unreadable_mesh(tmp_path, mk3s_pla):
    garbage = tmp_path / "garbage.stl"
    garbage.write_bytes(b"solid x\nthis is not a mesh\n")

    with pytest.raises(SlicerFailed, match="PrusaSlicer could not read the model file") as refused:
        slice_plate([garbage], mk3s_pla, tmp_path)
    assert "Loading of a model file failed" in refused.value.detail


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_slicer
def test_timeout_kills_the_slicer(tmp_path, mk3s_pla):
    benchy = require_shared_meshes() / "benchy__3DBenchy.3mf"

    started = time.monotonic()
    with pytest.raises(SlicerTimedOut, match="PrusaSlicer took longer than 0.5 s on this part and was stopped"):
        slice_plate([benchy], mk3s_pla, tmp_path, limits=SliceLimits(time_seconds=0.5))

    assert time.monotonic() - started < 5
    # The slicer's command line names its data folder inside tmp_path: no such process may be left.
    assert _processes_mentioning(str(tmp_path)) == []


@needs_slicer
@pytest.mark.slow
def test_small_part_in_resin_on_an_sl1s(tmp_path):
    config = flatten("PrusaResearch/SL1S/default", "resin-standard")
    part = box(tmp_path, "part.stl", (10, 10, 10))

    result = slice_plate([part], config, tmp_path)

    assert result.technology == "SLA"
    assert result.output_path.suffix == ".sl1s"
    # 1 cm3 of part plus supports and pad.
    assert 1.0 < result.resin_ml < 2.0
    assert result.material_cm3 == result.resin_ml
    # 10 mm part + 5 mm support elevation + 1 mm pad at 0.05 mm.
    assert result.layers == 320
    assert 10 * 60 < result.print_time_s < 60 * 60
    assert result.print_preset == "0.05 Normal @SL1S"
