"""Claims: within the payout hold a customer reports a problem with the parts (photos and a reason), the maker
answers, and staff decide: a reprint (a new job for the same parts, offered to the same maker at price and payout
0: at the maker's cost), a refund (full or part, taken from that maker's held payout) or a rejection.

While a claim is open the order's payouts stay held (``checkout.payouts_release_due``); so they do while a decided
reprint is still being made. The order itself stays ``delivered``: the reprint job is tracked on the claim and
goes through accept, print and ship like any job (``order_sync`` and dispatch leave a delivered order alone).

Every step is a ClaimEvent (the claim's status door), a note on the order's timeline and a notification to the
other parties (the customer, the maker's members, staff).
"""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext

from billing import services as billing
from billing.models import Account, EntryKind, LedgerEntry
from core.errors import Conflict, DomainError, NotFound
from core.state import StateMachine
from core.text import Reason, clean_text
from orders.models import (
    CLAIM_OPEN,
    CLAIM_TRANSITIONS,
    Claim,
    ClaimEvent,
    ClaimPhoto,
    ClaimStatus,
    Job,
    JobItem,
    JobStatus,
    Order,
    OrderEvent,
    OrderStatus,
)
from orders.services.dispatch import batch_for_new_job, batch_repack
from orders.services.jobs import normalised_photo
from orders.services.notices import label_in_sentence, staff_users, tell
from orders.services.status import JOB_MACHINE

CLAIM_MACHINE = StateMachine(
    model=Claim, event_model=ClaimEvent, event_field="claim", label=gettext_lazy("claim"), transitions=CLAIM_TRANSITIONS
)
CLAIM_PHOTOS_MIN = 1
CLAIM_PHOTOS_MAX = 6
CLAIM_REASON_MAX = 4000
CLAIM_DECISIONS = ("reprint", "refund", "reject")
# A reprint offer waits longer for its maker than a market offer (OFFER_TTL_HOURS): nobody else can take it.
REPRINT_ANSWER_HOURS = 72
# Lead time of a reprint when the first job had none.
REPRINT_LEAD_DAYS = 5


def _held(order_id: int, maker_id: int) -> Decimal:
    return billing.balance(order_id, Account.PAYOUT_HELD, maker_id=maker_id)


def _released(order_id: int, maker_id: int) -> bool:
    return LedgerEntry.objects.filter(order_id=order_id, maker_id=maker_id, kind=EntryKind.PAYOUT_RELEASED).exists()


def claim_window_ends(order: Order):
    """When the customer can no longer open a claim on a delivered order (None before delivery)."""
    if order.delivered_at is None:
        return None
    return order.delivered_at + timedelta(days=settings.PAYOUT_HOLD_DAYS)


def claim_refusal(order: Order) -> Conflict | None:
    """Why no claim can be opened on the order now (a 409), or None when it can."""
    if order.status != OrderStatus.DELIVERED or order.delivered_at is None:
        return Conflict(
            _("A problem can be reported once the order is delivered; until then, talk to the maker on the job."),
            code="claim_not_delivered",
        )
    ends = claim_window_ends(order)
    if timezone.now() > ends:
        return Conflict(
            _("The claim window closed on %(ends)s UTC (%(payout_hold_days)s days after delivery).")
            % {"ends": f"{ends:%Y-%m-%d %H:%M}", "payout_hold_days": settings.PAYOUT_HOLD_DAYS},
            code="claim_window_closed",
        )
    return None


def claimable_jobs(order: Order) -> list[Job]:
    """The order's shipped jobs whose maker's payout is still held and that have no open claim."""
    jobs = list(order.jobs.filter(status=JobStatus.SHIPPED).exclude(claims__status__in=CLAIM_OPEN).order_by("pk"))
    return [job for job in jobs if _held(order.pk, job.maker_id) > 0]


def _job_refusal(order: Order, job: Job) -> Conflict | None:
    if job.status != JobStatus.SHIPPED:
        return Conflict(
            _("Job %(job)s has not shipped; report a problem once its parts arrived.") % {"job": job.pk},
            code="not_shipped",
        )
    if _released(order.pk, job.maker_id):
        return Conflict(
            _("The maker of these parts has been paid already: the claim window for them is over."),
            code="payout_released",
        )
    if _held(order.pk, job.maker_id) <= 0:
        return Conflict(_("Nothing is held for the maker of these parts on this order."), code="nothing_held")
    return None


def _claimed_job(order: Order, job_id: int | None) -> Job:
    if job_id is not None:
        job = order.jobs.filter(pk=job_id).first()
        if job is None:
            raise NotFound(
                _("Job %(job_id)s is not part of order %(order)s.") % {"job_id": job_id, "order": order.pk},
                code="not_found",
            )
        refusal = _job_refusal(order, job)
        if refusal is not None:
            raise refusal
        return job
    shipped = list(order.jobs.filter(status=JobStatus.SHIPPED).order_by("pk"))
    candidates = [job for job in shipped if _job_refusal(order, job) is None]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        refusal = _job_refusal(order, shipped[0]) if shipped else None
        raise refusal or Conflict(_("This order has no shipped parts to report a problem with."), code="not_shipped")
    raise DomainError(
        _("Order %(order)s was made by several makers: say which job the problem is with (%(value)s).")
        % {"order": order.pk, "value": ", ".join(str(job.pk) for job in candidates)},
        code="job_required",
        details={"field": "job", "jobs": [job.pk for job in candidates]},
    )


def _note(*, claim: Claim, actor, text: str, order_status: str | None = None) -> OrderEvent:
    """The step as a note on the order's timeline."""
    status = order_status or Order.objects.values_list("status", flat=True).get(pk=claim.order_id)
    return OrderEvent.objects.create(
        order_id=claim.order_id,
        kind=OrderEvent.KIND_NOTE,
        from_status=status,
        to_status=status,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=f"claim {claim.pk}: {text}"[:2000],
        details={"claim": claim.pk, "claim_status": claim.status},
    )


def _tell(*, claim: Claim, event: ClaimEvent, subject, body, customer=True, maker=True, staff=True):
    """Notify the parties of one step (each at most once per event), each in their language (``subject`` and
    ``body``: text, or functions that write it; see ``orders.services.notices``)."""
    message = {
        "kind": f"claim.{claim.status}",
        "subject": subject,
        "body": body,
        "data": {"claim": claim.pk, "order": claim.order_id, "job": claim.job_id, "status": claim.status},
        "dedupe_key": f"claim-event-{event.pk}",
    }
    if customer:
        tell(users=[claim.customer], link=f"/orders/{claim.order_id}/", **message)
    if maker:
        members = claim.job.maker.members.filter(is_active=True)
        tell(users=members, link=f"/maker/jobs/{claim.job_id}/", **message)
    if staff:
        tell(users=staff_users(), link="/dashboard/claims/", **message)


def claim_open(*, order_id: int, customer, reason: str, photos: list, job_id: int | None = None) -> Claim:
    """The customer reports a problem with delivered parts: a reason and 1 to 6 photos.

    Only on their own delivered order (else 404), within PAYOUT_HOLD_DAYS of delivery and while the maker's payout
    for that job is still held (else 409, saying why); one open claim per job. ``job_id`` may be left out when
    one job of the order can be claimed. Photos are re-encoded as JPEG (what is served is a real image, without
    camera metadata); one that is not an image, or larger than JOB_PHOTO_MAX_BYTES, is a 400.
    """
    reason = clean_text(reason, field=_("The reason"), max_length=CLAIM_REASON_MAX)
    if not reason:
        raise DomainError(_("Say what is wrong with the parts."), code="reason_required", details={"field": "reason"})
    photos = list(photos or [])
    if not CLAIM_PHOTOS_MIN <= len(photos) <= CLAIM_PHOTOS_MAX:
        raise DomainError(
            _("Attach %(claim_photos_min)s to %(claim_photos_max)s photos that show the problem.")
            % {"claim_photos_min": CLAIM_PHOTOS_MIN, "claim_photos_max": CLAIM_PHOTOS_MAX},
            code="photos_required" if not photos else "too_many_photos",
            details={"field": "photos"},
        )
    order = Order.objects.filter(pk=order_id, customer=customer).first()
    if order is None:
        raise NotFound(
            _("Order %(order_id)s was not found among your orders.") % {"order_id": order_id}, code="not_found"
        )
    refusal = claim_refusal(order)
    if refusal is not None:
        raise refusal
    _claimed_job(order, job_id)  # the readable refusals first, before reading the photos
    images = [normalised_photo(photo) for photo in photos]
    try:
        with transaction.atomic():
            # Claims on one order are opened one at a time: the checks below see every other one.
            order = Order.objects.select_for_update().get(pk=order.pk)
            refusal = claim_refusal(order)
            if refusal is not None:
                raise refusal
            job = _claimed_job(order, job_id)
            if Claim.objects.filter(job=job, status__in=CLAIM_OPEN).exists():
                raise Conflict(
                    _("A claim on job %(job)s is open already; add to it there.") % {"job": job.pk},
                    code="claim_already_open",
                )
            transition = CLAIM_MACHINE.create(
                to=ClaimStatus.OPEN,
                actor=customer,
                reason=reason[:2000],
                details={"photos": len(images)},
                instance=Claim(reason=reason),
                order=order,
                job=job,
                customer=customer,
            )
            claim = transition.obj
            for position, image in enumerate(images):
                photo = ClaimPhoto(claim=claim, position=position)
                photo.image.save(f"claim-{claim.pk}-{position}.jpg", image, save=True)
            _note(claim=claim, actor=customer, text=f"the customer reported a problem with job {job.pk}: {reason}")
            _tell(
                claim=claim,
                event=transition.event,
                subject=lambda: (
                    _("Claim %(claim)s on order %(order)s: the customer reports a problem")
                    % {"claim": claim.pk, "order": order.pk}
                ),
                body=lambda: (
                    reason + "\n\n" + _("The maker answers; staff then decide a reprint, a refund or no action.")
                ),
                customer=False,
            )
    except IntegrityError:
        # Another request opened the claim on this job between our check and our insert.
        raise Conflict(_("A claim on this job is open already."), code="claim_already_open") from None
    return claim


def claim_answer(*, claim_id: int, actor, answer: str) -> Claim:
    """A member of the claimed job's maker answers the customer's claim (once); anyone else gets a 404."""
    answer = clean_text(answer, field=_("The answer"), max_length=CLAIM_REASON_MAX)
    if not answer:
        raise DomainError(_("Write your answer to the claim."), code="answer_required", details={"field": "answer"})
    claim = Claim.objects.filter(pk=claim_id, job__maker__members=actor).first()
    if claim is None:
        raise NotFound(
            _("Claim %(claim_id)s was not found among your jobs' claims.") % {"claim_id": claim_id}, code="not_found"
        )
    with transaction.atomic():
        transition = CLAIM_MACHINE.move(
            pk=claim.pk,
            to=ClaimStatus.ANSWERED,
            actor=actor,
            reason=answer[:2000],
            updates={"maker_answer": answer},
        )
        if not transition.changed:
            raise Conflict(_("This claim is answered already."), code="claim_already_answered")
        claim = Claim.objects.select_related("customer", "job__maker").get(pk=claim.pk)
        _note(claim=claim, actor=actor, text=f"the maker answered: {answer}")
        _tell(
            claim=claim,
            event=transition.event,
            subject=lambda: (
                _("Claim %(claim)s on order %(order)s: the maker answered")
                % {"claim": claim.pk, "order": claim.order_id}
            ),
            body=answer,
            maker=False,
        )
    return claim


def claim_decide(*, claim_id: int, actor, decision: str, amount: Decimal | None = None, note: str = "") -> Claim:
    """Staff decide an open (or answered) claim.

    ``reprint``: a new job for the same parts, offered to the same maker at price 0 and payout 0; its payout for
    the order stays held until the reprint has shipped. ``refund``: ``amount`` (gross; default all that is held for
    that maker on the order) goes back to the customer from the maker's held payout, with a credit note; the rest
    is released after the hold. ``reject``: nothing changes hands and the payout is released after the hold.

    The refund goes through the provider inside the claim's transaction, so the claim and the money agree: a
    refund the provider or the ledger refuses (more than is held: 409) leaves the claim open.
    """
    if not getattr(actor, "is_staff", False):
        raise NotFound(_("Claim %(claim_id)s was not found.") % {"claim_id": claim_id}, code="not_found")
    if decision not in CLAIM_DECISIONS:
        raise DomainError(
            _("Decide one of %(value)s.") % {"value": ", ".join(CLAIM_DECISIONS)},
            code="bad_decision",
            details={"field": "decision"},
        )
    note = clean_text(note, field=_("The note"), max_length=CLAIM_REASON_MAX)
    if amount is not None and decision != "refund":
        raise DomainError(_("An amount goes only with a refund."), code="amount_without_refund")
    if amount is not None and amount <= 0:
        raise DomainError(_("The refund amount must be more than 0."), code="bad_amount", details={"field": "amount"})
    with transaction.atomic():
        claim = Claim.objects.select_for_update().filter(pk=claim_id).first()
        if claim is None:
            raise NotFound(_("Claim %(claim_id)s was not found.") % {"claim_id": claim_id}, code="not_found")
        if claim.status not in CLAIM_OPEN:
            raise Conflict(
                _("Claim %(claim)s is decided already (%(value)s).")
                % {"claim": claim.pk, "value": label_in_sentence(claim.get_status_display())},
                code="claim_already_decided",
            )
        claim = Claim.objects.select_related("job__maker", "customer", "order").get(pk=claim.pk)
        updates = {"decision_note": note}
        if decision == "refund":
            refund = billing.refund_create(
                order_id=claim.order_id,
                amount=amount,
                reason=f"claim {claim.pk}: {note or claim.reason}"[:2000],
                actor=actor,
                from_payout_of=claim.job.maker_id,
            )
            updates.update(refund=refund, refund_amount=refund.amount)
            target, text = ClaimStatus.REFUNDED, f"refund of {refund.amount} {claim.order.currency} decided"
            template = gettext_noop("refund of %(amount)s %(currency)s decided")
            params = {"amount": refund.amount, "currency": claim.order.currency}
        elif decision == "reprint":
            job = _reprint(claim=claim, actor=actor)
            updates["reprint_job"] = job
            target, text = ClaimStatus.REPRINT, f"reprint decided: job {job.pk} offered to {claim.job.maker.name}"
            template = gettext_noop("reprint decided: job %(job)s offered to %(maker)s")
            params = {"job": job.pk, "maker": claim.job.maker.name}
        else:
            target, text = ClaimStatus.REJECTED, "claim rejected"
            template, params = gettext_noop("claim rejected"), {}
        transition = CLAIM_MACHINE.move(
            pk=claim.pk, to=target, actor=actor, reason=(f"{text}: {note}" if note else text)[:2000], updates=updates
        )
        claim = transition.obj
        claim = Claim.objects.select_related("job__maker", "customer", "reprint_job").get(pk=claim.pk)
        _note(claim=claim, actor=actor, text=f"{text}" + (f" ({note})" if note else ""))

        def decision_text() -> str:
            return _(template) % params

        _tell(
            claim=claim,
            event=transition.event,
            subject=lambda: (
                _("Claim %(claim)s on order %(order)s: %(decision)s")
                % {"claim": claim.pk, "order": claim.order_id, "decision": decision_text()}
            ),
            body=lambda: note or decision_text(),
            staff=False,
        )
    return claim


def _reprint(*, claim: Claim, actor) -> Job:
    """The same parts again, offered to the same maker at its own cost (price and payout 0)."""
    original = claim.job
    now = timezone.now()
    lead = (original.due_at - original.offered_at) if original.due_at else timedelta(days=REPRINT_LEAD_DAYS)
    batch = batch_for_new_job(maker_id=original.maker_id, material_id=original.material_id)
    job = JOB_MACHINE.create(
        to=JobStatus.OFFERED,
        actor=actor,
        reason=Reason(
            gettext_noop("reprint for claim %(claim)s (job %(job)s), at the maker's cost"),
            claim=str(claim.pk),
            job=str(original.pk),
        ),
        details={"claim": claim.pk, "reprint_of": original.pk},
        order_id=original.order_id,
        batch=batch,
        maker_id=original.maker_id,
        material_id=original.material_id,
        offer_expires_at=now + timedelta(hours=REPRINT_ANSWER_HOURS),
        quantity=original.quantity,
        price=Decimal("0"),
        payout=Decimal("0"),
        due_at=now + max(lead, timedelta(days=1)),
        distance_km=original.distance_km,
        co2_kg=original.co2_kg,
        match={**(original.match or {}), "reprint_of": original.pk, "claim": claim.pk},
        printer_id=original.printer_id,
        print_slice_id=original.print_slice_id,
        estimated_hours=original.estimated_hours,
    ).obj
    JobItem.objects.bulk_create(
        JobItem(job=job, order_item_id=item.order_item_id, quantity=item.quantity) for item in original.job_items.all()
    )
    batch_repack(batch_id=batch.pk)
    tell(
        users=original.maker.members.filter(is_active=True),
        kind="job.offered",
        subject=lambda: (
            ngettext(
                "Reprint for claim %(claim)s: order %(order)s, %(parts)s part, at your cost",
                "Reprint for claim %(claim)s: order %(order)s, %(parts)s parts, at your cost",
                job.quantity,
            )
            % {"claim": claim.pk, "order": original.order_id, "parts": job.quantity}
        ),
        body=lambda: (
            _("Accept before %(until)s UTC; your payout for the order stays held until the reprint has shipped.")
            % {"until": formats.date_format(job.offer_expires_at, "DATETIME_FORMAT")}
        ),
        link=f"/maker/jobs/{job.pk}/",
        data={"job": job.pk, "claim": claim.pk},
        dedupe_key=f"job-offered-{job.pk}",
    )
    return job


def claim_for_job(job: Job) -> Claim | None:
    """The claim a job's page shows: the latest one on the job, or the one it is the reprint of."""
    return Claim.objects.filter(job=job).first() or Claim.objects.filter(reprint_job=job).first()
