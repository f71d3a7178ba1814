"""``manage.py verify_ledger``: prove every cached balance right; exit 1 on any problem."""

from django.core.management.base import BaseCommand, CommandError

from credits_plugin import api


class Command(BaseCommand):
    help = (
        "Check every account's cached balance and held amount against its entries and pending holds, "
        "that every transfer and every unit adds up to zero, and that lots match balances."
    )

    def handle(self, *args, **options):
        report = api.verify_ledger()
        for problem in report.problems:
            self.stderr.write(problem)
        summary = (
            f"{report.accounts_checked} accounts and {report.transfers_checked} transfers checked: "
            f"{len(report.problems)} problem(s)."
        )
        if not report.ok:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
