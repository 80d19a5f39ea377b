"""Parametric templates: validate a customer's parameters (tightened by the chosen material) and make a design."""

from decimal import Decimal

from core.errors import DomainError, NotFound
from designs.geometry import LoadedMesh, write_preview_glb
from designs.parametric import ParameterError, generate, get_template, validate_parameters


def template_or_404(slug: str):
    try:
        return get_template(slug)
    except KeyError:
        raise NotFound(f"There is no template called {slug!r}.")


def template_parameters(*, slug: str, raw: dict, material=None) -> dict:
    """Canonical parameter values, or a 400 naming the parameter and its allowed range.

    With a ``material``, every wall-like parameter must be at least that material's minimum wall.
    """
    template = template_or_404(slug)
    if not isinstance(raw, dict):
        raise DomainError("parameters must be an object of name: value.", code="bad_parameters")
    try:
        values = validate_parameters(template, raw)
    except ParameterError as error:
        raise DomainError(error.message, code="bad_parameter", details={"parameter": error.parameter})
    if material is not None:
        minimum = Decimal(material.min_wall_mm).normalize()
        for parameter in template.wall_parameters:
            value = Decimal(str(values[parameter.name])).normalize()
            if value < minimum:
                raise DomainError(
                    f"{parameter.name} {value:f} mm is thinner than the {minimum:f} mm minimum wall for "
                    f"{material.name}; use at least {minimum:f} mm or choose another material.",
                    code="wall_too_thin",
                    details={"parameter": parameter.name},
                )
    return values


def template_preview_glb(*, slug: str, raw: dict) -> bytes:
    """A quick GLB of the template for the live preview (our own code on validated numbers, not an upload)."""
    import tempfile
    from pathlib import Path

    values = template_parameters(slug=slug, raw=raw)
    mesh = generate(slug, values)
    with tempfile.TemporaryDirectory(prefix="preview-") as folder:
        path = Path(folder) / "preview.glb"
        write_preview_glb(LoadedMesh(vertices=mesh.vertices, faces=mesh.faces, file_format="stl"), path)
        return path.read_bytes()
