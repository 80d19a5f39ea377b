"""Forms of the pages. They check shapes (a number, a file, a required reason); the rules of the platform stay in
the services, whose errors the views show next to the form."""

import uuid

from django import forms
from django.conf import settings

from designs.models import Units

UNIT_CHOICES = [("", "As the file says (else millimetres)"), *Units.choices]


class SignUpForm(forms.Form):
    username = forms.CharField(
        label="User name", max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    email = forms.EmailField(label="E-mail", required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not only digits, not a common password.",
    )
    password_again = forms.CharField(
        label="Password again", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        data = super().clean()
        if data.get("password") and data.get("password_again") and data["password"] != data["password_again"]:
            self.add_error("password_again", "The two passwords differ.")
        return data


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Mesh file",
        help_text=f"STL, OBJ, PLY, OFF, 3MF or GLB, up to {settings.DESIGN_UPLOAD_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{f}" for f in settings.DESIGN_FORMATS)}),
    )
    name = forms.CharField(label="Name", max_length=200, required=False, help_text="Leave empty to use the file name.")
    units = forms.ChoiceField(label="Units in the file", choices=UNIT_CHOICES, required=False)


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label="Revised mesh file",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{f}" for f in settings.DESIGN_FORMATS)}),
    )
    units = forms.ChoiceField(label="Units in the file", choices=UNIT_CHOICES, required=False)
    message = forms.CharField(
        label="What changed", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuoteForm(forms.Form):
    material = forms.ChoiceField(label="Material")
    colour = forms.ChoiceField(label="Colour", required=False)
    quantity = forms.IntegerField(label="Quantity", min_value=1, max_value=10_000, initial=1)
    city = forms.CharField(
        label="Ship to city",
        max_length=80,
        required=False,
        help_text="A city name, or the latitude and longitude below.",
        widget=forms.TextInput(attrs={"list": "city-names", "autocomplete": "address-level2"}),
    )
    latitude = forms.FloatField(label="Latitude", required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label="Longitude", required=False, min_value=-180, max_value=180)

    def __init__(self, *args, materials=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["material"].choices = [(m.code, f"{m.name} ({m.get_process_display()})") for m in materials]
        colours = sorted({colour for m in materials for colour in m.colours})
        self.fields["colour"].choices = [("", "Any colour"), *((colour, colour) for colour in colours)]

    def clean(self):
        data = super().clean()
        has_city = bool((data.get("city") or "").strip())
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not has_city and not has_point:
            raise forms.ValidationError("Say where to ship: a city, or a latitude and a longitude.")
        return data

    def ship_to(self) -> dict:
        data = self.cleaned_data
        if (data.get("city") or "").strip():
            return {"city": data["city"].strip()}
        return {"lat": data["latitude"], "lon": data["longitude"]}


class PlaceOrderForm(forms.Form):
    # One key per rendered form: a double click replays the first answer instead of ordering twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)
    note = forms.CharField(
        label="Note for the maker (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=[("printing", "Printing"), ("printed", "Printed"), ("shipped", "Shipped")])
    photo = forms.ImageField(label="Photo of the printed parts", required=False)
    tracking = forms.CharField(label="Tracking number", max_length=100, required=False)
    carrier = forms.CharField(label="Carrier", max_length=60, required=False)
    note = forms.CharField(
        label="Note (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def template_form_fields(parameters: list[dict]) -> list[dict]:
    """The parameter schema of a template (``Template.to_dict()["parameters"]``) as form fields to render.

    Each entry keeps the schema and adds ``input`` (number, select, checkbox or text) and ``value`` (the
    default shown), so the template page is generated from the same schema the API lists.
    """
    fields = []
    for parameter in parameters:
        kind = parameter["type"]
        default = parameter.get("default")
        if kind in ("number", "integer"):
            field = {"input": "number", "value": _plain_number(default)}
        elif kind == "choice":
            field = {"input": "select", "value": default}
        elif kind == "boolean":
            field = {"input": "checkbox", "value": bool(default)}
        else:
            field = {"input": "text", "value": ", ".join(_plain_number(v) for v in default or [])}
        fields.append({**parameter, **field, "id": f"parameter-{parameter['name']}"})
    return fields


def parameters_from_post(parameters: list[dict], data) -> dict:
    """Raw parameter values from a posted template form (the services validate and canonicalise them)."""
    values = {}
    for parameter in parameters:
        name = parameter["name"]
        if parameter["type"] == "boolean":
            values[name] = name in data
        elif name in data:
            values[name] = data[name]
    return values


def with_posted_values(fields: list[dict], values: dict) -> list[dict]:
    """The form fields showing what the customer sent (after an error), not the defaults."""
    shown = []
    for field in fields:
        if field["name"] in values:
            value = values[field["name"]]
            field = {**field, "value": bool(value) if field["input"] == "checkbox" else value}
        shown.append(field)
    return shown


def _plain_number(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
