"""Forms of the maker pages: they shape what a person typed; the rules are the services' (makers.services)."""

from itertools import groupby

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models import Material, Process
from makers import bank_details, services
from makers.models import ApplicantKind


def printer_model_choices() -> list:
    """The printer models the platform knows, grouped by vendor, after "other" (process and build volume)."""
    models = sorted(services.printer_models(), key=lambda model: (model.vendor, model.model_name, model.id))
    grouped = [
        (vendor, [(model.id, f"{model.model_name} ({model.variant})") for model in group])
        for vendor, group in groupby(models, key=lambda model: model.vendor)
    ]
    return [("", _("Other (give the process and the build volume)")), *grouped]


def material_choices() -> list:
    return list(Material.objects.filter(is_active=True).order_by("process", "name").values_list("code", "name"))


class PrinterForm(forms.Form):
    name = forms.CharField(label=_("Printer name"), max_length=120)
    profile = forms.ChoiceField(label=_("Printer model"), required=False)
    process = forms.ChoiceField(
        label=_("Process (for other printers)"), required=False, choices=[("", "-"), *Process.choices]
    )
    build_x_mm = forms.IntegerField(label=_("Build X (mm)"), required=False, min_value=1)
    build_y_mm = forms.IntegerField(label=_("Build Y (mm)"), required=False, min_value=1)
    build_z_mm = forms.IntegerField(label=_("Build Z (mm)"), required=False, min_value=1)
    materials = forms.MultipleChoiceField(
        label=_("Materials loaded"), widget=forms.CheckboxSelectMultiple, required=False
    )
    colours = forms.CharField(
        label=_("Colours loaded"), required=False, help_text=_("Comma-separated, e.g. black, white; empty: any")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = printer_model_choices()
        self.fields["materials"].choices = material_choices()

    def clean(self):
        data = super().clean()
        sizes = [data.get(axis) for axis in services.AXES]
        if any(size is not None for size in sizes) and None in sizes:
            self.add_error("build_x_mm", _("Give all three build sizes, or none (the model's)."))
        return data

    def spec(self) -> dict:
        """The printer as the services take it."""
        data = self.cleaned_data
        sizes = [data.get(axis) for axis in services.AXES]
        return {
            "name": data["name"],
            "profile": data.get("profile") or "",
            "process": data.get("process") or None,
            "build_volume_mm": sizes if None not in sizes else None,
            "materials": list(data.get("materials") or []),
            "colours": [colour.strip() for colour in (data.get("colours") or "").split(",") if colour.strip()],
        }


class MakerPrinterForm(PrinterForm):
    is_online = forms.BooleanField(label=_("Online (takes jobs)"), required=False, initial=True)


class BasePrinterFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not any(form.has_changed() for form in self.forms):
            raise forms.ValidationError(_("Add at least one printer."))


PrinterFormSet = forms.formset_factory(PrinterForm, formset=BasePrinterFormSet, extra=2, max_num=services.MAX_PRINTERS)


class ApplicationForm(forms.Form):
    kind = forms.ChoiceField(label=_("I apply as"), choices=ApplicantKind.choices, widget=forms.RadioSelect)
    legal_name = forms.CharField(label=_("Legal name (businesses)"), max_length=120, required=False)
    vat_number = forms.CharField(
        label=_("VAT number (optional)"), max_length=20, required=False, help_text=_("EU businesses, e.g. DE136695976")
    )
    display_name = forms.CharField(label=_("Display name"), max_length=120, help_text=_("What customers see on quotes"))
    address_line1 = forms.CharField(label=_("Street and number"), max_length=120)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=120, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=80)
    country = forms.CharField(
        label=_("Country"), max_length=2, initial="DE", help_text=_("Two-letter ISO code, e.g. DE, NL, FR")
    )
    about = forms.CharField(label=_("About you"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    capacity = forms.IntegerField(
        label=_("Jobs at once"), min_value=services.CAPACITY_RANGE[0], max_value=services.CAPACITY_RANGE[1], initial=3
    )
    hours_to_respond = forms.IntegerField(
        label=_("Usual response time (hours)"),
        min_value=services.RESPONSE_HOURS_RANGE[0],
        max_value=services.RESPONSE_HOURS_RANGE[1],
        initial=4,
    )
    payout_account_holder = forms.CharField(label=_("Account holder"), max_length=70)
    payout_iban = forms.CharField(label=_("IBAN"), max_length=42)
    payout_bic = forms.CharField(label=_("BIC (optional within SEPA)"), max_length=14, required=False)

    ADDRESS = ("address_line1", "address_line2", "postcode", "city", "country")

    def submission(self) -> dict:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "legal_name": data.get("legal_name", ""),
            "vat_number": data.get("vat_number", ""),
            "display_name": data["display_name"],
            "address": {field: data.get(field, "") for field in self.ADDRESS},
            "about": data.get("about", ""),
            "capacity": data["capacity"],
            "hours_to_respond": data["hours_to_respond"],
            "payout_account_holder": data["payout_account_holder"],
            "payout_iban": data["payout_iban"],
            "payout_bic": data.get("payout_bic", ""),
        }


def errors_onto(form: forms.Form, formset, errors: dict[str, str]) -> None:
    """A service's errors by field shown next to their fields (``printers.0.materials`` on the first printer)."""
    for field, message in errors.items():
        if field.startswith("printers.") and formset is not None:
            _prefix, index, name = field.split(".", 2)
            target = [f for f in formset.forms if f.has_changed()][int(index)]
            name = "build_x_mm" if name == "build_volume_mm" else name
            target.add_error(name if name in target.fields else None, message)
        elif field in form.fields:
            form.add_error(field, message)
        else:
            form.add_error(None, message)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class MakerProfileForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=120)
    legal_name = forms.CharField(label=_("Legal name (businesses)"), max_length=120, required=False)
    email = forms.EmailField(label=_("Contact e-mail"), required=False)
    address_line1 = forms.CharField(label=_("Street and number"), max_length=120, required=False)
    address_line2 = forms.CharField(label=_("Address line 2"), max_length=120, required=False)
    postcode = forms.CharField(label=_("Postcode"), max_length=16, required=False)
    city = forms.CharField(label=_("City"), max_length=80)
    country = forms.CharField(label=_("Country"), max_length=2)
    about = forms.CharField(label=_("About you"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    capacity = forms.IntegerField(
        label=_("Jobs at once"), min_value=services.CAPACITY_RANGE[0], max_value=services.CAPACITY_RANGE[1]
    )
    hours_to_respond = forms.IntegerField(
        label=_("Usual response time (hours)"),
        min_value=services.RESPONSE_HOURS_RANGE[0],
        max_value=services.RESPONSE_HOURS_RANGE[1],
    )
    payout_account_holder = forms.CharField(label=_("Account holder"), max_length=70, required=False)
    payout_iban = forms.CharField(label=_("IBAN"), max_length=42, required=False)
    payout_bic = forms.CharField(label=_("BIC (optional within SEPA)"), max_length=14, required=False)

    def clean_payout_iban(self):
        value = self.cleaned_data["payout_iban"]
        if not value.strip():
            return ""
        valid, normalised, reason = bank_details.iban_check(value)
        if not valid:
            raise forms.ValidationError(gettext(reason))
        return normalised

    def clean_payout_bic(self):
        value = self.cleaned_data["payout_bic"]
        if not value.strip():
            return ""
        valid, normalised, reason = bank_details.bic_check(value)
        if not valid:
            raise forms.ValidationError(gettext(reason))
        return normalised

    def clean_country(self):
        return self.cleaned_data["country"].strip().upper()
