"""Background work for wallets (Celery; eager in the demo and the tests)."""

from celery import shared_task

from credits_plugin.ledger.models import Transfer


@shared_task(name="credits_plugin.run_grant_batch")
def run_batch_task(batch_id: str) -> int:
    """Carry out a bulk give/reset; returns the users done."""
    from credits_plugin.wallets.services import run_batch

    return run_batch(batch_id=batch_id).done_users


@shared_task(name="credits_plugin.notify_grant_batch")
def notify_batch_task(batch_id: str) -> int:
    """Tell every learner of a bulk grant that credits arrived."""
    from credits_plugin.wallets.emails import send_credits_received

    sent = 0
    for transfer_id in Transfer.objects.filter(batch=batch_id, reverses__isnull=True).values_list(
        "pk", flat=True
    ):
        sent += bool(send_credits_received(transfer_id=transfer_id))
    return sent


@shared_task(name="credits_plugin.send_expiry_warnings")
def send_expiry_warnings_task() -> int:
    """Warn learners about credits that expire soon (schedule daily)."""
    from credits_plugin.wallets.emails import send_expiry_warnings

    return send_expiry_warnings()
