"""Forms of the design pages (upload, new version) and the template form built from a schema. They check
shapes; the rules stay in the services, whose errors the views show next to the form."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from designs.models import Units

UNIT_CHOICES = [("", _("As the file says (else millimetres)")), *Units.choices]


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Mesh file"),
        help_text=format_lazy(
            _("STL, OBJ, PLY, OFF, 3MF or GLB, up to {megabytes} MB."),
            megabytes=settings.DESIGN_UPLOAD_MAX_BYTES // (1024 * 1024),
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{f}" for f in settings.DESIGN_FORMATS)}),
    )
    name = forms.CharField(
        label=_("Name"), max_length=200, required=False, help_text=_("Leave empty to use the file name.")
    )
    units = forms.ChoiceField(label=_("Units in the file"), choices=UNIT_CHOICES, required=False)


class VersionUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Revised mesh file"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{f}" for f in settings.DESIGN_FORMATS)}),
    )
    units = forms.ChoiceField(label=_("Units in the file"), choices=UNIT_CHOICES, required=False)
    message = forms.CharField(
        label=_("What changed"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
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
