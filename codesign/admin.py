from django.contrib import admin

from codesign.models import Message, ProposalEvent, RevisionProposal
from core.admin import ReadOnlyAdmin


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "author", "job", "design_version", "body"]
    list_filter = ["created_at"]
    search_fields = ["body", "author__username"]
    raw_id_fields = ["author", "job", "design_version"]


@admin.register(RevisionProposal)
class RevisionProposalAdmin(admin.ModelAdmin):
    list_display = ["id", "job", "order_item", "proposed_by", "status", "price_difference", "created_at"]
    list_filter = ["status"]
    search_fields = ["message", "proposed_by__username", "job__id"]
    readonly_fields = [f.name for f in RevisionProposal._meta.fields]


@admin.register(ProposalEvent)
class ProposalEventAdmin(ReadOnlyAdmin):
    """A revision proposal's status changes, read-only (the audit trail)."""

    list_display = ["created_at", "proposal", "from_status", "to_status", "actor", "reason"]
    search_fields = ["proposal__id", "reason"]
