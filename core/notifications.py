"""Telling people what happened: a Notification row now, e-mail and webhook from the notify queue.

Languages: a notification is written in its recipient's language (``User.language``, else ``LANGUAGE_CODE``) at the
moment ``notify`` records it; the row keeps that text and the e-mail sends it. The convention for callers:

- fixed text: pass ``gettext_lazy("Your order was shipped")``;
- text with values: pass a function of no arguments, e.g.
  ``subject=lambda: _("Order %(number)s was shipped") % {"number": order.number}``;
  ``notify`` calls it inside ``translation.override(<recipient's language>)``, so ``notify_many`` and
  ``notify_staff`` write each recipient their own language.
- plain ``str`` is stored as it is (a person's own words, or text already built inside ``recipient_language``).
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from core.models import Notification
from core.queueing import enqueue_after_commit
from core.webhooks import WebhookFailed, webhook_post

logger = logging.getLogger(__name__)


# The task that sends one notification (stable: stored in outbox rows); it is in core/tasks.py.
NOTIFICATION_DELIVER_TASK = "core.notification_deliver"


def recipient_language(user):
    """``with recipient_language(user): ...``: gettext writes in the language ``user`` reads (their saved one, else
    the site's default)."""
    return translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def _text(value) -> str:
    """A notification's text in the active language: a function is called, a lazy string resolved."""
    if callable(value):
        value = value()
    return str(value or "")


def notify(
    *,
    user,
    kind: str,
    subject,
    body="",
    link: str = "",
    data: dict | None = None,
    dedupe_key: str = "",
) -> Notification | None:
    """Record a notification for ``user`` and queue its delivery after commit.

    With a ``dedupe_key`` the same event never notifies twice (a replayed task, a retried request).
    ``subject`` and ``body`` are written in the recipient's language (see the module's docstring).
    """
    with recipient_language(user):
        subject, body = _text(subject), _text(body)
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                user=user,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                data=data or {},
                dedupe_key=dedupe_key,
            )
            enqueue_after_commit(NOTIFICATION_DELIVER_TASK, notification_id=notification.pk)
    except IntegrityError:
        return None
    return notification


def notify_many(*, users, **message) -> int:
    """The same notification to each of ``users`` (a dedupe key is per user); returns how many were new."""
    return sum(1 for user in users if notify(user=user, **message) is not None)


def notify_staff(**message) -> int:
    from django.contrib.auth import get_user_model

    return notify_many(users=get_user_model().objects.filter(is_staff=True, is_active=True), **message)


def sign_webhook(secret: str, body: bytes, timestamp: str) -> str:
    """HMAC-SHA256 over "timestamp.body", hex: the receiver recomputes it with its secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _send_email(notification: Notification) -> None:
    claimed = Notification.objects.filter(pk=notification.pk, email_sent_at__isnull=True).update(
        email_sent_at=timezone.now()
    )
    if claimed != 1 or not notification.user.email:
        return
    link = f"\n\n{settings.SITE_URL}{notification.link}" if notification.link else ""
    try:
        send_mail(notification.subject, notification.body + link, None, [notification.user.email])
    except Exception:
        # Not sent after all: let a retry of the task try again.
        Notification.objects.filter(pk=notification.pk).update(email_sent_at=None)
        raise


def _send_webhook(notification: Notification) -> None:
    url = notification.user.webhook_url
    if not url or notification.webhook_sent_at:
        return
    payload = json.dumps(
        {
            "id": notification.pk,
            "kind": notification.kind,
            "subject": notification.subject,
            "data": notification.data,
            "created_at": notification.created_at.isoformat(),
        },
        sort_keys=True,
    ).encode()
    timestamp = str(int(timezone.now().timestamp()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "makernet-webhook/1",
        "X-Makernet-Timestamp": timestamp,
        "X-Makernet-Signature": "sha256=" + sign_webhook(notification.user.webhook_secret, payload, timestamp),
    }
    Notification.objects.filter(pk=notification.pk).update(webhook_attempts=notification.webhook_attempts + 1)
    # Checked again here (the address a name resolves to may have changed since it was saved) and sent to the
    # address checked; no redirects, a deadline and a cap on what is read of the answer (core/webhooks.py).
    webhook_post(url, body=payload, headers=headers)
    Notification.objects.filter(pk=notification.pk).update(webhook_sent_at=timezone.now(), last_error="")


def notification_deliver(*, notification_id: int) -> None:
    """E-mail and webhook for one notification; each part happens at most once.

    A webhook that cannot succeed (an address that is not public, a redirect) is recorded in ``last_error`` and
    not tried again; any other failure is recorded and raised as ``WebhookFailed`` (an ``OSError``), which the
    notify task retries with backoff. Nothing else escapes from the webhook part."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None:
        logger.warning("notification %s is gone; nothing to deliver", notification_id)
        return
    _send_email(notification)
    try:
        _send_webhook(notification)
    except WebhookFailed as error:
        Notification.objects.filter(pk=notification_id).update(last_error=f"webhook: {error}"[:2000])
        logger.warning("notification %s: webhook failed: %s", notification_id, error)
        if not error.permanent:
            raise


def notifications_mark_read(*, user) -> int:
    """Mark every unread notification of ``user`` as read; returns how many changed. Only what was written by now
    is read (the demo's history reads at moments of its past, when the present's notifications did not exist)."""
    now = timezone.now()
    unread = Notification.objects.filter(user=user, read_at__isnull=True, created_at__lte=now)
    return unread.update(read_at=now)
