"""Co-design on the pages: conversations on design versions and jobs, revisions makers propose, the customer's
answer. Every write goes through ``codesign.services``; who may see a thread is decided there too.

The design, order and job pages (apps below this one) show their co-design parts through the ``codesign`` template
tags (``codesign/templatetags/codesign.py``), which read them with the helpers here."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from codesign import services as codesign
from codesign.models import RevisionProposal
from codesign.selectors import job_messages, proposals_for
from core.errors import DomainError, NotFound
from core.pages import customer_required, maker_required, signed_in_required
from designs import services as design_services
from designs.pages.forms import parameters_from_post, template_form_fields
from orders.models import JOB_DROPPED
from orders.selectors import jobs_for_maker


def proposal_forms(job, files) -> list[dict]:
    """For each part of the job: the revision form (template settings for template designs, else a file)."""
    forms = []
    for entry in files:
        design = entry["design"]
        fields = []
        if design.template_slug:
            try:
                schema = design_services.template_or_404(design.template_slug).to_dict()
            except DomainError:
                schema = {"parameters": []}
            current = entry["item"].parameters or {}
            fields = [
                {
                    **field,
                    "id": f"proposal-{entry['item'].pk}-{field['name']}",
                    "value": current.get(field["name"], field["value"]),
                }
                for field in template_form_fields(schema["parameters"])
            ]
        forms.append({**entry, "parameter_fields": fields})
    return forms


def priced_proposals(order) -> list:
    """The revisions proposed for an order, each pending one with the price the part would have if accepted now."""
    proposals = proposals_for(order=order)
    for proposal in proposals:
        expected = codesign.proposal_expected_price(proposal)
        proposal.expected_total = expected.total if expected else None
        proposal.expected_difference = (
            proposal.expected_total - proposal.order_item.total_price if proposal.expected_total is not None else None
        )
    return proposals


def order_threads(jobs) -> list[tuple]:
    """Conversations of the order's jobs: those still going, and ended ones where something was said."""
    threads = job_messages(jobs)
    return [(job, threads[job.pk]) for job in jobs if threads[job.pk] or job.status not in JOB_DROPPED]


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/") and not target.startswith("//") else fallback


@signed_in_required
@require_POST
def version_message_post(request, pk, number):
    """Anyone who may see the design adds to the conversation on one of its versions."""
    try:
        version = codesign.version_visible_to(request.user, design_id=pk, number=number)
    except NotFound:
        raise Http404(_("No such design version."))
    page = f"{reverse('web:design-detail', kwargs={'pk': pk})}?version={number}#conversation"
    try:
        codesign.message_post(author=request.user, body=request.POST.get("body", ""), version=version)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message sent."))
    return redirect(page)


@signed_in_required
@require_POST
def job_message_post(request, pk):
    """The job's maker, the order's customer or staff add to the conversation on a job."""
    try:
        job = codesign.job_visible_to(request.user, pk)
    except NotFound:
        raise Http404(_("No such job."))
    if request.user.is_maker:
        fallback = reverse("web:job-detail", kwargs={"pk": job.pk})
    else:
        fallback = reverse("web:order-detail", kwargs={"pk": job.order_id})
    try:
        codesign.message_post(author=request.user, body=request.POST.get("body", ""), job=job)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Message sent."))
    return redirect(_back(request, fallback) + "#conversation")


@maker_required
@require_POST
def proposal_create(request, pk):
    """The maker of a job proposes a revision of one of its parts: new template settings, or a new file."""
    job = get_object_or_404(jobs_for_maker(request.user), pk=pk)
    item_id = request.POST.get("order_item", "")
    job_item = next((ji for ji in job.job_items.all() if str(ji.order_item_id) == item_id), None)
    if job_item is None:
        raise Http404(_("That part is not in this job."))
    design = job_item.order_item.design_version.design
    arguments = {"message": request.POST.get("message", ""), "order_item_id": job_item.order_item_id}
    if design.template_slug:
        schema = design_services.template_or_404(design.template_slug).to_dict()
        arguments["parameters"] = parameters_from_post(schema["parameters"], request.POST)
    else:
        arguments["uploaded_file"] = request.FILES.get("file")
        arguments["units"] = request.POST.get("units", "")
        if arguments["uploaded_file"] is None:
            messages.error(request, _("Choose the revised file to upload."))
            return redirect("web:job-detail", pk=job.pk)
    try:
        proposal = codesign.proposal_create(job_id=job.pk, actor=request.user, **arguments)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Version %(version_number)s proposed; it is being checked and the customer has been asked.")
            % {"version_number": proposal.version.number},
        )
    return redirect(reverse("web:job-detail", kwargs={"pk": job.pk}) + "#proposals")


@customer_required
@require_POST
def proposal_answer(request, pk, answer):
    """The customer accepts (the part moves to the new version at its new price) or rejects a proposal."""
    proposal = get_object_or_404(RevisionProposal.objects.filter(job__order__customer=request.user), pk=pk)
    try:
        if answer == "accept":
            proposal = codesign.proposal_accept(proposal_id=proposal.pk, actor=request.user)
            sign = "+" if proposal.price_difference >= 0 else "−"
            messages.success(
                request,
                _("Revision accepted: the part now costs %(price_after)s (%(sign)s%(price_difference)s).")
                % {
                    "price_after": proposal.price_after,
                    "sign": sign,
                    "price_difference": abs(proposal.price_difference),
                },
            )
        elif answer == "reject":
            codesign.proposal_reject(proposal_id=proposal.pk, actor=request.user, reason=request.POST.get("reason", ""))
            messages.info(request, _("Revision rejected: the maker goes on with your version."))
        else:
            raise Http404(_("No such answer."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(reverse("web:order-detail", kwargs={"pk": proposal.job.order_id}) + "#proposals")
