"""Co-design: the messages a person wrote and the revision proposals they made or decided.

Erasure replaces the words (the thread keeps its order, so the others' messages still read in context) wherever
they were copied: the messages themselves, proposals, and the notifications the other side got."""

from accounts.personal_data import ERASED_TEXT, Export, eraser, exporter, replace_texts
from codesign.models import Message, RevisionProposal
from core.models import Notification


@exporter("messages")
def export_messages(user) -> Export:
    messages = Message.objects.filter(author=user).select_related("design_version").order_by("id")
    return Export(
        [
            {
                "id": message.pk,
                "body": message.body,
                "created_at": message.created_at,
                "design": message.design_version.design_id if message.design_version_id else None,
                "version": message.design_version.number if message.design_version_id else None,
                "job": message.job_id,
            }
            for message in messages
        ]
    )


@exporter("proposals")
def export_proposals(user) -> Export:
    proposals = (
        RevisionProposal.objects.filter(proposed_by=user) | RevisionProposal.objects.filter(decided_by=user)
    ).distinct()
    return Export(
        [
            {
                "id": proposal.pk,
                "job": proposal.job_id,
                "status": proposal.status,
                "proposed_by_you": proposal.proposed_by_id == user.pk,
                "message": proposal.message if proposal.proposed_by_id == user.pk else "",
                "decision_note": proposal.decision_note if proposal.decided_by_id == user.pk else "",
                "price_before": proposal.price_before,
                "price_after": proposal.price_after,
                "created_at": proposal.created_at,
                "decided_at": proposal.decided_at,
            }
            for proposal in proposals.order_by("id")
        ]
    )


@eraser("codesign")
def erase_messages(erasure) -> None:
    user = erasure.user
    own_words = set(Message.objects.filter(author=user).values_list("body", flat=True))
    own_words |= set(RevisionProposal.objects.filter(proposed_by=user).values_list("message", flat=True))
    own_words |= set(
        RevisionProposal.objects.filter(decided_by=user)
        .exclude(decision_note="")
        .values_list("decision_note", flat=True)
    )
    erasure.count("messages", Message.objects.filter(author=user).update(body=ERASED_TEXT))
    erasure.count("proposals", RevisionProposal.objects.filter(proposed_by=user).update(message=ERASED_TEXT))
    RevisionProposal.objects.filter(decided_by=user).exclude(decision_note="").update(decision_note=ERASED_TEXT)
    replace_texts(Notification.objects.exclude(user=user), ("subject", "body"), own_words)
