"""Logging in through the site's own log-in page (allauth), as a person would; staff give their authenticator's
code at the second step."""

from tests.factories import STAFF_TOTP_SECRET, totp_code


def log_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    if "/accounts/2fa/authenticate/" in page.url:
        page.fill("#id_code", totp_code(STAFF_TOTP_SECRET))
        page.click("main button[type=submit]")
        page.wait_for_load_state()
