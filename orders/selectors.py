"""Reads of the orders app: who may see which order, job and batch, fetched in a constant number of queries."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from core.links import url_pattern
from makers.models import Maker
from orders.models import (
    JOB_ACTIVE,
    JOB_HELD,
    Batch,
    Claim,
    ClaimEvent,
    CounterOffer,
    Job,
    JobEvent,
    JobItem,
    JobStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    Quote,
)


def orders_visible_to(user, *, detail: bool = True) -> QuerySet[Order]:
    """Staff see every order, a customer their own; nobody else any.

    The analysis report is the biggest column and no order view shows it; lists (``detail=False``) skip the
    price breakdowns and parameters too, which only an order's own page shows.
    """
    items = OrderItem.objects.select_related("material", "design_version__design").defer("design_version__analysis")
    if not detail:
        items = items.defer("design_version__analysis", "price_breakdown", "parameters")
    orders = Order.objects.select_related("customer").prefetch_related(Prefetch("items", queryset=items))
    if detail:
        orders = orders.prefetch_related(
            Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
            Prefetch("jobs", queryset=Job.objects.select_related("maker").order_by("offered_at", "id")),
            Prefetch("counter_offers", queryset=CounterOffer.objects.select_related("maker", "payment")),
        )
    return orders_of(user, orders)


def orders_of(user, orders: QuerySet[Order] | None = None) -> QuerySet[Order]:
    """Of ``orders`` (default: all, nothing prefetched), those the user may see: staff every one, a customer
    their own, nobody else any."""
    orders = Order.objects.all() if orders is None else orders
    if user.is_staff:
        return orders
    if user.is_customer:
        return orders.filter(customer=user)
    return orders.none()


def jobs_for_maker(user, *, detail: bool = False) -> QuerySet[Job]:
    """Jobs offered to or held by the caller's maker(s); nothing else."""
    jobs = (
        jobs_of_maker(user)
        .select_related("material", "order", "maker", "printer", "print_slice")
        .prefetch_related(
            Prefetch("job_items", queryset=JobItem.objects.select_related("order_item__design_version__design")),
            Prefetch("counter_offers", queryset=CounterOffer.objects.select_related("maker", "payment")),
        )
    )
    if detail:
        jobs = jobs.prefetch_related(Prefetch("events", queryset=JobEvent.objects.select_related("actor")))
    return jobs


def jobs_of_maker(user) -> QuerySet[Job]:
    """Jobs offered to or held by the caller's maker(s), nothing prefetched (``jobs_for_maker`` prefetches).

    The makers are a subquery, not a join through the maker: PostgreSQL plans the job's page read (six tables)
    in half the time, which was most of its cost."""
    return Job.objects.filter(maker_id__in=Maker.members.through.objects.filter(user=user).values("maker_id"))


def batches_visible_to(user) -> QuerySet[Batch]:
    batches = Batch.objects.select_related("maker", "material").prefetch_related("jobs")
    if user.is_staff:
        return batches
    if user.is_maker:
        return batches.filter(maker__members=user)
    return batches.none()


def job_visible_to(user, job_id) -> Job | None:
    """A job a person may look at: its maker's members, the order's customer, staff."""
    jobs = Job.objects.select_related("order", "maker")
    if user.is_staff:
        return jobs.filter(pk=job_id).first()
    if user.is_maker:
        return jobs.filter(pk=job_id, maker__members=user).first()
    return jobs.filter(pk=job_id, order__customer=user).first()


def maker_design_rule(user) -> Exists:
    """The designs a maker may see: those of parts it is offered, holds or has shipped (registered with
    designs.selectors by OrdersConfig.ready)."""
    job_items = JobItem.objects.filter(
        order_item__design_version__design=OuterRef("pk"),
        job__maker__members=user,
        job__status__in=[*JOB_ACTIVE, JobStatus.SHIPPED],
    )
    return Exists(job_items)


def quote_of_customer(user, pk) -> "Quote":
    """The customer's own quote; anyone else's is Http404."""
    return get_object_or_404(
        Quote.objects.select_related("material", "design_version__design").filter(customer=user), pk=pk
    )


def recent_quotes(user, *, design, limit: int = 5) -> list["Quote"]:
    """The customer's latest quotes for a design (newest first)."""
    return list(
        Quote.objects.filter(customer=user, design_version__design=design)
        .select_related("material", "design_version")
        .order_by("-created_at")[:limit]
    )


def job_print_file_url(job) -> str | None:
    """The maker's link to the file sliced for the job's printer: only once the job is theirs (accepted)."""
    if job.status not in JOB_HELD or job.sliced is None or not job.sliced.print_file:
        return None
    return url_pattern("maker-job-print-file", "pk").format(pk=job.pk)


def job_delivery_address(job) -> dict | None:
    """The order's delivery address, for the maker only from acceptance on (never in an offer)."""
    if job.status not in JOB_HELD:
        return None
    return job.order.shipping_address


def job_print_file_state(job) -> dict | None:
    """Where the job's print file stands: being sliced, ready (with the slicer's figures), or why there is none."""
    part_slice = job.print_slice
    if part_slice is None:
        return None
    state = {"status": part_slice.status, "printer": job.printer.name if job.printer else None}
    if job.sliced:
        state.update(printer_profile=part_slice.printer_profile, layers=part_slice.layers, mass_g=part_slice.mass_g)
    elif part_slice.drops_part:
        state["error"] = part_slice.drop_reason
    elif part_slice.error:
        state["error"] = part_slice.error
    return state


def counter_offers_of_order(user, order_id) -> QuerySet[CounterOffer]:
    """An order's counter-offers, newest first, for whoever may see the order (else Http404)."""
    order = get_object_or_404(orders_visible_to(user, detail=False), pk=order_id)
    return CounterOffer.objects.filter(order=order).select_related("maker", "payment")


def claims_visible_to(user) -> QuerySet[Claim]:
    """Claims a person may read: staff every one, a customer their own, a maker those on its jobs; with photos
    and events in a fixed number of queries."""
    claims = Claim.objects.select_related("order", "job__maker", "customer", "reprint_job").prefetch_related(
        "photos", Prefetch("events", queryset=ClaimEvent.objects.select_related("actor").order_by("created_at", "id"))
    )
    if user.is_staff:
        return claims
    if user.is_maker:
        return claims.filter(job__maker__members=user).distinct()
    if user.is_customer:
        return claims.filter(customer=user)
    return claims.none()


def order_for_claims(user, order_id) -> Order:
    """The order whose claims a person may list: the customer's own, any for staff, one a maker has a job on;
    anyone else gets Http404."""
    orders = Order.objects.all()
    if user.is_staff:
        pass
    elif user.is_maker:
        orders = orders.filter(Exists(Job.objects.filter(order=OuterRef("pk"), maker__members=user)))
    elif user.is_customer:
        orders = orders.filter(customer=user)
    else:
        orders = orders.none()
    return get_object_or_404(orders, pk=order_id)


def _staff_items() -> QuerySet[OrderItem]:
    return OrderItem.objects.select_related("material", "design_version__design").defer(
        "design_version__analysis", "price_breakdown", "parameters"
    )


def orders_on_hold() -> list[Order]:
    """Staff: the orders waiting on hold, the longest-waiting first, each with its customer, items and every job
    dispatch made for it (the makers it tried, and what became of each offer)."""
    jobs = Job.objects.select_related("maker").prefetch_related("events").order_by("offered_at", "id")
    orders = list(
        Order.objects.filter(status=OrderStatus.ON_HOLD)
        .select_related("customer")
        .prefetch_related(Prefetch("items", queryset=_staff_items()), Prefetch("jobs", queryset=jobs))
        .order_by("status_changed_at", "id")
    )
    for order in orders:
        for job in order.jobs.all():
            events = list(job.events.all())
            # Why the job is where it is: the reason of its last status change ("too busy", "did not answer").
            job.last_reason = events[-1].reason if events else ""
    return orders


def orders_on_hold_count() -> int:
    return Order.objects.filter(status=OrderStatus.ON_HOLD).count()


def order_for_staff(pk) -> Order:
    """Staff: one order with its items, its jobs (maker, printer, events) and its own events; Http404 if there is
    no such order."""
    jobs = Job.objects.select_related("maker", "material", "printer").prefetch_related(
        Prefetch("events", queryset=JobEvent.objects.select_related("actor")),
        Prefetch("job_items", queryset=JobItem.objects.select_related("order_item")),
    )
    orders = Order.objects.select_related("customer").prefetch_related(
        Prefetch("items", queryset=_staff_items()),
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor")),
        Prefetch("jobs", queryset=jobs.order_by("offered_at", "id")),
    )
    return get_object_or_404(orders, pk=pk)


def order_timeline(order: Order) -> list[dict]:
    """The order's events and its jobs' events in one list, oldest first: what happened to the order and what each
    maker did with its offer (from ``order_for_staff``'s prefetched rows, no query of its own)."""
    entries = [{"event": event, "job": None} for event in order.events.all()]
    for job in order.jobs.all():
        entries.extend({"event": event, "job": job} for event in job.events.all())
    return sorted(entries, key=lambda entry: (entry["event"].created_at, entry["job"] is not None, entry["event"].pk))


def jobs_for_agent(user) -> QuerySet[Job]:
    """The jobs the caller's maker holds (accepted or printing) that are planned on one of its printers, oldest
    first: what its print agent works on. One query."""
    return (
        Job.objects.filter(
            maker__members=user, status__in=(JobStatus.ACCEPTED, JobStatus.PRINTING), printer__isnull=False
        )
        .select_related("material", "printer", "print_slice")
        .order_by("offered_at", "id")
    )
