"""A parametric template: a schema customers fill in, cross-parameter rules, and the code that builds it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from designs.parametric.parameters import Parameter, ParameterError

if TYPE_CHECKING:
    import trimesh

# A check gets the canonical values and raises ParameterError naming the parameter to change.
CrossCheck = Callable[[Mapping[str, Any]], None]


@dataclass(frozen=True)
class Template:
    """A design customers configure instead of uploading a mesh.

    ``builder`` is a ``"module:function"`` path imported on the first build, so that listing templates and
    validating a form (the web process) never imports trimesh, scipy or manifold3d.
    """

    slug: str
    name: str
    description: str
    parameters: tuple[Parameter, ...]
    builder: str
    checks: tuple[CrossCheck, ...] = ()

    def __post_init__(self) -> None:
        names = [parameter.name for parameter in self.parameters]
        if len(set(names)) != len(names):
            raise ValueError(f"template {self.slug}: parameter names repeat: {names}")

    def parameter(self, name: str) -> Parameter:
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        raise KeyError(name)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(parameter.name for parameter in self.parameters)

    @property
    def wall_parameters(self) -> tuple[Parameter, ...]:
        """Thicknesses the platform compares with the chosen material's minimum wall."""
        return tuple(parameter for parameter in self.parameters if parameter.role == "wall")

    def defaults(self) -> dict[str, Any]:
        return validate_parameters(self, {})

    def validate(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return validate_parameters(self, raw)

    def build(self, params: Mapping[str, Any]) -> trimesh.Trimesh:
        """The mesh for ``params``; they are validated again (cheap) so no caller can build a bad piece."""
        values = validate_parameters(self, params)
        module_name, _, function_name = self.builder.partition(":")
        build_function = getattr(importlib.import_module(module_name), function_name)
        return build_function(values)

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "description": self.description,
            "parameters": [parameter.to_dict() for parameter in self.parameters],
        }


def validate_parameters(template: Template, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical values for every parameter of ``template``: missing ones take their defaults.

    Unknown names are refused rather than ignored: a misspelt ``band_widht`` silently falling back to the
    default would make a piece the customer did not ask for.
    """
    if not isinstance(raw, Mapping):
        raise ParameterError("parameters", "parameters must be an object of names and values")
    unknown = sorted(str(name) for name in raw if name not in template.parameter_names)
    if unknown:
        raise ParameterError(
            unknown[0],
            f"unknown parameter{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} for {template.name}; "
            f"known parameters: {', '.join(template.parameter_names)}",
        )
    values: dict[str, Any] = {}
    for parameter in template.parameters:
        if parameter.name in raw:
            values[parameter.name] = parameter.coerce(raw[parameter.name])
        else:
            values[parameter.name] = parameter.coerce(parameter.default)
    for check in template.checks:
        check(values)
    return values
