"""The ledger under real concurrency, on PostgreSQL and MariaDB (deselected on SQLite).

Each test starts 16 threads, each with its own database connection, released together by a
barrier, and checks afterwards: no overdraft, no lost and no duplicated transfer, every
balance as the arithmetic says, and ``verify_ledger`` clean.

Each test's docstring names the one guarantee it proves and what proves it:

* **Locking** tests prove what the row locks (``SELECT ... FOR UPDATE``) guarantee: no
  overdraft, no lost update of a balance or a lot, a hold resolved once. Each of them fails when
  the locks are taken out, and :func:`test_the_locking_tests_fail_without_row_locks` checks that
  it does, on every run: it runs them again with every ``FOR UPDATE`` stripped from the SQL and
  expects each one to fail.
* **Uniqueness** tests prove what a unique index guarantees (one transfer per idempotency key,
  one reversal per transfer). They pass with the locks taken out, as they should.

The threads *dwell*: every statement a worker runs inside a transaction is followed by a short
sleep (:data:`DWELL`). A lock held between a read and the write that depends on it then keeps
the other workers waiting for a while; without the lock they all read the same rows before any
of them writes, so a missing lock shows as a failure on every run, not once in a while.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.db.backends import utils as backend_utils
from django.db.models import Sum
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus, TransferKind
from credits_plugin.ledger.models import Account, Hold, Lot, Transfer
from tests.factories import UserFactory

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

THREADS = 16
#: seconds a worker sleeps after each statement it runs inside a transaction
DWELL = 0.004


def _dwell(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if context["connection"].in_atomic_block and not sql.lstrip().upper().startswith(
        ("SAVEPOINT", "RELEASE")
    ):
        time.sleep(DWELL)
    return result


def run_threads(work: Callable[[int], Any], n: int = THREADS, *, dwell: bool = True) -> list[Any]:
    """Run ``work(i)`` in ``n`` threads at once; returns each result or the exception raised.

    With ``dwell`` every statement a thread runs in a transaction is followed by a short sleep
    (see the module's docstring)."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def target(i: int) -> None:
        try:
            barrier.wait()
            if dwell:
                with connection.execute_wrapper(_dwell):
                    results[i] = work(i)
            else:
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


#: every row-locking clause Django and ``credits_plugin.ledger.sql`` write
_FOR_UPDATE = re.compile(
    r"\s+FOR\s+UPDATE(\s+OF\s+[\w\".]+(\s*,\s*[\w\".]+)*)?(\s+NOWAIT|\s+SKIP\s+LOCKED)?", re.IGNORECASE
)


@contextmanager
def without_row_locks() -> Iterator[Counter]:
    """Take every row lock out: ``FOR UPDATE`` is stripped from each statement, in every thread,
    whether the ORM (``select_for_update()``) or the ledger's hand-written SQL wrote it.

    Yields a counter of the statements stripped, so that a check can tell that it removed
    something. The same as deleting the locks from the code by hand (docs/development.rst).
    """
    original = backend_utils.CursorWrapper._execute
    stripped: Counter = Counter()

    def _execute(self, sql, params, *args):
        unlocked = _FOR_UPDATE.sub("", sql)
        if unlocked != sql:
            stripped["statements"] += 1
        return original(self, unlocked, params, *args)

    backend_utils.CursorWrapper._execute = _execute  # type: ignore[method-assign]
    try:
        yield stripped
    finally:
        backend_utils.CursorWrapper._execute = original  # type: ignore[method-assign]


def assert_fails_without_row_locks(test: Callable[[], None]) -> None:
    """Run ``test`` with the row locks taken out: it must fail."""
    with without_row_locks() as stripped:
        try:
            test()
        except AssertionError:
            pass
        else:
            pytest.fail(f"{test.__name__} passes without row locks: it does not prove its lock")
    assert stripped["statements"], "no statement had a row lock to take out"


def assert_clean() -> None:
    report = api.verify_ledger()
    assert report.ok, report.problems
    assert not [
        a.pk for a in Account.objects.exclude(overdraft_limit=None) if a.balance - a.held < -a.overdraft_limit
    ]


def funded_wallet(amount: int, *, lots: int = 1) -> Account:
    """A wallet holding ``amount`` in ``lots`` equal lots."""
    wallet = api.user_wallet(UserFactory())
    for n in range(lots):
        api.grant(account=wallet, amount=amount // lots, idempotency_key=f"fund:{wallet.pk}:{n}")
    return wallet


# --- Locking ------------------------------------------------------------------------------------


def test_hot_wallet_is_never_overdrawn():
    """Locking: charges racing on one wallet are serialised by its row lock, so none overdraws it
    and no update of its balance or its lot is lost: exactly the 10 charges it can pay succeed."""
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


def test_holds_and_charges_racing_on_one_wallet_never_reserve_more_than_it_has():
    """Locking: holds are placed and charges made on one wallet at once, then the holds are
    posted and voided at once. The wallet's lock makes each placement check what is still
    available, charges and other holds counted: exactly 10 of 100 fit in 1,000, nothing is
    reserved twice, and posting and voiding leave ``held`` at zero."""
    wallet = funded_wallet(1_000)

    def place_or_charge(i: int) -> list[Any]:
        out: list[Any] = []
        for j in range(4):
            key = f"mix:{i}:{j}"
            try:
                if (i + j) % 2:
                    out.append(api.place_hold(account=wallet.pk, amount=100, idempotency_key=key))
                else:
                    out.append(api.charge(account=wallet.pk, amount=100, idempotency_key=key))
            except exceptions.InsufficientFunds as exc:
                out.append(exc)
        return out

    results = run_threads(place_or_charge)
    flat = [r for rs in results for r in (rs if isinstance(rs, list) else [rs])]
    counts = kinds(flat)
    assert counts["Hold"] + counts["Transfer"] == 10, counts
    assert counts["InsufficientFunds"] == THREADS * 4 - 10, counts
    holds = [r for r in flat if isinstance(r, Hold)]
    assert (api.balance(wallet).balance, api.balance(wallet).held) == (
        1_000 - 100 * counts["Transfer"],
        100 * len(holds),
    )
    assert_clean()

    def resolve(i: int) -> Any:
        if i >= len(holds):
            return None
        if i % 2:
            return api.post_hold(hold=holds[i].pk)
        return api.void_hold(hold=holds[i].pk)

    assert not [r for r in run_threads(resolve) if isinstance(r, BaseException)]
    posted = len(holds[1::2])
    assert (api.balance(wallet).balance, api.balance(wallet).held) == (
        1_000 - 100 * (counts["Transfer"] + posted),
        0,
    )
    assert_clean()


def test_many_wallets_charged_at_once_keep_cached_balances_equal_to_their_entries():
    """Locking: every thread charges every one of 20 wallets (two lots each), in a different
    order, until they are empty, so threads cross on every wallet and on the sharded revenue
    accounts (20 wallets over 16 shards: some shards take charges from two wallets). Each
    wallet's lock makes its charges one after the other: each pays exactly 6 charges, no more;
    every cached balance -- wallets and revenue shards -- equals the sum of its entries, and each
    wallet's lots are used up exactly."""
    wallets = [funded_wallet(600, lots=2) for _ in range(20)]

    def work(i: int) -> list[Any]:
        out = []
        for k in range(len(wallets)):
            wallet = wallets[(i + k) % len(wallets)]
            try:
                out.append(
                    api.charge(account=wallet.pk, amount=100, idempotency_key=f"many:{i}:{wallet.pk}").pk
                )
            except exceptions.InsufficientFunds as exc:
                out.append(exc)
        return out

    results = run_threads(work)
    flat = [r for rs in results for r in (rs if isinstance(rs, list) else [rs])]
    counts = kinds(flat)
    assert counts == {"int": 20 * 6, "InsufficientFunds": (THREADS - 6) * 20}, counts
    assert [api.balance(w).balance for w in wallets] == [0] * len(wallets)
    assert not Lot.objects.filter(account__in=wallets, remaining__gt=0).exists()
    charges = Transfer.objects.filter(kind=TransferKind.CHARGE, debit_account__in=wallets)
    shards = set(charges.values_list("credit_account_id", flat=True))
    assert 1 < len(shards) < len(wallets), shards  # several revenue shards, some taking two wallets' charges
    revenue = Account.objects.filter(pk__in=shards).aggregate(total=Sum("balance"))["total"]
    assert revenue == 20 * 600
    assert_clean()  # every cached balance equals the sum of its entries


def test_wallet_to_wallet_transfers_in_both_directions_do_not_deadlock():
    """Locking: transfers between two wallets in both directions lock both wallets in ascending
    id order, so they never deadlock, and the locks keep every lot update (the general path
    writes lots from what it read) from being lost: both balances and their lots come out right."""
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


def test_refunds_of_many_charges_race_and_each_charge_is_reversed_once():
    """Locking: refunds of 8 different charges of one wallet race, two refund requests (under
    different keys) for each charge. Every refund returns value to the lot the charge was paid
    from, a write the wallet's lock keeps from being lost: each charge is reversed exactly once
    and the lot and the balance come back whole."""
    wallet = funded_wallet(1_600)
    (lot,) = Lot.objects.filter(account=wallet)
    charges = [api.charge(account=wallet.pk, amount=100, idempotency_key=f"paid:{k}") for k in range(8)]

    def work(i: int) -> Any:
        return api.refund(transfer=charges[i % len(charges)].pk, idempotency_key=f"refund:{i}").pk

    results = run_threads(work)
    counts = kinds(results)
    assert counts == {"int": 8, "AlreadyReversed": THREADS - 8}, counts
    assert [Transfer.objects.filter(reverses=c).count() for c in charges] == [1] * len(charges)
    assert api.balance(wallet).balance == 1_600
    lot.refresh_from_db()
    assert lot.remaining == 1_600
    assert_clean()


def test_a_lot_expires_once_while_charges_and_sweeps_race():
    """Locking: a wallet holds an expired lot of 5.00 and a live lot of 5.00; 8 charges of 1.00
    (each of which sweeps the expired lot first) race with 8 expiry sweeps. Under the wallet's
    lock the expired lot is swept once, whole, and the charges spend the live lot only: 5 of them
    are paid, 3 refused."""
    wallet = api.user_wallet(UserFactory())
    api.grant(account=wallet, amount=500, idempotency_key="live")
    api.grant(
        account=wallet, amount=500, idempotency_key="dying", expires_at=timezone.now() + timedelta(seconds=1)
    )
    time.sleep(1.1)

    def work(i: int) -> Any:
        if i % 2:
            return api.expire_lots()
        try:
            return api.charge(account=wallet.pk, amount=100, idempotency_key=f"late:{i}").pk
        except exceptions.InsufficientFunds as exc:
            return exc

    results = run_threads(work)
    charges = results[0::2]
    assert kinds(charges) == {"int": 5, "InsufficientFunds": 3}, charges
    assert all(isinstance(r, int) for r in results[1::2]), results
    expired = Transfer.objects.filter(kind=TransferKind.EXPIRY, debit_account=wallet)
    assert (expired.count(), sum(expired.values_list("amount", flat=True))) == (1, 500)
    assert api.balance(wallet).balance == 0
    assert not Lot.objects.filter(account=wallet, remaining__gt=0).exists()
    assert_clean()


def test_post_and_void_race_on_one_hold():
    """Locking: two posts and two voids race on each of 4 holds; the lock on the hold (and its
    wallet) lets exactly one kind of them resolve it, the other kind is refused, and its amount
    is released from ``held`` once."""
    wallet = funded_wallet(1_000)
    holds = [api.place_hold(account=wallet.pk, amount=100, idempotency_key=f"race:{k}") for k in range(4)]

    def work(i: int) -> str:
        hold = holds[(i // 2) % len(holds)]  # threads 2k, 2k+1, 2k+8, 2k+9: a void and a post, twice
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
    for k, hold in enumerate(holds):
        # the two requests of the kind that lost are refused; the winner's second one is a replay
        outcomes = Counter(results[i] for i in range(THREADS) if (i // 2) % len(holds) == k)
        status = Hold.objects.get(pk=hold.pk).status
        assert outcomes == {
            {HoldStatus.POSTED: "posted", HoldStatus.VOIDED: "voided"}[status]: 2,
            "refused": 2,
        }
    posted = Hold.objects.filter(pk__in=[h.pk for h in holds], status=HoldStatus.POSTED).count()
    voided = Hold.objects.filter(pk__in=[h.pk for h in holds], status=HoldStatus.VOIDED).count()
    assert posted + voided == len(holds)
    assert Transfer.objects.filter(hold__in=holds).count() == posted
    assert api.balance(wallet).balance == 1_000 - 100 * posted
    assert api.balance(wallet).held == 0
    assert_clean()


def test_hold_expiry_races_with_post():
    """Locking: 8 expiry sweeps race with a post of each of 8 due holds; each hold is resolved
    once (posted or expired), and the sweeps' counts add up to the holds they expired."""
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
    """Locking: holds credited to another wallet post through the general path, which locks both
    wallets in ascending id order, while transfers between the same wallets cross in both
    directions: no deadlock (on MariaDB the fast path's locking read must not have locked the
    debit wallet first), and no lost update of either wallet's lots."""
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


# --- Uniqueness -----------------------------------------------------------------------------------


def test_retries_of_the_same_key_make_one_transfer():
    """Uniqueness: 16 threads send the same 4 keys at once, as clients retrying on timeouts; the
    unique index on the idempotency key makes one transfer per key, and every retry gets it back.
    (The row lock plays no part: this passes without it.)"""
    wallet = funded_wallet(10_000)
    keys = [f"retry:{k}" for k in range(4)]

    def work(i: int) -> list[int]:
        return [api.charge(account=wallet.pk, amount=100, idempotency_key=key).pk for key in keys]

    results = run_threads(work)
    assert all(isinstance(r, list) for r in results), kinds(results)
    for k in range(len(keys)):
        assert len({r[k] for r in results}) == 1  # every retry got the same transfer
    assert Transfer.objects.filter(idempotency_key__startswith="retry:").count() == len(keys)
    assert api.balance(wallet).balance == 10_000 - 100 * len(keys)
    assert_clean()


def test_a_transfer_is_reversed_once():
    """Uniqueness: 16 refunds of one charge under 16 keys race; the unique index on the
    reversed transfer lets one of them through and the others fail with AlreadyReversed. (This
    passes without the row locks; the racing refunds of *different* charges above need them.)"""
    wallet = funded_wallet(1_000)
    charge = api.charge(account=wallet.pk, amount=400, idempotency_key="to-reverse")

    def work(i: int) -> Any:
        return api.refund(transfer=charge.pk, idempotency_key=f"refund:{i}").pk

    results = run_threads(work)
    counts = kinds(results)
    assert counts["int"] == 1 and counts["AlreadyReversed"] == THREADS - 1, counts
    assert api.balance(wallet).balance == 1_000
    assert_clean()


# --- The locking tests prove their locks --------------------------------------------------------------

LOCKING_TESTS = [
    test_hot_wallet_is_never_overdrawn,
    test_holds_and_charges_racing_on_one_wallet_never_reserve_more_than_it_has,
    test_many_wallets_charged_at_once_keep_cached_balances_equal_to_their_entries,
    test_wallet_to_wallet_transfers_in_both_directions_do_not_deadlock,
    test_refunds_of_many_charges_race_and_each_charge_is_reversed_once,
    test_a_lot_expires_once_while_charges_and_sweeps_race,
    test_post_and_void_race_on_one_hold,
    test_hold_expiry_races_with_post,
    test_posting_holds_between_two_wallets_while_transfers_cross,
]


@pytest.mark.parametrize("test", LOCKING_TESTS, ids=lambda t: t.__name__.removeprefix("test_"))
def test_the_locking_tests_fail_without_row_locks(test):
    """Each locking test fails when every ``FOR UPDATE`` is taken out of the SQL."""
    assert_fails_without_row_locks(test)
