"""A double click on checkout against the demo host on a file-backed SQLite database.

Run in a fresh process by ``test_sqlite_double_click.py`` (the test database of the suite is in
memory, which locks differently)::

    python -m tests.sandbox.sqlite_double_click DB_PATH [--deferred]

It migrates DB_PATH, makes a course and a funded learner, and sends two checkout requests for
that learner at once, from two threads with their own connections, through the REST API. Both
requests are held at the point where a checkout has read the paying wallet inside its
transaction (for at most ``WAIT`` seconds) so that, when SQLite lets both transactions in, both
have read before either writes: the worst case of a double click. ``--deferred`` drops the demo
settings' ``transaction_mode`` to show what happens without it. The last line printed is
``RESULT <json>``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import threading

WAIT = 1.0


class _NoMigrations(dict):
    def __contains__(self, item) -> bool:
        return True

    def __getitem__(self, item):
        return None


def main(path: str, *, deferred: bool) -> dict:
    os.environ["CREDITS_DB"] = "sqlite"
    os.environ["CREDITS_SQLITE_PATH"] = path
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "host.settings")
    from django.conf import settings

    if deferred:
        settings.DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MIGRATION_MODULES = _NoMigrations()  # tables straight from the models, as the suite

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", run_syncdb=True, verbosity=0)

    from rest_framework.test import APIClient
    from waffle.models import Switch

    from credits_plugin import api
    from credits_plugin.ledger.models import Transfer
    from credits_plugin.pricing.models import CurrencyValue
    from credits_plugin.purchases import services as purchases
    from credits_plugin.purchases.models import Purchase
    from credits_plugin.toggles import CREDITS_ENABLED
    from tests.factories import funded_user, make_paid_course

    course = "course-v1:DemoX+Py101+2026"
    make_paid_course(course, name="Python 101", verified_price=49)
    CurrencyValue.objects.create(currency="usd", credits_per_unit=100)
    Switch.objects.create(name=CREDITS_ENABLED.name, active=True)
    learner = funded_user(10_000)
    connection.close()

    both_read = threading.Barrier(2, timeout=WAIT)
    real_lock = purchases._lock_account

    def lock_then_wait_for_the_other(account_id: int) -> None:
        real_lock(account_id)
        # Broken: the other request is not inside its transaction, SQLite made it wait.
        with contextlib.suppress(threading.BrokenBarrierError):
            both_read.wait()

    purchases._lock_account = lock_then_wait_for_the_other
    answers: list[dict] = []

    def click() -> None:
        client = APIClient(raise_request_exception=False)
        client.force_authenticate(learner)
        try:
            response = client.post(
                "/api/credits_plugin/v1/checkout/", {"course_id": course, "mode": "verified"}
            )
            answer = {"status": response.status_code}
            if response.status_code >= 500:
                answer["error"] = repr(getattr(response, "exc_info", [None, None])[1])
            answers.append(answer)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return {
        "answers": sorted(answers, key=lambda a: a["status"]),
        "purchases": list(Purchase.objects.values_list("status", flat=True)),
        "charges": Transfer.objects.filter(kind="charge").count(),
        "available": api.balance(api.user_wallet(learner)).available,
        "ledger_ok": api.verify_ledger().ok,
    }


if __name__ == "__main__":
    result = main(sys.argv[1], deferred="--deferred" in sys.argv[2:])
    print("RESULT " + json.dumps(result))
