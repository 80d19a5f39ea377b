"""The parametric template catalogue and the customizer page (form from the schema, live 3D preview)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from catalogue.selectors import active_materials
from core.errors import DomainError
from designs import services as design_services
from designs.pages.forms import parameters_from_post, template_form_fields, with_posted_values
from designs.parametric import TEMPLATES


def template_list(request):
    return render(request, "designs/templates/list.html", {"templates": [t.to_dict() for t in TEMPLATES.values()]})


def _template_or_404(slug: str) -> dict:
    try:
        return design_services.template_or_404(slug).to_dict()
    except DomainError:
        raise Http404(_("There is no template called %(slug)s.") % {"slug": repr(slug)})


def template_detail(request, slug):
    """GET: the form. POST (customers): validate against the schema (and the material) and make the design."""
    schema = _template_or_404(slug)
    fields = template_form_fields(schema["parameters"])
    materials = list(active_materials())
    context = {"template": schema, "fields": fields, "materials": materials, "name": "", "material": ""}
    if request.method != "POST":
        return render(request, "designs/templates/detail.html", context)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.is_customer:
        raise Http404(_("Only customers make designs from templates."))
    raw = parameters_from_post(schema["parameters"], request.POST)
    name = request.POST.get("name", "").strip()[:200]
    code = request.POST.get("material", "")
    material = next((m for m in materials if m.code == code), None)
    try:
        values = design_services.template_parameters(slug=slug, raw=raw, material=material)
        result = design_services.design_create_from_template(
            owner=request.user, template_slug=slug, parameters=values, name=name or schema["name"]
        )
    except DomainError as error:
        context.update(fields=with_posted_values(fields, raw), error=error.message, name=name, material=code)
        context["error_parameter"] = error.details.get("parameter", "")
        return render(request, "designs/templates/detail.html", context, status=400)
    messages.success(request, f"{result.design.name} is being generated and checked; this takes a few seconds.")
    return redirect("web:design-detail", pk=result.design.pk)
