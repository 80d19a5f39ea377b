"""The one door through which every status of an order, a job, a batch, a design version or a revision proposal
changes, creation included.

Each state machine passes its own table and event model; this module does the part they share: in one
transaction it locks the row, returns if nothing changes, checks the table, saves with ``update_fields`` and
writes the event row. A row is born through the same door: ``NOTHING`` ("from nothing") is a row of every
table, and ``StateMachine.create`` writes the row and its first event together. Nothing else assigns
``.status`` (a test reads the code to make sure).

Two signals let a higher app take part in a lower app's state machine without the lower one importing it:
``status_changing`` is sent with the locked row before it is saved (a receiver may raise a DomainError to
refuse the move, e.g. co-design holds a job's printing while a revision waits for the customer), and
``status_changed`` after the event row is written, in the same transaction.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

from core.errors import TransitionNotAllowed
from core.text import Reason

# The "from" status of a row being created: every transition table says which statuses a row may start in.
NOTHING = ""

# sender: the model class; kwargs: obj (locked, still at its old status), from_status, to_status.
status_changing = Signal()
# sender: the model class; kwargs: transition.
status_changed = Signal()


@dataclass(frozen=True)
class Transition:
    obj: models.Model
    from_status: str
    to_status: str
    changed: bool
    event: models.Model | None


def change_status(
    *,
    model: type[models.Model],
    pk,
    to: str,
    allowed: Mapping[str, frozenset[str] | set[str] | tuple[str, ...]],
    event_model: type[models.Model],
    event_field: str,
    label: str,
    actor=None,
    reason: str = "",
    details: dict | None = None,
    updates: Mapping[str, object] | None = None,
    guard: Callable[[models.Model], None] | None = None,
    on_change: Callable[["Transition"], None] | None = None,
) -> Transition:
    """Move row ``pk`` of ``model`` to status ``to``.

    ``updates`` are other fields saved with the change (timestamps, error text). ``guard`` may raise a
    domain error after the row is locked (for checks that need its fresh state). ``on_change`` runs in the
    same transaction when the status really changed (notifications, dependent rows), so nobody ever sees the
    new status without its consequences. A forbidden move raises TransitionNotAllowed and changes nothing.
    """
    with transaction.atomic():
        obj = model.objects.select_for_update().get(pk=pk)
        current = obj.status
        if current == to:
            return Transition(obj=obj, from_status=current, to_status=to, changed=False, event=None)
        if to not in allowed.get(current, ()):
            raise TransitionNotAllowed(
                label=label, current=current, target=to, allowed=sorted(allowed.get(current, ()))
            )
        if guard is not None:
            guard(obj)
        status_changing.send(sender=model, obj=obj, from_status=current, to_status=to)
        now = timezone.now()
        obj.status = to
        fields = ["status"]
        if hasattr(obj, "status_changed_at"):
            obj.status_changed_at = now
            fields.append("status_changed_at")
        for name, value in (updates or {}).items():
            setattr(obj, name, value)
            fields.append(name)
        obj.save(update_fields=fields)
        return _record(
            model=model,
            obj=obj,
            from_status=current,
            to_status=to,
            event_model=event_model,
            event_field=event_field,
            actor=actor,
            reason=reason,
            details=details,
            on_change=on_change,
        )


def _record(
    *,
    model,
    obj,
    from_status: str,
    to_status: str,
    event_model,
    event_field: str,
    actor,
    reason: str,
    details,
    on_change,
) -> "Transition":
    """The part of a status change after the row is saved (moved or created): the event row, the caller's
    consequences and the signal, in the caller's transaction."""
    if isinstance(reason, Reason) and reason.values:
        # the template and values beside the English, for the timeline and notifications in each reader's language
        details = {**(details or {}), "reason_text": reason.template, "reason_values": reason.stored_values()}
    event = event_model.objects.create(
        **{event_field: obj},
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "pk", None) else None,
        reason=reason,
        details=details or {},
    )
    transition = Transition(obj=obj, from_status=from_status, to_status=to_status, changed=True, event=event)
    if on_change is not None:
        on_change(transition)
    status_changed.send(sender=model, transition=transition)
    return transition


def create_with_status(
    *,
    model: type[models.Model],
    to: str,
    allowed: Mapping[str, frozenset[str] | set[str] | tuple[str, ...]],
    event_model: type[models.Model],
    event_field: str,
    label: str,
    fields: Mapping[str, object],
    instance: models.Model | None = None,
    actor=None,
    reason: str = "",
    details: dict | None = None,
    on_change: Callable[["Transition"], None] | None = None,
) -> Transition:
    """Create a row of ``model`` in status ``to`` (which the table must allow from ``NOTHING``) with its
    first event, in one transaction. ``instance`` is an unsaved row prepared by the caller (files already
    attached), else one is made from ``fields``."""
    if to not in allowed.get(NOTHING, ()):
        raise TransitionNotAllowed(label=label, current="(new)", target=to, allowed=sorted(allowed.get(NOTHING, ())))
    with transaction.atomic():
        obj = instance if instance is not None else model()
        for name, value in fields.items():
            setattr(obj, name, value)
        obj.status = to
        if hasattr(obj, "status_changed_at"):
            obj.status_changed_at = timezone.now()
        obj.save()
        return _record(
            model=model,
            obj=obj,
            from_status=NOTHING,
            to_status=to,
            event_model=event_model,
            event_field=event_field,
            actor=actor,
            reason=reason,
            details=details,
            on_change=on_change,
        )


@dataclass(frozen=True)
class StateMachine:
    """One model's statuses: its row, its event table and its transition table, moved through ``move``."""

    model: type[models.Model]
    event_model: type[models.Model]
    event_field: str
    label: str
    transitions: Mapping[str, frozenset[str]]

    def move(
        self,
        *,
        pk,
        to: str,
        actor=None,
        reason: str = "",
        details: dict | None = None,
        updates: Mapping[str, object] | None = None,
        guard: Callable[[models.Model], None] | None = None,
        on_change: Callable[[Transition], None] | None = None,
    ) -> Transition:
        """``change_status`` for this machine (see there for the arguments)."""
        return change_status(
            model=self.model,
            pk=pk,
            to=to,
            allowed=self.transitions,
            event_model=self.event_model,
            event_field=self.event_field,
            label=self.label,
            actor=actor,
            reason=reason,
            details=details,
            updates=updates,
            guard=guard,
            on_change=on_change,
        )

    def create(
        self,
        *,
        to: str,
        actor=None,
        reason: str = "",
        details: dict | None = None,
        on_change: Callable[[Transition], None] | None = None,
        instance: models.Model | None = None,
        **fields,
    ) -> Transition:
        """``create_with_status`` for this machine: a new row with ``fields`` (or the unsaved ``instance``),
        born in status ``to``."""
        return create_with_status(
            model=self.model,
            to=to,
            allowed=self.transitions,
            event_model=self.event_model,
            event_field=self.event_field,
            label=self.label,
            fields=fields,
            instance=instance,
            actor=actor,
            reason=reason,
            details=details,
            on_change=on_change,
        )
