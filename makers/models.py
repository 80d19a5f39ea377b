from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalogue.models import Material, Process
from core.models import StatusEvent
from core.state import NOTHING
from makers.bank_details import iban_masked


class Maker(models.Model):
    """A local supplier (a person or a shop with printers) that takes production jobs."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=64, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="makers", blank=True)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2, help_text=_("ISO 3166 code"))
    latitude = models.FloatField(db_index=True)
    longitude = models.FloatField(db_index=True)
    email = models.EmailField(blank=True)
    about = models.TextField(blank=True)
    capacity = models.PositiveIntegerField(default=3, help_text=_("jobs it can run at once"))
    hours_to_respond = models.PositiveIntegerField(default=4, help_text=_("usual time to answer an offer"))
    price_factor = models.DecimalField(
        max_digits=4, decimal_places=2, default=Decimal("1.00"), help_text=_("its prices against the catalogue")
    )
    is_active = models.BooleanField(default=True)
    # The maker's own holiday switch: a paused maker gets no new offers; the jobs it holds go on.
    is_paused = models.BooleanField(default=False)
    # A maker approved from an application starts on probation: at most MAKER_PROBATION_MAX_JOBS jobs in hand
    # until MAKER_PROBATION_DELIVERIES were delivered without a claim (orders.services.probation lifts it).
    on_probation = models.BooleanField(default=False)
    legal_name = models.CharField(max_length=120, blank=True, help_text="a business's registered name")
    vat_number = models.CharField(max_length=20, blank=True)
    # Its address; latitude/longitude are derived from it (makers.services.maker_update_profile).
    address_line1 = models.CharField(max_length=120, blank=True)
    address_line2 = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    # Where its payouts go (a SEPA credit transfer); checked by makers.bank_details when the maker edits them.
    # Only the maker itself and staff see the IBAN whole (others: ``payout_iban_masked``).
    payout_account_holder = models.CharField(max_length=70, blank=True, help_text=_("the name on the account"))
    payout_iban = models.CharField(max_length=34, blank=True, help_text=_("compact, upper case"))
    payout_bic = models.CharField(max_length=11, blank=True, help_text=_("optional within SEPA"))
    # Kept from its history by orders.services.reliability.maker_refresh_reliability.
    offers_received = models.PositiveIntegerField(default=0)
    offers_accepted = models.PositiveIntegerField(default=0)
    average_response_hours = models.FloatField(default=0)
    jobs_shipped = models.PositiveIntegerField(default=0)
    jobs_shipped_on_time = models.PositiveIntegerField(default=0)
    jobs_failed = models.PositiveIntegerField(default=0)
    reliability = models.FloatField(default=0.8, help_text=_("0..1, from acceptance, speed, punctuality, failures"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "orders_maker"  # the table it had in the orders app, rows kept
        ordering = ["name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="maker_location")]

    def __str__(self):
        return f"{self.name} ({self.city})"

    @property
    def payout_iban_masked(self) -> str:
        return iban_masked(self.payout_iban)


class PrinterState(models.TextChoices):
    OFFLINE = "offline", _("Offline")  # the agent cannot reach it, or the agent has not reported lately
    IDLE = "idle", _("Idle")  # ready for the next print
    PRINTING = "printing", _("Printing")
    ERROR = "error", _("Error")  # the printer reports a fault (its message says which)


class Printer(models.Model):
    maker = models.ForeignKey(Maker, on_delete=models.CASCADE, related_name="printers")
    name = models.CharField(max_length=120)
    # A real printer model from PrusaSlicer's vendor bundles, "<vendor>/<model>/<nozzle>" (slicing.prusa); the
    # process, nozzle and build volume come from it. Empty for processes PrusaSlicer does not slice (powder, metal).
    profile = models.CharField(
        max_length=120, blank=True, help_text=_("PrusaSlicer printer profile, e.g. PrusaResearch/MK3S/0.4")
    )
    nozzle_mm = models.FloatField(null=True, blank=True)
    build_volume_overridden = models.BooleanField(
        default=False, help_text=_("the maker's build volume differs from the printer model's")
    )
    process = models.CharField(max_length=8, choices=Process.choices)
    build_x_mm = models.PositiveIntegerField()
    build_y_mm = models.PositiveIntegerField()
    build_z_mm = models.PositiveIntegerField()
    materials = models.ManyToManyField(Material, related_name="printers", blank=True)
    colours = models.JSONField(default=list, blank=True, help_text=_("colours loaded; empty means any"))
    is_online = models.BooleanField(default=True)
    # What the maker's print agent last reported (issue 18); blank when no agent ever reported this printer.
    agent_state = models.CharField(max_length=10, choices=PrinterState.choices, blank=True)
    agent_percent = models.FloatField(null=True, blank=True)
    agent_message = models.CharField(max_length=200, blank=True)
    agent_seen_at = models.DateTimeField(null=True, blank=True)
    loaded_material = models.ForeignKey(
        Material, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text=_("as the agent says")
    )
    # Estimates that learn (orders.services.estimates.printer_refresh_correction): the median of actual / estimated
    # print time over its latest prints, clamped, and how far the raw and the corrected estimates were off (median
    # of |estimate - actual| / actual over the same prints).
    correction_factor = models.FloatField(default=1.0)
    correction_samples = models.PositiveIntegerField(default=0)
    estimate_error_raw = models.FloatField(null=True, blank=True)
    estimate_error_corrected = models.FloatField(null=True, blank=True)

    class Meta:
        db_table = "orders_printer"  # the table it had in the orders app, rows kept
        ordering = ["maker_id", "name"]

    def __str__(self):
        return f"{self.name} ({self.maker.name})"

    @property
    def live_state(self) -> str:
        """The agent's last report, or offline when it has not been heard from for AGENT_OFFLINE_AFTER_SECONDS;
        blank when no agent drives this printer."""
        if not self.agent_state:
            return ""
        if self.agent_seen_at is None or self.agent_seen_at < timezone.now() - timedelta(
            seconds=settings.AGENT_OFFLINE_AFTER_SECONDS
        ):
            return PrinterState.OFFLINE
        return self.agent_state

    @property
    def live_state_label(self) -> str:
        state = self.live_state
        return PrinterState(state).label if state else ""

    @property
    def correction_in_use(self) -> float:
        """The factor quotes multiply this printer's estimated hours by (1 until it has enough samples)."""
        if self.correction_samples < settings.AGENT_CORRECTION_MIN_SAMPLES:
            return 1.0
        return self.correction_factor

    @property
    def build_volume_mm(self) -> tuple[int, int, int]:
        return (self.build_x_mm, self.build_y_mm, self.build_z_mm)

    @property
    def slicer_build_volume_mm(self) -> tuple[int, int, int] | None:
        """The build volume to give the slicer: the maker's own when it overrides the model's, else None."""
        return self.build_volume_mm if self.build_volume_overridden else None


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted (waiting for staff)")  # someone asked to become a maker
    APPROVED = "approved", _("Approved")  # staff said yes: the maker exists (on probation)
    REJECTED = "rejected", _("Rejected")  # staff said no, with the reason


APPLICATION_PENDING = frozenset({ApplicationStatus.SUBMITTED})
APPLICATION_DECIDED = frozenset({ApplicationStatus.APPROVED, ApplicationStatus.REJECTED})
APPLICATION_TRANSITIONS = {
    NOTHING: frozenset({ApplicationStatus.SUBMITTED}),
    ApplicationStatus.SUBMITTED: frozenset({ApplicationStatus.APPROVED, ApplicationStatus.REJECTED}),
    ApplicationStatus.APPROVED: frozenset(),
    ApplicationStatus.REJECTED: frozenset(),
}


class ApplicantKind(models.TextChoices):
    BUSINESS = "business", _("A business")
    PRIVATE = "private", _("A private person")


class MakerApplication(models.Model):
    """Someone's request to become a maker, with everything the maker would start with; staff approve it (the
    maker and its printers are made from it) or reject it with a reason. Status changes through
    ``makers.services.APPLICATION_MACHINE`` only."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="maker_applications")
    status = models.CharField(
        max_length=12, choices=ApplicationStatus.choices, default=ApplicationStatus.SUBMITTED, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    legal_name = models.CharField(max_length=120, blank=True, help_text="a business's registered name")
    vat_number = models.CharField(max_length=20, blank=True, help_text="compact, with the country prefix")
    display_name = models.CharField(max_length=120)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=16, blank=True)
    city = models.CharField(max_length=80)
    country = models.CharField(max_length=2)
    # Derived from the address (accounts.services.address_locate), never typed.
    latitude = models.FloatField()
    longitude = models.FloatField()
    about = models.TextField(blank=True)
    capacity = models.PositiveIntegerField()
    hours_to_respond = models.PositiveIntegerField()
    # [{name, profile, process, build_volume_mm: [x, y, z] | null, materials: [codes], colours: [..]}], checked
    # with the same rules as a maker's printers (makers.services.printer_check).
    printers = models.JSONField(default=list)
    payout_account_holder = models.CharField(max_length=70)
    payout_iban = models.CharField(max_length=34)
    payout_bic = models.CharField(max_length=11, blank=True)
    decision_reason = models.TextField(blank=True)
    maker = models.OneToOneField(Maker, null=True, blank=True, on_delete=models.SET_NULL, related_name="application")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One pending application per person, kept by the database under a double submit.
            models.UniqueConstraint(
                fields=["applicant"],
                condition=models.Q(status="submitted"),
                name="one_pending_maker_application",
            )
        ]

    def __str__(self):
        return f"{self.display_name} ({self.get_status_display()})"

    @property
    def payout_iban_masked(self) -> str:
        return iban_masked(self.payout_iban)


class MakerApplicationEvent(StatusEvent):
    application = models.ForeignKey(MakerApplication, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
