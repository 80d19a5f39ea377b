from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Material
from core.models import StatusEvent
from core.state import NOTHING
from makers.models import Maker, Printer
from orders.models.orders import Order, OrderItem
from slicing.models import Slice


class JobStatus(models.TextChoices):
    OFFERED = "offered", _("Offered")  # waiting for the maker to accept or decline before offer_expires_at
    ACCEPTED = "accepted", _("Accepted")  # the maker took it
    PRINTING = "printing", _("Printing")
    PRINTED = "printed", _("Printed")  # done, photo attached
    SHIPPED = "shipped", _("Shipped")  # tracking number attached
    DECLINED = "declined", _("Declined")  # the maker said no (reason kept); the parts go to the next maker
    EXPIRED = "expired", _("Expired")  # no answer in time; the parts go to the next maker
    CANCELLED = "cancelled", _("Cancelled")  # the order was cancelled or staff re-routed it
    FAILED = "failed", _("Failed")  # the maker could not make it; the parts go to the next maker


JOB_TERMINAL = frozenset(
    {JobStatus.SHIPPED, JobStatus.DECLINED, JobStatus.EXPIRED, JobStatus.CANCELLED, JobStatus.FAILED}
)
# Jobs that hold a maker's capacity slot.
JOB_ACTIVE = frozenset({JobStatus.OFFERED, JobStatus.ACCEPTED, JobStatus.PRINTING, JobStatus.PRINTED})
JOB_HELD = frozenset({JobStatus.ACCEPTED, JobStatus.PRINTING, JobStatus.PRINTED, JobStatus.SHIPPED})
JOB_DROPPED = frozenset({JobStatus.DECLINED, JobStatus.EXPIRED, JobStatus.CANCELLED, JobStatus.FAILED})
JOB_TRANSITIONS = {
    NOTHING: frozenset({JobStatus.OFFERED}),
    JobStatus.OFFERED: frozenset({JobStatus.ACCEPTED, JobStatus.DECLINED, JobStatus.EXPIRED, JobStatus.CANCELLED}),
    JobStatus.ACCEPTED: frozenset({JobStatus.PRINTING, JobStatus.CANCELLED, JobStatus.FAILED}),
    # printing -> accepted: the printer failed or the print was cancelled (the agent says why); the maker may retry.
    JobStatus.PRINTING: frozenset({JobStatus.PRINTED, JobStatus.FAILED, JobStatus.ACCEPTED}),
    JobStatus.PRINTED: frozenset({JobStatus.SHIPPED, JobStatus.FAILED}),
    JobStatus.SHIPPED: frozenset(),
    JobStatus.DECLINED: frozenset(),
    JobStatus.EXPIRED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
    JobStatus.FAILED: frozenset(),
}
# What a maker may report through the progress endpoint.
JOB_PROGRESS = (JobStatus.PRINTING, JobStatus.PRINTED, JobStatus.SHIPPED)


class PrintState(models.TextChoices):
    """Where a job's print stands on its printer, as the maker's print agent reports it (not a job status)."""

    WAITING = "waiting", _("Waiting for the agent")  # the agent has not put the file on the printer yet
    UPLOADED = "uploaded", _("On the printer")  # the file is on the printer; it starts once the maker confirms
    PRINTING = "printing", _("Printing")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")  # failed or cancelled on the printer (the reason says which); may be retried


class BatchStatus(models.TextChoices):
    OPEN = "open", _("Open")  # collecting jobs for one maker and material; nothing printing yet
    IN_PRODUCTION = "in_production", _("In production")  # at least one of its jobs is printing
    COMPLETED = "completed", _("Completed")  # every job that stayed in it has shipped
    CANCELLED = "cancelled", _("Cancelled")  # every job left it (declined, expired, cancelled, failed)


BATCH_TRANSITIONS = {
    NOTHING: frozenset({BatchStatus.OPEN}),
    BatchStatus.OPEN: frozenset({BatchStatus.IN_PRODUCTION, BatchStatus.CANCELLED}),
    BatchStatus.IN_PRODUCTION: frozenset({BatchStatus.COMPLETED, BatchStatus.CANCELLED}),
    BatchStatus.COMPLETED: frozenset(),
    BatchStatus.CANCELLED: frozenset(),
}


class Batch(models.Model):
    """Parts for one maker in one material, printed together: several orders may share a batch."""

    maker = models.ForeignKey(Maker, on_delete=models.PROTECT, related_name="batches")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=BatchStatus.choices, default=BatchStatus.OPEN, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    plates = models.PositiveIntegerField(default=0)
    fill_ratio = models.FloatField(default=0)
    machine_hours = models.FloatField(default=0)
    packing = models.JSONField(default=dict, blank=True)
    # New jobs for the same maker and material may join until then (the small-batch window).
    joinable_until = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["maker", "material", "status"], name="batch_joinable")]

    def __str__(self):
        return f"Batch {self.pk} ({self.maker.name}, {self.material.code})"


class Job(models.Model):
    """The parts of one order offered to (then made by) one maker, inside a batch."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="jobs")
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="jobs")
    maker = models.ForeignKey(Maker, on_delete=models.PROTECT, related_name="jobs")
    material = models.ForeignKey(Material, on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField(OrderItem, through="JobItem", related_name="jobs")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.OFFERED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    quantity = models.PositiveIntegerField(default=0)
    price = models.DecimalField(max_digits=12, decimal_places=2, default=0, help_text=_("the customer's price, net"))
    payout = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=0,
        help_text=_("the maker's: price less commission, plus shipping share"),
    )
    offered_at = models.DateTimeField(auto_now_add=True)
    offer_expires_at = models.DateTimeField(db_index=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text=_("when it should ship (lead time)"))
    shipped_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    carrier = models.CharField(max_length=60, blank=True)
    photo = models.ImageField(upload_to="jobs/photos/", blank=True, max_length=300)
    match = models.JSONField(default=dict, blank=True, help_text=_("distance, CO2, lead time and score parts"))
    distance_km = models.FloatField(default=0)
    co2_kg = models.FloatField(default=0)
    # The printer the job is planned on, its parts sliced for that printer's model (the file the maker prints),
    # and the instant estimate of its machine time for when there is no slice.
    printer = models.ForeignKey(Printer, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    print_slice = models.ForeignKey(Slice, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    estimated_hours = models.FloatField(default=0)
    # The maker's print agent (issue 18): which agent claimed the job, the maker's "the bed is clear", the print's
    # state and last progress ({percent, layer, seconds_left, reported_at}), and how long it really took.
    claimed_by = models.CharField(max_length=100, blank=True)
    start_confirmed_at = models.DateTimeField(null=True, blank=True)
    print_state = models.CharField(max_length=10, choices=PrintState.choices, default=PrintState.WAITING)
    progress = models.JSONField(null=True, blank=True)
    print_started_at = models.DateTimeField(null=True, blank=True)
    print_finished_at = models.DateTimeField(null=True, blank=True)
    actual_seconds = models.FloatField(null=True, blank=True)
    # The slicer's estimate the actual time is compared with (kept: the correction factor learns from the pair).
    estimated_print_seconds = models.FloatField(null=True, blank=True)
    print_failure_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-offered_at", "-id"]
        indexes = [
            models.Index(fields=["maker", "status"], name="job_maker_status"),
            models.Index(fields=["status", "offer_expires_at"], name="job_offer_expiry"),
        ]

    def __str__(self):
        return f"Job {self.pk} ({self.maker.name}, order {self.order_id})"

    @property
    def sliced(self) -> Slice | None:
        """The job's slice when it is done and printable (its figures and file are then the job's)."""
        part_slice = self.print_slice
        return part_slice if part_slice is not None and part_slice.is_done and not part_slice.drops_part else None

    @property
    def machine_hours(self) -> float:
        """The slicer's time for what the file holds when sliced, else the instant estimate."""
        return round(self.sliced.machine_hours, 3) if self.sliced else round(self.estimated_hours, 3)


class JobItem(models.Model):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="job_items")
    order_item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="job_items")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "order_item"], name="one_row_per_job_item")]

    def __str__(self):
        return f"{self.quantity} x item {self.order_item_id} in job {self.job_id}"


class JobEvent(StatusEvent):
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass


class BatchEvent(StatusEvent):
    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
