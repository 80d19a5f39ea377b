"""Placing orders and moving them through their life: confirm, cancel, delivered, reorder."""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts import selectors as accounts_selectors
from accounts import services as accounts_services
from catalogue.models import Material
from core.errors import Conflict, DomainError, Forbidden
from core.text import clean_text
from designs.models import DesignVersion
from orders.models import JOB_ACTIVE, IdempotencyKey, JobStatus, Order, OrderItem, OrderStatus, Quote
from orders.services import checkout, quoting
from orders.services.dispatch import batch_sync
from orders.services.probation import maker_probation_review
from orders.services.status import ORDER_MACHINE, job_set_status, order_set_status


@dataclass(frozen=True)
class ItemRequest:
    design_version_id: int
    material_code: str
    quantity: int
    colour: str = ""
    reorder_of_id: int | None = None
    accept_risk: bool = False  # print it although the analysis warned (see quoting.risk_warnings)
    # The chosen offer's frozen figures (price for the quantity, machine hours, mass, basis), when the item
    # comes from a quote; None: priced now at the list price.
    offer: dict | None = None


@dataclass(frozen=True)
class Delivery:
    """Where the order goes: the validated address and the point maker matching measures from."""

    address: object  # accounts.addresses.Address
    ship_to: quoting.ShipTo


def delivery_from(data, *, lat=None, lon=None) -> Delivery:
    """A ``shipping_address`` object from a request, validated per country and placed on the map."""
    address = accounts_services.address_check(data)
    latitude, longitude, label = accounts_services.address_locate(address, lat=lat, lon=lon)
    return Delivery(address=address, ship_to=quoting.ShipTo(latitude, longitude, label))


def _version_for(customer, version_id: int) -> DesignVersion:
    version = DesignVersion.objects.select_related("design").filter(pk=version_id, design__owner=customer).first()
    if version is None:
        raise DomainError(
            _("Design version %(version_id)s was not found among your designs.") % {"version_id": version_id},
            code="not_found",
        )
    return version


def _material_for(code: str) -> Material:
    material = Material.objects.filter(code=code).first()
    if material is None:
        raise DomainError(
            _("Unknown material %(code)s; see /api/materials/.") % {"code": f"{code!r}"}, code="unknown_material"
        )
    return material


def refuse_unverified_email(customer) -> None:
    """A customer's first order waits for a verified e-mail address (uploads and quotes do not): a 403 with
    the code ``email_unverified`` and where to ask for the link again. Orders placed before keep working."""
    if accounts_selectors.email_verified(customer) or Order.objects.filter(customer=customer).exists():
        return
    pending = accounts_selectors.email_pending(customer)
    if pending:
        message = _("Confirm your e-mail address before your first order: open the link we sent to %(email)s.") % {
            "email": pending
        }
    else:
        message = _("Add an e-mail address and confirm it before your first order.")
    raise Forbidden(
        message,
        code="email_unverified",
        details={"resend": "/api/auth/email/resend/", "manage": "/accounts/email/"},
    )


def order_place(
    *,
    customer,
    items: list[ItemRequest],
    delivery: Delivery,
    note: str = "",
    vat_number: str = "",
    quote: Quote | None = None,
    offer_maker_id: int | None = None,
    save_address: bool = True,
) -> Order:
    """Price every item and freeze it (version, material, quantity, colour, price, template parameters), with
    the delivery address, shipping and VAT (by the address's country; reverse charge for a valid business
    VAT number in another EU country).

    The order starts ``placed``; the customer confirms it (and pays) before anything is sent to makers. The
    first order needs a verified e-mail address (``refuse_unverified_email``).
    """
    refuse_unverified_email(customer)
    note = clean_text(note, field=_("The note"), max_length=2000)
    if not items:
        raise DomainError(_("An order needs at least one item."), code="no_items")
    if len(items) > 50:
        raise DomainError(_("An order can hold at most 50 items."), code="too_many_items")
    priced = []
    for index, request in enumerate(items):
        version = _version_for(customer, request.design_version_id)
        material = _material_for(request.material_code)
        if request.colour and material.colours and request.colour not in material.colours:
            raise DomainError(
                _("Item %(value)s: %(material)s comes in %(value2)s, not %(colour)s.")
                % {
                    "value": index + 1,
                    "material": material.name,
                    "value2": ", ".join(material.colours),
                    "colour": f"{request.colour!r}",
                },
                code="bad_colour",
            )
        try:
            breakdown = quoting.price(version=version, material=material, quantity=request.quantity)
        except DomainError as error:
            raise DomainError(
                _("Item %(value)s: %(message)s") % {"value": index + 1, "message": error.message}, code=error.code
            ) from error
        if request.offer is not None:
            breakdown = quoting.breakdown_with_offer(breakdown, request.offer)
        warnings = quoting.risk_warnings(version=version, material=material)
        if warnings and not request.accept_risk:
            raise DomainError(
                _("Item %(value)s: %(value2)s To order it anyway, accept printing it at your own risk (accept_risk).")
                % {"value": index + 1, "value2": " ".join(warnings)},
                code="risk_not_accepted",
                details={"item": index + 1, "warnings": warnings},
            )
        priced.append((request, version, material, breakdown, warnings))
    currencies = {breakdown.currency for _request, _version, _material, breakdown, _warnings in priced}
    if len(currencies) != 1:
        raise DomainError(_("All items of an order must be priced in one currency."), code="mixed_currency")
    items_net = sum((breakdown.total for _request, _version, _material, breakdown, _warnings in priced), Decimal("0"))
    address, ship_to = delivery.address, delivery.ship_to
    vat = checkout.vat_decide(country=address.country, vat_number=vat_number)
    amounts = checkout.order_amounts(items_net=items_net, shipping_net=settings.SHIPPING_FEE, vat=vat)
    with transaction.atomic():
        order = ORDER_MACHINE.create(
            to=OrderStatus.PLACED,
            actor=customer,
            reason=gettext_noop("placed by the customer"),
            details={"items": len(priced), "total": str(amounts["total"])},
            customer=customer,
            ship_to_latitude=ship_to.latitude,
            ship_to_longitude=ship_to.longitude,
            ship_to_label=ship_to.label,
            ship_name=address.name,
            ship_line1=address.line1,
            ship_line2=address.line2,
            ship_postcode=address.postcode,
            ship_city=address.city,
            ship_country=address.country,
            ship_phone=address.phone,
            quote=quote,
            offer_maker_id=offer_maker_id,
            currency=currencies.pop(),
            note=note[:2000],
            **amounts,
        ).obj
        if save_address:
            accounts_services.address_save(
                user=customer, address=address, latitude=ship_to.latitude, longitude=ship_to.longitude
            )
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order,
                design_version=version,
                material=material,
                colour=request.colour,
                quantity=request.quantity,
                unit_price=breakdown.unit_price,
                total_price=breakdown.total,
                price_breakdown={**breakdown.as_dict(), **_offer_record(request.offer)},
                template_slug=version.template_slug,
                parameters=version.parameters,
                reorder_of_id=request.reorder_of_id,
                risk_accepted=bool(warnings),
                risk_warnings=warnings,
            )
            for request, version, material, breakdown, warnings in priced
        )
    return order


def _offer_record(offer: dict | None) -> dict:
    if not offer:
        return {}
    keys = ("maker", "name", "price", "machine_hours", "mass_g", "basis", "basis_note", "slice", "printer")
    return {"offer": {key: offer.get(key) for key in keys}}


def _request_hash(body) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def idempotency_key_run(*, user, key: str, body, handler: Callable[[], tuple[int, dict]]) -> tuple[int, dict, bool]:
    """Run ``handler`` once per (user, key), Stripe style. Returns (status, body, replayed).

    The key row, the work and the stored answer commit together, so a concurrent retry with the same key
    waits on the key's unique index and then replays the stored answer. The same key with another body is
    a 422; keys expire after IDEMPOTENCY_KEY_TTL_HOURS. Answers that are errors are kept too (a retry of a
    refused request is refused the same way), except server errors, which roll back.
    """
    key = key.strip()
    if not key or len(key) > 255:
        raise DomainError(_("Idempotency-Key must be 1 to 255 characters."), code="bad_idempotency_key")
    request_hash = _request_hash(body)
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(
                user=user,
                key=key,
                request_hash=request_hash,
                expires_at=now + timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS),
            )
            try:
                status, response = handler()
            except DomainError as error:
                status, response = (
                    error.status_code,
                    {"detail": error.message, "code": error.code, **error.details},
                )
            record.status_code, record.response = status, response
            record.save(update_fields=["status_code", "response"])
        return status, response, False
    except IntegrityError:
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        if record is None:
            raise Conflict(_("A request with this Idempotency-Key is in progress; retry shortly."), code="in_progress")
    if record.request_hash != request_hash:
        raise IdempotencyKeyReused()
    return record.status_code, record.response, True


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"

    def __init__(self):
        super().__init__(
            _("This Idempotency-Key was used with a different request body. Use a new key for a new request.")
        )


def order_confirm(*, order_id: int, actor) -> Order:
    """The customer confirms a placed order: it waits for payment, and the checkout is opened
    (``payment.checkout_url``). The provider's webhook then confirms it and queues dispatch
    (``checkout.on_payment_succeeded``). Confirming again changes nothing (a retried request is not an error).
    """
    order = Order.objects.get(pk=order_id)
    if order.status in (OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT):
        if order.quote_id and order.status == OrderStatus.PLACED:
            _refuse_if_expired(order.quote)
        transition = order_set_status(
            order_id=order_id,
            to=OrderStatus.AWAITING_PAYMENT,
            actor=actor,
            reason=gettext_noop("confirmed by the customer"),
        )
        checkout.payment_start_for(order=transition.obj, actor=actor)
        return Order.objects.get(pk=order_id)
    # Anything else: the door answers (no change when it is there already, else 409 naming the allowed moves).
    return order_set_status(order_id=order_id, to=OrderStatus.AWAITING_PAYMENT, actor=actor).obj


class QuoteExpired(Conflict):
    code = "quote_expired"


def _refuse_if_expired(quote: Quote) -> None:
    if quote.valid_until <= timezone.now():
        raise QuoteExpired(
            _(
                "Quote %(quote)s expired on %(until)s UTC: prices may have changed. "
                "Ask for a new quote (POST /api/quotes/) and order from it."
            )
            % {"quote": quote.pk, "until": f"{quote.valid_until:%Y-%m-%d %H:%M}"}
        )


def order_place_quote(
    *,
    customer,
    quote: Quote,
    delivery: Delivery,
    offer_maker_id: int | None = None,
    note: str = "",
    vat_number: str = "",
    accept_risk: bool = False,
) -> Order:
    """Order what a quote priced, at the chosen offer's price (or the recommended offer's: the first
    printable one), with its sliced figures frozen. An expired quote is a 409: ask for a new one."""
    refuse_unverified_email(customer)
    _refuse_if_expired(quote)
    current = quoting.quote_current(quote)
    offers = current.get("makers", [])
    if offer_maker_id is not None:
        offer = next((o for o in offers if o.get("maker") == offer_maker_id), None)
        if offer is None:
            raise DomainError(
                _("Maker %(offer_maker_id)s made no offer in quote %(quote)s; pick one of its makers[].")
                % {"offer_maker_id": offer_maker_id, "quote": quote.pk},
                code="unknown_offer",
                details={"field": "offer"},
            )
        if not offer.get("printable", True):
            raise Conflict(
                (
                    _("%(maker)s cannot make this part: %(reason)s")
                    % {"maker": offer.get("name", _("This maker")), "reason": offer.get("basis_note", "")}
                ).strip(),
                code="offer_not_printable",
            )
    else:
        offer = next((o for o in offers if o.get("printable", True)), None)
    return order_place(
        customer=customer,
        items=[
            ItemRequest(
                design_version_id=quote.design_version_id,
                material_code=quote.material.code,
                quantity=quote.quantity,
                colour=quote.colour,
                accept_risk=accept_risk,
                offer=offer,
            )
        ],
        delivery=delivery,
        note=note,
        vat_number=vat_number,
        quote=quote,
        offer_maker_id=offer["maker"] if offer else None,
    )


def order_cancel(*, order_id: int, actor, reason: str = "") -> Order:
    """Cancel before production starts; open offers and accepted jobs are withdrawn from their makers."""
    reason = clean_text(reason, field=_("The reason"), max_length=2000)

    with transaction.atomic():
        transition = order_set_status(
            order_id=order_id,
            to=OrderStatus.CANCELLED,
            actor=actor,
            reason=reason or ("cancelled by the customer" if actor and actor.is_customer else "cancelled"),
        )
        order = transition.obj
        if transition.changed:
            checkout.order_refund_on_cancel(order=order, actor=actor)
        batches = set()
        for job in order.jobs.filter(status__in=JOB_ACTIVE).order_by("pk"):
            job_set_status(
                job_id=job.pk, to=JobStatus.CANCELLED, actor=actor, reason=gettext_noop("the order was cancelled")
            )
            batches.add(job.batch_id)
        for batch_id in sorted(batches):
            batch_sync(batch_id=batch_id)
    return transition.obj


def order_mark_delivered(*, order_id: int, actor) -> Order:
    """The customer confirms the parts arrived (only once the order has shipped); the makers' payouts are
    due from now, held for the claim window (PAYOUT_HOLD_DAYS)."""
    with transaction.atomic():
        transition = order_set_status(
            order_id=order_id,
            to=OrderStatus.DELIVERED,
            actor=actor,
            reason=gettext_noop("the customer confirmed delivery"),
            updates={"delivered_at": timezone.now()},
        )
        if transition.changed:
            checkout.order_payouts_allocate(order=transition.obj)
            for maker_id in set(
                transition.obj.jobs.filter(status=JobStatus.SHIPPED).values_list("maker_id", flat=True)
            ):
                maker_probation_review(maker_id=maker_id)
    return transition.obj


def order_place_from_quote(
    *,
    customer,
    quote: Quote,
    note: str,
    idempotency_key: str,
    delivery: Delivery,
    offer_maker_id: int | None = None,
    vat_number: str = "",
    accept_risk: bool = False,
) -> int:
    """Place the order of a quote at the chosen offer and confirm it in one step (the quote page's button): it
    then waits for payment. The same key (a repeated click) gets the same order. Returns the order's id."""
    refuse_unverified_email(customer)

    def place_and_confirm():
        order = order_place_quote(
            customer=customer,
            quote=quote,
            delivery=delivery,
            offer_maker_id=offer_maker_id,
            note=note,
            vat_number=vat_number,
            accept_risk=accept_risk,
        )
        order_confirm(order_id=order.pk, actor=customer)
        return 201, {"order": order.pk}

    status, body, _replayed = idempotency_key_run(
        user=customer,
        key=f"web-quote-order-{idempotency_key}",
        body={
            "quote": quote.pk,
            "note": note,
            "accept_risk": accept_risk,
            "offer": offer_maker_id,
            "vat_number": vat_number,
            "address": delivery.address.__dict__ if hasattr(delivery.address, "__dict__") else str(delivery.address),
        },
        handler=place_and_confirm,
    )
    if status >= 400:
        raise DomainError(body.get("detail", "The order could not be placed."), code=body.get("code", "invalid"))
    return body["order"]


def order_reorder(*, customer, item_ids: list[int], quantity: int | None, ship_to: quoting.ShipTo | None) -> Order:
    """Spare parts: order delivered items again from their frozen versions (a customer's part library)."""
    items = list(
        OrderItem.objects.select_related("order", "material").filter(
            pk__in=item_ids, order__customer=customer, order__status=OrderStatus.DELIVERED
        )
    )
    missing = sorted(set(item_ids) - {item.pk for item in items})
    if missing:
        raise DomainError(
            _("Only delivered items of your own orders can be re-ordered (not: %(value)s).")
            % {"value": ", ".join(map(str, missing))},
            code="not_reorderable",
        )
    first = items[0].order
    destination = ship_to or quoting.ShipTo(first.ship_to_latitude, first.ship_to_longitude, first.ship_to_label)
    address = accounts_services.address_check(first.shipping_address)
    return order_place(
        customer=customer,
        delivery=Delivery(address=address, ship_to=destination),
        vat_number=first.vat_number,
        note="spare parts re-order",
        items=[
            ItemRequest(
                design_version_id=item.design_version_id,
                material_code=item.material.code,
                quantity=quantity or item.quantity,
                colour=item.colour,
                reorder_of_id=item.pk,
                accept_risk=item.risk_accepted,
            )
            for item in items
        ],
    )
