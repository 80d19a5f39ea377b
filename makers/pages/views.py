"""Becoming a maker (the public apply page), staff deciding applications, and a maker's own profile, printers and
holiday switch. Views only shape forms and call makers.services."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from catalogue.models import Material
from core.errors import DomainError
from core.pages import maker_required, staff_required
from makers import services
from makers.models import APPLICATION_PENDING, Maker, MakerApplication, Printer
from makers.pages.forms import (
    ApplicationForm,
    MakerPrinterForm,
    MakerProfileForm,
    PrinterFormSet,
    ReasonForm,
    errors_onto,
)


def own_maker(user) -> Maker:
    maker = user.makers.order_by("pk").first()
    if maker is None:
        raise Http404("This account does not belong to a maker.")
    return maker


@require_http_methods(["GET", "POST"])
def maker_apply(request):
    """Anyone reads it; sending the application needs an account (anonymous visitors go to log in and come back).
    A customer applies once at a time; makers and staff see where to go instead."""
    user = request.user
    latest = user.maker_applications.order_by("-created_at", "-id").first() if user.is_authenticated else None
    can_apply = not user.is_authenticated or (user.is_customer and not user.is_staff)
    pending = latest is not None and latest.status in APPLICATION_PENDING
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form, printers = ApplicationForm(request.POST), PrinterFormSet(request.POST, prefix="printers")
        if can_apply and not pending and form.is_valid() and printers.is_valid():
            try:
                services.maker_application_submit(
                    applicant=user,
                    printers=[printer.spec() for printer in printers.forms if printer.has_changed()],
                    **form.submission(),
                )
            except services.ApplicationInvalid as invalid:
                errors_onto(form, printers, invalid.errors)
            except DomainError as error:
                messages.error(request, error.message)
                return redirect("web:maker-apply")
            else:
                messages.success(request, _("Thank you: your application is in. We will tell you our decision."))
                return redirect("web:maker-apply")
    else:
        form, printers = ApplicationForm(), PrinterFormSet(prefix="printers")
    return render(
        request,
        "makers/apply.html",
        {"form": form, "printers": printers, "latest": latest, "pending": pending, "can_apply": can_apply},
    )


@staff_required
def application_list(request):
    """Staff: the maker applications, waiting ones first (oldest first), then the decided ones."""
    waiting = list(
        MakerApplication.objects.filter(status__in=APPLICATION_PENDING)
        .select_related("applicant")
        .order_by("created_at", "id")
    )
    decided = list(
        MakerApplication.objects.exclude(status__in=APPLICATION_PENDING)
        .select_related("applicant", "maker")
        .order_by("-status_changed_at", "-id")[:50]
    )
    return render(
        request,
        "makers/staff_applications.html",
        {"waiting": waiting, "decided": decided, "reason_form": ReasonForm()},
    )


@staff_required
@require_POST
def application_decide(request, pk, decision):
    """Staff: approve (an optional note) or reject (a reason, required) one application."""
    application = get_object_or_404(MakerApplication, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        if decision == "approve":
            services.maker_application_approve(application_id=application.pk, actor=request.user, note=reason)
            messages.success(request, _("%(name)s is a maker now.") % {"name": application.display_name})
        elif decision == "reject":
            services.maker_application_reject(application_id=application.pk, actor=request.user, reason=reason)
            messages.success(request, _("%(name)s: rejected.") % {"name": application.display_name})
        else:
            raise Http404("No such decision.")
    except DomainError as error:
        messages.error(request, f"{application.display_name}: {error.message}")
    return redirect("web:maker-applications")


@maker_required
@require_http_methods(["GET", "POST"])
def maker_profile(request):
    """Makers: their own profile, address (moves them on the map), payout account, capacity and response time."""
    maker = own_maker(request.user)
    fields = MakerProfileForm.base_fields
    if request.method == "POST":
        form = MakerProfileForm(request.POST)
        if form.is_valid():
            try:
                services.maker_update_profile(maker=maker, **form.cleaned_data)
            except DomainError as error:
                field = error.details.get("field")
                form.add_error(field if field in form.fields else None, error.message)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("web:maker-profile")
    else:
        form = MakerProfileForm(initial={name: getattr(maker, name) for name in fields})
    return render(request, "makers/profile.html", {"maker": maker, "form": form})


@maker_required
@require_POST
def maker_pause(request):
    """Makers: switch taking new work off (holiday) or on again; the jobs they hold go on."""
    maker = own_maker(request.user)
    paused = request.POST.get("paused") == "1"
    services.maker_set_paused(maker=maker, paused=paused)
    messages.success(
        request, _("Paused: you get no new offers.") if paused else _("Welcome back: you get offers again.")
    )
    return redirect(request.POST.get("next") if request.POST.get("next") == "/maker/printers/" else "web:maker-profile")


def _printer_initial(printer: Printer) -> dict:
    return {
        "name": printer.name,
        "profile": printer.profile,
        "process": printer.process,
        "build_x_mm": printer.build_x_mm if printer.build_volume_overridden or not printer.profile else None,
        "build_y_mm": printer.build_y_mm if printer.build_volume_overridden or not printer.profile else None,
        "build_z_mm": printer.build_z_mm if printer.build_volume_overridden or not printer.profile else None,
        "materials": [material.code for material in printer.materials.all()],
        "colours": ", ".join(printer.colours),
        "is_online": printer.is_online,
    }


def _save_printer(form, *, maker: Maker, printer: Printer | None) -> Printer | None:
    spec = form.spec()
    try:
        services.printer_check(
            profile=spec["profile"],
            process=spec["process"],
            build_volume_mm=spec["build_volume_mm"],
            material_codes=spec["materials"],
        )
        renamed = printer is None or spec["name"] != printer.name
        if renamed and maker.printers.filter(name=spec["name"]).exists():
            raise DomainError(_("Another printer has this name."), details={"field": "name"})
        if printer is None:
            return services.printer_upsert(
                maker=maker,
                name=spec["name"],
                profile=spec["profile"],
                process=spec["process"],
                build_volume_mm=tuple(spec["build_volume_mm"]) if spec["build_volume_mm"] else None,
                material_codes=spec["materials"],
                colours=[colour.lower() for colour in spec["colours"]],
                is_online=form.cleaned_data["is_online"],
            )
        changes = {
            "name": spec["name"],
            "profile": spec["profile"],
            "materials": list(Material.objects.filter(code__in=spec["materials"])),
            "colours": [colour.lower() for colour in spec["colours"]],
            "is_online": form.cleaned_data["is_online"],
        }
        if spec["process"]:
            changes["process"] = spec["process"]
        if spec["build_volume_mm"]:
            changes.update(zip(services.AXES, spec["build_volume_mm"], strict=True))
        return services.printer_update(printer=printer, **changes)
    except DomainError as error:
        field = error.details.get("field", "profile")
        field = "build_x_mm" if field in ("build_y_mm", "build_z_mm") else field
        form.add_error(field if field in form.fields else None, error.message)
        return None


@maker_required
@require_http_methods(["GET", "POST"])
def printer_list(request):
    """Makers: their printers, and a form to add one."""
    maker = own_maker(request.user)
    form = MakerPrinterForm(request.POST or None, prefix="new")
    added = request.method == "POST" and form.is_valid() and _save_printer(form, maker=maker, printer=None)
    if added:
        messages.success(request, _("Printer added."))
        return redirect("web:maker-printers")
    printers = list(maker.printers.select_related("loaded_material").prefetch_related("materials"))
    return render(request, "makers/printers.html", {"maker": maker, "printers": printers, "form": form})


@maker_required
@require_http_methods(["GET", "POST"])
def printer_edit(request, pk):
    """Makers: change one of their own printers (model, materials, colours, online); others' are 404."""
    maker = own_maker(request.user)
    printer = get_object_or_404(Printer.objects.filter(maker=maker), pk=pk)
    if request.method == "POST":
        form = MakerPrinterForm(request.POST)
        if form.is_valid() and _save_printer(form, maker=maker, printer=printer) is not None:
            messages.success(request, _("Printer saved."))
            return redirect("web:maker-printers")
    else:
        form = MakerPrinterForm(initial=_printer_initial(printer))
    return render(request, "makers/printer_edit.html", {"maker": maker, "printer": printer, "form": form})


@maker_required
@require_POST
def printer_remove(request, pk):
    """Makers: remove one of their own printers; others' are 404."""
    maker = own_maker(request.user)
    printer = get_object_or_404(Printer.objects.filter(maker=maker), pk=pk)
    services.printer_remove(printer=printer)
    messages.success(request, _("Printer removed."))
    return redirect("web:maker-printers")
