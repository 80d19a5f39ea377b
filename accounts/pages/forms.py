"""Forms of the account settings pages (shapes only; the rules are in accounts.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_('Where the token is used, e.g. "workshop script".'),
    )
