"""``manage.py expire_credit_lots``: move what is left of expired lots to the expiry account."""

from django.core.management.base import BaseCommand

from credits_plugin import api


class Command(BaseCommand):
    help = "Move the remainders of expired lots to the expiry account (schedule this daily)."

    def handle(self, *args, **options):
        count = api.expire_lots()
        self.stdout.write(f"Expired lots swept on {count} account(s).")
