"""Quotes and orders: the quote form of the design page, the quote page with its order button, the orders list and
the order page (live timeline)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from billing.models import Invoice
from catalogue.selectors import active_materials
from core.errors import DomainError
from core.links import site_path
from core.pages import customer_or_staff_required, customer_required
from designs.pages.views import design_page
from designs.selectors import design_for_owner
from orders.matching.cities import CITIES
from orders.models import ORDER_TERMINAL, ORDER_TRANSITIONS, Order, OrderStatus
from orders.pages import with_status_labels
from orders.pages.claims import order_claims_context
from orders.pages.forms import PlaceOrderForm, QuoteForm, ReasonForm
from orders.selectors import orders_visible_to, quote_of_customer, recent_quotes
from orders.services import checkout, ordering, quoting

ORDERS_PER_PAGE = 25
# How often the order page asks for news, in milliseconds.
ORDER_POLL_MS = 3000


def printable_materials(materials, report):
    """Materials the quote form offers: those the analysis found printable, in catalogue order."""
    verdicts = (report or {}).get("materials") or {}
    return [m for m in materials if (verdicts.get(m.code) or {}).get("printable")]


def design_quote(user, design, version, materials, quote_form=None) -> dict:
    """The quote form of the design page (shown by the ``design_quote`` tag) and the owner's recent quotes."""
    quote_materials = printable_materials(materials, version.analysis)
    cheapest = min(quote_materials, key=lambda m: m.price_per_cm3, default=None)
    return {
        "quote_materials": quote_materials,
        "quote_form": quote_form
        or QuoteForm(materials=quote_materials, initial={"material": cheapest.code if cheapest else ""}),
        "colour_options": sorted(
            {
                (colour, " ".join(m.code for m in quote_materials if colour in m.colours))
                for m in quote_materials
                for colour in m.colours
            }
        ),
        "cities": [city.name for city in CITIES],
        "quotes": recent_quotes(user, design=design),
    }


@customer_required
@require_POST
def quote_create(request, pk):
    """Price the chosen version in a material and list nearby makers; the answer is a quote page."""
    design = design_for_owner(user=request.user, design_id=pk)
    number = request.POST.get("version", "")
    if not number.isdigit():
        raise Http404(_("No such version."))
    version = get_object_or_404(design.versions, number=int(number))
    materials = printable_materials(list(active_materials()), version.analysis)
    form = QuoteForm(request.POST, materials=materials)
    if form.is_valid():
        material = next(m for m in materials if m.code == form.cleaned_data["material"])
        try:
            quote = quoting.quote_create(
                customer=request.user,
                version=version,
                material=material,
                quantity=form.cleaned_data["quantity"],
                colour=form.cleaned_data["colour"] or "",
                ship_to=quoting.ship_to_from(form.ship_to()),
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            return redirect("web:quote-detail", pk=quote.pk)
    return design_page(request, design, version_number=version.number, extra_context={"quote_form": form}, status=400)


@customer_required
def quote_detail(request, pk):
    """The itemised price, the makers who could make it (and why others cannot), and the order button."""
    quote = quote_of_customer(request.user, pk)
    result = quoting.quote_current(quote)
    return render(
        request,
        "orders/quote.html",
        {
            "quote": quote,
            "result": result,
            "is_expired": quote.valid_until <= timezone.now(),
            "form": PlaceOrderForm(offers=result.get("makers", []), address=request.user.addresses.first()),
            "shipping_fee": settings.SHIPPING_FEE,
        },
    )


@customer_required
def quote_live(request, pk):
    """The makers' part of the quote page, fetched every few seconds while offers are being sliced."""
    quote = quote_of_customer(request.user, pk)
    response = render(request, "orders/_quote_makers.html", {"quote": quote, "result": quoting.quote_current(quote)})
    response["Cache-Control"] = "no-store"
    return response


@customer_required
@require_POST
def quote_order(request, pk):
    """Place the order of a quote and confirm it in one step; a repeated click gets the same order."""
    quote = quote_of_customer(request.user, pk)
    form = PlaceOrderForm(request.POST, offers=quote.result.get("makers", []))
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()
        )
        messages.error(request, _("The order form is incomplete: %(errors)s") % {"errors": errors})
        return redirect("web:quote-detail", pk=quote.pk)
    data = form.cleaned_data
    try:
        try:
            delivery = ordering.delivery_from(form.address())
        except DomainError as error:
            if error.code != "unknown_place":
                raise
            # A town the offline table does not know: the makers were matched from the quote's place.
            delivery = ordering.delivery_from(form.address(), lat=quote.ship_to_latitude, lon=quote.ship_to_longitude)
        order_id = ordering.order_place_from_quote(
            customer=request.user,
            quote=quote,
            note=data["note"],
            idempotency_key=data["idempotency_key"],
            delivery=delivery,
            offer_maker_id=data["offer"],
            vat_number=data["vat_number"],
            accept_risk=data["accept_risk"],
        )
    except DomainError as error:
        messages.error(request, error.message)
        if error.code == "email_unverified":
            return redirect("account_email")  # allauth's page: send the link again, or change the address
        return redirect("web:quote-detail", pk=quote.pk)
    payment = checkout.order_payment(Order.objects.get(pk=order_id))
    if payment is not None and payment.checkout_url and payment.status in ("pending", "failed"):
        return redirect(site_path(payment.checkout_url))
    messages.success(
        request, _("Order %(order_id)s is placed: pay for it to start production.") % {"order_id": order_id}
    )
    return redirect("web:order-detail", pk=order_id)


@customer_or_staff_required
def order_list(request):
    orders = orders_visible_to(request.user, detail=False)
    status = request.GET.get("status", "")
    if status in OrderStatus.values:
        orders = orders.filter(status=status)
    page = Paginator(orders, ORDERS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/list.html",
        {"page": page, "orders": page.object_list, "statuses": OrderStatus.choices, "status": status},
    )


def _order_context(request, pk) -> dict:
    order = get_object_or_404(orders_visible_to(request.user), pk=pk)
    allowed = ORDER_TRANSITIONS[order.status]
    is_customer = request.user.is_customer and order.customer_id == request.user.pk
    jobs = list(order.jobs.all())
    payment = checkout.order_payment(order)
    return {
        "order": order,
        "items": list(order.items.all()),
        "events": with_status_labels(order.events.all(), OrderStatus),
        "jobs": jobs,
        "counter_offers": list(order.counter_offers.all()),
        "can_confirm": is_customer and OrderStatus.AWAITING_PAYMENT in allowed,
        "payment": payment,
        "checkout_path": site_path(payment.checkout_url) if payment and payment.checkout_url else "",
        "lines": checkout.order_lines(order),
        "invoices": list(Invoice.objects.filter(order_id=order.pk).order_by("issued_at", "id")),
        "is_customer": is_customer,
        "can_cancel": OrderStatus.CANCELLED in allowed,
        "can_mark_delivered": is_customer and OrderStatus.DELIVERED in allowed,
        "is_final": order.status in ORDER_TERMINAL,
        "cancel_form": ReasonForm(),
        "poll_ms": ORDER_POLL_MS,
    }


@customer_or_staff_required
def order_detail(request, pk):
    context = _order_context(request, pk)
    context.update(order_claims_context(context["order"], is_customer=context["is_customer"]))
    return render(request, "orders/detail.html", context)


@customer_or_staff_required
def order_live(request, pk):
    """The part of the order page that changes (status, actions, jobs, timeline), fetched every few seconds."""
    response = render(request, "orders/_live.html", _order_context(request, pk))
    response["Cache-Control"] = "no-store"
    return response


ORDER_ACTIONS = {
    "confirm": (gettext_lazy("Order confirmed: pay for it to start production."), True),
    "cancel": (gettext_lazy("Order cancelled."), False),
    "delivered": (gettext_lazy("Thank you: the order is marked delivered."), True),
}


@customer_or_staff_required
@require_POST
def order_action(request, pk, action):
    """Confirm, cancel or mark delivered, as the order's state machine allows; a refusal is shown as is."""
    if action not in ORDER_ACTIONS:
        raise Http404(_("No such action."))
    order = get_object_or_404(orders_visible_to(request.user, detail=False), pk=pk)
    success, customer_only = ORDER_ACTIONS[action]
    if customer_only and not request.user.is_customer:
        raise Http404(_("Only the customer who placed the order may do this."))
    try:
        if action == "confirm":
            ordering.order_confirm(order_id=order.pk, actor=request.user)
            payment = checkout.order_payment(Order.objects.get(pk=order.pk))
            if payment is not None and payment.checkout_url and payment.status in ("pending", "failed"):
                return redirect(site_path(payment.checkout_url))
        elif action == "delivered":
            ordering.order_mark_delivered(order_id=order.pk, actor=request.user)
        else:
            form = ReasonForm(request.POST)
            reason = form.cleaned_data["reason"] if form.is_valid() else ""
            ordering.order_cancel(order_id=order.pk, actor=request.user, reason=reason)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success)
    return redirect("web:order-detail", pk=order.pk)
