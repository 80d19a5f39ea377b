"""Accounts in a browser: sign up, verify the e-mail address from the message, reset a forgotten password and log
in with the address; a staff member without two-factor authentication enrols before the dashboard."""

import re

import pytest
from django.core import mail

from tests.e2e.test_journey import fits_a_phone
from tests.factories import UserFactory, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390


def link_in_newest_message(address: str, path: str) -> str:
    message = [m for m in mail.outbox if m.to == [address]][-1]
    return re.search(rf"https?://\S+{re.escape(path)}\S*/", message.body).group(0)


def shoot_both_widths(page, screens, name: str) -> None:
    screens.shoot(page, f"{name}-1280")
    page.set_viewport_size({"width": PHONE_WIDTH, "height": 800})
    screens.shoot(page, f"{name}-390")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH, name
    page.set_viewport_size({"width": 1280, "height": 800})


def test_sign_up_verify_forget_reset_and_log_in_by_address(live_server, new_page, screens):
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/signup/")
    shoot_both_widths(page, screens, "accounts-01-signup")
    page.fill("#id_username", "fern")
    page.fill("#id_email", "fern@example.com")
    page.fill("#id_password1", "a-long-pass-phrase")
    page.fill("#id_password2", "a-long-pass-phrase")
    page.click("main button[type=submit]")
    assert "Welcome, fern." in page.inner_text(".messages")

    # The verification message arrives; its link opens a page whose button confirms the address.
    page.goto(link_in_newest_message("fern@example.com", "/accounts/confirm-email/"))
    page.click("main button[type=submit]")
    page.goto(f"{base}/accounts/email/")
    assert page.input_value("#current_email") == "fern@example.com"  # verified (else: "pending verification")
    assert "pending verification" not in page.inner_text("main")
    shoot_both_widths(page, screens, "accounts-02-email")

    # Log out, forget the password, reset it from the message's link.
    page.click("header button[type=submit]")
    page.goto(f"{base}/login/")
    shoot_both_widths(page, screens, "accounts-03-login")
    page.click("text=Forgot your password?")
    page.fill("#id_email", "fern@example.com")
    page.click("main button[type=submit]")
    page.goto(link_in_newest_message("fern@example.com", "/accounts/password/reset/key/"))
    page.fill("#id_password1", "another-long-phrase")
    page.fill("#id_password2", "another-long-phrase")
    page.click("main button[type=submit]")
    assert "/accounts/password/reset/key/done/" in page.url

    # Log in with the e-mail address and the new password.
    page.goto(f"{base}/login/")
    page.fill("#id_login", "fern@example.com")
    page.fill("#id_password", "another-long-phrase")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert page.url == f"{base}/"
    assert "Log out fern" in page.inner_text("header")
    page.goto(f"{base}/accounts/2fa/")
    shoot_both_widths(page, screens, "accounts-04-security")
    page.goto(f"{base}/accounts/tokens/")
    page.fill("#id_name", "workshop script")
    page.click("main form.stack button[type=submit]")
    assert len(page.inner_text("#new-key code")) == 40
    shoot_both_widths(page, screens, "accounts-05-tokens")
    assert page.script_errors == []


def test_staff_enrol_two_factor_before_the_dashboard_and_give_the_code_at_log_in(live_server, new_page, screens):
    base = live_server.url
    UserFactory(username="stella", role="staff", is_staff=True, two_factor=False, password="a-long-pass-phrase")
    page = new_page()
    page.goto(f"{base}/login/")
    page.fill("#id_login", "stella")
    page.fill("#id_password", "a-long-pass-phrase")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"{base}/dashboard/")
    # Sent to enrol first: allauth asks for the password again before an authenticator is added (a fresh
    # log-in does not count), and the page says why a staff member is here.
    assert "/accounts/reauthenticate/" in page.url
    assert "Staff accounts need two-factor authentication" in page.inner_text(".messages")
    assert "Enter your password" in page.inner_text("main")
    shoot_both_widths(page, screens, "accounts-06-reauthenticate")
    page.fill("#id_password", "a-long-pass-phrase")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/2fa/totp/activate/" in page.url
    assert "Staff accounts need two-factor authentication" in page.inner_text("#staff-two-factor")
    shoot_both_widths(page, screens, "accounts-07-enrol")
    secret = page.inner_text("#authenticator_secret")
    page.fill("#id_code", totp_code(secret))
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    # Enrolled: allauth shows the recovery codes made with it, then the dashboard opens.
    assert "/accounts/2fa/recovery-codes/" in page.url
    assert "There are 10 out of 10 recovery codes available." in page.inner_text("main")
    assert len(page.input_value("main textarea").split()) == 10
    shoot_both_widths(page, screens, "accounts-08-recovery-codes")
    page.goto(f"{base}/dashboard/")
    assert page.url == f"{base}/dashboard/"

    # Log out and in again: the code is asked for (a later one: each code works once).
    page.click("header button[type=submit]")
    page.goto(f"{base}/login/")
    page.fill("#id_login", "stella")
    page.fill("#id_password", "a-long-pass-phrase")
    page.click("main button[type=submit]")
    assert "/accounts/2fa/authenticate/" in page.url
    shoot_both_widths(page, screens, "accounts-09-code")
    page.fill("#id_code", totp_code(secret, step=1))
    page.click("main button[type=submit]")
    page.goto(f"{base}/dashboard/")
    assert page.url == f"{base}/dashboard/"
    assert fits_a_phone(page)
