"""Reads of co-design: threads and proposals, each in a fixed number of queries."""

from django.db.models import QuerySet

from codesign.models import Message, RevisionProposal


def proposals_with_details() -> QuerySet[RevisionProposal]:
    """Proposals with what their pages and the API show (maker, author, versions, the item's material)."""
    return RevisionProposal.objects.select_related(
        "job__maker", "proposed_by", "version__design", "previous_version", "order_item__material"
    )


MESSAGE_LIMIT = 200


def version_messages(version) -> list:
    return list(
        Message.objects.filter(design_version=version)
        .select_related("author")
        .order_by("created_at", "id")[:MESSAGE_LIMIT]
    )


def job_messages(jobs) -> dict[int, list]:
    """Messages of several jobs at once (one query), keyed by job id."""
    threads: dict[int, list] = {job.pk: [] for job in jobs}
    for message in Message.objects.filter(job__in=list(threads)).select_related("author").order_by("created_at", "id"):
        threads[message.job_id].append(message)
    return threads


def proposals_for(*, jobs=None, order=None) -> list:
    proposals = proposals_with_details().order_by("-created_at", "-id")
    if order is not None:
        proposals = proposals.filter(job__order=order)
    else:
        proposals = proposals.filter(job__in=list(jobs))
    return list(proposals)
