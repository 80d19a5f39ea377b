"""The catalogue of templates: what the API lists, how templates are found, and how generation behaves."""

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trimesh

from designs.parametric import (
    TEMPLATES,
    ParameterError,
    Template,
    generate,
    get_template,
    validate_parameters,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
API_KEYS = {"name", "type", "unit", "min", "max", "step", "default", "help"}


def _fingerprint(mesh: trimesh.Trimesh) -> str:
    return hashlib.sha256(mesh.vertices.tobytes() + mesh.faces.tobytes()).hexdigest()


def test_catalogue_lists_six_templates_in_order():
    assert list(TEMPLATES) == ["box-with-lid", "phone-stand", "ring", "cable-clip", "vase", "spur-gear"]
    assert all(isinstance(template, Template) for template in TEMPLATES.values())
    with pytest.raises(TypeError):
        TEMPLATES["new"] = TEMPLATES["ring"]


def test_unknown_slug_is_a_key_error_naming_the_known_ones():
    with pytest.raises(KeyError, match="no template 'teapot'; known templates: box-with-lid, phone-stand"):
        get_template("teapot")
    with pytest.raises(KeyError):
        generate("teapot", {})


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_each_template_lists_a_complete_json_schema(slug):
    # Given a template
    template = get_template(slug)
    # When listed for the API
    listed = json.loads(json.dumps(template.to_dict()))
    # Then it carries its slug, a name, a description and each parameter with the contract's keys
    assert listed["slug"] == slug
    assert listed["name"] and len(listed["description"]) > 40
    for parameter in listed["parameters"]:
        assert parameter.keys() >= API_KEYS
        assert parameter["help"].endswith(".") and len(parameter["help"]) <= 110
        assert parameter["label"]
        if parameter["type"] in ("number", "integer", "number_list"):
            assert parameter["min"] < parameter["max"] and parameter["step"] > 0
    # And its defaults are valid values it accepts
    assert template.defaults() == validate_parameters(template, {})


def test_wall_parameters_are_the_thicknesses_a_material_limits():
    walls = {slug: [p.name for p in template.wall_parameters] for slug, template in TEMPLATES.items()}
    assert walls == {
        "box-with-lid": ["wall"],
        "phone-stand": ["thickness"],
        "ring": ["band_thickness"],
        "cable-clip": ["thickness"],
        "vase": ["wall", "bottom_thickness"],
        "spur-gear": [],
    }


def test_generate_validates_before_building():
    with pytest.raises(ParameterError) as refusal:
        generate("ring", {"size": 54, "band_widht": 5})
    assert refusal.value.parameter == "band_widht"
    with pytest.raises(ParameterError):
        get_template("ring").build({"band_width": 99})


def test_listing_and_validating_templates_never_loads_the_geometry_libraries():
    # Given a fresh interpreter, as the web process is
    script = (
        "import sys, json; from designs.parametric import TEMPLATES, validate_parameters; "
        "[t.to_dict() for t in TEMPLATES.values()]; "
        "[validate_parameters(t, {}) for t in TEMPLATES.values()]; "
        "heavy = ('trimesh', 'manifold3d', 'shapely', 'scipy'); "
        "print(json.dumps(sorted(m for m in heavy if m in sys.modules)))"
    )
    # When it lists every template and validates its defaults
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    # Then none of trimesh, manifold3d, shapely or scipy has been imported
    assert json.loads(result.stdout) == []


def test_meshes_are_the_same_bytes_in_another_process_whatever_the_kernel_defaults():
    # Given this process's meshes for every template's defaults
    here = {slug: _fingerprint(generate(slug, {})) for slug in TEMPLATES}
    # When another process changes manifold3d's global circle settings, then generates them in reverse order
    script = (
        "import hashlib, json, manifold3d; from designs.parametric import TEMPLATES, generate; "
        "manifold3d.set_circular_segments(7); manifold3d.set_min_circular_angle(45); "
        "meshes = {s: generate(s, {}) for s in reversed(list(TEMPLATES))}; "
        "print(json.dumps({s: hashlib.sha256(m.vertices.tobytes() + m.faces.tobytes()).hexdigest() "
        "for s, m in meshes.items()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    # Then every mesh is byte for byte the same
    assert json.loads(result.stdout) == here


@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_default_generation_is_quick_enough_for_a_live_preview(slug):
    # Given a warmed-up process (the geometry libraries already imported)
    generate(slug, {})
    # When the defaults are generated again
    started = time.perf_counter()
    generate(slug, {})
    elapsed = time.perf_counter() - started
    # Then it takes well under a second (about 1 to 25 ms measured; the bound leaves room for a busy machine)
    assert elapsed < 0.5
