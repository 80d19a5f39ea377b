"""Prices and maker matches for a design version in a material: what the quote endpoint and orders use."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue.models import Material
from core.errors import DomainError
from designs.geometry.materials import RISK_CODES
from designs.models import DesignVersion, VersionStatus
from makers.models import Maker, Printer, PrinterState
from orders.matching.cities import find_city
from orders.matching.geo import bounding_box
from orders.matching.ranking import MakerInfo, MatchResult, PartRequirement, PrinterInfo, match_makers
from orders.models import JOB_ACTIVE, Job, Quote
from orders.pricing.prices import MaterialPricing, PartMetrics, QuoteBreakdown, QuoteLine, SlicedFigures, quote_part
from orders.services import estimates
from orders.services.notices import label_in_sentence, sentence
from slicing import services as slicing_services
from slicing.models import Slice, SliceStatus
from slicing.prusa import NotSliceable, material_kind
from slicing.selectors import slicer_health


@dataclass(frozen=True)
class ShipTo:
    latitude: float
    longitude: float
    label: str


def ship_to_from(data: dict | None) -> ShipTo:
    """``{"lat": .., "lon": ..}`` or ``{"city": "Berlin"}`` (from the offline city table)."""
    if not isinstance(data, dict):
        raise DomainError(_("ship_to must be an object with lat and lon, or a city."), code="bad_ship_to")
    if data.get("city"):
        city = find_city(str(data["city"]))
        if city is None:
            raise DomainError(
                _("Unknown city %(value)s: give lat and lon instead.") % {"value": f"{str(data['city'])[:60]!r}"},
                code="unknown_city",
            )
        return ShipTo(city.lat, city.lon, f"{city.name}, {city.country}")
    try:
        latitude, longitude = float(data["lat"]), float(data["lon"])
    except (KeyError, TypeError, ValueError):
        raise DomainError(_("ship_to needs numeric lat and lon (or a city)."), code="bad_ship_to")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise DomainError(_("ship_to lat must be within -90..90 and lon within -180..180."), code="bad_ship_to")
    return ShipTo(latitude, longitude, str(data.get("label") or f"{latitude:.4f}, {longitude:.4f}")[:120])


def material_pricing(material: Material) -> MaterialPricing:
    return MaterialPricing(
        code=material.code,
        name=material.name,
        process=material.process,
        density_g_cm3=float(material.density_g_cm3),
        price_per_cm3=material.price_per_cm3,
        machine_rate_per_hour=material.machine_rate_per_hour,
        setup_fee=material.setup_fee,
        handling_per_part=material.handling_per_part,
        needs_support=material.needs_support,
        currency=material.currency,
    )


def _report_extents(report: dict) -> tuple[float, float, float]:
    extents = report.get("print_extents_mm") or report.get("bounding_box_mm")
    return tuple(float(value) for value in extents)


def part_metrics(report: dict, process: str | None = None) -> PartMetrics:
    """What pricing needs from the analysis report, in the print orientation for ``process``.

    The report's suggested orientation is chosen for a filament printer's time (``designs.geometry.
    orientation.fdm_seconds``), and its measurements are the report's top-level keys. For resin and metal
    (support matters most) and powder (only the height does) ``suggested_orientation.by_process`` names
    another candidate; its height, support and extents are used then (those processes' time model needs
    no facing areas nor contours). Without a process, or with reports older than ``by_process``, the
    suggested orientation.
    """
    extents = _report_extents(report)
    support = float(report.get("support_volume_mm3") or 0.0)
    orientation = report.get("suggested_orientation") or {}
    index = (orientation.get("by_process") or {}).get(process) if process and process != "fdm" else None
    candidates = orientation.get("candidates") or []
    if index is not None and 0 <= index < len(candidates) and candidates[index].get("print_extents_mm"):
        candidate = candidates[index]
        extents = tuple(float(value) for value in candidate["print_extents_mm"])
        support = float(candidate.get("support_volume_mm3") or 0.0)
    facing = report.get("facing_areas_mm2") or {}
    contours = report.get("layer_contours") or {}
    return PartMetrics(
        volume_mm3=float(report["volume_mm3"]),
        support_volume_mm3=support,
        area_mm2=float(report["area_mm2"]),
        height_mm=max(float(extents[2]), 0.01),
        extents_mm=extents,
        up_area_mm2=_optional_float(facing.get("up")),
        down_area_mm2=_optional_float(facing.get("down")),
        side_area_mm2=_optional_float(facing.get("side")),
        loops_per_layer=_optional_float(contours.get("mean_loops")),
        short_loop_share=float(contours.get("short_loop_share") or 0.0),
        small_island_share=float(contours.get("small_island_share") or 0.0),
    )


def _optional_float(value) -> float | None:
    return None if value is None else float(value)


# Warning codes of a verdict that make printing "at the customer's own risk": walls thinner than recommended, and
# a surface repair could not close that PrusaSlicer closes when slicing (the analysis' own list).
RISK_WARNING_CODES = RISK_CODES


def printable_version(*, version: DesignVersion, material: Material) -> dict:
    """The version's report, or a 400 that says why it cannot be priced in ``material``."""
    if version.status in (VersionStatus.QUEUED, VersionStatus.ANALYSING):
        raise DomainError(
            _("Version %(version_number)s is still being analysed (%(version_status)s); quote it when it is ready.")
            % {
                "version_number": version.number,
                "version_status": label_in_sentence(version.get_status_display(), english=version.status),
            },
            code="not_ready",
        )
    if version.status == VersionStatus.FAILED:
        raise DomainError(
            _("Version %(version_number)s could not be analysed: %(error)s")
            % {"version_number": version.number, "error": version.error},
            code="not_ready",
        )
    if not material.is_active:
        raise DomainError(
            _("%(material)s is not offered at the moment.") % {"material": material.name}, code="material_unavailable"
        )
    report = version.analysis or {}
    verdict = (report.get("materials") or {}).get(material.code)
    if verdict is None:
        raise DomainError(
            _("Version %(version_number)s was analysed before %(material)s was offered; ask for a new analysis.")
            % {"version_number": version.number, "material": material.name},
            code="not_analysed_for_material",
        )
    if not verdict.get("printable"):
        reasons = "; ".join(verdict.get("reasons") or [_("it fails the checks for this material")])
        raise DomainError(
            _("Not printable in %(material)s: %(reasons)s.") % {"material": material.name, "reasons": reasons},
            code="not_printable",
        )
    return report


def risk_warnings(*, version: DesignVersion, material: Material) -> list[str]:
    """The warnings a customer must accept to print this version in this material at their own risk (walls
    thinner than recommended but not too thin to form, a surface only the slicer closes); empty when the part
    needs no such acceptance."""
    verdict = ((version.analysis or {}).get("materials") or {}).get(material.code) or {}
    if not verdict.get("needs_risk_acceptance"):
        return []
    details = verdict.get("warning_details") or []
    return [detail["message"] for detail in details if detail.get("code") in RISK_WARNING_CODES]


def price(*, version: DesignVersion, material: Material, quantity: int) -> QuoteBreakdown:
    if quantity < 1 or quantity > 10_000:
        raise DomainError(_("Quantity must be between 1 and 10,000."), code="bad_quantity")
    report = printable_version(version=version, material=material)
    return quote_part(
        part=part_metrics(report, material.process),
        material=material_pricing(material),
        quantity=quantity,
        now=timezone.now(),
        validity_days=settings.QUOTE_VALIDITY_DAYS,
    )


def maker_candidates(
    *, ship_to: ShipTo, radius_km: float, exclude_ids=(), loaded_with: Material | None = None
) -> list[MakerInfo]:
    """Active makers inside a lat/lon box around the address (an indexed SQL prefilter), as matching input.
    Paused makers (on holiday) are left out; makers on probation carry their cap of jobs in hand.

    Read as plain rows (four queries, no model instances): thousands of makers and printers sit in a 400 km
    box in a dense network, and building ORM objects for each of them cost far more than the matching.
    ``loaded_with`` keeps only makers with an online printer loaded with that material (dispatch needs
    the eligible ones; a quote wants every nearby maker, to say why the others cannot).
    """
    from collections import defaultdict

    box = bounding_box(lat=ship_to.latitude, lon=ship_to.longitude, radius_km=radius_km)
    longitudes = Q()
    for west, east in box.longitude_ranges:
        longitudes |= Q(longitude__gte=west, longitude__lte=east)
    makers = Maker.objects.filter(
        longitudes, is_active=True, is_paused=False, latitude__gte=box.min_lat, latitude__lte=box.max_lat
    ).exclude(pk__in=list(exclude_ids))
    if loaded_with is not None:
        makers = makers.filter(pk__in=Printer.objects.filter(materials=loaded_with, is_online=True).values("maker_id"))
    in_box = makers.values("pk")
    active_jobs = dict(
        Job.objects.filter(maker__in=in_box, status__in=JOB_ACTIVE)
        .values("maker_id")
        .annotate(count=Count("pk"))
        .values_list("maker_id", "count")
        .order_by()
    )
    loaded = defaultdict(set)
    for printer_id, code in Printer.materials.through.objects.filter(printer__maker__in=in_box).values_list(
        "printer_id", "material__code"
    ):
        loaded[printer_id].add(code)
    printers = defaultdict(list)
    for printer_id, maker_id, process, x, y, z, colours, online in (
        Printer.objects.filter(maker__in=in_box)
        .order_by("maker_id", "name")
        .values_list("pk", "maker_id", "process", "build_x_mm", "build_y_mm", "build_z_mm", "colours", "is_online")
    ):
        printers[maker_id].append(
            PrinterInfo(
                id=printer_id,
                process=process,
                build_volume_mm=(x, y, z),
                materials=frozenset(loaded.get(printer_id, ())),
                colours=frozenset(colours),
                online=online,
            )
        )
    rows = makers.order_by("pk").values_list(
        "pk",
        "name",
        "latitude",
        "longitude",
        "capacity",
        "reliability",
        "hours_to_respond",
        "price_factor",
        "on_probation",
    )
    probation_cap = settings.MAKER_PROBATION_MAX_JOBS
    return [
        MakerInfo(
            id=row[0],
            name=row[1],
            lat=row[2],
            lon=row[3],
            capacity=row[4],
            active_jobs=active_jobs.get(row[0], 0),
            reliability=row[5],
            hours_to_respond=float(row[6]),
            price_factor=row[7],
            printers=tuple(printers.get(row[0], ())),
            probation_max_jobs=probation_cap if row[8] else None,
        )
        for row in rows
    ]


def match(
    *,
    report: dict,
    material: Material,
    quantity: int,
    colour: str,
    ship_to: ShipTo,
    breakdown: QuoteBreakdown,
    exclude_maker_ids=(),
    eligible_only: bool = False,
) -> MatchResult:
    """Rank the makers near ``ship_to`` for this part; ``eligible_only`` skips explaining the others."""
    extents = report.get("oriented_extents_mm") or _report_extents(report)
    requirement = PartRequirement(
        material_code=material.code,
        process=material.process,
        colour=colour or None,
        oriented_extents_mm=tuple(float(v) for v in extents),
        quantity=quantity,
        shipment_mass_kg=max(breakdown.total_mass_g / 1000.0, 0.001),
        production_days=breakdown.lead_time_days,
    )
    radius = settings.MATCH_MAX_DISTANCE_KM
    return match_makers(
        part=requirement,
        makers=maker_candidates(
            ship_to=ship_to,
            radius_km=radius,
            exclude_ids=exclude_maker_ids,
            loaded_with=material if eligible_only else None,
        ),
        ship_to=(ship_to.latitude, ship_to.longitude),
        base_price=breakdown.total,
        max_distance_km=radius,
        now=timezone.now(),
        central_factory=(settings.CENTRAL_FACTORY_LATITUDE, settings.CENTRAL_FACTORY_LONGITUDE),
    )


def ranked_as_dict(ranked) -> dict:
    return {
        "maker": ranked.maker_id,
        "name": ranked.name,
        "distance_km": round(ranked.distance_km, 1),
        "co2_kg": round(ranked.co2_kg, 3),
        "co2_saved_kg": round(getattr(ranked, "co2_saved_kg", 0) or 0, 3),
        "lead_time_days": ranked.lead_time_days,
        "ready_by": ranked.ready_by.isoformat(),
        "price": str(ranked.price),
        "score": round(ranked.score, 4),
        "score_parts": {key: round(value, 4) for key, value in ranked.score_parts.items()},
    }


def planned_printers(ranked_makers, *, material: Material | None = None) -> dict[int, dict]:
    """For each ranked maker, the printer its offer is planned on (one query): the first that can take the part,
    preferring one its print agent reports idle with ``material`` loaded (it can start today), then one with a
    printer model (whose slicer profile gives the real time and material)."""
    wanted = {printer_id for ranked in ranked_makers for printer_id in ranked.printer_ids}
    seen_since = timezone.now() - timedelta(seconds=settings.AGENT_OFFLINE_AFTER_SECONDS)

    def ready(row) -> bool:
        return (
            material is not None
            and row["agent_state"] == PrinterState.IDLE
            and row["agent_seen_at"] is not None
            and row["agent_seen_at"] >= seen_since
            and row["loaded_material_id"] == material.pk
        )

    rows = {
        row["pk"]: row
        for row in Printer.objects.filter(pk__in=wanted).values(
            "pk",
            "name",
            "profile",
            "build_x_mm",
            "build_y_mm",
            "build_z_mm",
            "build_volume_overridden",
            "maker__price_factor",
            "agent_state",
            "agent_seen_at",
            "loaded_material_id",
            "correction_factor",
            "correction_samples",
        )
    }
    planned = {}
    for ranked in ranked_makers:
        usable = [rows[printer_id] for printer_id in ranked.printer_ids if printer_id in rows]
        if usable:
            planned[ranked.maker_id] = min(
                usable, key=lambda row: (not ready(row), not row["profile"], usable.index(row))
            )
    return planned


def _printer_correction(printer: dict | None) -> dict | None:
    """The planned printer's correction of estimated hours, when it has learnt one (``None``: no correction)."""
    if printer is None:
        return None
    factor = estimates.correction_in_use(factor=printer["correction_factor"], samples=printer["correction_samples"])
    if factor == 1.0:
        return None
    return {"factor": factor, "samples": printer["correction_samples"]}


def offer_slice(
    *, version: DesignVersion, material: Material, printer: dict | None, copies: int = 1
) -> tuple[int | None, str]:
    """Ask for the slice of ``copies`` of the part on the planned printer (queued after commit, reused when done);
    else say why the figures stay estimates. A quote slices one copy; a job, what its file must hold."""
    if printer is None or not printer["profile"]:
        return None, _("This printer has no printer model the slicer knows: the figures are estimates.")
    try:
        material_kind(material.code)
    except NotSliceable as refusal:
        return None, _("%(refusal)s The figures are estimates.") % {"refusal": refusal}
    health = slicer_health()
    if health != "ok":
        reason = health.removeprefix("unavailable: ")
        return None, _("The slicer is not available on this server (%(reason)s): the figures are estimates.") % {
            "reason": reason
        }
    overridden = printer["build_volume_overridden"]
    part_slice = slicing_services.slice_request(
        version_id=version.pk,
        material_code=material.code,
        printer_profile=printer["profile"],
        build_volume_mm=(printer["build_x_mm"], printer["build_y_mm"], printer["build_z_mm"]) if overridden else None,
        copies=copies,
    )
    return part_slice.pk, ""


def _corrected_lead(offer: dict, *, raw_days: int, corrected_days: int) -> None:
    """Move the offer's lead time (and ready-by date) by the production days the correction adds or saves."""
    shift = corrected_days - raw_days
    if shift:
        offer["lead_time_days"] += shift
        offer["ready_by"] = (date.fromisoformat(offer["ready_by"]) + timedelta(days=shift)).isoformat()


def _offer(ranked, *, breakdown: QuoteBreakdown, version: DesignVersion, material: Material, printer) -> dict:
    slice_id, note = offer_slice(version=version, material=material, printer=printer)
    offer = {
        **ranked_as_dict(ranked),
        "price_factor": str(printer["maker__price_factor"]) if printer else "1",
        "printer": {"id": printer["pk"], "name": printer["name"], "profile": printer["profile"]} if printer else None,
        "machine_hours": breakdown.machine_hours,
        "mass_g": breakdown.total_mass_g,
        "basis": "estimate",
        "printable": True,
        "slice": slice_id,
        "basis_note": note,
        "correction": _printer_correction(printer),
    }
    if offer["correction"]:
        # This printer's prints take longer (or shorter) than estimated: its hours, price and lead time say so.
        corrected = quote_part(
            part=part_metrics(version.analysis, material.process),
            material=material_pricing(material),
            quantity=breakdown.quantity,
            price_factor=Decimal(offer["price_factor"]),
            now=timezone.now(),
            validity_days=settings.QUOTE_VALIDITY_DAYS,
            time_factor=offer["correction"]["factor"],
        )
        offer.update(price=str(corrected.total), machine_hours=corrected.machine_hours)
        offer["correction"]["lead_days_added"] = corrected.lead_time_days - breakdown.lead_time_days
        _corrected_lead(offer, raw_days=breakdown.lead_time_days, corrected_days=corrected.lead_time_days)
    return offer


def quote_create(
    *, customer, version: DesignVersion, material: Material, quantity: int, colour: str = "", ship_to: ShipTo
) -> Quote:
    """Price a part and list the makers who could make it near ``ship_to`` (and why the others cannot)."""
    if colour and material.colours and colour not in material.colours:
        raise DomainError(
            _("%(material)s comes in %(value)s; %(colour)s is not one of them.")
            % {"material": material.name, "value": ", ".join(material.colours), "colour": f"{colour!r}"},
            code="bad_colour",
        )
    breakdown = price(version=version, material=material, quantity=quantity)
    result = match(
        report=version.analysis,
        material=material,
        quantity=quantity,
        colour=colour,
        ship_to=ship_to,
        breakdown=breakdown,
    )
    planned = planned_printers(result.ranked, material=material)
    warnings = risk_warnings(version=version, material=material)
    body = {
        "design_version": version.pk,
        "needs_risk_acceptance": bool(warnings),
        "risk_warnings": warnings,
        **breakdown.as_dict(),
        "ship_to": {"lat": ship_to.latitude, "lon": ship_to.longitude, "label": ship_to.label},
        "search_radius_km": settings.MATCH_MAX_DISTANCE_KM,
        "makers": [
            _offer(
                ranked, breakdown=breakdown, version=version, material=material, printer=planned.get(ranked.maker_id)
            )
            for ranked in result.ranked
        ],
        "excluded": [
            {
                "maker": excluded.maker_id,
                "name": excluded.name,
                "code": excluded.code,
                "reason": sentence(excluded.template, excluded.params) if excluded.template else excluded.reason,
            }
            for excluded in result.excluded
        ],
    }
    if not result.ranked:
        body["warning"] = _(
            "No maker within %(radius)s km can make this part now; if you order it, it waits on hold until one can."
        ) % {"radius": f"{settings.MATCH_MAX_DISTANCE_KM:g}"}
    return Quote.objects.create(
        customer=customer,
        design_version=version,
        material=material,
        quantity=quantity,
        colour=colour,
        ship_to_latitude=ship_to.latitude,
        ship_to_longitude=ship_to.longitude,
        total=breakdown.total,
        currency=breakdown.currency,
        result=body,
        valid_until=breakdown.valid_until or timezone.now() + timedelta(days=14),
    )


def breakdown_with_offer(breakdown: QuoteBreakdown, offer: dict) -> QuoteBreakdown:
    """The list breakdown at one maker's offer: its price (a line "<maker>'s price" carries the difference, so the
    lines still sum to the total) and its machine hours, material and basis (the slicer's, when it sliced)."""
    total = Decimal(str(offer["price"]))
    difference = total - breakdown.total
    lines = breakdown.lines
    if difference:
        maker = offer.get("name") or _("The maker")
        label = (
            _("%(maker)s's price (sliced on its printer)") if offer.get("basis") == "sliced" else _("%(maker)s's price")
        ) % {"maker": maker}
        lines = (*lines, QuoteLine(code="offer", label=label, quantity=1, unit_amount=difference, amount=difference))
    return replace(
        breakdown,
        lines=lines,
        total=total,
        unit_price=(total / breakdown.quantity).quantize(Decimal("0.01")),
        machine_hours=float(offer.get("machine_hours") or breakdown.machine_hours),
        total_mass_g=float(offer.get("mass_g") or breakdown.total_mass_g),
        basis=offer.get("basis") or breakdown.basis,
    )


def price_difference(old: Decimal, new: Decimal) -> Decimal:
    return (new - old).quantize(Decimal("0.01"))


def quote_current(quote: Quote) -> dict:
    """The quote as it stands now: each offer whose slice is done carries the slicer's machine hours, material
    and the price they give on that maker's printer (``basis`` "sliced"); one still slicing says so; one the
    slicer could not do keeps the estimate and says why. Two queries, whatever the number of offers."""
    body = dict(quote.result)
    offers = [dict(offer) for offer in body.get("makers", [])]
    slices = Slice.objects.in_bulk([offer["slice"] for offer in offers if offer.get("slice")])
    report, material = quote.design_version.analysis or {}, quote.material
    pending = 0
    for offer in offers:
        part_slice = slices.get(offer.get("slice"))
        if part_slice is None:
            continue
        if part_slice.status in (SliceStatus.QUEUED, SliceStatus.SLICING):
            pending += 1
            offer["slicing"] = part_slice.status
        elif part_slice.status == SliceStatus.FAILED:
            offer["basis_note"] = _(
                "The slicer could not prepare it on this printer: %(error)s The figures are estimates."
            ) % {"error": part_slice.error}
        elif part_slice.drops_part:
            # The slicer would leave much of the part out on this printer: a hard reason, not a price question.
            offer["printable"] = False
            offer["basis_note"] = _(
                "This printer cannot make the part as it is: %(reason)s The figures are estimates."
            ) % {"reason": part_slice.drop_reason}
        else:
            figures = SlicedFigures(
                print_hours=part_slice.machine_hours, material_cm3=part_slice.material_cm3, mass_g=part_slice.mass_g
            )
            factor = (offer.get("correction") or {}).get("factor", 1.0)
            sliced = quote_part(
                part=part_metrics(report, material.process),
                material=material_pricing(material),
                quantity=quote.quantity,
                price_factor=Decimal(offer.get("price_factor") or "1"),
                now=quote.created_at,
                validity_days=settings.QUOTE_VALIDITY_DAYS,
                sliced=figures,
                time_factor=factor,
            )
            if factor != 1.0:
                raw = quote_part(
                    part=part_metrics(report, material.process),
                    material=material_pricing(material),
                    quantity=quote.quantity,
                    now=quote.created_at,
                    sliced=figures,
                )
                # The lead time moves by what the correction adds to the slicer's time (not the estimate's).
                offer["lead_time_days"] -= offer["correction"].get("lead_days_added", 0)
                offer["ready_by"] = (
                    date.fromisoformat(offer["ready_by"])
                    - timedelta(days=offer["correction"].get("lead_days_added", 0))
                ).isoformat()
                _corrected_lead(offer, raw_days=raw.lead_time_days, corrected_days=sliced.lead_time_days)
            offer.update(
                price=str(sliced.total),
                machine_hours=sliced.machine_hours,
                mass_g=sliced.total_mass_g,
                basis="sliced",
                basis_note="",
            )
    body["makers"] = offers
    body["slicing_pending"] = pending
    return body
