"""The one door for design-version status changes."""

from designs.models import VERSION_TRANSITIONS, DesignVersion, DesignVersionEvent
from platform.core.state import Transition, change_status


def design_version_set_status(
    *,
    version_id: int,
    to: str,
    actor=None,
    reason: str = "",
    details: dict | None = None,
    updates: dict | None = None,
) -> Transition:
    """Move a version to ``to`` (queued, analysing, ready, failed) and record the event."""
    return change_status(
        model=DesignVersion,
        pk=version_id,
        to=to,
        allowed=VERSION_TRANSITIONS,
        event_model=DesignVersionEvent,
        event_field="version",
        label="design version",
        actor=actor,
        reason=reason,
        details=details,
        updates=updates,
    )
