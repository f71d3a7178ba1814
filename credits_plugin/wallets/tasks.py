"""Background work for wallets (Celery; eager in the demo and the tests)."""

from celery import shared_task

from credits_plugin.ledger.models import Transfer


@shared_task(name="credits_plugin.run_grant_batch")
def run_batch_task(batch_id: str) -> int:
    """Carry out a bulk give/reset; returns the users done."""
    from credits_plugin.wallets.services import run_batch

    return run_batch(batch_id=batch_id).done_users


@shared_task(name="credits_plugin.undo_grant_batch")
def undo_batch_task(batch_id: str) -> int:
    """Reverse the transfers of a bulk give/reset whose undo was asked for; returns the reversed."""
    from credits_plugin.wallets.services import run_undo

    return run_undo(batch_id=batch_id).undo_reversed


@shared_task(name="credits_plugin.resume_grant_batch")
def resume_batch_task(batch_id: str, stale_after: int | None = None) -> str:
    """Carry on with one stuck or failed bulk operation (its run or its undo); returns its status."""
    from credits_plugin.wallets.services import resume_batch

    return resume_batch(batch_id=batch_id, stale_after=stale_after).status


@shared_task(name="credits_plugin.resume_grant_batches")
def resume_batches_task() -> int:
    """Queue the resumption of every stuck bulk operation (schedule every few minutes)."""
    from credits_plugin.wallets.selectors import stuck_batches

    ids = [str(pk) for pk in stuck_batches().values_list("pk", flat=True)]
    for batch_id in ids:
        resume_batch_task.delay(batch_id)
    return len(ids)


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
