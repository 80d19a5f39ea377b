"""Staff: the claims waiting for a decision (with the maker's answer, photos and a decide form each), and the
reprints decided on claims that are still being made."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import staff_required
from orders.models import CLAIM_OPEN, JOB_ACTIVE, ClaimStatus
from orders.pages.forms import ClaimDecideForm
from orders.selectors import claims_visible_to
from orders.services import claims as claim_services


@staff_required
def claims_board(request):
    claims = claims_visible_to(request.user)
    return render(
        request,
        "web/staff/claims.html",
        {
            "open_claims": list(claims.filter(status__in=CLAIM_OPEN).order_by("created_at", "id")),
            "reprints": list(
                claims.filter(status=ClaimStatus.REPRINT, reprint_job__status__in=JOB_ACTIVE).order_by("created_at")
            ),
            "decide_form": ClaimDecideForm(),
        },
    )


@staff_required
@require_POST
def claim_decide(request, pk):
    """Decide one claim: reprint, refund (part or all of the maker's held payout) or reject."""
    claim = get_object_or_404(claims_visible_to(request.user), pk=pk)
    form = ClaimDecideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Claim %(number)s: choose a decision (and a valid amount for a refund).") % {"number": claim.pk}
        )
        return redirect("web:claims-board")
    data = form.cleaned_data
    try:
        claim = claim_services.claim_decide(
            claim_id=claim.pk, actor=request.user, decision=data["decision"], amount=data["amount"], note=data["note"]
        )
    except DomainError as error:
        messages.error(request, _("Claim %(number)s: %(error)s") % {"number": claim.pk, "error": error.message})
    else:
        messages.success(
            request,
            _("Claim %(number)s: %(status)s.") % {"number": claim.pk, "status": claim.get_status_display().lower()},
        )
    return redirect("web:claims-board")
