"""Errors that services raise and the API turns into JSON answers with a readable message."""


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
        allowed_text = ", ".join(allowed) if allowed else "none (it is final)"
        super().__init__(
            f"The {label} is {current} and cannot become {target}. Allowed next: {allowed_text}.",
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
