"""Parametric templates: designs customers configure with a form instead of uploading a mesh.

Pure code (no Django). Importing this package is light: trimesh and manifold3d load only when a mesh is
built, so the web process can list templates and validate forms without them.

    from designs.parametric import generate, get_template, validate_parameters
    ring = get_template("ring")
    values = validate_parameters(ring, {"size": 54, "band_width": 5})   # ParameterError if refused
    mesh = generate("ring", values)                                     # watertight, mm, on z = 0
"""

from designs.parametric.parameters import Parameter, ParameterError
from designs.parametric.registry import TEMPLATES, generate, get_template
from designs.parametric.template import Template, validate_parameters

__all__ = [
    "TEMPLATES",
    "Parameter",
    "ParameterError",
    "Template",
    "generate",
    "get_template",
    "validate_parameters",
]
