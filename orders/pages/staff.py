"""Staff: the orders on hold (why, for whom, what dispatch tried) and the staff order page (items, jobs with their
makers, the whole timeline, the payment) with its actions: dispatch again, cancel (refunding what was paid),
re-route a job. The actions call the order services; what they refuse is shown as a message."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.pages import staff_required
from orders.models import JOB_ACTIVE, JOB_TRANSITIONS, ORDER_TRANSITIONS, Job, JobStatus, Order, OrderStatus
from orders.pages.forms import ReasonForm
from orders.selectors import order_for_staff, order_timeline, orders_on_hold
from orders.services import checkout, ordering
from orders.services import jobs as job_services
from orders.services.dispatch import DISPATCHABLE, order_dispatch_again

# Where an action sends staff back to: the page the form was on (``return_to``), else the order's staff page.
RETURN_PAGES = {"on-hold": "web:staff-orders-on-hold"}


@staff_required
def orders_on_hold_list(request):
    """Staff only: orders on hold, the longest-waiting first, with the reason and the makers dispatch tried."""
    return render(request, "orders/staff/on_hold.html", {"orders": orders_on_hold()})


@staff_required
def staff_order_detail(request, pk):
    """Staff only: one order as staff need it, with the actions its state allows."""
    order = order_for_staff(pk)
    allowed = ORDER_TRANSITIONS[order.status]
    jobs = list(order.jobs.all())
    return render(
        request,
        "orders/staff/order.html",
        {
            "order": order,
            "items": list(order.items.all()),
            "jobs": jobs,
            "active": {job.pk for job in jobs if job.status in JOB_ACTIVE},
            "reroutable": {job.pk for job in jobs if JobStatus.CANCELLED in JOB_TRANSITIONS[job.status]},
            "timeline": order_timeline(order),
            "payment": checkout.order_payment(order),
            "can_dispatch": order.status in DISPATCHABLE,
            "can_cancel": OrderStatus.CANCELLED in allowed,
            "cancel_form": ReasonForm(prefix="cancel"),
            "reroute_form": ReasonForm(prefix="reroute"),
        },
    )


def _back(request, order_id: int) -> HttpResponseRedirect:
    page = RETURN_PAGES.get(request.POST.get("return_to", ""))
    return redirect(page) if page else redirect("web:staff-order-detail", pk=order_id)


@staff_required
@require_POST
def staff_order_dispatch(request, pk):
    """Staff only: offer the parts no maker holds again (queued on the dispatch queue)."""
    order = get_object_or_404(Order, pk=pk)
    try:
        order_dispatch_again(order_id=order.pk, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(order)s: dispatch is queued.") % {"order": order.pk})
    return _back(request, order.pk)


@staff_required
@require_POST
def staff_order_cancel(request, pk):
    """Staff only: cancel the order before production; what the customer paid is refunded in full."""
    order = get_object_or_404(Order, pk=pk)
    form = ReasonForm(request.POST, prefix="cancel")
    reason = (form.cleaned_data["reason"] if form.is_valid() else "") or gettext_noop("cancelled by staff")
    try:
        ordering.order_cancel(order_id=order.pk, actor=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Order %(order)s is cancelled; what was paid is refunded.") % {"order": order.pk})
    return _back(request, order.pk)


@staff_required
@require_POST
def staff_job_reroute(request, pk):
    """Staff only: take an offered or accepted job away from its maker; its parts are offered to the next maker."""
    job = get_object_or_404(Job.objects.select_related("maker"), pk=pk)
    form = ReasonForm(request.POST, prefix="reroute")
    reason = (form.cleaned_data["reason"] if form.is_valid() else "") or gettext_noop("re-routed by staff")
    try:
        job_services.job_reroute(job_id=job.pk, actor=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Job %(job)s is taken from %(maker)s; its parts go to the next maker.")
            % {"job": job.pk, "maker": job.maker.name},
        )
    return HttpResponseRedirect(reverse("web:staff-order-detail", kwargs={"pk": job.order_id}))
