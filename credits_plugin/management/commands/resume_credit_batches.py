"""``manage.py resume_credit_batches``: carry on with bulk operations whose worker died."""

from django.core.management.base import BaseCommand, CommandError

from credits_plugin import api


class Command(BaseCommand):
    help = (
        "Resume bulk credit operations (and their undos) that stopped half way: those queued, "
        "running or undoing without progress for CREDITS_PLUGIN_BULK_STALE_SECONDS, or the ones "
        "named (also failed ones). Nothing is given or reversed twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("batch_ids", nargs="*", help="Only these operations (ids from the admin).")
        parser.add_argument(
            "--stale-after",
            type=int,
            default=None,
            help="Seconds without progress after which a running operation counts as stuck.",
        )

    def handle(self, *args, **options):
        stale_after = options["stale_after"]
        if stale_after is not None and stale_after < 0:
            raise CommandError("--stale-after must be zero or more seconds.")
        if options["batch_ids"]:
            ids = options["batch_ids"]
        else:
            ids = [str(pk) for pk in api.stuck_batches(stale_after=stale_after).values_list("pk", flat=True)]
        failed = 0
        for batch_id in ids:
            try:
                batch = api.resume_batch(batch_id=batch_id, stale_after=stale_after)
            except Exception as exc:  # reported; the next operation still runs
                failed += 1
                self.stderr.write(f"{batch_id}: not resumed: {exc}")
                continue
            self.stdout.write(
                f"{batch.pk}: {batch.status} ({batch.done_users}/{batch.total_users} users"
                + (f", {batch.undo_reversed}/{batch.undo_total} reversed" if batch.undo_started else "")
                + ")"
            )
        self.stdout.write(f"{len(ids)} operation(s) looked at.")
        if failed:
            raise CommandError(f"{failed} operation(s) could not be resumed.")
