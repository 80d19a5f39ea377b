"""What makers do with jobs: accept (exactly one wins), decline, report progress, give up."""

import io

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.errors import Conflict, DomainError
from core.text import clean_text
from orders.models import JOB_HELD, JOB_PROGRESS, Job, JobStatus
from orders.services.dispatch import batch_sync, order_redispatch_after_commit, order_sync
from orders.services.reliability import maker_refresh_reliability
from orders.services.status import job_set_status
from slicing.models import SliceStatus

PHOTO_MAX_SIDE_PX = 2048
# The timeline's words for a maker's report (translated where it is shown, see StatusEvent.reason_display).
MAKER_REPORTS = {
    JobStatus.PRINTING: gettext_noop("maker reports printing"),
    JobStatus.PRINTED: gettext_noop("maker reports printed"),
    JobStatus.SHIPPED: gettext_noop("maker reports shipped"),
}


def normalised_photo(photo) -> ContentFile:
    """Re-encode a maker's photo as a plain JPEG (at most 2048 px): what is served is then always a real
    image of a known type, and camera metadata such as GPS position is dropped."""
    from PIL import Image, UnidentifiedImageError

    if photo.size > settings.JOB_PHOTO_MAX_BYTES:
        raise DomainError(
            _("The photo is larger than %(value)s MB.") % {"value": settings.JOB_PHOTO_MAX_BYTES // (1024 * 1024)},
            code="photo_too_large",
        )
    try:
        with Image.open(photo) as image:
            image.thumbnail((PHOTO_MAX_SIDE_PX, PHOTO_MAX_SIDE_PX))
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, ValueError):
        raise DomainError(_("The photo is not an image we can read (use JPEG or PNG)."), code="bad_photo")
    return ContentFile(buffer.getvalue())


def _offer_still_open(job: Job) -> None:
    if job.offer_expires_at <= timezone.now():
        raise Conflict(_("This offer has expired; the job has gone to another maker."), code="offer_expired")


def job_accept(*, job_id: int, actor, reason: str = gettext_noop("accepted by the maker")) -> Job:
    """The maker takes the job (or the customer took the maker's counter-offer: ``reason`` says so). Under
    concurrent accepts the row lock lets exactly one through; the others see the job already accepted and get a
    409, nothing changed."""
    with transaction.atomic():
        transition = job_set_status(
            job_id=job_id,
            to=JobStatus.ACCEPTED,
            actor=actor,
            reason=reason,
            updates={"responded_at": timezone.now()},
            guard=_offer_still_open,
        )
        if not transition.changed:
            raise Conflict(
                _("This job is already accepted."),
                code="already_accepted",
                details={"current": transition.from_status},
            )
        job = transition.obj
        batch_sync(batch_id=job.batch_id)
        order_sync(order_id=job.order_id, actor=actor)
        maker_refresh_reliability(maker_id=job.maker_id)
    return job


def job_decline(*, job_id: int, actor, reason: str) -> Job:
    """The maker says no (with a reason); the parts are offered to the next maker at once."""
    reason = clean_text(reason, field=_("The reason"), max_length=2000)
    if not reason:
        raise DomainError(_("Say why you decline (it helps us route better)."), code="reason_required")
    with transaction.atomic():
        transition = job_set_status(
            job_id=job_id,
            to=JobStatus.DECLINED,
            actor=actor,
            reason=reason[:2000],
            updates={"responded_at": timezone.now(), "decline_reason": reason[:2000]},
        )
        if not transition.changed:
            raise Conflict(_("This job is already declined."), code="already_declined")
        job = transition.obj
        batch_sync(batch_id=job.batch_id)
        maker_refresh_reliability(maker_id=job.maker_id)
        order_redispatch_after_commit(job.order_id)
    return job


def job_report_progress(
    *,
    job_id: int,
    actor,
    status: str,
    tracking_number: str = "",
    carrier: str = "",
    photo=None,
    note: str = "",
    photo_optional: bool = False,
    reason: str = "",
) -> Job:
    """printing, then printed (with a photo of the parts), then shipped (with a tracking number).
    ``photo_optional``: a print agent reports printed from the printer itself, with its camera's snapshot when
    the printer has a camera (``orders.services.agent``); ``reason``: the platform's own words for the event (a
    ``core.text.Reason``), in place of the maker's note."""
    if status not in JOB_PROGRESS:
        raise DomainError(
            _("Progress must be one of %(value)s.") % {"value": ", ".join(JOB_PROGRESS)}, code="bad_progress"
        )
    tracking_number = clean_text(tracking_number, field=_("The tracking number"), max_length=100)
    carrier = clean_text(carrier, field=_("The carrier"), max_length=60)
    note = clean_text(note, field=_("The note"), max_length=2000)
    updates, details = {}, {}
    if status == JobStatus.PRINTED and photo is None and not photo_optional:
        raise DomainError(_("Attach a photo of the printed parts."), code="photo_required")
    if status == JobStatus.SHIPPED:
        if not tracking_number.strip():
            raise DomainError(_("Give the tracking number of the parcel."), code="tracking_required")
        updates.update(
            tracking_number=tracking_number.strip()[:100],
            carrier=carrier.strip()[:60],
            shipped_at=timezone.now(),
        )
        details.update(tracking_number=updates["tracking_number"], carrier=updates["carrier"])
    with transaction.atomic():
        if photo is not None and status == JobStatus.PRINTED:
            job = Job.objects.get(pk=job_id)
            job.photo.save(f"job-{job_id}.jpg", normalised_photo(photo), save=False)
            updates["photo"] = job.photo.name
        transition = job_set_status(
            job_id=job_id,
            to=status,
            actor=actor,
            reason=reason or note or MAKER_REPORTS[status],
            details=details,
            updates=updates,
        )
        job = transition.obj
        if transition.changed:
            batch_sync(batch_id=job.batch_id)
            order_sync(order_id=job.order_id, actor=actor)
            if status == JobStatus.SHIPPED:
                maker_refresh_reliability(maker_id=job.maker_id)
    return job


def job_fail(*, job_id: int, actor, reason: str) -> Job:
    """The maker cannot make it after all (printer broke, part failed): the parts go to the next maker."""
    reason = clean_text(reason, field=_("The reason"), max_length=2000)
    if not reason:
        raise DomainError(_("Say what went wrong."), code="reason_required")
    with transaction.atomic():
        transition = job_set_status(job_id=job_id, to=JobStatus.FAILED, actor=actor, reason=reason[:2000])
        job = transition.obj
        if transition.changed:
            batch_sync(batch_id=job.batch_id)
            maker_refresh_reliability(maker_id=job.maker_id)
            order_redispatch_after_commit(job.order_id)
    return job


def job_reroute(*, job_id: int, actor, reason: str = "") -> Job:
    """Staff take the job away from its maker (offered or accepted, not yet printing) and offer it on."""
    with transaction.atomic():
        transition = job_set_status(
            job_id=job_id, to=JobStatus.CANCELLED, actor=actor, reason=reason or gettext_noop("re-routed by staff")
        )
        job = transition.obj
        if transition.changed:
            batch_sync(batch_id=job.batch_id)
            order_redispatch_after_commit(job.order_id)
    return job


def job_print_file(*, job: Job):
    """The slice whose file the job's maker prints: only for a job it holds, once the file is sliced; otherwise a
    409 that says what to wait for."""
    if job.status not in JOB_HELD:
        raise Conflict(_("Accept the job first: the print file comes with the job."), code="job_not_accepted")
    part_slice = job.print_slice
    if part_slice is None:
        raise Conflict(
            _(
                "This job has no print file: its printer has no printer model the slicer knows, "
                "or it holds several parts; slice the parts yourself."
            ),
            code="no_print_file",
        )
    if part_slice.status in (SliceStatus.QUEUED, SliceStatus.SLICING):
        raise Conflict(_("The print file is being sliced; try again in a minute."), code="print_file_pending")
    if job.sliced is None or not part_slice.print_file:
        reason = part_slice.drop_reason if part_slice.drops_part else part_slice.error
        raise Conflict(
            _("The slicer could not make the print file: %(reason)s") % {"reason": reason}, code="print_file_failed"
        )
    return part_slice
