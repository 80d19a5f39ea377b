"""The order and job read bodies, built by hand from a few plain rows.

An order's own page through its serializers cost about 40 ms on first render against about 6 ms for a trivial
view with the same token check: model instances for every prefetched row, Django compiling the prefetches' SQL,
DRF walking nested serializers field by field, and three more reads for the lines, the payment and the invoices.
Here each body is a handful of ``values()`` reads (one per kind of row, never per row) turned into the very dicts
the serializers give: ``OrderSerializer`` and ``JobSerializer`` stay as the contract (the OpenAPI schema is
generated from them) and a test compares both bodies, field by field, on every order and job of the demo.

Values are written as DRF writes them: datetimes in the current time zone in ISO 8601 (``Z`` for UTC), model
decimals quantised to their places as strings, related rows as their ids.
"""

from decimal import Decimal

from billing.models import Invoice
from core.api import api_datetime
from core.links import url_pattern
from core.prepared import PreparedRead, read_together
from designs.selectors import row_file_url
from orders.api.serializers import seconds_left
from orders.models import (
    JOB_HELD,
    ORDER_TRANSITIONS,
    CounterOffer,
    CounterOfferStatus,
    Job,
    JobEvent,
    JobItem,
    Order,
    OrderEvent,
    OrderItem,
)
from orders.selectors import jobs_of_maker
from orders.services.checkout import LINE_ITEM_FIELDS, lines_of_order, order_payment_rows, payment_that_counts
from slicing.models import SliceStatus

_CENT = Decimal("0.01")
when = api_datetime


def money(value) -> str | None:
    """A two-place model decimal as the serializers write it."""
    return None if value is None else f"{Decimal(value).quantize(_CENT):f}"


def _job_photo_url(job_id: int, photo: str) -> str | None:
    return url_pattern("job-photo", "pk").format(pk=job_id) if photo else None


def _maker(row: dict, prefix: str = "maker__") -> dict:
    return {"id": row[prefix + "id"], "name": row[prefix + "name"], "city": row[prefix + "city"]}


# Events ------------------------------------------------------------------------------------------------------

EVENT_FIELDS = ("created_at", "from_status", "to_status", "actor__username", "reason", "details")


def _events(rows) -> list[dict]:
    return [
        {
            "at": when(row["created_at"]),
            "from_status": row["from_status"],
            "to_status": row["to_status"],
            "actor": row["actor__username"],
            "reason": row["reason"],
            "details": row["details"],
        }
        for row in rows
    ]


# Counter-offers ---------------------------------------------------------------------------------------------

COUNTER_OFFER_FIELDS = (
    "id",
    "job_id",
    "order_id",
    "maker__id",
    "maker__name",
    "maker__city",
    "status",
    "price_before",
    "price",
    "due_at_before",
    "due_at",
    "message",
    "expires_at",
    "created_at",
    "decided_at",
    "settled_at",
    "payment_id",
    "payment__amount",
    "payment__vat",
    "payment__status",
    "payment__checkout_url",
)


def _counter_offer(row: dict) -> dict:
    """``CounterOfferSerializer``'s body of a row."""
    awaiting_payment = row["status"] == CounterOfferStatus.ACCEPTED and row["settled_at"] is None
    has_payment = row["payment_id"] is not None
    return {
        "id": row["id"],
        "job": row["job_id"],
        "order": row["order_id"],
        "maker": _maker(row),
        "status": row["status"],
        "awaiting_payment": awaiting_payment,
        "price_before": money(row["price_before"]),
        "price": money(row["price"]),
        "price_difference": None if row["price"] is None else money(row["price"] - row["price_before"]),
        "due_at_before": when(row["due_at_before"]),
        "due_at": when(row["due_at"]),
        "message": row["message"],
        "expires_at": when(row["expires_at"]),
        "created_at": when(row["created_at"]),
        "decided_at": when(row["decided_at"]),
        "settled_at": when(row["settled_at"]),
        "top_up": {
            "amount": str(row["payment__amount"]),
            "vat": str(row["payment__vat"]),
            "status": row["payment__status"],
        }
        if has_payment
        else None,
        "checkout_url": row["payment__checkout_url"]
        if awaiting_payment and has_payment and row["payment__status"] in ("pending", "failed")
        else "",
    }


def _counter_offers_where(**lookup):
    """Counter-offers, newest first (the model's order)."""
    return CounterOffer.objects.filter(**lookup).order_by("-created_at", "-id").values(*COUNTER_OFFER_FIELDS)


COUNTER_OFFERS_OF_ORDER = PreparedRead(lambda order: _counter_offers_where(order_id=order))
COUNTER_OFFERS_OF_JOBS = PreparedRead(lambda jobs: _counter_offers_where(job_id__in=jobs))


# Orders -----------------------------------------------------------------------------------------------------

ORDER_FIELDS = (
    "id",
    "status",
    "customer__username",
    "ship_to_latitude",
    "ship_to_longitude",
    "ship_to_label",
    "ship_name",
    "ship_line1",
    "ship_line2",
    "ship_postcode",
    "ship_city",
    "ship_country",
    "ship_phone",
    "quote_id",
    "offer_maker_id",
    "currency",
    "items_net",
    "shipping_net",
    "vat_rate",
    "vat_country",
    "vat_number",
    "reverse_charge",
    "vat_note",
    "vat_total",
    "total",
    "hold_reason",
    "note",
    "created_at",
    "confirmed_at",
    "delivered_at",
)
ORDER_ITEM_FIELDS = tuple(
    dict.fromkeys(
        (
            *LINE_ITEM_FIELDS,
            "design_version_id",
            "design_version__design_id",
            "design_version__thumbnail",
            "material__code",
            "price_breakdown",
            "template_slug",
            "parameters",
            "reorder_of_id",
            "risk_accepted",
            "risk_warnings",
        )
    )
)
ORDER_JOB_FIELDS = (
    "id",
    "status",
    "maker__id",
    "maker__name",
    "maker__city",
    "batch_id",
    "quantity",
    "distance_km",
    "co2_kg",
    "offer_expires_at",
    "due_at",
    "tracking_number",
    "carrier",
    "shipped_at",
    "photo",
)


# Who sees which order, as ``orders.selectors.orders_of`` says: staff any, a customer their own.
ORDER_FOR_STAFF = PreparedRead(lambda order: Order.objects.filter(pk=order).values(*ORDER_FIELDS))
ORDER_OF_CUSTOMER = PreparedRead(
    lambda order, customer: Order.objects.filter(pk=order, customer_id=customer).values(*ORDER_FIELDS)
)
ORDER_ITEMS = PreparedRead(
    lambda order: OrderItem.objects.filter(order_id=order).order_by("id").values(*ORDER_ITEM_FIELDS)
)
ORDER_JOBS = PreparedRead(
    lambda order: Job.objects.filter(order_id=order).order_by("offered_at", "id").values(*ORDER_JOB_FIELDS)
)
ORDER_EVENTS = PreparedRead(
    lambda order: OrderEvent.objects.filter(order_id=order).order_by("created_at", "id").values(*EVENT_FIELDS)
)
ORDER_PAYMENTS = PreparedRead(lambda order: order_payment_rows(order))
ORDER_INVOICES = PreparedRead(
    lambda order: (
        Invoice.objects.filter(order_id=order)
        .order_by("issued_at", "id")
        .values("number", "kind", "gross", "issued_at")
    )
)


def order_body(user, pk: int) -> dict | None:
    """``OrderSerializer``'s body of the order ``pk`` as ``user`` may see it (``orders.selectors.orders_of``), or
    None when it is not there for them. Seven plain reads sent together, whatever the order holds (the rest is
    dropped when the order is not the caller's)."""
    if user.is_staff:
        order_read = (ORDER_FOR_STAFF, {"order": pk})
    elif user.is_customer:
        order_read = (ORDER_OF_CUSTOMER, {"order": pk, "customer": user.pk})
    else:
        return None
    found, items, jobs, events, payments, invoices, counter_offers = read_together(
        order_read,
        *((read, {"order": pk}) for read in (ORDER_ITEMS, ORDER_JOBS, ORDER_EVENTS, ORDER_PAYMENTS, ORDER_INVOICES)),
        (COUNTER_OFFERS_OF_ORDER, {"order": pk}),
    )
    if not found:
        return None
    order = found[0]
    payment = payment_that_counts(payments)
    pending = payment is not None and payment["status"] in ("pending", "failed")
    return {
        "id": order["id"],
        "status": order["status"],
        "customer": order["customer__username"],
        "ship_to": {
            "lat": order["ship_to_latitude"],
            "lon": order["ship_to_longitude"],
            "label": order["ship_to_label"],
        },
        "shipping_address": shipping_address(order),
        "quote": order["quote_id"],
        "offer_maker": order["offer_maker_id"],
        "currency": order["currency"],
        "items_net": money(order["items_net"]),
        "shipping_net": money(order["shipping_net"]),
        "vat_total": money(order["vat_total"]),
        "total": money(order["total"]),
        "lines": lines_of_order(
            items=items,
            shipping_net=order["shipping_net"],
            vat_rate=order["vat_rate"],
            vat_total=order["vat_total"],
        ),
        "vat": {
            "rate": str(order["vat_rate"]),
            "country": order["vat_country"],
            "number": order["vat_number"],
            "reverse_charge": order["reverse_charge"],
            "note": order["vat_note"],
        },
        "payment": None
        if payment is None
        else {
            "provider": payment["provider"],
            "status": payment["status"],
            "amount": str(payment["amount"]),
            "refunded": str(payment["amount_refunded"]),
            "checkout_url": payment["checkout_url"] if pending else "",
            "client_secret": payment["client_secret"] if pending else "",
            "failure_message": payment["failure_message"],
        },
        "invoices": [
            {
                "number": invoice["number"],
                "kind": invoice["kind"],
                "gross": str(invoice["gross"]),
                "issued_at": when(invoice["issued_at"]),
                "pdf_url": url_pattern("invoice-pdf", "number").format(number=invoice["number"]),
            }
            for invoice in invoices
        ],
        "hold_reason": order["hold_reason"],
        "note": order["note"],
        "created_at": when(order["created_at"]),
        "confirmed_at": when(order["confirmed_at"]),
        "delivered_at": when(order["delivered_at"]),
        "items": [_order_item(item) for item in items],
        "jobs": [_order_job(job) for job in jobs],
        "counter_offers": [_counter_offer(row) for row in counter_offers],
        "events": _events(events),
        "allowed_next": sorted(ORDER_TRANSITIONS[order["status"]]),
    }


def shipping_address(row: dict, prefix: str = "") -> dict:
    """``Order.shipping_address`` of an order's row (its fields under ``prefix``)."""
    return {
        "name": row[prefix + "ship_name"],
        "line1": row[prefix + "ship_line1"],
        "line2": row[prefix + "ship_line2"],
        "postcode": row[prefix + "ship_postcode"],
        "city": row[prefix + "ship_city"],
        "country": row[prefix + "ship_country"],
        "phone": row[prefix + "ship_phone"],
    }


ORDER_LIST_FIELDS = (
    "id",
    "status",
    "customer__username",
    "ship_to_latitude",
    "ship_to_longitude",
    "ship_to_label",
    "currency",
    "total",
    "hold_reason",
    "created_at",
)
ORDER_SUMMARY_ITEM_FIELDS = (
    "order_id",
    *(name for name in ORDER_ITEM_FIELDS if name not in ("price_breakdown", "parameters")),
)
ORDER_ITEMS_OF = PreparedRead(
    lambda orders: OrderItem.objects.filter(order_id__in=orders).order_by("id").values(*ORDER_SUMMARY_ITEM_FIELDS)
)


def order_rows(orders):
    """The rows ``order_list_bodies`` builds bodies from: ``orders`` as a values() queryset (to page through)."""
    return orders.values(*ORDER_LIST_FIELDS)


def order_list_bodies(rows) -> list[dict]:
    """``OrderListSerializer``'s bodies of orders' rows (``order_rows``), in their order: one more read for the
    items of them all."""
    rows = list(rows)
    if not rows:
        return []
    items_of = {row["id"]: [] for row in rows}
    for item in ORDER_ITEMS_OF(orders=list(items_of)):
        items_of[item["order_id"]].append(_order_item(item, summary=True))
    return [
        {
            "id": row["id"],
            "status": row["status"],
            "customer": row["customer__username"],
            "ship_to": {"lat": row["ship_to_latitude"], "lon": row["ship_to_longitude"], "label": row["ship_to_label"]},
            "currency": row["currency"],
            "total": money(row["total"]),
            "hold_reason": row["hold_reason"],
            "created_at": when(row["created_at"]),
            "items": items_of[row["id"]],
        }
        for row in rows
    ]


def _order_item(item: dict, *, summary: bool = False) -> dict:
    """An order's item (``OrderItemSerializer``); ``summary``: as lists show it, without the price breakdown and
    the parameters (``OrderItemSummarySerializer``)."""
    if summary:
        return {
            name: value
            for name, value in _order_item({**item, "price_breakdown": None, "parameters": None}).items()
            if name not in ("price_breakdown", "parameters")
        }
    return {
        "id": item["id"],
        "design_version": item["design_version_id"],
        "design": item["design_version__design_id"],
        "design_name": item["design_version__design__name"],
        "version_number": item["design_version__number"],
        "material": item["material__code"],
        "colour": item["colour"],
        "quantity": item["quantity"],
        "unit_price": money(item["unit_price"]),
        "total_price": money(item["total_price"]),
        "price_breakdown": item["price_breakdown"],
        "template_slug": item["template_slug"],
        "parameters": item["parameters"],
        "reorder_of": item["reorder_of_id"],
        "risk_accepted": item["risk_accepted"],
        "risk_warnings": item["risk_warnings"],
        "thumbnail_url": row_file_url(
            item["design_version__thumbnail"],
            "thumbnail",
            item["design_version__design_id"],
            item["design_version__number"],
        ),
    }


def _order_job(job: dict) -> dict:
    return {
        "id": job["id"],
        "status": job["status"],
        "maker": _maker(job),
        "batch": job["batch_id"],
        "quantity": job["quantity"],
        "distance_km": job["distance_km"],
        "co2_kg": job["co2_kg"],
        "offer_expires_at": when(job["offer_expires_at"]),
        "due_at": when(job["due_at"]),
        "tracking_number": job["tracking_number"],
        "carrier": job["carrier"],
        "shipped_at": when(job["shipped_at"]),
        "photo_url": _job_photo_url(job["id"], job["photo"]),
    }


# Jobs -------------------------------------------------------------------------------------------------------

JOB_FIELDS = (
    "id",
    "status",
    "order_id",
    "batch_id",
    "material__code",
    "quantity",
    "price",
    "payout",
    "offered_at",
    "offer_expires_at",
    "responded_at",
    "due_at",
    "shipped_at",
    "decline_reason",
    "tracking_number",
    "carrier",
    "distance_km",
    "co2_kg",
    "order__ship_to_label",
    "order__ship_name",
    "order__ship_line1",
    "order__ship_line2",
    "order__ship_postcode",
    "order__ship_city",
    "order__ship_country",
    "order__ship_phone",
    "photo",
    "estimated_hours",
    "printer_id",
    "printer__name",
    "print_slice_id",
    "print_slice__status",
    "print_slice__drops_part",
    "print_slice__drop_reason",
    "print_slice__error",
    "print_slice__print_time_s",
    "print_slice__print_file",
    "print_slice__printer_profile",
    "print_slice__layers",
    "print_slice__mass_g",
    "print_state",
    "start_confirmed_at",
    "progress",
    "actual_seconds",
    "print_failure_reason",
)
JOB_ITEM_FIELDS = (
    "job_id",
    "order_item_id",
    "quantity",
    "order_item__design_version__design_id",
    "order_item__design_version__design__name",
    "order_item__design_version__number",
    "order_item__colour",
    "order_item__parameters",
    "order_item__design_version__analysis__print_extents_mm",
    "order_item__design_version__analysis__bounding_box_mm",
    "order_item__design_version__file",
    "order_item__design_version__repaired_file",
    "order_item__design_version__thumbnail",
    "order_item__design_version__preview",
)


JOB_OF_MAKER = PreparedRead(lambda job, user: jobs_of_maker(user).filter(pk=job).values(*JOB_FIELDS, "match"))
JOB_ITEMS = PreparedRead(lambda jobs: JobItem.objects.filter(job_id__in=jobs).order_by("id").values(*JOB_ITEM_FIELDS))
JOB_EVENTS = PreparedRead(
    lambda jobs: JobEvent.objects.filter(job_id__in=jobs).order_by("created_at", "id").values("job_id", *EVENT_FIELDS)
)


def job_body(user, pk: int) -> dict | None:
    """``JobSerializer``'s body of the job ``pk`` if it is offered to or held by ``user``'s maker, else None."""
    rows, items, counter_offers, events = read_together(
        (JOB_OF_MAKER, {"job": pk, "user": user.pk}),
        (JOB_ITEMS, {"jobs": [pk]}),
        (COUNTER_OFFERS_OF_JOBS, {"jobs": [pk]}),
        (JOB_EVENTS, {"jobs": [pk]}),
    )
    if not rows:  # not this maker's: what was read with it is dropped
        return None
    return _job_bodies(rows, items, counter_offers, events, detail=True)[0]


def job_bodies(jobs, *, detail: bool) -> list[dict]:
    """``JobSerializer``'s bodies (``detail``; else ``JobListSerializer``'s, without events and match) of the jobs
    of the queryset ``jobs``, in its order. Three plain reads for any number of jobs, four with the events."""
    return job_bodies_of_rows(job_rows(jobs, detail=detail), detail=detail)


def job_rows(jobs, *, detail: bool):
    """The rows ``job_bodies_of_rows`` builds bodies from: ``jobs`` as a values() queryset (to page through)."""
    return jobs.values(*JOB_FIELDS, "match") if detail else jobs.values(*JOB_FIELDS)


def job_bodies_of_rows(rows, *, detail: bool) -> list[dict]:
    """The bodies of jobs' rows (``job_rows``): two more reads (items, counter-offers), three with the events."""
    rows = list(rows)
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    calls = [(JOB_ITEMS, {"jobs": ids}), (COUNTER_OFFERS_OF_JOBS, {"jobs": ids})]
    if detail:
        calls.append((JOB_EVENTS, {"jobs": ids}))
    items, counter_offers, *events = read_together(*calls)
    return _job_bodies(rows, items, counter_offers, events[0] if events else [], detail=detail)


def _job_bodies(rows, items, counter_offers, events, *, detail: bool) -> list[dict]:
    ids = [row["id"] for row in rows]
    items_of = {job_id: [] for job_id in ids}
    for item in items:
        items_of[item["job_id"]].append(_job_item(item))
    latest_counter_offer = {}
    for row in counter_offers:
        if row["job_id"] not in latest_counter_offer:
            latest_counter_offer[row["job_id"]] = _counter_offer(row)
    events_of = {job_id: [] for job_id in ids}
    for event in events:
        events_of[event["job_id"]].append(event)
    bodies = []
    for row in rows:
        body = _job(row, items_of[row["id"]], latest_counter_offer.get(row["id"]))
        if detail:
            # The detail's two more fields, where JobSerializer puts them: the match after ship_to, events last.
            fields = list(body.items())
            at = next(index for index, (name, _value) in enumerate(fields) if name == "ship_to") + 1
            body = dict(fields[:at] + [("match", row["match"])] + fields[at:])
            body["events"] = _events(events_of[row["id"]])
        bodies.append(body)
    return bodies


def _job_item(item: dict) -> dict:
    design_id = item["order_item__design_version__design_id"]
    number = item["order_item__design_version__number"]
    repaired = item["order_item__design_version__repaired_file"]
    return {
        "order_item": item["order_item_id"],
        "quantity": item["quantity"],
        "design": design_id,
        "design_name": item["order_item__design_version__design__name"],
        "version": number,
        "colour": item["order_item__colour"],
        "parameters": item["order_item__parameters"],
        "extents_mm": item["order_item__design_version__analysis__print_extents_mm"]
        or item["order_item__design_version__analysis__bounding_box_mm"],
        "file_url": row_file_url(repaired, "repaired", design_id, number)
        if repaired
        else row_file_url(item["order_item__design_version__file"], "file", design_id, number),
        "thumbnail_url": row_file_url(item["order_item__design_version__thumbnail"], "thumbnail", design_id, number),
        "preview_url": row_file_url(item["order_item__design_version__preview"], "preview", design_id, number),
    }


def _job(row: dict, items: list[dict], counter_offer: dict | None) -> dict:
    """A job's list body (``JobListSerializer``) from its row."""
    held = row["status"] in JOB_HELD
    has_slice = row["print_slice_id"] is not None
    sliced = has_slice and row["print_slice__status"] == SliceStatus.DONE and not row["print_slice__drops_part"]
    if sliced:
        print_time_s = row["print_slice__print_time_s"]
        machine_hours = round(print_time_s / 3600, 3) if print_time_s is not None else None
    else:
        machine_hours = round(row["estimated_hours"], 3)
    return {
        "id": row["id"],
        "status": row["status"],
        "order": row["order_id"],
        "batch": row["batch_id"],
        "material": row["material__code"],
        "quantity": row["quantity"],
        "price": money(row["price"]),
        "payout": money(row["payout"]),
        "offered_at": when(row["offered_at"]),
        "offer_expires_at": when(row["offer_expires_at"]),
        "seconds_left": seconds_left(row["status"], row["offer_expires_at"]),
        "responded_at": when(row["responded_at"]),
        "due_at": when(row["due_at"]),
        "shipped_at": when(row["shipped_at"]),
        "decline_reason": row["decline_reason"],
        "tracking_number": row["tracking_number"],
        "carrier": row["carrier"],
        "distance_km": row["distance_km"],
        "co2_kg": row["co2_kg"],
        "ship_to": row["order__ship_to_label"],
        "items": items,
        "photo_url": _job_photo_url(row["id"], row["photo"]),
        "machine_hours": machine_hours,
        "machine_hours_basis": "sliced" if sliced else "estimate",
        "print_file_url": url_pattern("maker-job-print-file", "pk").format(pk=row["id"])
        if held and sliced and row["print_slice__print_file"]
        else None,
        "print_file": _print_file_state(row, sliced) if has_slice else None,
        "delivery_address": shipping_address(row, "order__") if held else None,
        "counter_offer": counter_offer,
        "printer": row["printer_id"],
        "print_state": row["print_state"],
        "start_confirmed": row["start_confirmed_at"] is not None,
        "progress": row["progress"],
        "actual_seconds": row["actual_seconds"],
        "print_failure_reason": row["print_failure_reason"],
    }


def _print_file_state(row: dict, sliced: bool) -> dict:
    """``orders.selectors.job_print_file_state`` of a job's row."""
    state = {"status": row["print_slice__status"], "printer": row["printer__name"] if row["printer_id"] else None}
    if sliced:
        state.update(
            printer_profile=row["print_slice__printer_profile"],
            layers=row["print_slice__layers"],
            mass_g=row["print_slice__mass_g"],
        )
    elif row["print_slice__drops_part"]:
        state["error"] = row["print_slice__drop_reason"]
    elif row["print_slice__error"]:
        state["error"] = row["print_slice__error"]
    return state
