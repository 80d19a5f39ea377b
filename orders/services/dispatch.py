"""Dispatch: from a confirmed order to jobs offered to local makers, grouped in small batches.

Every item goes to the best eligible maker near the customer (matching), items for the same maker and
material form one job per order, and jobs for the same maker and material confirmed within the batching
window share a batch, whose parts are packed on the maker's build plate to count plates and machine time.
A declined, expired or failed job sends its parts to the next maker; with none left, the order waits
``on_hold`` with the reason and staff are told. The order's status follows its jobs.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from core.errors import Conflict, TransitionNotAllowed
from core.links import url_pattern
from core.queueing import enqueue_after_commit
from core.text import Reason
from makers.models import Maker
from orders.models import (
    JOB_ACTIVE,
    JOB_DROPPED,
    JOB_HELD,
    Batch,
    BatchStatus,
    Job,
    JobItem,
    JobStatus,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
)
from orders.packing.plates import PartDoesNotFitError, PartToPack, pack_batch
from orders.pricing.prices import estimate_batch_hours
from orders.services import quoting
from orders.services.notices import staff_users, tell
from orders.services.reliability import maker_refresh_reliability
from orders.services.status import BATCH_MACHINE, JOB_MACHINE, batch_set_status, job_set_status, order_set_status

logger = logging.getLogger(__name__)

# Task names (stable: they are stored in outbox rows and beat's schedule); the tasks are in orders/tasks.py.
ORDER_DISPATCH_TASK = "orders.order_dispatch"
JOB_OFFERS_EXPIRE_TASK = "orders.job_offers_expire"
ORDERS_SWEEP_STUCK_TASK = "orders.orders_sweep_stuck"

DISPATCHABLE = frozenset({OrderStatus.CONFIRMED, OrderStatus.ROUTING, OrderStatus.ON_HOLD, OrderStatus.IN_PRODUCTION})


@dataclass(frozen=True)
class Assignment:
    item: OrderItem
    ranked: object  # matching.RankedMaker


def _current_job_items(order: Order) -> dict[int, JobItem]:
    """For each item, the job row that currently holds it (not dropped), if any."""
    current = {}
    for job_item in (
        JobItem.objects.filter(order_item__order=order)
        .exclude(job__status__in=JOB_DROPPED)
        .select_related("job")
        .order_by("job_id")
    ):
        current[job_item.order_item_id] = job_item
    return current


def _makers_tried(item: OrderItem) -> set[int]:
    """Makers that already declined, let expire, failed or lost this item: not offered it again."""
    return set(
        JobItem.objects.filter(order_item=item, job__status__in=JOB_DROPPED).values_list("job__maker_id", flat=True)
    )


def order_dispatch(*, order_id: int) -> str:
    """Offer every item that has no maker to the best eligible one. Safe to run again at any time."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(pk=order_id).first()
        if order is None:
            logger.warning("order %s is gone; nothing to dispatch", order_id)
            return "gone"
        if order.status not in DISPATCHABLE:
            return order.status
        held = _current_job_items(order)
        waiting = [item for item in order.items.select_related("material", "design_version") if item.pk not in held]
        if not waiting:
            return order_sync(order_id=order_id)
        ship_to = quoting.ShipTo(order.ship_to_latitude, order.ship_to_longitude, order.ship_to_label)
        groups: dict[tuple[int, int], list[Assignment]] = defaultdict(list)
        unplaced: list[str] = []
        for item in waiting:
            breakdown = quoting.price(version=item.design_version, material=item.material, quantity=item.quantity)
            result = quoting.match(
                report=item.design_version.analysis,
                material=item.material,
                quantity=item.quantity,
                colour=item.colour,
                ship_to=ship_to,
                breakdown=breakdown,
                exclude_maker_ids=_makers_tried(item),
                eligible_only=True,
            )
            if not result.ranked:
                reasons = sorted({excluded.reason for excluded in result.excluded})[:3]
                unplaced.append(
                    f"no maker within {settings.MATCH_MAX_DISTANCE_KM:g} km can make item {item.pk} "
                    f"({item.material.name})" + (f": {'; '.join(reasons)}" if reasons else "")
                )
                continue
            # The maker whose offer the customer took gets it first, while it is eligible and has not turned it down.
            best = next((r for r in result.ranked if r.maker_id == order.offer_maker_id), result.ranked[0])
            groups[(best.maker_id, item.material_id)].append(Assignment(item=item, ranked=best))
        if order.status == OrderStatus.CONFIRMED:
            order_set_status(
                order_id=order_id, to=OrderStatus.ROUTING, reason=gettext_noop("offers going out to makers")
            )
        for (maker_id, material_id), assignments in sorted(groups.items()):
            _offer(order=order, maker_id=maker_id, material_id=material_id, assignments=assignments)
        if unplaced:
            reason = "; ".join(unplaced)
            if order.status != OrderStatus.ON_HOLD or order.hold_reason != reason:
                _hold(order_id=order_id, reason=reason)
            return OrderStatus.ON_HOLD
        return order_sync(order_id=order_id)


def _hold(*, order_id: int, reason: str) -> None:
    try:
        transition = order_set_status(
            order_id=order_id, to=OrderStatus.ON_HOLD, reason=reason, updates={"hold_reason": reason}
        )
    except TransitionNotAllowed:
        return
    if transition.changed:
        tell(
            users=staff_users(),
            kind="order.on_hold",
            subject=lambda: _("Order %(order)s is on hold: no maker") % {"order": order_id},
            body=reason,
            link=url_pattern("web:staff-order-detail", "pk").format(pk=order_id),
            data={"order": order_id},
            dedupe_key=f"hold-{transition.event.pk}",
        )


def _joinable_batch(*, maker_id: int, material_id: int) -> Batch:
    """An open batch of this maker and material still inside its window, or a new one."""
    now = timezone.now()
    batch = (
        Batch.objects.select_for_update()
        .filter(maker_id=maker_id, material_id=material_id, status=BatchStatus.OPEN, joinable_until__gt=now)
        .order_by("created_at")
        .first()
    )
    if batch is not None:
        return batch
    return BATCH_MACHINE.create(
        to=BatchStatus.OPEN,
        reason="new batch",
        maker_id=maker_id,
        material_id=material_id,
        joinable_until=now + timedelta(minutes=settings.BATCH_WINDOW_MINUTES),
    ).obj


def batch_for_new_job(*, maker_id: int, material_id: int) -> Batch:
    """The batch a new job of this maker and material joins (a reprint after a claim joins like any offer)."""
    return _joinable_batch(maker_id=maker_id, material_id=material_id)


def _offer(*, order: Order, maker_id: int, material_id: int, assignments: list[Assignment]) -> Job:
    batch = _joinable_batch(maker_id=maker_id, material_id=material_id)
    now = timezone.now()
    best = assignments[0].ranked
    maker = Maker.objects.get(pk=maker_id)
    printer = quoting.planned_printers([best], material=assignments[0].item.material).get(maker_id)
    print_slice_id = None
    if len(assignments) == 1:
        # The file the maker prints holds the item's copies, sliced for the planned printer. (A job of several
        # parts keeps the estimate: one plate of different parts is not sliced yet.)
        item = assignments[0].item
        print_slice_id, _why_not = quoting.offer_slice(
            version=item.design_version, material=item.material, printer=printer, copies=item.quantity
        )
    price = sum((a.item.total_price for a in assignments), Decimal("0"))
    job = JOB_MACHINE.create(
        to=JobStatus.OFFERED,
        reason=Reason(
            gettext_noop("offered to %(maker)s (%(km)s km from the customer)"),
            maker=maker.name,
            km=round(best.distance_km),
        ),
        details={"score": round(best.score, 4), "score_parts": best.score_parts},
        order=order,
        batch=batch,
        maker_id=maker_id,
        material_id=material_id,
        offer_expires_at=now + timedelta(hours=settings.OFFER_TTL_HOURS),
        quantity=sum(a.item.quantity for a in assignments),
        # What the customer pays for these parts (the chosen offer's price, frozen on the items), and what the maker
        # is paid for them: less the platform's commission, plus the order's shipping fee in proportion.
        price=price,
        payout=job_payout(order, price),
        due_at=now + timedelta(days=best.lead_time_days),
        distance_km=best.distance_km,
        co2_kg=sum(a.ranked.co2_kg for a in assignments),
        match={"items": {str(a.item.pk): quoting.ranked_as_dict(a.ranked) for a in assignments}},
        printer_id=printer["pk"] if printer else None,
        print_slice_id=print_slice_id,
        estimated_hours=sum(float(a.item.price_breakdown.get("machine_hours") or 0) for a in assignments),
    ).obj
    JobItem.objects.bulk_create(JobItem(job=job, order_item=a.item, quantity=a.item.quantity) for a in assignments)
    Maker.objects.filter(pk=maker_id).update(offers_received=F("offers_received") + 1)
    batch_repack(batch_id=batch.pk)
    tell(
        users=maker.members.all(),
        kind="job.offered",
        subject=lambda: (
            ngettext(
                "New job offer: order %(order)s, %(parts)s part",
                "New job offer: order %(order)s, %(parts)s parts",
                job.quantity,
            )
            % {"order": order.pk, "parts": job.quantity}
        ),
        body=lambda: (
            _("Accept or decline before %(until)s UTC.")
            % {"until": formats.date_format(job.offer_expires_at, "DATETIME_FORMAT")}
        ),
        link=f"/maker/jobs/{job.pk}/",
        data={"job": job.pk},
        dedupe_key=f"job-offered-{job.pk}",
    )
    return job


def job_payout(order: Order, price: Decimal) -> Decimal:
    """The maker's pay for a job of ``price`` (the customer's, net): less commission, plus its share of shipping."""
    share = order.shipping_net * price / order.items_net if order.items_net else Decimal("0")
    return (price * (1 - order.commission_rate) + share).quantize(Decimal("0.01"))


def batch_repack(*, batch_id: int) -> Batch:
    """Pack every part of the batch's live jobs on the maker's plate: plates, fill ratio, machine hours."""
    batch = Batch.objects.select_related("maker", "material").get(pk=batch_id)
    items = list(
        JobItem.objects.filter(job__batch=batch)
        .exclude(job__status__in=JOB_DROPPED)
        .select_related("order_item__design_version")
    )
    if not items:
        Batch.objects.filter(pk=batch_id).update(plates=0, fill_ratio=0, machine_hours=0, packing={})
        return batch
    printers = batch.maker.printers.filter(materials=batch.material, is_online=True) or batch.maker.printers.filter(
        materials=batch.material
    )
    printer = max(printers, key=lambda p: p.build_x_mm * p.build_y_mm * p.build_z_mm, default=None)
    build = printer.build_volume_mm if printer else batch.material.build_volume_mm
    parts, metrics = [], {}
    for job_item in items:
        report = job_item.order_item.design_version.analysis
        # In the orientation its quote priced for this process (see ``quoting.part_metrics``).
        metrics[job_item.order_item_id] = quoting.part_metrics(report, batch.material.process)
        parts.append(
            PartToPack(
                item_id=job_item.order_item_id,
                extents_mm=metrics[job_item.order_item_id].extents_mm,
                quantity=job_item.quantity,
            )
        )
    try:
        packing = pack_batch(parts=parts, build_volume_mm=build, process=batch.material.process)
    except PartDoesNotFitError as error:
        Batch.objects.filter(pk=batch_id).update(packing={"error": str(error)})
        return batch
    hours = estimate_batch_hours(material=quoting.material_pricing(batch.material), parts=metrics, packing=packing)
    layout = {
        "printer": printer.name if printer else None,
        "build_volume_mm": list(build),
        "plates": [
            {
                "height_mm": round(plate.height_mm, 2),
                "fill_ratio": round(plate.fill_ratio, 4),
                "hours": round(plate_hours, 2),
                "placements": [
                    {
                        "item": p.item_id,
                        "copy": p.copy,
                        "x": round(p.x, 1),
                        "y": round(p.y, 1),
                        "z": round(p.z, 1),
                        "size_mm": [round(v, 1) for v in p.size_mm],
                        "rotated": p.rotated,
                    }
                    for p in plate.placements
                ],
            }
            for plate, plate_hours in zip(packing.plates, hours.plate_hours, strict=True)
        ],
    }
    Batch.objects.filter(pk=batch_id).update(
        plates=packing.plate_count,
        fill_ratio=round(packing.fill_ratio, 4),
        machine_hours=round(hours.total_hours, 3),
        packing=layout,
    )
    batch.refresh_from_db()
    return batch


def batch_sync(*, batch_id: int) -> str:
    """A batch follows its jobs: in production once one prints, completed when all kept ones shipped."""
    batch = Batch.objects.get(pk=batch_id)
    statuses = list(batch.jobs.values_list("status", flat=True))
    live = [status for status in statuses if status not in JOB_DROPPED]
    target = batch.status
    if statuses and not live:
        target = BatchStatus.CANCELLED
    elif live and all(status == JobStatus.SHIPPED for status in live):
        target = BatchStatus.COMPLETED
    elif any(status in (JobStatus.PRINTING, JobStatus.PRINTED, JobStatus.SHIPPED) for status in live):
        target = BatchStatus.IN_PRODUCTION
    if target == BatchStatus.COMPLETED and batch.status == BatchStatus.OPEN:
        batch_set_status(batch_id=batch_id, to=BatchStatus.IN_PRODUCTION, reason="its jobs are in production")
    if target != batch.status:
        try:
            batch_set_status(
                batch_id=batch_id, to=target, reason=f"its jobs are {', '.join(sorted(set(live))) or 'gone'}"
            )
        except TransitionNotAllowed:
            logger.info("batch %s stays %s (jobs: %s)", batch_id, batch.status, statuses)
    if target == BatchStatus.OPEN or (target == BatchStatus.CANCELLED and batch.status == BatchStatus.OPEN):
        batch_repack(batch_id=batch_id)
    return target


def order_sync(*, order_id: int, actor=None) -> str:
    """Derive the order's status from its jobs: routing while offers are out, in production once every part
    is held by a maker, shipped when every part has shipped."""
    order = Order.objects.get(pk=order_id)
    if order.status not in (OrderStatus.ROUTING, OrderStatus.IN_PRODUCTION, OrderStatus.ON_HOLD):
        return order.status
    current = _current_job_items(order)
    item_ids = list(order.items.values_list("pk", flat=True))
    if any(item_id not in current for item_id in item_ids):
        return order.status  # some part waits for (re-)dispatch
    statuses = [current[item_id].job.status for item_id in item_ids]
    if all(status == JobStatus.SHIPPED for status in statuses):
        target = OrderStatus.SHIPPED
    elif all(status in JOB_HELD for status in statuses):
        target = OrderStatus.IN_PRODUCTION
    else:
        target = OrderStatus.ROUTING
    if target == OrderStatus.SHIPPED and order.status == OrderStatus.ROUTING:
        order_set_status(
            order_id=order_id, to=OrderStatus.IN_PRODUCTION, actor=actor, reason=gettext_noop("every part is made")
        )
    if target != order.status:
        reasons = {
            OrderStatus.SHIPPED: gettext_noop("every part has shipped"),
            OrderStatus.IN_PRODUCTION: gettext_noop("every part is held by a maker"),
            OrderStatus.ROUTING: gettext_noop("offers are out to makers"),
        }
        order_set_status(
            order_id=order_id,
            to=target,
            actor=actor,
            reason=reasons[target],
            updates={"hold_reason": ""} if order.status == OrderStatus.ON_HOLD else None,
        )
    return target


def order_redispatch_after_commit(order_id: int) -> None:
    enqueue_after_commit(ORDER_DISPATCH_TASK, order_id=order_id)


def order_dispatch_again(*, order_id: int, actor) -> Order:
    """Staff ask for another dispatch round (a maker came back online or joined since the order was held): the
    parts no maker holds are offered again, after commit, on the dispatch queue. Makers that already turned a part
    down are still not asked again. A note on the order's timeline says who asked; an order dispatch cannot act on
    (not yet paid, shipped, cancelled...) is a 409 and nothing is queued."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order_id)
        if order.status not in DISPATCHABLE:
            raise Conflict(
                _("Order %(order)s is %(status)s: there is nothing to dispatch.")
                % {"order": order.pk, "status": order.get_status_display().lower()},
                code="not_dispatchable",
            )
        OrderEvent.objects.create(
            order=order,
            kind=OrderEvent.KIND_NOTE,
            from_status=order.status,
            to_status=order.status,
            actor=actor if getattr(actor, "pk", None) else None,
            reason=gettext_noop("dispatch again, asked by staff"),
        )
        order_redispatch_after_commit(order.pk)
    return order


def job_offers_expire(*, now=None) -> int:
    """Beat: offers past their time expire and their parts go to the next maker."""
    now = now or timezone.now()
    expired = 0
    for job_id in Job.objects.filter(status=JobStatus.OFFERED, offer_expires_at__lte=now).values_list("pk", flat=True)[
        :500
    ]:
        with transaction.atomic():
            try:
                transition = job_set_status(
                    job_id=job_id, to=JobStatus.EXPIRED, reason=gettext_noop("the maker did not answer in time")
                )
            except TransitionNotAllowed:
                continue
            if not transition.changed:
                continue
            job = transition.obj

            maker_refresh_reliability(maker_id=job.maker_id)
            batch_sync(batch_id=job.batch_id)
            order_redispatch_after_commit(job.order_id)
            expired += 1
    return expired


def active_job_count(maker_id: int) -> int:
    return Job.objects.filter(maker_id=maker_id, status__in=JOB_ACTIVE).count()


def orders_sweep_stuck(*, now=None) -> int:
    """Re-queue dispatch for orders whose parts nobody holds long after their last change: confirmed but
    never routed, or routing with an item whose job was dropped and whose re-dispatch was lost."""
    from django.db.models import Exists, OuterRef

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.DISPATCH_STUCK_AFTER_SECONDS)
    held_item_ids = JobItem.objects.exclude(job__status__in=JOB_DROPPED).values("order_item_id")
    unheld_items = OrderItem.objects.filter(order=OuterRef("pk")).exclude(pk__in=held_item_ids)
    stuck = Order.objects.filter(
        status__in=[OrderStatus.CONFIRMED, OrderStatus.ROUTING, OrderStatus.IN_PRODUCTION],
        status_changed_at__lt=cutoff,
    ).filter(Exists(unheld_items))
    order_ids = list(stuck.values_list("pk", flat=True)[:200])
    for order_id in order_ids:
        enqueue_after_commit(ORDER_DISPATCH_TASK, order_id=order_id)
    return len(order_ids)
