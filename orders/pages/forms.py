"""Forms of the quote, order and job pages. They check shapes (a number, a required reason, a file); the rules stay
in the services, whose errors the views show next to the form."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext


class QuoteForm(forms.Form):
    material = forms.ChoiceField(label=_("Material"))
    colour = forms.ChoiceField(label=_("Colour"), required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    city = forms.CharField(
        label=_("Ship to city"),
        max_length=80,
        required=False,
        help_text=_("A city name, or the latitude and longitude below."),
        widget=forms.TextInput(attrs={"list": "city-names", "autocomplete": "address-level2"}),
    )
    latitude = forms.FloatField(label=_("Latitude"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Longitude"), required=False, min_value=-180, max_value=180)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [(m.code, f"{m.name} ({m.get_process_display()})") for m in materials]
        colours = sorted({colour for m in materials for colour in m.colours})
        self.fields["colour"].choices = [("", _("Any colour")), *((colour, colour) for colour in colours)]

    def clean(self):
        data = super().clean()
        has_city = bool((data.get("city") or "").strip())
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_city and not has_point:
            raise forms.ValidationError(_("Say where to ship: a city, or a latitude and a longitude."))
        return data

    def ship_to(self) -> dict:
        data = self.cleaned_data
        if (data.get("city") or "").strip():
            return {"city": data["city"].strip()}
        return {"lat": data["latitude"], "lon": data["longitude"]}


class PlaceOrderForm(forms.Form):
    # One key per rendered form: a double click replays the first answer instead of ordering twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)
    offer = forms.TypedChoiceField(label=_("Maker"), coerce=int, required=False, empty_value=None)
    name = forms.CharField(label=_("Name"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    line1 = forms.CharField(
        label=_("Street and number"), max_length=120, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    line2 = forms.CharField(
        label=_("Address line 2 (optional)"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
    )
    postcode = forms.CharField(
        label=_("Postcode"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code"}),
    )
    city = forms.CharField(
        label=_("City"), max_length=80, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    country = forms.CharField(
        label=_("Country (ISO code, e.g. DE)"),
        max_length=2,
        min_length=2,
        widget=forms.TextInput(attrs={"autocomplete": "country", "size": 3}),
    )
    phone = forms.CharField(
        label=_("Phone (optional, for the carrier)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "tel"}),
    )
    vat_number = forms.CharField(
        label=_("EU VAT number (businesses, optional)"), max_length=20, required=False, help_text=_("reverse charge")
    )
    note = forms.CharField(
        label=_("Note for the maker (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    accept_risk = forms.BooleanField(
        label=_("I accept that it is printed as it is, at my own risk (see the warning above)"), required=False
    )

    ADDRESS_FIELDS = ("name", "line1", "line2", "postcode", "city", "country", "phone")

    def __init__(self, *args, offers=(), address=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        if address is not None:
            initial.update({field: getattr(address, field) for field in self.ADDRESS_FIELDS})
        super().__init__(*args, **kwargs)
        choices = [
            (
                offer["maker"],
                ngettext("%(maker)s: %(price)s (net), %(days)s d", "%(maker)s: %(price)s (net), %(days)s d", days)
                % {"maker": offer["name"], "price": offer["price"], "days": days},
            )
            for offer in offers
            if offer.get("printable", True)
            for days in [offer["lead_time_days"]]
        ]
        self.fields["offer"].choices = [("", _("The recommended maker (first in the list)")), *choices]

    def address(self) -> dict:
        return {field: self.cleaned_data.get(field) or "" for field in self.ADDRESS_FIELDS}


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("printing", _("Printing")), ("printed", _("Printed")), ("shipped", _("Shipped"))]
    )
    photo = forms.ImageField(label=_("Photo of the printed parts"), required=False)
    tracking = forms.CharField(label=_("Tracking number"), max_length=100, required=False)
    carrier = forms.CharField(label=_("Carrier"), max_length=60, required=False)
    note = forms.CharField(
        label=_("Note (optional)"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClaimForm(forms.Form):
    """A customer's report of a problem; the photos come as a list of files (``photos``) beside it."""

    reason = forms.CharField(
        label=_("What is wrong with the parts?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    job = forms.TypedChoiceField(label=_("Which maker's parts"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, jobs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["job"].choices = [
            (job.pk, _("Job %(job)s: %(maker)s") % {"job": job.pk, "maker": job.maker.name}) for job in jobs
        ]
        if len(self.fields["job"].choices) <= 1:
            self.fields["job"].widget = forms.HiddenInput()


class ClaimAnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ClaimDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("reprint", _("Reprint (a new job for the same maker, at its cost)")),
            ("refund", _("Refund from the maker's held payout")),
            ("reject", _("Reject")),
        ],
    )
    amount = forms.DecimalField(
        label=_("Refund amount (gross, optional: all that is held)"),
        max_digits=12,
        decimal_places=2,
        min_value=0.01,
        required=False,
    )
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
