"""``manage.py expire_credit_holds``: release checkout holds whose time ran out."""

from django.core.management.base import BaseCommand

from credits_plugin import api


class Command(BaseCommand):
    help = "Release pending holds past their expiry time (schedule this every few minutes)."

    def handle(self, *args, **options):
        count = api.expire_holds()
        self.stdout.write(f"{count} hold(s) expired.")
