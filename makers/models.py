from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalogue.models import Material, Process
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

    class Meta:
        db_table = "orders_printer"  # the table it had in the orders app, rows kept
        ordering = ["maker_id", "name"]

    def __str__(self):
        return f"{self.name} ({self.maker.name})"

    @property
    def build_volume_mm(self) -> tuple[int, int, int]:
        return (self.build_x_mm, self.build_y_mm, self.build_z_mm)

    @property
    def slicer_build_volume_mm(self) -> tuple[int, int, int] | None:
        """The build volume to give the slicer: the maker's own when it overrides the model's, else None."""
        return self.build_volume_mm if self.build_volume_overridden else None
