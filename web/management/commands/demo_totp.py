"""Print the demo staff account's current two-factor code (the demo's stand-in for an authenticator app)."""

import time

from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from web.management.commands.seed_demo import DEMO_TOTP_SECRET

PERIOD_SECONDS = 30


class Command(BaseCommand):
    help = "Print the current authenticator code of the demo's staff account (secret DEMO_TOTP_SECRET)."

    def handle(self, *args, **options):
        now = int(time.time())
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // PERIOD_SECONDS))
        self.stdout.write(f"{code}  (valid for {PERIOD_SECONDS - now % PERIOD_SECONDS} s more, and the next 30 s)")
