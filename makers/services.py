"""Makers: onboarding (applications staff approve or reject), their own profile and their printers."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts import addresses
from accounts import services as account_services
from accounts.models import Role, User
from catalogue.models import Material, Process
from core.errors import Conflict, DomainError
from core.notifications import notify
from core.state import StateMachine
from core.text import clean_text
from makers import bank_details
from makers.models import (
    APPLICATION_TRANSITIONS,
    ApplicantKind,
    ApplicationStatus,
    Maker,
    MakerApplication,
    MakerApplicationEvent,
    Printer,
)
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


ADDRESS_FIELDS = ("address_line1", "address_line2", "postcode", "city", "country")
# The maker's column for each field of an accounts address.
ADDRESS_COLUMN = {"line1": "address_line1", "line2": "address_line2", "postcode": "postcode", "city": "city"}


def maker_address_locate(*, name: str, address: dict, street_required: bool = True) -> tuple[dict, float, float]:
    """A maker's address checked per country (accounts.services.address_check) and placed on the map
    (address_locate): the cleaned columns and the latitude/longitude. Errors name the maker's column.

    A maker without a street address (made before addresses were kept; ``street_required`` False) is placed by its
    city alone."""
    data = {
        "name": name or "-",
        "line1": address.get("address_line1", ""),
        "line2": address.get("address_line2", ""),
        "postcode": address.get("postcode", ""),
        "city": address.get("city", ""),
        "country": address.get("country", ""),
    }
    try:
        if data["line1"] or street_required:
            checked = account_services.address_check(data)
        else:
            # Placed by its city alone: no street and maybe no postcode to check.
            checked = addresses.Address(
                name=data["name"],
                line1="",
                line2="",
                postcode=" ".join(str(data["postcode"]).split()),
                city=" ".join(str(data["city"]).split()),
                country=str(data["country"]).strip().upper(),
                phone="",
            )
        latitude, longitude, _label = account_services.address_locate(checked)
    except DomainError as error:
        field = error.details.get("field", "city")
        raise DomainError(
            error.message, code=error.code, details={"field": ADDRESS_COLUMN.get(field, field)}
        ) from error
    columns = {
        "address_line1": checked.line1 if data["line1"] else "",
        "address_line2": checked.line2,
        "postcode": checked.postcode,
        "city": checked.city,
        "country": checked.country,
    }
    return columns, latitude, longitude


def maker_update_profile(*, maker: Maker, **fields) -> Maker:
    """A maker edits its own profile (address, capacity, response time, contact, payout account).

    A changed address moves the maker on the map: its latitude/longitude are derived from the address again
    (unless both are given with it, as the API allows)."""
    editable = {
        "payout_account_holder",
        "payout_iban",
        "payout_bic",
        "name",
        "legal_name",
        "vat_number",
        *ADDRESS_FIELDS,
        "latitude",
        "longitude",
        "email",
        "about",
        "capacity",
        "hours_to_respond",
        "is_active",
    }
    changes = {key: value for key, value in fields.items() if key in editable}
    moved = {key for key in ADDRESS_FIELDS if key in changes and changes[key] != getattr(maker, key)}
    if moved and not {"latitude", "longitude"} <= changes.keys():
        address = {key: changes.get(key, getattr(maker, key)) for key in ADDRESS_FIELDS}
        columns, latitude, longitude = maker_address_locate(
            name=changes.get("legal_name") or maker.legal_name or changes.get("name") or maker.name,
            address=address,
            street_required=bool(maker.address_line1),
        )
        changes.update(columns, latitude=latitude, longitude=longitude)
    for key, value in changes.items():
        setattr(maker, key, value)
    if changes:
        maker.save(update_fields=sorted(changes))
    return maker


def maker_set_paused(*, maker: Maker, paused: bool) -> Maker:
    """The maker's holiday switch: paused, it gets no new offers (matching skips it); the jobs it holds go on."""
    Maker.objects.filter(pk=maker.pk).update(is_paused=paused)
    maker.is_paused = paused
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


# Applications ----------------------------------------------------------------------------------------------

APPLICATION_MACHINE = StateMachine(
    model=MakerApplication,
    event_model=MakerApplicationEvent,
    event_field="application",
    label="maker application",
    transitions=APPLICATION_TRANSITIONS,
)
CAPACITY_RANGE = (1, 1000)
RESPONSE_HOURS_RANGE = (1, 168)
MAX_PRINTERS = 20
MAX_COLOURS = 30


class ApplicationInvalid(DomainError):
    """An application with fields to fix: ``errors`` maps each field (``printers.0.materials`` for a printer's)
    to a sentence for the person; nothing was written."""

    code = "invalid_application"

    def __init__(self, errors: dict[str, str]):
        super().__init__(_("Some fields of the application need fixing."), details={"fields": errors})
        self.errors = errors


def printer_check(*, profile: str, process: str | None, build_volume_mm, material_codes: list[str]) -> dict:
    """A printer as a maker describes it (printer model, or process and build volume; materials), checked with
    the rules of ``printer_upsert``: its process, build volume and whether the volume overrides the model's."""
    fields = _model_fields(profile=profile, process=process, build_volume_mm=build_volume_mm)
    materials = list(Material.objects.filter(code__in=material_codes, is_active=True))
    if not material_codes:
        raise DomainError(_("Choose at least one material."), code="materials_required", details={"field": "materials"})
    if len(materials) != len(set(material_codes)):
        raise DomainError(_("Unknown material."), code="unknown_material", details={"field": "materials"})
    _check_printer(process=fields["process"], materials=materials, build_volume_mm=fields["build"])
    return fields


def _number_in(errors: dict, field: str, value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("Give a whole number.")
        return None
    if not low <= number <= high:
        errors[field] = _("Give a number from %(low)s to %(high)s.") % {"low": low, "high": high}
        return None
    return number


def _text(errors: dict, field: str, value, *, label: str, max_length: int, required: bool = False) -> str:
    try:
        return clean_text(value, field=label, max_length=max_length, required=required)
    except DomainError as error:
        errors[field] = error.message
        return ""


def _checked_printers(errors: dict, printers) -> list[dict]:
    if not isinstance(printers, list) or not printers:
        errors["printers"] = _("Add at least one printer.")
        return []
    if len(printers) > MAX_PRINTERS:
        errors["printers"] = _("At most %(count)s printers.") % {"count": MAX_PRINTERS}
        return []
    checked, names = [], set()
    for index, printer in enumerate(printers):
        prefix = f"printers.{index}."
        if not isinstance(printer, dict):
            errors[prefix + "name"] = _("A printer is an object with name, profile and materials.")
            continue
        name = _text(errors, prefix + "name", printer.get("name"), label=_("The name"), max_length=120, required=True)
        if name and name.lower() in names:
            errors[prefix + "name"] = _("Two printers have this name; name each one differently.")
        names.add(name.lower())
        colours = printer.get("colours") or []
        if not isinstance(colours, list) or len(colours) > MAX_COLOURS or not all(isinstance(c, str) for c in colours):
            errors[prefix + "colours"] = _("Colours are a list of at most %(count)s names.") % {"count": MAX_COLOURS}
            colours = []
        colours = [" ".join(colour.split()).lower()[:30] for colour in colours if colour.strip()]
        volume = printer.get("build_volume_mm") or None
        if volume is not None:
            try:
                volume = tuple(int(size) for size in volume)
                if len(volume) != 3:
                    raise ValueError
            except (TypeError, ValueError):
                errors[prefix + "build_volume_mm"] = _("Give the build volume as three whole millimetres.")
                continue
        codes = printer.get("materials") or []
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            errors[prefix + "materials"] = _("Materials are a list of material codes.")
            continue
        try:
            fields = printer_check(
                profile=str(printer.get("profile") or ""),
                process=printer.get("process") or None,
                build_volume_mm=volume,
                material_codes=codes,
            )
        except DomainError as error:
            field = error.details.get("field", "profile")
            if field in AXES:
                field = "build_volume_mm"
            errors[prefix + field] = error.message
            continue
        checked.append(
            {
                "name": name,
                "profile": fields["profile"],
                "process": fields["process"],
                "build_volume_mm": list(fields["build"]) if (fields["own"] or not fields["profile"]) else None,
                "materials": sorted(set(codes)),
                "colours": colours,
            }
        )
    return checked


def maker_application_submit(
    *,
    applicant,
    kind: str,
    display_name: str,
    address: dict,
    capacity,
    hours_to_respond,
    printers: list[dict],
    payout_account_holder: str,
    payout_iban: str,
    payout_bic: str = "",
    legal_name: str = "",
    vat_number: str = "",
    about: str = "",
) -> MakerApplication:
    """Someone asks to become a maker. Every field is checked first (all errors together, by field: raises
    ApplicationInvalid); the maker's place on the map comes from the address, never typed. One pending application
    per person; a maker or staff account cannot apply."""
    if applicant.role != Role.CUSTOMER or applicant.is_staff:
        raise Conflict(_("This account is already a maker or staff."), code="not_a_customer")
    if applicant.makers.exists():
        raise Conflict(_("This account already belongs to a maker."), code="already_a_maker")
    errors: dict[str, str] = {}
    if kind not in ApplicantKind.values:
        errors["kind"] = _("Say whether you apply as a business or as a private person.")
    display_name = _text(
        errors, "display_name", display_name, label=_("The display name"), max_length=120, required=True
    )
    legal_name = _text(errors, "legal_name", legal_name, label=_("The legal name"), max_length=120)
    vat = ""
    if kind == ApplicantKind.BUSINESS:
        if not legal_name and "legal_name" not in errors:
            errors["legal_name"] = _("A business gives its registered (legal) name.")
        if (vat_number or "").strip():
            valid, vat, reason = bank_details.vat_check(vat_number)
            if not valid:
                errors["vat_number"] = _(reason)
    else:
        legal_name = ""
    about = _text(errors, "about", about, label=_("The text about you"), max_length=4000)
    capacity = _number_in(errors, "capacity", capacity, *CAPACITY_RANGE)
    hours_to_respond = _number_in(errors, "hours_to_respond", hours_to_respond, *RESPONSE_HOURS_RANGE)
    location = None
    try:
        location = maker_address_locate(name=legal_name or display_name, address=address or {})
    except DomainError as error:
        errors[error.details.get("field", "city")] = error.message
    checked_printers = _checked_printers(errors, printers)
    holder = " ".join(str(payout_account_holder or "").split())
    if not holder:
        errors["payout_account_holder"] = _("Give the name on the bank account.")
    elif len(holder) > 70:
        errors["payout_account_holder"] = _("At most 70 characters.")
    valid, iban, reason = bank_details.iban_check(payout_iban)
    if not valid:
        errors["payout_iban"] = _(reason)
    bic = ""
    if (payout_bic or "").strip():
        valid, bic, reason = bank_details.bic_check(payout_bic)
        if not valid:
            errors["payout_bic"] = _(reason)
    if errors:
        raise ApplicationInvalid(errors)
    columns, latitude, longitude = location
    try:
        with transaction.atomic():
            transition = APPLICATION_MACHINE.create(
                to=ApplicationStatus.SUBMITTED,
                actor=applicant,
                reason="submitted by the applicant",
                applicant=applicant,
                kind=kind,
                legal_name=legal_name,
                vat_number=vat,
                display_name=display_name,
                latitude=latitude,
                longitude=longitude,
                about=about,
                capacity=capacity,
                hours_to_respond=hours_to_respond,
                printers=checked_printers,
                payout_account_holder=holder,
                payout_iban=iban,
                payout_bic=bic,
                **columns,
            )
    except IntegrityError:
        raise Conflict(_("You have an application waiting for a decision already."), code="application_pending")
    application = transition.obj
    notify_staff_of_application(application)
    return application


def notify_staff_of_application(application: MakerApplication) -> None:
    for user in User.objects.filter(is_staff=True, is_active=True):
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            notify(
                user=user,
                kind="maker_application.submitted",
                subject=_("New maker application: %(name)s") % {"name": application.display_name},
                link="/dashboard/makers/",
                data={"application": application.pk},
                dedupe_key=f"maker-application-{application.pk}-submitted",
            )


def _unique_slug(name: str) -> str:
    base = slugify(name)[:56] or "maker"
    slug, number = base, 1
    while Maker.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _tell_the_applicant(application: MakerApplication, *, approved: bool, reason: str) -> None:
    user = application.applicant
    with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
        if approved:
            subject = _("Welcome, %(name)s: you are a maker now") % {"name": application.display_name}
            body = _(
                "Your application is approved. You start on probation: at most %(jobs)s jobs at a time until "
                "%(deliveries)s deliveries arrived without a claim."
            ) % {"jobs": settings.MAKER_PROBATION_MAX_JOBS, "deliveries": settings.MAKER_PROBATION_DELIVERIES}
            link = "/maker/profile/"
        else:
            subject = _("Your maker application was not approved")
            body = _("The reason: %(reason)s") % {"reason": reason}
            link = "/makers/apply/"
        if reason and approved:
            body += "\n\n" + reason
        notify(
            user=user,
            kind=f"maker_application.{application.status}",
            subject=subject,
            body=body,
            link=link,
            data={"application": application.pk, "status": application.status, "reason": reason},
            dedupe_key=f"maker-application-{application.pk}-{application.status}",
        )


def maker_application_approve(*, application_id: int, actor, note: str = "") -> MakerApplication:
    """Staff approve: in one transaction the application moves to approved, the maker is made from it (the
    applicant its member, with the maker role; its printers; on probation) and the applicant is told."""
    note = clean_text(note, field=_("The note"), max_length=2000)

    def make_the_maker(transition) -> None:
        application = transition.obj
        maker = maker_onboard(
            name=application.display_name,
            slug=_unique_slug(application.display_name),
            city=application.city,
            country=application.country,
            latitude=application.latitude,
            longitude=application.longitude,
            legal_name=application.legal_name,
            vat_number=application.vat_number,
            address_line1=application.address_line1,
            address_line2=application.address_line2,
            postcode=application.postcode,
            email=application.applicant.email,
            about=application.about,
            capacity=application.capacity,
            hours_to_respond=application.hours_to_respond,
            payout_account_holder=application.payout_account_holder,
            payout_iban=application.payout_iban,
            payout_bic=application.payout_bic,
            on_probation=True,
        )
        for printer in application.printers:
            printer_upsert(
                maker=maker,
                name=printer["name"],
                profile=printer["profile"],
                process=printer["process"],
                build_volume_mm=tuple(printer["build_volume_mm"]) if printer["build_volume_mm"] else None,
                material_codes=printer["materials"],
                colours=printer["colours"],
            )
        maker.members.add(application.applicant)
        account_services.user_set_role(user=application.applicant, role=Role.MAKER)
        MakerApplication.objects.filter(pk=application.pk).update(maker=maker)
        application.maker = maker
        _tell_the_applicant(application, approved=True, reason=note)

    def applicant_still_free(application) -> None:
        if application.applicant.makers.exists():
            raise Conflict(_("The applicant already belongs to a maker."), code="already_a_maker")

    transition = APPLICATION_MACHINE.move(
        pk=application_id,
        to=ApplicationStatus.APPROVED,
        actor=actor,
        reason=note or "approved",
        updates={"decision_reason": note},
        guard=applicant_still_free,
        on_change=make_the_maker,
    )
    return transition.obj


def maker_application_reject(*, application_id: int, actor, reason: str) -> MakerApplication:
    """Staff reject, with the reason (required: the applicant reads it)."""
    reason = clean_text(reason, field=_("The reason"), max_length=2000)
    if not reason:
        raise DomainError(_("Say why the application is rejected: the applicant reads it."), code="reason_required")
    transition = APPLICATION_MACHINE.move(
        pk=application_id,
        to=ApplicationStatus.REJECTED,
        actor=actor,
        reason=reason,
        updates={"decision_reason": reason},
        on_change=lambda transition: _tell_the_applicant(transition.obj, approved=False, reason=reason),
    )
    return transition.obj
