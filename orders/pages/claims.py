"""Claims on the pages: the customer reports a problem from the order page, the maker answers on its job page (staff
decide on the dashboard's claims page, in web/views/claims.py)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import customer_required, maker_required
from orders.pages.forms import ClaimAnswerForm, ClaimForm
from orders.selectors import claims_visible_to, orders_visible_to
from orders.services import claims as claim_services


def order_claims_context(order, *, is_customer: bool) -> dict:
    """The claims part of the order page: the order's claims, and the form when the customer may open one."""
    claims = list(claims_visible_to(order.customer).filter(order=order))
    jobs = claim_services.claimable_jobs(order) if is_customer and claim_services.claim_refusal(order) is None else []
    return {
        "claims": claims,
        "claim_form": ClaimForm(jobs=jobs, initial={"job": jobs[0].pk} if len(jobs) == 1 else None),
        "can_claim": bool(jobs),
        "claim_window_ends": claim_services.claim_window_ends(order),
        "claim_photos_max": claim_services.CLAIM_PHOTOS_MAX,
    }


@customer_required
@require_POST
def order_claim_create(request, pk):
    """The customer reports a problem with delivered parts (reason and photos); a refusal is shown as is."""
    order = get_object_or_404(orders_visible_to(request.user, detail=False), pk=pk)
    form = ClaimForm(request.POST, jobs=list(order.jobs.select_related("maker")))
    if not form.is_valid():
        messages.error(request, _("Say what is wrong with the parts and attach photos."))
        return redirect("web:order-detail", pk=order.pk)
    try:
        claim = claim_services.claim_open(
            order_id=order.pk,
            customer=request.user,
            reason=form.cleaned_data["reason"],
            photos=request.FILES.getlist("photos"),
            job_id=form.cleaned_data["job"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Claim %(claim)s is open: the maker answers, then we decide.") % {"claim": claim.pk}
        )
    return redirect("web:order-detail", pk=order.pk)


@maker_required
@require_POST
def claim_answer(request, pk):
    """A member of the claimed job's maker answers the claim."""
    claim = get_object_or_404(claims_visible_to(request.user), pk=pk)
    form = ClaimAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your answer to the claim."))
    else:
        try:
            claim_services.claim_answer(claim_id=claim.pk, actor=request.user, answer=form.cleaned_data["answer"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Your answer to claim %(claim)s is sent.") % {"claim": claim.pk})
    return redirect("web:job-detail", pk=claim.job_id)
