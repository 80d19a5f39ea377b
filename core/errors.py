"""Errors that services raise and the API turns into JSON answers with a readable message.

The message is written in the active language when the error is raised (``gettext``: the request's language in
a view, the recipient's in a notification); ``code`` and ``details`` are the same in every language.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

# The state machines' labels, marked here so the catalogue has them: TransitionNotAllowed translates its label.
STATE_MACHINE_LABELS = (
    gettext_noop("design version"),
    gettext_noop("slice"),
    gettext_noop("order"),
    gettext_noop("job"),
    gettext_noop("batch"),
    gettext_noop("claim"),
    gettext_noop("counter-offer"),
    gettext_noop("payment"),
    gettext_noop("refund"),
    gettext_noop("revision proposal"),
)


class DomainError(Exception):
    """A request that cannot be done, for a reason the caller can understand."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, details: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or {}


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "too_large"


class TransitionNotAllowed(Conflict):
    """A status change that the state machine's table does not allow."""

    code = "transition_not_allowed"

    def __init__(self, *, label: str, current: str, target: str, allowed: list[str]):
        allowed_text = ", ".join(allowed) if allowed else _("none (it is final)")
        super().__init__(
            _("The %(label)s is %(current)s and cannot become %(target)s. Allowed next: %(allowed)s.")
            % {"label": _(label), "current": current, "target": target, "allowed": allowed_text},
            details={"current": current, "requested": target, "allowed": allowed},
        )
        self.current = current
        self.target = target
        self.allowed = allowed


class Forbidden(DomainError):
    """Allowed for this account in general, but not yet (an unverified e-mail address, no two-factor...)."""

    status_code = 403
    code = "forbidden"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"
