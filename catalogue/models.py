from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Process(models.TextChoices):
    FDM = "fdm", _("FDM (filament)")
    SLA = "sla", _("SLA (resin)")
    SLS = "sls", _("SLS (powder bed, nylon)")
    MJF = "mjf", _("MJF (powder bed, multi jet fusion)")
    METAL = "metal", _("Metal (powder bed fusion / bound metal)")


# Powder-bed parts are supported by the unfused powder around them: no support structures, 3D packing.
POWDER_PROCESSES = frozenset({Process.SLS, Process.MJF})


class Material(models.Model):
    """A material customers can order, with what it costs and what it can print."""

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    process = models.CharField(max_length=8, choices=Process.choices)
    description = models.TextField(blank=True)
    density_g_cm3 = models.DecimalField(max_digits=6, decimal_places=3)
    price_per_cm3 = models.DecimalField(max_digits=8, decimal_places=3, help_text="EUR per cm3 of material")
    machine_rate_per_hour = models.DecimalField(max_digits=8, decimal_places=2)
    setup_fee = models.DecimalField(max_digits=8, decimal_places=2, help_text="per batch")
    handling_per_part = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("0.50"))
    min_wall_mm = models.DecimalField(max_digits=5, decimal_places=2)
    min_detail_mm = models.DecimalField(max_digits=5, decimal_places=2)
    max_x_mm = models.PositiveIntegerField(help_text="largest build size")
    max_y_mm = models.PositiveIntegerField()
    max_z_mm = models.PositiveIntegerField()
    colours = models.JSONField(default=list, blank=True)
    is_recycled = models.BooleanField(default=False)
    is_bio_based = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    currency = models.CharField(max_length=3, default="EUR")

    class Meta:
        db_table = "orders_material"  # the table it had in the orders app, rows kept
        ordering = ["process", "code"]

    def __str__(self):
        return f"{self.name} ({self.code})"

    @property
    def needs_support(self) -> bool:
        return self.process not in POWDER_PROCESSES

    @property
    def build_volume_mm(self) -> tuple[int, int, int]:
        return (self.max_x_mm, self.max_y_mm, self.max_z_mm)
