"""Counter-offer pages: the maker's "Propose another price or date" form on the job page, and the customer's
Accept / Decline on the order page (a price rise goes on to the top-up's payment page)."""

from datetime import UTC, datetime, time

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import customer_required, maker_required
from orders.models import CounterOffer
from orders.selectors import jobs_for_maker
from orders.services import counteroffers

ANSWERS = {"accept": True, "decline": False}


class CounterOfferForm(forms.Form):
    price = forms.DecimalField(
        label=_("Price for all parts (net)"), max_digits=12, decimal_places=2, required=False, min_value=0
    )
    due_at = forms.DateField(
        label=_("Ships by"), required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text=_("optional")
    )
    message = forms.CharField(
        label=_("Message to the customer"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


def _end_of_day(day):
    """A date from the form as the end of that day, UTC (the maker ships by then)."""
    return datetime.combine(day, time(23, 59), tzinfo=UTC) if day else None


@maker_required
@require_POST
def counter_offer_create(request, pk):
    job = get_object_or_404(jobs_for_maker(request.user), pk=pk)
    form = CounterOfferForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Check the price and date: " + "; ".join(e for errors in form.errors.values() for e in errors)
        )
        return redirect("web:job-detail", pk=job.pk)
    data = form.cleaned_data
    try:
        counteroffers.counter_offer_make(
            job_id=job.pk,
            actor=request.user,
            price=data.get("price"),
            due_at=_end_of_day(data.get("due_at")),
            message=data["message"],
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Counter-offer sent: the customer has until the offer's time to answer."))
    return redirect("web:job-detail", pk=job.pk)


@customer_required
@require_POST
def counter_offer_answer(request, pk, answer):
    counter_offer = get_object_or_404(CounterOffer.objects.filter(order__customer=request.user), pk=pk)
    if answer not in ANSWERS:
        raise Http404(_("No such answer."))
    try:
        counter_offer = counteroffers.counter_offer_answer(
            counter_offer_id=counter_offer.pk, actor=request.user, accept=ANSWERS[answer]
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if counter_offer.is_awaiting_payment and counter_offer.payment and counter_offer.payment.checkout_url:
            return redirect(counter_offer.payment.checkout_url)
        messages.success(
            request,
            _("Counter-offer accepted: the maker has the job.")
            if ANSWERS[answer]
            else _("Counter-offer declined: we offer the parts to the next maker."),
        )
    return redirect(reverse("web:order-detail", kwargs={"pk": counter_offer.order_id}) + "#counter-offers")
