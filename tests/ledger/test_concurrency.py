"""The ledger under real concurrency, on PostgreSQL and MariaDB (deselected on SQLite).

Each test starts 16 threads, each with its own database connection, released together by a
barrier, and checks afterwards: no overdraft, no lost and no duplicated transfer, every
balance as the arithmetic says, and ``verify_ledger`` clean.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus
from credits_plugin.ledger.models import Account, Hold, Transfer
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 16


def run_threads(work: Callable[[int], Any], n: int = THREADS) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads at once; returns each result or the exception raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait()
            results[i] = work(i)
        except BaseException as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread is stuck"
    return results


def kinds(results: list[Any]) -> Counter:
    return Counter(type(r).__name__ for r in results)


def assert_clean() -> None:
    report = api.verify_ledger()
    assert report.ok, report.problems
    assert not [
        a.pk for a in Account.objects.exclude(overdraft_limit=None) if a.balance - a.held < -a.overdraft_limit
    ]


def funded_wallet(amount: int) -> Account:
    wallet = api.user_wallet(UserFactory())
    api.grant(account=wallet, amount=amount, idempotency_key=f"fund:{wallet.pk}")
    return wallet


def test_hot_wallet_is_never_overdrawn():
    wallet = funded_wallet(1_000)  # room for exactly 10 charges of 100
    attempts = 4

    def work(i: int) -> list[Any]:
        out = []
        for j in range(attempts):
            try:
                out.append(api.charge(account=wallet.pk, amount=100, idempotency_key=f"hot:{i}:{j}").pk)
            except exceptions.InsufficientFunds as exc:
                out.append(exc)
        return out

    results = run_threads(work)
    flat = [r for rs in results for r in (rs if isinstance(rs, list) else [rs])]
    counts = kinds(flat)
    assert counts["int"] == 10, counts
    assert counts["InsufficientFunds"] == THREADS * attempts - 10, counts
    assert api.balance(wallet).balance == 0
    assert Transfer.objects.filter(idempotency_key__startswith="hot:").count() == 10
    assert_clean()


def test_many_wallets_in_parallel():
    wallets = [funded_wallet(500) for _ in range(THREADS)]

    def work(i: int) -> int:
        # Each thread spends from its own wallet and from its neighbour's, so that threads
        # cross on the same rows; every wallet sees 2 x 2 charges of 100.
        done = 0
        for j in range(2):
            for wallet in (wallets[i], wallets[(i + 1) % THREADS]):
                api.charge(account=wallet.pk, amount=100, idempotency_key=f"many:{i}:{j}:{wallet.pk}")
                done += 1
        return done

    results = run_threads(work)
    assert results == [4] * THREADS, kinds(results)
    assert [api.balance(w).balance for w in wallets] == [100] * THREADS
    assert_clean()


def test_wallet_to_wallet_transfers_in_both_directions_do_not_deadlock():
    a, b = funded_wallet(10_000), funded_wallet(10_000)

    def work(i: int) -> int:
        src, dst = (a, b) if i % 2 else (b, a)
        for j in range(5):
            api.transfer(
                debit=src.pk,
                credit=dst.pk,
                amount=10,
                kind="adjustment",
                idempotency_key=f"x:{i}:{j}",
            )
        return 5

    results = run_threads(work)
    assert results == [5] * THREADS, kinds(results)
    assert api.balance(a).balance == 10_000 and api.balance(b).balance == 10_000
    assert_clean()


def test_retries_of_the_same_key_make_one_transfer():
    wallet = funded_wallet(10_000)
    keys = [f"retry:{k}" for k in range(4)]

    def work(i: int) -> list[int]:
        # Every thread sends every key: 16 attempts per key, as a client retrying on timeouts.
        return [api.charge(account=wallet.pk, amount=100, idempotency_key=key).pk for key in keys]

    results = run_threads(work)
    assert all(isinstance(r, list) for r in results), kinds(results)
    for k in range(len(keys)):
        assert len({r[k] for r in results}) == 1  # every retry got the same transfer
    assert Transfer.objects.filter(idempotency_key__startswith="retry:").count() == len(keys)
    assert api.balance(wallet).balance == 10_000 - 100 * len(keys)
    assert_clean()


def test_a_transfer_is_reversed_once():
    wallet = funded_wallet(1_000)
    charge = api.charge(account=wallet.pk, amount=400, idempotency_key="to-reverse")

    def work(i: int) -> Any:
        return api.refund(transfer=charge.pk, idempotency_key=f"refund:{i}").pk

    results = run_threads(work)
    counts = kinds(results)
    assert counts["int"] == 1 and counts["AlreadyReversed"] == THREADS - 1, counts
    assert api.balance(wallet).balance == 1_000
    assert_clean()


def test_post_and_void_race_on_one_hold():
    wallet = funded_wallet(1_000)
    holds = [api.place_hold(account=wallet.pk, amount=100, idempotency_key=f"race:{k}") for k in range(4)]

    def work(i: int) -> str:
        hold = holds[i % len(holds)]
        try:
            if i % 2:
                api.post_hold(hold=hold.pk)
                return "posted"
            api.void_hold(hold=hold.pk)
            return "voided"
        except exceptions.HoldAlreadyResolved:
            return "refused"

    results = run_threads(work)
    assert not [r for r in results if isinstance(r, BaseException)], results
    posted = Hold.objects.filter(pk__in=[h.pk for h in holds], status=HoldStatus.POSTED).count()
    voided = Hold.objects.filter(pk__in=[h.pk for h in holds], status=HoldStatus.VOIDED).count()
    assert posted + voided == len(holds)
    assert Transfer.objects.filter(hold__in=holds).count() == posted
    assert api.balance(wallet).balance == 1_000 - 100 * posted
    assert api.balance(wallet).held == 0
    assert_clean()


def test_hold_expiry_races_with_post():
    wallet = funded_wallet(1_000)
    soon = timezone.now() + timedelta(seconds=30)
    holds = [
        api.place_hold(account=wallet.pk, amount=100, idempotency_key=f"exp:{k}", expires_at=soon)
        for k in range(8)
    ]
    later = soon + timedelta(minutes=1)

    def work(i: int) -> Any:
        if i < 8:
            try:
                return api.post_hold(hold=holds[i].pk).pk
            except exceptions.HoldAlreadyResolved:
                return "refused"
        return api.expire_holds(now=later)

    results = run_threads(work)
    assert not [r for r in results if isinstance(r, BaseException)], results
    statuses = Counter(Hold.objects.filter(pk__in=[h.pk for h in holds]).values_list("status", flat=True))
    assert statuses[HoldStatus.POSTED] + statuses[HoldStatus.EXPIRED] == 8, statuses
    assert sum(r for r in results[8:]) == statuses[HoldStatus.EXPIRED]
    assert api.balance(wallet).balance == 1_000 - 100 * statuses[HoldStatus.POSTED]
    assert api.balance(wallet).held == 0
    assert_clean()


def test_posting_holds_between_two_wallets_while_transfers_cross():
    """Holds credited to another wallet post through the general path, which locks both wallets
    in ascending id order, while transfers between the same wallets cross in both directions.
    On MariaDB the fast path's locking read must not have locked the debit wallet first."""
    from credits_plugin.ledger import services as ledger_services

    low, high = funded_wallet(50_000), funded_wallet(50_000)
    holds = [
        ledger_services.place_hold(debit=high.pk, credit=low.pk, amount=100, idempotency_key=f"wh{i}").pk
        for i in range(8)
    ]

    def work(i: int) -> Any:
        if i < 8:
            return ledger_services.post_hold(hold=holds[i]).pk
        return api.transfer(
            debit=low.pk, credit=high.pk, amount=10, kind="adjustment", idempotency_key=f"wx{i}"
        ).pk

    results = run_threads(work)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert api.balance(high).balance == 50_000 - 800 + 80
    assert api.balance(low).balance == 50_000 + 800 - 80
    assert api.balance(high).held == 0
    assert_clean()
