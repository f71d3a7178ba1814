"""A stand-in worker process for tests/wallets/test_killed_worker.py (test code, not the package).

Usage: ``python batch_worker.py run BATCH_ID CHUNK DELAY | resume BATCH_ID | undo BATCH_ID``
with the database chosen by the usual CREDITS_DB* environment variables. ``resume`` and
``undo`` print, as JSON, the state of the batch before and after (and the command's output).

``run`` runs the real Celery task body with a small chunk size, slowed down inside each chunk's
transaction (after the chunk's transfers are written, before its commit), so that the test can
kill the process with SIGKILL while a later chunk is half written.
"""

import io
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "host.settings")

import django  # noqa: E402

django.setup()

from unittest import mock  # noqa: E402

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402

from credits_plugin import api  # noqa: E402
from credits_plugin.ledger import bulk  # noqa: E402
from credits_plugin.ledger.models import Transfer  # noqa: E402
from credits_plugin.wallets import tasks  # noqa: E402
from credits_plugin.wallets.models import GrantBatch  # noqa: E402

settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # keep stdout for JSON


def run(batch_id: str, chunk: int, delay: float) -> None:
    settings.CREDITS_PLUGIN_BULK_CHUNK_SIZE = chunk
    original = bulk.bulk_grant

    def slow(**kwargs):
        given = original(**kwargs)
        time.sleep(delay)
        return given

    with mock.patch.object(bulk, "bulk_grant", slow):
        tasks.run_batch_task(batch_id)


def resume(batch_id: str) -> None:
    before = state(batch_id)
    output = io.StringIO()
    call_command("resume_credit_batches", "--stale-after", "0", stdout=output)
    print(json.dumps({"before": before, "after": state(batch_id), "output": output.getvalue()}))


def undo(batch_id: str) -> None:
    before = state(batch_id)
    # The worker was killed a moment ago: do not wait the real stale time before undoing.
    settings.CREDITS_PLUGIN_BULK_STALE_SECONDS = 0
    time.sleep(0.01)
    api.undo_batch(batch_id=batch_id)  # outside a transaction: the (eager) task runs now
    print(json.dumps({"before": before, "after": state(batch_id)}))


def state(batch_id: str) -> dict:
    batch = GrantBatch.objects.get(pk=batch_id)
    users = get_user_model().objects.filter(username__startswith="killed-").order_by("pk")
    grants = Transfer.objects.filter(batch=str(batch.pk), reverses__isnull=True)
    report = api.verify_ledger()
    return {
        "status": batch.status,
        "done_users": batch.done_users,
        "total_users": batch.total_users,
        "undo_reversed": batch.undo_reversed,
        "grants_per_user": [grants.filter(credit_account__user=u).count() for u in users],
        "reversals": Transfer.objects.filter(batch=str(batch.pk), reverses__isnull=False).count(),
        "available": [api.balance(api.user_wallet(u)).available for u in users],
        "ledger_ok": report.ok,
        "problems": [str(p) for p in report.problems],
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "run":
        run(args[0], int(args[1]), float(args[2]))
    elif command == "resume":
        resume(args[0])
    elif command == "undo":
        undo(args[0])
    else:
        raise SystemExit(f"unknown command {command!r}")
