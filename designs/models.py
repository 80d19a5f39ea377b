import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import StatusEvent
from core.state import NOTHING


class VersionStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")  # stored, waiting for a mesh worker
    ANALYSING = "analysing", _("Analysing")  # a worker is loading and checking it
    READY = "ready", _("Ready")  # analysed: the report, preview and thumbnail exist
    FAILED = "failed", _("Failed")  # cannot be used; `error` says why in plain words


VERSION_TERMINAL = frozenset({VersionStatus.READY, VersionStatus.FAILED})
VERSION_ACTIVE = frozenset({VersionStatus.QUEUED, VersionStatus.ANALYSING})

# Re-analysis (staff "re-run", or a worker that died mid-way and the sweeper re-queues) goes back to queued.
VERSION_TRANSITIONS = {
    # A new upload is queued; a file whose very bytes were analysed before starts with that analysis' verdict.
    NOTHING: frozenset({VersionStatus.QUEUED, VersionStatus.READY, VersionStatus.FAILED}),
    VersionStatus.QUEUED: frozenset({VersionStatus.ANALYSING, VersionStatus.FAILED}),
    VersionStatus.ANALYSING: frozenset({VersionStatus.READY, VersionStatus.FAILED, VersionStatus.QUEUED}),
    VersionStatus.READY: frozenset({VersionStatus.QUEUED}),
    VersionStatus.FAILED: frozenset({VersionStatus.QUEUED}),
}


class Units(models.TextChoices):
    MILLIMETRES = "mm", _("millimetres")
    CENTIMETRES = "cm", _("centimetres")
    INCHES = "in", _("inches")
    METRES = "m", _("metres")


class Source(models.TextChoices):
    UPLOAD = "upload", _("Uploaded file")
    TEMPLATE = "template", _("Parametric template")


class Design(models.Model):
    """A part a customer wants made. Its content lives in numbered versions."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="designs")
    name = models.CharField(max_length=200)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    template_slug = models.CharField(max_length=64, blank=True)
    latest_version = models.ForeignKey(
        "DesignVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


def _upload_to(instance, filename):
    # Server-made names only: the client's file name never reaches the file system.
    extension = instance.file_format or "bin"
    return f"designs/{instance.design_id}/{uuid.uuid4().hex}.{extension}"


def _derived_to(instance, filename):
    return f"designs/{instance.design_id}/derived/{filename}"


class DesignVersion(models.Model):
    """One revision of a design: the stored file, its analysis report, preview and thumbnail."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.QUEUED, db_index=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    message = models.TextField(blank=True, help_text="What changed in this revision, in the author's words.")

    file = models.FileField(upload_to=_upload_to, max_length=300, blank=True)
    original_filename = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=8, blank=True)
    file_size = models.BigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    units = models.CharField(max_length=2, choices=Units.choices, blank=True)

    # Parametric designs: the template and the exact parameters this version was generated from.
    template_slug = models.CharField(max_length=64, blank=True)
    parameters = models.JSONField(default=dict, blank=True)

    analysis = models.JSONField(null=True, blank=True)
    repaired_file = models.FileField(upload_to=_derived_to, max_length=300, blank=True)
    preview = models.FileField(upload_to=_derived_to, max_length=300, blank=True)
    thumbnail = models.FileField(upload_to=_derived_to, max_length=300, blank=True)
    # Deliveries of the analysis task that started work (counted before work starts, so a file that kills
    # the worker every time is recognised after a few tries).
    analysis_attempts = models.PositiveIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    analysis_started_at = models.DateTimeField(null=True, blank=True)
    analysed_at = models.DateTimeField(null=True, blank=True)
    reused_from = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Identical bytes were analysed before: the report was taken from that version.",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["design_id", "number"]
        constraints = [models.UniqueConstraint(fields=["design", "number"], name="one_number_per_design")]
        indexes = [models.Index(fields=["status", "status_changed_at"], name="version_status_age")]

    def __str__(self):
        return f"{self.design} v{self.number}"

    @property
    def is_ready(self) -> bool:
        return self.status == VersionStatus.READY


class DesignVersionEvent(StatusEvent):
    version = models.ForeignKey(DesignVersion, on_delete=models.CASCADE, related_name="events")

    class Meta(StatusEvent.Meta):
        pass
