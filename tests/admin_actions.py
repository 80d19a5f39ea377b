"""Running a Django admin action the way a staff member does: the changelist's POST, then the page it lands on."""

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import totp_enrol, user_register
from tests.factories import STAFF_TOTP_SECRET


@pytest.fixture
def staff_member(db):
    """A registered staff member (not a superuser): the "Platform staff" group gives the admin's permissions."""
    member = user_register(username="stella", password="a-long-passphrase-1", role=Role.STAFF)
    # Staff reach the admin only with two-factor authentication set up.
    totp_enrol(user=member, secret=STAFF_TOTP_SECRET)
    return member


def run_action(user, changelist: str, action: str, selected: list[int]) -> tuple[int, list[str]]:
    """POST the action on the selected rows; returns the final status code and the messages shown."""
    client = Client()
    client.force_login(user)
    response = client.post(changelist, {"action": action, "_selected_action": selected}, follow=True)
    return response.status_code, [str(message) for message in response.context["messages"]]
