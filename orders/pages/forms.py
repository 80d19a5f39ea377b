"""Forms of the order and job pages. They check shapes (a required reason, a file); the rules stay in the services,
whose errors the views show next to the form."""

import uuid

from django import forms


class PlaceOrderForm(forms.Form):
    # One key per rendered form: a double click replays the first answer instead of ordering twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, initial=lambda: uuid.uuid4().hex)
    note = forms.CharField(
        label="Note for the maker (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ProgressForm(forms.Form):
    status = forms.ChoiceField(choices=[("printing", "Printing"), ("printed", "Printed"), ("shipped", "Shipped")])
    photo = forms.ImageField(label="Photo of the printed parts", required=False)
    tracking = forms.CharField(label="Tracking number", max_length=100, required=False)
    carrier = forms.CharField(label="Carrier", max_length=60, required=False)
    note = forms.CharField(
        label="Note (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
