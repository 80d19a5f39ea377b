from django.conf import settings
from django.db import models
from django.utils.translation import gettext

from core.formatting import localised


class StatusEvent(models.Model):
    """One status change of a row: who, when, from, to, why. Concrete tables add the foreign key.

    A few timeline entries are notes rather than changes (a revision accepted with its price difference):
    they have ``kind="note"`` and equal from/to statuses.
    """

    KIND_STATUS = "status"
    KIND_NOTE = "note"

    kind = models.CharField(max_length=8, default=KIND_STATUS)
    from_status = models.CharField(max_length=32, blank=True)
    to_status = models.CharField(max_length=32)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.from_status or '-'} -> {self.to_status}"

    @property
    def reason_display(self) -> str:
        """The reason in the reader's language: the platform's own reasons are marked for translation (with their
        values beside them where they have some, see ``core.text.Reason``); a person's own words stay as written."""
        details = self.details or {}
        template = details.get("reason_text")
        if template:
            values = {key: localised(value) for key, value in (details.get("reason_values") or {}).items()}
            try:
                return gettext(template) % values
            except (KeyError, TypeError, ValueError):
                return self.reason
        return gettext(self.reason) if self.reason else ""


class OutboxMessage(models.Model):
    """A task to publish, written in the same transaction as the change that asks for it.

    Publishing happens after commit; if the broker is down the row stays unsent and the beat sweeper sends
    it later. Tasks are idempotent, so a message published twice (sent, then the mark lost) does no harm.
    """

    task_name = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_unsent")]

    def __str__(self):
        return f"{self.task_name}({self.kwargs})"


class Notification(models.Model):
    """Something a person should hear about: kept as a row (shown on their pages), e-mailed, and POSTed to
    the customer's webhook when one is set. Delivery marks make sending idempotent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64, db_index=True)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    link = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Events that would notify twice (a task replayed) carry the same key and are written once.
    dedupe_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    email_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_sent_at = models.DateTimeField(null=True, blank=True)
    webhook_attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="one_notification_per_key",
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.subject}"
