"""Customers' designs: the list, the upload, and the design page (3D view, report, versions)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from catalogue.selectors import active_materials
from core.errors import DomainError
from core.pages import customer_required, signed_in_required
from designs import services as design_services
from designs.models import VERSION_ACTIVE, VersionStatus
from designs.pages.forms import UploadForm, VersionUploadForm
from designs.pages.report import report_view
from designs.selectors import design_for_owner, designs_visible_to, version_file_url
from designs.uploads import MeshUploadHandler

DESIGNS_PER_PAGE = 24


@signed_in_required
def design_list(request):
    """Customers: their own designs. Staff: every design. Makers: the designs of jobs they hold."""
    designs = designs_visible_to(request.user)
    if request.user.is_customer:
        designs = designs.filter(owner=request.user)
    page = Paginator(designs, DESIGNS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "designs/list.html", {"page": page, "designs": page.object_list})


def _streamed_upload(view):
    """Uploads stream to a temporary file under the size limit, as in the API.

    The upload handler must be in place before anything reads the body, and the CSRF check reads it; so the
    view is exempted from the middleware's early check and protected again once the handler is set.
    """
    protected = csrf_protect(view)

    @csrf_exempt
    def wrapper(request, *args, **kwargs):
        if request.method == "POST":
            request.upload_handlers = [MeshUploadHandler(request, max_bytes=settings.DESIGN_UPLOAD_MAX_BYTES)]
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _upload_problem(request) -> str | None:
    if getattr(request, "upload_too_large", False):
        return design_services.upload_too_large_message()
    return None


@_streamed_upload
@customer_required
def design_upload(request):
    """The upload form: with JavaScript it posts to the API with a progress bar; without, here."""
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        problem = _upload_problem(request)
        if problem:
            form.add_error(None, problem)
        elif form.is_valid():
            try:
                result = design_services.design_upload(
                    owner=request.user,
                    uploaded_file=form.cleaned_data["file"],
                    name=form.cleaned_data["name"],
                    units=form.cleaned_data["units"],
                )
            except DomainError as error:
                form.add_error(None, error.message)
            else:
                if result.created:
                    messages.success(request, _("Uploaded. The printability check is running."))
                else:
                    messages.info(request, _("You uploaded this file before: here is that design."))
                return redirect("web:design-detail", pk=result.design.pk)
    status = 400 if form.errors else 200
    return render(request, "designs/upload.html", {"form": form}, status=status)


def design_page(request, design, *, version_number=None, version_form=None, extra_context=None, status=200):
    """The design page of one of its versions. The apps above add their parts with template tags (the order app's
    quote form, co-design's conversation); ``extra_context`` carries what they pass back, e.g. a form with errors."""
    user = request.user
    versions = list(design.versions.select_related("created_by").order_by("-number"))
    version = next((v for v in versions if str(v.number) == str(version_number)), None) if version_number else None
    version = version or next((v for v in versions if v.pk == design.latest_version_id), None)
    version = version or (versions[0] if versions else None)
    materials = list(active_materials())
    is_owner = user.is_customer and design.owner_id == user.pk
    context = {
        "design": design,
        "versions": versions,
        "version": version,
        "is_owner": is_owner,
        "is_active": version is not None and version.status in VERSION_ACTIVE,
        "report": None,
        "catalogue_materials": materials,
        "version_form": version_form or (VersionUploadForm() if is_owner else None),
        "max_upload_mb": settings.DESIGN_UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    if version is not None and version.status == VersionStatus.READY:
        context["report"] = report_view(version.analysis, material_names={m.code: m.name for m in materials})
        for kind in ("preview", "thumbnail", "file", "repaired"):
            context[f"{kind}_url"] = version_file_url(version, kind)
        context["highlights"] = (version.analysis or {}).get("highlights") or None
    context.update(extra_context or {})
    return render(request, "designs/detail.html", context, status=status)


@signed_in_required
def design_detail(request, pk):
    """The owner, staff, and a maker with a job of it: versions, 3D preview, report; the owner also quotes."""
    design = get_object_or_404(designs_visible_to(request.user), pk=pk)
    return design_page(request, design, version_number=request.GET.get("version"))


@_streamed_upload
@customer_required
@require_POST
def version_upload(request, pk):
    """The owner uploads a revision: a new numbered version, analysed like the first."""
    design = design_for_owner(user=request.user, design_id=pk)
    form = VersionUploadForm(request.POST, request.FILES)
    problem = _upload_problem(request)
    if problem:
        form.add_error(None, problem)
    elif form.is_valid():
        try:
            version = design_services.design_version_upload(
                design=design,
                actor=request.user,
                uploaded_file=form.cleaned_data["file"],
                units=form.cleaned_data["units"],
                message=form.cleaned_data["message"],
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("Version %(number)s uploaded. The printability check is running.") % {"number": version.number},
            )
            return redirect(f"{reverse('web:design-detail', kwargs={'pk': pk})}?version={version.number}")
    return design_page(request, design, version_form=form, status=400)
