"""The order app's part of the design page (an app below it): the quote form and the owner's recent quotes.

The design page loads this library by name (``{% load orders %}``) instead of importing the order app; a form sent
back with errors comes in the page's context as ``quote_form`` (``orders.pages.views.quote_create``).
"""

from django import template

from core.formatting import money_text
from orders.pages.views import design_quote as design_quote_context

register = template.Library()


@register.inclusion_tag("orders/_design_quote.html", takes_context=True)
def design_quote(context, design, version, materials):
    """``materials``: the active materials, in catalogue order (the design page has read them already)."""
    return {
        "design": design,
        "version": version,
        **design_quote_context(context.get("user"), design, version, materials, context.get("quote_form")),
    }


@register.filter
def signed_money(amount, currency: str = "EUR") -> str:
    """A difference of money with its sign, in the reader's locale: "+€1.50", "-1,50 €"."""
    if amount is None or amount == "":
        return "-"
    text = money_text(amount, currency)
    return text if str(amount).startswith("-") else "+" + text
