"""Reads of the designs app: who may see which design."""

from collections.abc import Callable

from django.db.models import QuerySet

from catalogue.models import Material
from core.links import url_pattern
from designs.geometry import MaterialSpec
from designs.geometry.materials import refused_only_as_open
from designs.models import Design, DesignVersion

# Which designs a maker may see follows from its jobs, which the orders app (above this one) keeps: orders
# registers that rule here when it loads (OrdersConfig.ready), so designs never imports orders. The rule takes
# the user and returns a filter on Design (an Exists over OuterRef("pk")).
_maker_design_rule: Callable | None = None


def register_maker_design_rule(rule: Callable) -> None:
    global _maker_design_rule
    _maker_design_rule = rule


def designs_visible_to(user) -> QuerySet[Design]:
    """Staff see every design; a customer their own; a maker those it holds or is offered a job for."""
    designs = Design.objects.select_related("latest_version__created_by", "owner")
    if not user.is_authenticated:
        return designs.none()
    if user.is_staff:
        return designs
    if user.is_maker:
        return designs.filter(_maker_design_rule(user)) if _maker_design_rule else designs.none()
    return designs.filter(owner=user)


def design_for_owner(*, user, design_id) -> Design:
    """The customer's own design; someone else's is Http404 (never 403, which would confirm it exists)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(designs_visible_to(user).filter(owner=user), pk=design_id)


def version_visible_to(*, user, design_id, number) -> DesignVersion:
    from django.shortcuts import get_object_or_404

    design = get_object_or_404(designs_visible_to(user), pk=design_id)
    return get_object_or_404(DesignVersion.objects.select_related("design"), design=design, number=number)


VERSION_FILE_FIELDS = {"file": "file", "repaired": "repaired_file", "preview": "preview", "thumbnail": "thumbnail"}


def version_file_url(version: DesignVersion, kind: str, *, request=None) -> str | None:
    """The permission-checked URL of one of a version's files (file, repaired, preview, thumbnail), or None
    while that file does not exist. Absolute when a request is given."""
    if not getattr(version, VERSION_FILE_FIELDS[kind]):
        return None
    path = url_pattern(f"design-version-{kind}", "pk", "number").format(pk=version.design_id, number=version.number)
    return request.build_absolute_uri(path) if request is not None else path


def material_specs():
    """Active materials as the geometry package's MaterialSpec (for per-material verdicts)."""
    return [
        MaterialSpec(
            code=m.code,
            name=m.name,
            process=m.process,
            min_wall_mm=float(m.min_wall_mm),
            min_detail_mm=float(m.min_detail_mm),
            build_volume_mm=(float(m.max_x_mm), float(m.max_y_mm), float(m.max_z_mm)),
            needs_support=m.needs_support,
        )
        for m in Material.objects.filter(is_active=True).order_by("code")
    ]


def open_materials(report: dict) -> list[str]:
    """The codes of the materials a report refuses only because repair could not close the surface (sorted):
    the ones a slicer check may turn printable."""
    materials = report.get("materials") or {}
    return sorted(
        code for code, verdict in materials.items() if isinstance(verdict, dict) and refused_only_as_open(verdict)
    )
