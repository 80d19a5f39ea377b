"""Payout pages: a maker's balances and statement, and the staff's payout batches (made from released payouts)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from billing import payouts
from billing.models import PayoutBatch
from billing.services import maker_balances
from core.errors import DomainError
from core.pages import maker_required, staff_required

RECENT_BATCHES = 50


@maker_required
def maker_payouts(request):
    """Makers: their own balances (held, released, paid out), the movements and the statement downloads."""
    maker = request.user.makers.order_by("pk").first()
    if maker is None:
        raise Http404(_("This account does not belong to a maker."))
    statement = payouts.maker_statement(maker=maker)
    return render(
        request,
        "billing/maker_payouts.html",
        {
            "maker": maker,
            "balances": maker_balances(maker.pk),
            "currency": settings.CURRENCY,
            "movements": list(reversed(statement.movements)),
            "hold_days": settings.PAYOUT_HOLD_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
@staff_required
def staff_payouts(request):
    """Staff: released payouts not yet paid, per maker (and why a maker cannot be paid); POST makes a batch."""
    if request.method == "POST":
        try:
            batch = payouts.payout_batch_create(actor=request.user)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            skipped = (" " + _("%(count)s maker(s) skipped.") % {"count": len(batch.skipped)}) if batch.skipped else ""
            made = _("Payout batch %(batch)s: %(count)s transfer(s), %(total)s %(currency)s.") % {
                "batch": batch.pk,
                "count": batch.transfer_count,
                "total": batch.total,
                "currency": batch.currency,
            }
            messages.success(request, made + skipped)
        return redirect("web:dashboard-payouts")
    payables = payouts.payouts_payable()
    return render(
        request,
        "billing/staff_payouts.html",
        {
            "payables": payables,
            "payable_total": sum((p.amount for p in payables if not p.problem), payouts.ZERO),
            "batches": list(PayoutBatch.objects.all()[:RECENT_BATCHES]),
            "currency": settings.CURRENCY,
            "platform_account_ready": bool(settings.PLATFORM_IBAN and settings.PLATFORM_BIC),
        },
    )
