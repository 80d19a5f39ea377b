"""Forms of the account settings pages (shapes only; the rules are in accounts.services)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import TokenScope


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_('Where the token is used, e.g. "workshop script".'),
    )
    scope = forms.ChoiceField(
        label=_("Access"),
        choices=[
            (TokenScope.FULL, _("Full access: everything your account may do")),
            (TokenScope.AGENT, _("Print agent: the maker API only (jobs, print files, progress)")),
        ],
        initial=TokenScope.FULL,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        if not user.is_maker:
            del self.fields["scope"]  # agent tokens are for makers' print agents
