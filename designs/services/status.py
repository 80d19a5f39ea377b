"""The one door for design-version status changes."""

from designs.models import VERSION_TRANSITIONS, DesignVersion, DesignVersionEvent, VersionStatus
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
    """Move a version to ``to`` (queued, analysing, ready, failed) and record the event.

    The owner hears about the verdict (ready or failed) once: the notification is keyed by the event row, so
    a redelivered or duplicated analysis cannot notify twice.
    """
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
        on_change=_notify_owner if to in (VersionStatus.READY, VersionStatus.FAILED) else None,
    )


def _notify_owner(transition) -> None:
    to = transition.to_status
    from platform.core.notifications import notify

    version = transition.obj
    design = version.design
    if to == VersionStatus.READY:
        subject = f"{design.name} (version {version.number}) is analysed: see the report and get a quote"
    else:
        subject = f"{design.name} (version {version.number}) could not be analysed"
    notify(
        user=design.owner,
        kind=f"design.{to}",
        subject=subject,
        body=version.error if to == VersionStatus.FAILED else "",
        link=f"/designs/{design.pk}/",
        data={"design": design.pk, "version": version.pk, "status": to},
        dedupe_key=f"version-event-{transition.event.pk}",
    )
