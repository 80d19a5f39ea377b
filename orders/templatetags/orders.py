"""The order app's part of the design page (an app below it): the quote form and the owner's recent quotes.

The design page loads this library by name (``{% load orders %}``) instead of importing the order app; a form sent
back with errors comes in the page's context as ``quote_form`` (``orders.pages.views.quote_create``).
"""

from django import template

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
