"""Makers: onboarding, their own profile and their printers."""

from django.db import transaction
from django.utils.text import slugify

from catalogue.models import Material
from core.errors import DomainError
from makers.models import Maker, Printer


def maker_onboard(
    *, name: str, city: str, country: str, latitude: float, longitude: float, slug: str = "", **fields
) -> Maker:
    """Create or update a maker by slug (staff onboarding and the demo seed)."""
    slug = slug or slugify(name)[:64]
    maker, _ = Maker.objects.update_or_create(
        slug=slug,
        defaults={
            "name": name,
            "city": city,
            "country": country,
            "latitude": latitude,
            "longitude": longitude,
            **fields,
        },
    )
    return maker


# Build sizes a printer may declare (mm per axis): a typo such as 2500 for 250 is refused, not matched against.
BUILD_SIZE_RANGE_MM = (10, 3000)


def _check_printer(*, process: str, materials, build_volume_mm: tuple[int, int, int]) -> None:
    """A printer holds materials of its own process only, and a build volume of a plausible size."""
    for material in materials:
        if material.process != process:
            raise DomainError(
                f"{material.name} is a {material.process} material; this printer is {process}.",
                code="material_not_for_process",
                details={"field": "materials"},
            )
    low, high = BUILD_SIZE_RANGE_MM
    for axis, size in zip(("build_x_mm", "build_y_mm", "build_z_mm"), build_volume_mm, strict=True):
        if not low <= size <= high:
            raise DomainError(
                f"Build sizes must be between {low} and {high} mm.", code="bad_build_size", details={"field": axis}
            )


def printer_upsert(
    *,
    maker: Maker,
    name: str,
    process: str,
    build_volume_mm: tuple[int, int, int],
    material_codes: list[str],
    colours: list[str] | None = None,
    is_online: bool = True,
) -> Printer:
    materials = list(Material.objects.filter(code__in=material_codes))
    _check_printer(process=process, materials=materials, build_volume_mm=build_volume_mm)
    printer, _ = Printer.objects.update_or_create(
        maker=maker,
        name=name,
        defaults={
            "process": process,
            "build_x_mm": build_volume_mm[0],
            "build_y_mm": build_volume_mm[1],
            "build_z_mm": build_volume_mm[2],
            "colours": colours or [],
            "is_online": is_online,
        },
    )
    printer.materials.set(materials)
    return printer


def maker_update_profile(*, maker: Maker, **fields) -> Maker:
    """A maker edits its own profile (location, capacity, response time, contact)."""
    editable = {
        "name",
        "city",
        "country",
        "latitude",
        "longitude",
        "email",
        "about",
        "capacity",
        "hours_to_respond",
        "is_active",
    }
    changes = {key: value for key, value in fields.items() if key in editable}
    for key, value in changes.items():
        setattr(maker, key, value)
    if changes:
        maker.save(update_fields=sorted(changes))
    return maker


def printer_update(*, printer: Printer, **fields) -> Printer:
    """A maker changes one of its printers (materials, colours, online, build size)."""
    materials = fields.pop("materials", None)
    editable = {"name", "process", "build_x_mm", "build_y_mm", "build_z_mm", "colours", "is_online"}
    changes = {key: value for key, value in fields.items() if key in editable}
    _check_printer(
        process=changes.get("process", printer.process),
        materials=materials if materials is not None else printer.materials.all(),
        build_volume_mm=tuple(
            changes.get(axis, getattr(printer, axis)) for axis in ("build_x_mm", "build_y_mm", "build_z_mm")
        ),
    )
    for key, value in changes.items():
        setattr(printer, key, value)
    with transaction.atomic():
        if changes:
            printer.save(update_fields=sorted(changes))
        if materials is not None:
            printer.materials.set(materials)
    return printer


def printer_remove(*, printer: Printer) -> None:
    printer.delete()
