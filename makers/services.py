"""Makers: onboarding, their own profile and their printers."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from catalogue.models import Material, Process
from core.errors import DomainError
from makers.models import Maker, Printer
from slicing.prusa import FFF, SLA, BundleError, PrinterProfile, UnknownPrinter, printer_catalogue, printer_profile


def maker_onboard(
    *, name: str, city: str, country: str, latitude: float, longitude: float, slug: str = "", **fields
) -> Maker:
    """Create or update a maker by slug (staff onboarding and the demo seed)."""
    slug = slug or slugify(name)[:64]
    maker, _created = Maker.objects.update_or_create(
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
                _("%(material)s is a %(process)s material; this printer is %(process2)s.")
                % {"material": material.name, "process": material.process, "process2": process},
                code="material_not_for_process",
                details={"field": "materials"},
            )
    low, high = BUILD_SIZE_RANGE_MM
    for axis, size in zip(("build_x_mm", "build_y_mm", "build_z_mm"), build_volume_mm, strict=True):
        if not low <= size <= high:
            raise DomainError(
                _("Build sizes must be between %(low)s and %(high)s mm.") % {"low": low, "high": high},
                code="bad_build_size",
                details={"field": axis},
            )


# PrusaSlicer's technologies and the platform's processes.
PROCESS_OF_TECHNOLOGY = {FFF: Process.FDM, SLA: Process.SLA}
AXES = ("build_x_mm", "build_y_mm", "build_z_mm")


def printer_models(*, vendor: str = "", process: str = "") -> list[PrinterProfile]:
    """The printer models a maker can choose from (read from PrusaSlicer's bundles once, then cached); none where
    the bundles are not installed."""
    try:
        models = printer_catalogue()
    except BundleError:
        return []
    return [
        model
        for model in models
        if (not vendor or model.vendor_id == vendor)
        and (not process or PROCESS_OF_TECHNOLOGY[model.technology] == process)
    ]


def _model_fields(*, profile: str, process: str | None, build_volume_mm) -> dict:
    """The printer's process, nozzle and build volume from its printer model (PrusaSlicer profile), or as given
    for processes PrusaSlicer does not slice. A build volume given with a model is the maker's override."""
    if not profile:
        if not process or not build_volume_mm:
            raise DomainError(
                _("Choose a printer model (see /api/printer-models/), or give the process and the build volume."),
                code="printer_model_required",
                details={"field": "profile"},
            )
        return {"profile": "", "nozzle_mm": None, "process": process, "build": tuple(build_volume_mm), "own": False}
    try:
        model = printer_profile(profile)
    except UnknownPrinter:
        raise DomainError(
            _("Unknown printer model %(profile)s; see /api/printer-models/.") % {"profile": f"{profile!r}"},
            code="unknown_printer_model",
            details={"field": "profile"},
        )
    except BundleError:
        # PrusaSlicer's profiles are not installed on this server: keep the model's name, take the rest as given.
        if not process or not build_volume_mm:
            raise DomainError(
                _("The printer models are not available on this server: give the process and the build volume too."),
                code="printer_models_unavailable",
                details={"field": "profile"},
            )
        return {
            "profile": profile,
            "nozzle_mm": None,
            "process": process,
            "build": tuple(build_volume_mm),
            "own": False,
        }
    model_process = PROCESS_OF_TECHNOLOGY[model.technology]
    if process and process != model_process:
        raise DomainError(
            _("The %(model_name)s is a %(model_process)s printer, not %(process)s.")
            % {"model_name": model.model_name, "model_process": model_process, "process": process},
            code="process_not_of_model",
            details={"field": "process"},
        )
    models_volume = tuple(round(size) for size in model.build_volume_mm)
    build = tuple(build_volume_mm) if build_volume_mm else models_volume
    return {
        "profile": profile,
        "nozzle_mm": model.nozzle_mm,
        "process": model_process,
        "build": build,
        "own": build != models_volume,
    }


def _printer_columns(fields: dict) -> dict:
    return {
        "profile": fields["profile"],
        "nozzle_mm": fields["nozzle_mm"],
        "process": fields["process"],
        **dict(zip(AXES, fields["build"], strict=True)),
        "build_volume_overridden": fields["own"],
    }


def printer_upsert(
    *,
    maker: Maker,
    name: str,
    material_codes: list[str],
    profile: str = "",
    process: str | None = None,
    build_volume_mm: tuple[int, int, int] | None = None,
    colours: list[str] | None = None,
    is_online: bool = True,
) -> Printer:
    """Add (or replace, by name) a maker's printer: a printer model, or a process and build volume."""
    fields = _model_fields(profile=profile, process=process, build_volume_mm=build_volume_mm)
    materials = list(Material.objects.filter(code__in=material_codes))
    _check_printer(process=fields["process"], materials=materials, build_volume_mm=fields["build"])
    printer, _created = Printer.objects.update_or_create(
        maker=maker,
        name=name,
        defaults={**_printer_columns(fields), "colours": colours or [], "is_online": is_online},
    )
    printer.materials.set(materials)
    return printer


def maker_update_profile(*, maker: Maker, **fields) -> Maker:
    """A maker edits its own profile (location, capacity, response time, contact, payout account)."""
    editable = {
        "payout_account_holder",
        "payout_iban",
        "payout_bic",
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
    """A maker changes one of its printers (model, materials, colours, online, build size)."""
    materials = fields.pop("materials", None)
    editable = {"name", "colours", "is_online"}
    changes = {key: value for key, value in fields.items() if key in editable}
    profile = fields.get("profile", printer.profile)
    given_build = [fields.get(axis, getattr(printer, axis)) for axis in AXES]
    if any(axis in fields for axis in AXES):
        build = tuple(given_build)
    elif profile and (profile != printer.profile or not printer.build_volume_overridden):
        build = None  # the (new) model's own volume
    else:
        build = printer.build_volume_mm
    model = _model_fields(
        profile=profile,
        process=fields.get("process") or (None if profile != printer.profile else printer.process),
        build_volume_mm=build,
    )
    _check_printer(
        process=model["process"],
        materials=materials if materials is not None else printer.materials.all(),
        build_volume_mm=model["build"],
    )
    changes.update(_printer_columns(model))
    for key, value in changes.items():
        setattr(printer, key, value)
    with transaction.atomic():
        printer.save(update_fields=sorted(changes))
        if materials is not None:
            printer.materials.set(materials)
    return printer


def printer_remove(*, printer: Printer) -> None:
    printer.delete()
