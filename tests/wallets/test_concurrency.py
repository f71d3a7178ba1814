"""Operator changes of one wallet under real concurrency, on PostgreSQL and MariaDB (deselected on
SQLite). As in ``tests/ledger/test_concurrency.py``, a **locking** test fails when the row locks
are taken out, which :func:`test_the_locking_tests_fail_without_row_locks` checks."""

from __future__ import annotations

import pytest

from credits_plugin import api
from credits_plugin.ledger.models import Transfer
from tests.factories import funded_user
from tests.ledger.test_concurrency import assert_clean, assert_fails_without_row_locks, kinds, run_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]


def test_operators_setting_one_balance_at_once_adjust_it_once():
    """Locking: 8 operators set one learner's balance to 5.00 at once, each under their own key.
    ``set_balance`` reads the wallet under its row lock and adjusts by the difference: one of them
    takes 10.00 down to 5.00, the others, reading the wallet once it commits, have nothing to do."""
    user = funded_user(1_000)

    results = run_threads(
        lambda i: api.set_balance(user=user, amount=500, comment="Correction", idempotency_key=f"set:{i}"),
        n=8,
    )

    assert kinds(results) == {"Transfer": 1, "NoneType": 7}, results
    assert api.balance(api.user_wallet(user)).balance == 500
    assert Transfer.objects.filter(idempotency_key__startswith="set:").count() == 1
    assert_clean()


LOCKING_TESTS = [test_operators_setting_one_balance_at_once_adjust_it_once]


@pytest.mark.parametrize("test", LOCKING_TESTS, ids=lambda t: t.__name__.removeprefix("test_"))
def test_the_locking_tests_fail_without_row_locks(test):
    """Each locking test fails when every ``FOR UPDATE`` is taken out of the SQL."""
    assert_fails_without_row_locks(test)
