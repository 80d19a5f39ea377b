"""Co-design: conversations on design versions and jobs, and revisions proposed by the maker of a job.

A maker holding a job may propose a fixed version of one of its parts (uploaded, or the template with other
parameters). The new version is analysed like any other; the customer accepts or rejects it. On accept the
order item moves to the new version at its new price, the difference is recorded on the proposal and in the
order's timeline, and production (printing) can continue: while a proposal is pending the job cannot start
printing.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from codesign.models import PROPOSAL_TRANSITIONS, Message, ProposalEvent, ProposalStatus, RevisionProposal
from core.errors import Conflict, DomainError, NotFound
from core.models import StatusEvent
from core.state import StateMachine, Transition
from core.text import clean_text
from designs import services as design_services
from designs.models import Design, DesignVersion, VersionStatus
from designs.selectors import designs_visible_to
from orders.models import JOB_DROPPED, Job, JobItem, JobStatus, Order, OrderEvent, OrderItem
from orders.selectors import job_visible_to as _job_visible_to
from orders.services import checkout, quoting
from orders.services.notices import label_in_sentence, tell

# Jobs whose maker may still change what it will print.
PROPOSABLE = frozenset({JobStatus.OFFERED, JobStatus.ACCEPTED})

PROPOSAL_MACHINE = StateMachine(
    model=RevisionProposal,
    event_model=ProposalEvent,
    event_field="proposal",
    label=gettext_lazy("revision proposal"),
    transitions=PROPOSAL_TRANSITIONS,
)


def proposal_set_status(*, proposal_id: int, to: str, **options) -> Transition:
    """Move a revision proposal (options: actor, reason, details, updates; see ``StateMachine.move``)."""
    return PROPOSAL_MACHINE.move(pk=proposal_id, to=to, **options)


def _participants_of_job(job: Job) -> set:
    users = set(job.maker.members.all())
    users.add(job.order.customer)
    users |= set(get_user_model().objects.filter(is_staff=True, is_active=True))
    return users


def _participants_of_version(version: DesignVersion) -> set:
    users = {version.design.owner}
    makers = Job.objects.filter(job_items__order_item__design_version__design=version.design).exclude(
        status__in=JOB_DROPPED
    )
    users |= set(get_user_model().objects.filter(makers__jobs__in=makers).distinct())
    return users


def job_visible_to(user, job_id) -> Job:
    job = _job_visible_to(user, job_id)
    if job is None:
        raise NotFound(_("No such job."))
    return job


def version_visible_to(user, *, design_id: int, number: int) -> DesignVersion:
    design = designs_visible_to(user).filter(pk=design_id).first()
    version = design and DesignVersion.objects.select_related("design").filter(design=design, number=number).first()
    if not version:
        raise NotFound(_("No such design version."))
    return version


def message_post(*, author, body: str, version: DesignVersion | None = None, job: Job | None = None) -> Message:
    """Add a message to a thread (the caller has checked the author may see it) and tell the others."""
    body = clean_text(body, field=_("The message"), max_length=5000)
    if not body:
        raise DomainError(_("Write a message first."), code="empty_message")
    with transaction.atomic():
        message = Message.objects.create(author=author, body=body, design_version=version, job=job)
        # Each reader's link opens a page that reader may see: the maker's people the job page, the customer and
        # staff the order page (a maker cannot open the order page).
        if job is not None:
            participants = _participants_of_job(job)
            maker_people = set(job.maker.members.all())
            links = [
                (maker_people, f"/maker/jobs/{job.pk}/"),
                (participants - maker_people, f"/orders/{job.order_id}/"),
            ]
        else:
            participants = _participants_of_version(version)
            links = [(participants, f"/designs/{version.design_id}/")]

        def subject() -> str:
            if job is not None:
                return _("New message on job %(job)s") % {"job": job.pk}
            return _("New message on %(design)s v%(number)s") % {
                "design": version.design.name,
                "number": version.number,
            }

        for readers, link in links:
            tell(
                users=readers - {author},
                kind="message",
                subject=subject,
                body=body[:500],
                link=link,
                data={"message": message.pk},
                dedupe_key=f"message-{message.pk}",
            )
    return message


def _system_message(*, author, job: Job, version: DesignVersion, body: str) -> None:
    Message.objects.create(author=author, body=body, job=job)
    Message.objects.create(author=author, body=body, design_version=version)


def proposable_item(*, maker_user, design: Design):
    """The job item of ``design`` that this maker may still propose a revision for."""
    job_item = (
        JobItem.objects.filter(
            job__maker__members=maker_user, job__status__in=PROPOSABLE, order_item__design_version__design=design
        )
        .order_by("-job__offered_at")
        .first()
    )
    if job_item is None:
        raise Conflict(_("You hold no job for this design that has not started printing."), code="no_job")
    return job_item


def proposal_create(
    *,
    job_id: int,
    actor,
    order_item_id: int | None = None,
    message: str,
    uploaded_file=None,
    units: str = "",
    parameters: dict | None = None,
) -> RevisionProposal:
    """The maker of a job proposes a new version of one of its parts: a file, or template parameters."""
    message = clean_text(message, field=_("The message"), max_length=5000)
    if not message:
        raise DomainError(_("Explain what you changed and why."), code="message_required")
    job = Job.objects.select_related("order", "maker").filter(pk=job_id, maker__members=actor).first()
    if job is None:
        raise NotFound(_("No such job."))
    if job.status not in PROPOSABLE:
        raise Conflict(
            _("The job is %(job_status)s: revisions can be proposed before printing starts.")
            % {"job_status": label_in_sentence(job.get_status_display(), english=job.status)},
            code="too_late_to_propose",
        )
    items = OrderItem.objects.select_related("design_version__design").filter(job_items__job=job)
    item = items.filter(pk=order_item_id).first() if order_item_id else (items.first() if items.count() == 1 else None)
    if item is None:
        raise DomainError(_("Say which item of the job the revision is for (order_item)."), code="item_required")
    design: Design = item.design_version.design
    if (uploaded_file is None) == (parameters is None):
        raise DomainError(_("Send either a file or template parameters."), code="file_or_parameters")
    with transaction.atomic():
        if RevisionProposal.objects.select_for_update().filter(order_item=item, status=ProposalStatus.PENDING).exists():
            raise Conflict(_("A proposal for this item is already waiting for the customer."), code="proposal_pending")
        if parameters is not None:
            if not design.template_slug:
                raise DomainError(_("This design is not from a template: send a file."), code="not_a_template")
            values = design_services.template_parameters(
                slug=design.template_slug, raw=parameters, material=item.material
            )
            version = design_services.design_version_from_parameters(
                design=design, actor=actor, parameters=values, message=message, make_latest=False
            )
        else:
            version = design_services.design_version_upload(
                design=design, actor=actor, uploaded_file=uploaded_file, units=units, message=message, make_latest=False
            )
        try:
            # The pending check above reads; the unique constraint decides when two proposals race.
            with transaction.atomic():
                proposal = PROPOSAL_MACHINE.create(
                    to=ProposalStatus.PENDING,
                    actor=actor,
                    reason="proposed by the maker",
                    job=job,
                    order_item=item,
                    proposed_by=actor,
                    version=version,
                    previous_version=item.design_version,
                    message=message,
                    price_before=item.total_price,
                ).obj
        except IntegrityError:
            raise Conflict(_("A proposal for this item is already waiting for the customer."), code="proposal_pending")
        _system_message(
            author=actor,
            job=job,
            version=item.design_version,
            body=f"Proposed version {version.number} of {design.name}: {message}",
        )
        tell(
            users=[job.order.customer],
            kind="proposal.created",
            subject=lambda: (
                _("%(maker)s proposes a change to %(design)s") % {"maker": job.maker.name, "design": design.name}
            ),
            body=message,
            link=f"/orders/{job.order_id}/",
            data={"proposal": proposal.pk},
            dedupe_key=f"proposal-{proposal.pk}",
        )
    return proposal


def _proposal_for_customer(proposal_id: int, customer) -> RevisionProposal:
    proposal = (
        RevisionProposal.objects.select_for_update().filter(pk=proposal_id, job__order__customer=customer).first()
    )
    if proposal is None:
        raise NotFound(_("No such proposal."))
    if proposal.status != ProposalStatus.PENDING:
        raise Conflict(
            _("This proposal is already %(proposal_status)s.")
            % {"proposal_status": label_in_sentence(proposal.get_status_display(), english=proposal.status)},
            code="proposal_decided",
            details={"current": proposal.status},
        )
    return proposal


def proposal_accept(*, proposal_id: int, actor) -> RevisionProposal:
    """The customer takes the proposed version: the item moves to it at its new price (recorded)."""
    with transaction.atomic():
        proposal = _proposal_for_customer(proposal_id, actor)
        version = DesignVersion.objects.get(pk=proposal.version_id)
        if version.status != VersionStatus.READY:
            raise Conflict(
                _("Version %(number)s is %(status)s; it can be accepted once its analysis is ready.")
                % {
                    "number": version.number,
                    "status": label_in_sentence(version.get_status_display(), english=version.status),
                }
                + (f" ({version.error})" if version.error else ""),
                code="proposal_not_ready",
            )
        item = OrderItem.objects.select_for_update().select_related("material", "order").get(pk=proposal.order_item_id)
        breakdown = quoting.price(version=version, material=item.material, quantity=item.quantity)
        difference = breakdown.total - item.total_price
        order = Order.objects.select_for_update().get(pk=item.order_id)
        item.design_version = version
        item.unit_price, item.total_price = breakdown.unit_price, breakdown.total
        item.price_breakdown = breakdown.as_dict()
        item.template_slug, item.parameters = version.template_slug, version.parameters
        item.save(
            update_fields=[
                "design_version",
                "unit_price",
                "total_price",
                "price_breakdown",
                "template_slug",
                "parameters",
            ]
        )
        checkout.order_items_repriced(order_id=order.pk, job_id=proposal.job_id, difference=difference)
        job = Job.objects.get(pk=proposal.job_id)
        Design.objects.filter(pk=version.design_id).update(latest_version=version, updated_at=timezone.now())
        proposal_set_status(
            proposal_id=proposal.pk,
            to=ProposalStatus.ACCEPTED,
            actor=actor,
            reason="accepted by the customer",
            updates={
                "decided_at": timezone.now(),
                "decided_by": actor,
                "price_after": breakdown.total,
                "price_difference": difference,
            },
        )
        sign = "+" if difference >= 0 else "-"
        note = (
            f"Revision accepted: item {item.pk} now uses version {version.number}; price "
            f"{proposal.price_before} -> {breakdown.total} {breakdown.currency} ({sign}{abs(difference)})"
        )
        OrderEvent.objects.create(
            order=order,
            kind=StatusEvent.KIND_NOTE,
            from_status=order.status,
            to_status=order.status,
            actor=actor,
            reason=note,
            details={
                "proposal": proposal.pk,
                "version": version.pk,
                "price_before": str(proposal.price_before),
                "price_after": str(breakdown.total),
                "difference": str(difference),
            },
        )
        _system_message(author=actor, job=job, version=version, body=note)
        _tell_maker(job, proposal, decision="accepted", body=note)
    proposal.refresh_from_db()
    return proposal


def proposal_reject(*, proposal_id: int, actor, reason: str = "") -> RevisionProposal:
    """The customer keeps their version; the maker goes on with it."""
    reason = clean_text(reason, field=_("The reason"), max_length=2000)
    with transaction.atomic():
        proposal = _proposal_for_customer(proposal_id, actor)
        proposal_set_status(
            proposal_id=proposal.pk,
            to=ProposalStatus.REJECTED,
            actor=actor,
            reason=reason or "rejected by the customer",
            updates={"decided_at": timezone.now(), "decided_by": actor, "decision_note": reason[:2000]},
        )
        job = Job.objects.select_related("maker").get(pk=proposal.job_id)
        _system_message(
            author=actor,
            job=job,
            version=proposal.version,
            body=f"Revision {proposal.version.number} rejected" + (f": {reason}" if reason else "."),
        )
        _tell_maker(job, proposal, decision="rejected", body=reason)
    proposal.refresh_from_db()
    return proposal


def _tell_maker(job: Job, proposal: RevisionProposal, *, decision: str, body: str) -> None:
    """The maker's people hear the customer's answer to their proposal (once per proposal and answer)."""
    subjects = {
        "accepted": gettext_noop("Revision accepted for job %(job)s"),
        "rejected": gettext_noop("Revision rejected for job %(job)s"),
    }
    tell(
        users=job.maker.members.all(),
        kind=f"proposal.{decision}",
        subject=lambda: _(subjects[decision]) % {"job": job.pk},
        body=body,
        link=f"/maker/jobs/{job.pk}/",
        data={"proposal": proposal.pk},
        dedupe_key=f"proposal-{decision}-{proposal.pk}",
    )


def proposals_withdraw_for_job(*, job_id: int, reason: str = "the job ended before the customer answered") -> int:
    """A job that ends (declined, cancelled, failed) takes its pending proposals with it, each through the door."""
    withdrawn = 0
    for proposal_id in RevisionProposal.objects.filter(job_id=job_id, status=ProposalStatus.PENDING).values_list(
        "pk", flat=True
    ):
        transition = proposal_set_status(
            proposal_id=proposal_id,
            to=ProposalStatus.WITHDRAWN,
            reason=reason,
            updates={"decided_at": timezone.now()},
        )
        withdrawn += transition.changed
    return withdrawn


def job_has_pending_proposal(job_id: int) -> bool:
    return RevisionProposal.objects.filter(job_id=job_id, status=ProposalStatus.PENDING).exists()


def refuse_printing_while_a_proposal_waits(*, obj, to_status: str, **_signal) -> None:
    """Connected to the status door for jobs (see CodesignConfig.ready): printing waits for the customer."""
    if to_status == JobStatus.PRINTING and job_has_pending_proposal(obj.pk):
        raise Conflict(
            _("A revision proposal for this job is waiting for the customer; start printing once they answer."),
            code="proposal_pending",
        )


def withdraw_proposals_of_ended_job(*, transition: Transition, **_signal) -> None:
    """Connected to the status door for jobs: a job that ends without its parts withdraws its proposals."""
    if transition.to_status in JOB_DROPPED:
        proposals_withdraw_for_job(job_id=transition.obj.pk)


@dataclass(frozen=True)
class ExpectedPrice:
    """What an item would cost if the customer accepted a pending proposal now (or why it cannot be priced)."""

    total: Decimal | None
    currency: str
    difference: Decimal | None
    error: str = ""

    def as_dict(self) -> dict:
        if self.error:
            return {"error": self.error}
        return {"total": str(self.total), "currency": self.currency, "difference": str(self.difference)}


def proposal_expected_price(proposal: RevisionProposal) -> ExpectedPrice | None:
    """The price of the proposed version for the item, before the customer decides; None once decided or while
    the new version is not analysed yet."""
    if proposal.status != ProposalStatus.PENDING or proposal.version.status != VersionStatus.READY:
        return None
    item = proposal.order_item
    try:
        breakdown = quoting.price(version=proposal.version, material=item.material, quantity=item.quantity)
    except DomainError as error:
        return ExpectedPrice(total=None, currency="", difference=None, error=error.message)
    return ExpectedPrice(
        total=breakdown.total, currency=breakdown.currency, difference=breakdown.total - item.total_price
    )
