"""A slice: one design version sliced by PrusaSlicer for one material on one printer profile, cached and reused.

The cache key is (design version, material, printer profile, build volume, copies): the same key never slices
twice. Its figures (time, material, layers, height) are the slicer's own; ``drops_part`` says whether the slicer
left out a large share of the part (see ``DROP_RULE``), a hard reason a verdict shows.
"""

from django.db import models

from core.models import StatusEvent
from core.state import NOTHING


class SliceStatus(models.TextChoices):
    QUEUED = "queued", "queued (waiting for a slicing worker)"
    SLICING = "slicing", "slicing (PrusaSlicer is running on it)"
    DONE = "done", "done (figures and print file ready)"
    FAILED = "failed", "failed (the error says why, in plain words)"


SLICE_TERMINAL = frozenset({SliceStatus.DONE, SliceStatus.FAILED})
SLICE_ACTIVE = frozenset({SliceStatus.QUEUED, SliceStatus.SLICING})

SLICE_TRANSITIONS = {
    # Born queued; the worker claims it (slicing) and ends it done or failed. A failure whose cause may pass
    # (slicer missing, timed out, worker died) is queued again; a slicing row whose worker died too.
    NOTHING: frozenset({SliceStatus.QUEUED}),
    SliceStatus.QUEUED: frozenset({SliceStatus.SLICING, SliceStatus.FAILED}),
    SliceStatus.SLICING: frozenset({SliceStatus.DONE, SliceStatus.FAILED, SliceStatus.QUEUED}),
    SliceStatus.FAILED: frozenset({SliceStatus.QUEUED}),
    SliceStatus.DONE: frozenset(),
}

# The rule behind ``drops_part`` (written here once; the admin and the docs show it).
DROP_RULE = (
    "The slicer drops a large share of the part when its top layer lies more than 20 % of the part's height "
    "(and more than two layers) below the part's top as placed on the bed, or when the material it plans is less "
    "than half of what the part's outer shell alone needs (the part's volume, or its surface times 0.4 mm if "
    "that is less)."
)


def _print_file_to(instance: "Slice", filename: str) -> str:
    # Server-made name: the customer's file name never reaches storage.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "gcode"
    return f"slices/{instance.design_version_id}/slice-{instance.pk}.{suffix}"


class Slice(models.Model):
    """One slicer run's result for a cache key; watched by staff in the admin like any other work."""

    design_version = models.ForeignKey("designs.DesignVersion", on_delete=models.CASCADE, related_name="slices")
    material = models.ForeignKey("catalogue.Material", on_delete=models.PROTECT, related_name="slices")
    printer_profile = models.CharField(
        max_length=200, help_text='PrusaSlicer printer id: "<vendor bundle>/<printer model>/<variant>"'
    )
    # [x, y, z] in whole millimetres: the maker's own build volume; [] means the profile's.
    build_volume_mm = models.JSONField(default=list, blank=True)
    copies = models.PositiveIntegerField(default=1)

    status = models.CharField(max_length=16, choices=SliceStatus.choices, default=SliceStatus.QUEUED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    technology = models.CharField(max_length=8, blank=True, help_text="FFF or SLA")
    print_time_s = models.FloatField(null=True, blank=True)
    material_cm3 = models.FloatField(null=True, blank=True, help_text="filament or resin, supports included")
    mass_g = models.FloatField(null=True, blank=True, help_text="material_cm3 x the material's density")
    layers = models.PositiveIntegerField(null=True, blank=True)
    max_z_mm = models.FloatField(null=True, blank=True)
    part_height_mm = models.FloatField(null=True, blank=True, help_text="the part's height as placed on the bed")
    part_volume_mm3 = models.FloatField(null=True, blank=True)
    print_file = models.FileField(upload_to=_print_file_to, max_length=300, blank=True)
    slicer_version = models.CharField(max_length=32, blank=True)
    presets = models.JSONField(default=dict, blank=True, help_text="printer, print and material preset names")
    warnings = models.JSONField(default=list, blank=True)
    dropped_share = models.FloatField(null=True, blank=True, help_text="share of the part the slicer left out")
    drops_part = models.BooleanField(default=False)
    drop_reason = models.TextField(blank=True)

    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    # Deliveries of the slicing task that started work (counted before work starts).
    attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["design_version", "material", "printer_profile", "build_volume_mm", "copies"],
                name="one_slice_per_cache_key",
            )
        ]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="slice_status_age")]

    def __str__(self):
        return f"slice {self.pk}: version {self.design_version_id}, {self.printer_profile}, x{self.copies}"

    @property
    def is_done(self) -> bool:
        return self.status == SliceStatus.DONE

    @property
    def machine_hours(self) -> float | None:
        return None if self.print_time_s is None else self.print_time_s / 3600


class SliceEvent(StatusEvent):
    slice = models.ForeignKey(Slice, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
