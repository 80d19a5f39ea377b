"""Make every kept API read out of date (after the database was changed outside the platform)."""

from django.core.management.base import BaseCommand

from core import readcache


class Command(BaseCommand):
    help = "Make every kept API read out of date (after changing the database outside the platform)."

    def handle(self, *args, **options):
        tables = readcache.clear()
        self.stdout.write(f"New versions for {tables} tables: every kept read will be rendered afresh.")
