"""The one door for design-version status changes."""

from core.notifications import notify
from core.state import StateMachine, Transition
from designs.models import VERSION_TRANSITIONS, DesignVersion, DesignVersionEvent, VersionStatus

VERSION_MACHINE = StateMachine(
    model=DesignVersion,
    event_model=DesignVersionEvent,
    event_field="version",
    label="design version",
    transitions=VERSION_TRANSITIONS,
)


def design_version_set_status(*, version_id: int, to: str, **options) -> Transition:
    """Move a version to ``to`` (queued, analysing, ready, failed) and record the event (options: actor,
    reason, details, updates; see ``StateMachine.move``).

    The owner hears about the verdict (ready or failed) once: the notification is keyed by the event row, so
    a redelivered or duplicated analysis cannot notify twice.
    """
    verdict = to in (VersionStatus.READY, VersionStatus.FAILED)
    return VERSION_MACHINE.move(pk=version_id, to=to, on_change=_notify_owner if verdict else None, **options)


def _notify_owner(transition: Transition) -> None:

    to = transition.to_status
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
