"""Co-design's parts of the pages of the apps below it: the conversation on a design version (design page), the
revisions and conversations of an order (order page), the revisions and conversation of a job (maker's job page).

Those pages load this library by name (``{% load codesign %}``) instead of importing co-design: each tag reads what
it shows and renders it from a template of its own. Every tag passes on ``user`` and ``request`` (the threads mark
one's own messages and come back to the page) and, as every inclusion tag, the CSRF token of the page.
"""

from django import template

from codesign import services as codesign
from codesign.pages.views import order_threads, priced_proposals, proposal_forms
from codesign.selectors import job_messages, proposals_for, version_messages
from core.formatting import money_text

register = template.Library()


def _page(context) -> dict:
    return {"user": context.get("user"), "request": context.get("request")}


@register.inclusion_tag("codesign/_version_conversation.html", takes_context=True)
def version_conversation(context, design, version):
    return {
        **_page(context),
        "design": design,
        "version": version,
        "thread": version_messages(version) if version is not None else [],
    }


@register.inclusion_tag("codesign/_order_proposals.html", takes_context=True)
def order_proposals(context, order):
    return {**_page(context), "order": order, "proposals": priced_proposals(order)}


@register.inclusion_tag("codesign/_order_conversations.html", takes_context=True)
def order_conversations(context, jobs):
    return {**_page(context), "threads": order_threads(jobs)}


@register.inclusion_tag("codesign/_job_proposals.html", takes_context=True)
def job_proposals(context, job, files):
    """``files``: the parts of the job as the job page lists them (``design``, ``item`` per entry)."""
    return {
        **_page(context),
        "job": job,
        "proposals": proposals_for(jobs=[job]),
        "proposal_forms": proposal_forms(job, files) if job.status in codesign.PROPOSABLE else [],
    }


@register.inclusion_tag("codesign/_job_conversation.html", takes_context=True)
def job_conversation(context, job):
    return {**_page(context), "job": job, "thread": job_messages([job])[job.pk]}


@register.filter
def signed_money(amount, currency: str = "EUR") -> str:
    """A difference of money with its sign, in the reader's locale: "+€1.50", "-1,50 €"."""
    if amount is None or amount == "":
        return "-"
    text = money_text(amount, currency)
    return text if str(amount).startswith("-") else "+" + text
