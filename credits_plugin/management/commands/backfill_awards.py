"""``manage.py backfill_awards``: award the credits of certificates issued before the plugin (or
its credits) were set up, or whose event was lost. Safe to run again: awarding is idempotent.

It reads the platform's passing certificates through the platform backend
(``passing_certificates()`` of ``credits_plugin.integrations.openedx.compat``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from credits_plugin import api
from credits_plugin.exceptions import CreditsError


class Command(BaseCommand):
    help = "Award the credits of every passing certificate that has none yet (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--course", help=_("Only this course run (a course key)."))
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Only count the certificates; change nothing.")
        )

    def handle(self, *args, **options):
        try:
            certificates = api.passing_certificates(course_id=options.get("course"))
        except CreditsError as exc:
            raise CommandError(str(exc.message)) from exc
        seen = awarded = 0
        for certificate in certificates.iterator():
            seen += 1
            if options["dry_run"]:
                continue
            before = api.awards(user=certificate.user, course_id=certificate.course_id).count()
            after = api.award_for_certificate(
                user=certificate.user,
                course_id=certificate.course_id,
                certificate_id=certificate.verify_uuid or str(certificate.pk),
                issued_at=certificate.created_date,
            )
            awarded += len(after) - before
        self.stdout.write(
            _("{certificates} passing certificate(s) read, {awarded} credit(s) awarded.").format(
                certificates=seen, awarded=awarded
            )
        )
