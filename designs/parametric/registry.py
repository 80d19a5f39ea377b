"""The templates the platform offers, in the order the catalogue shows them."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from designs.parametric.definitions import box_with_lid, cable_clip, phone_stand, ring, spur_gear, vase
from designs.parametric.template import Template

if TYPE_CHECKING:
    import trimesh

TEMPLATES: Mapping[str, Template] = MappingProxyType(
    {
        definition.TEMPLATE.slug: definition.TEMPLATE
        for definition in (box_with_lid, phone_stand, ring, cable_clip, vase, spur_gear)
    }
)


def get_template(slug: str) -> Template:
    """The template called ``slug``; KeyError (naming the known ones) for anything else."""
    try:
        return TEMPLATES[slug]
    except (KeyError, TypeError):
        raise KeyError(f"no template {slug!r}; known templates: {', '.join(TEMPLATES)}") from None


def generate(slug: str, params: Mapping[str, Any]) -> trimesh.Trimesh:
    """Validate ``params`` for the template ``slug`` and build its mesh: millimetres, on z = 0, centred."""
    return get_template(slug).build(params)
