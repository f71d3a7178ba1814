"""A hypothesis state machine over the ledger's public API.

Random grants (with and without expiry, free and paid), charges, holds, posts, voids, hold
expiry, refunds, lot expiry, reversals, transfers between wallets (one with an overdraft) and
replays of used keys. A plain Python model predicts every balance and every accept/refuse
decision; after every step the database must agree with the model and ``verify_ledger`` must
find nothing wrong (each cached balance equals the sum of its entries, held equals the pending
holds, every transfer and every unit sums to zero, available >= -overdraft, no lot below zero,
a wallet's lots add up to what it may spend).

Each example runs inside a savepoint that is rolled back at its end, so examples do not see
each other's rows.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus, LotSource
from credits_plugin.ledger.models import Account, Lot, Transfer
from credits_plugin.ledger.services import forget_cached_ids
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OVERDRAFT = 300
amounts = st.integers(min_value=1, max_value=1_000)
_keys = itertools.count()


def key(label: str) -> str:
    return f"sm:{label}:{next(_keys)}"


class LedgerMachine(RuleBasedStateMachine):
    charges = Bundle("charges")
    holds = Bundle("holds")
    wallet_index = st.integers(min_value=0, max_value=2)

    def __init__(self) -> None:
        super().__init__()
        self.savepoint = transaction.savepoint()
        forget_cached_ids()
        api.ensure_unit("credits", name="Credits")
        self.wallets: list[Account] = [api.user_wallet(UserFactory()) for _ in range(3)]
        # The third wallet may go OVERDRAFT below zero.
        Account.objects.filter(pk=self.wallets[2].pk).update(overdraft_limit=OVERDRAFT)
        self.limit = [0, 0, OVERDRAFT]
        self.balance = [0, 0, 0]
        self.held = [0, 0, 0]
        self.pending: dict[int, tuple[int, int]] = {}  # hold id -> (wallet index, amount)
        self.used: list[tuple[str, int, int, int]] = []  # (key, wallet, amount, transfer id)
        self.now = timezone.now()

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        forget_cached_ids()

    def available(self, i: int) -> int:
        return self.balance[i] - self.held[i]

    def can_spend(self, i: int, amount: int) -> bool:
        return self.available(i) - amount >= -self.limit[i]

    # --- rules ------------------------------------------------------------------------------

    @initialize(amount=amounts)
    def first_grant(self, amount):
        api.grant(account=self.wallets[0], amount=amount, idempotency_key=key("init"))
        self.balance[0] += amount

    @rule(i=wallet_index, amount=amounts, expiring=st.booleans(), paid=st.booleans())
    def grant(self, i, amount, expiring, paid):
        api.grant(
            account=self.wallets[i],
            amount=amount,
            idempotency_key=key("grant"),
            expires_at=self.now + timedelta(days=1) if expiring else None,
            source=LotSource.PURCHASED if paid else LotSource.GRANTED,
        )
        self.balance[i] += amount

    @rule(target=charges, i=wallet_index, amount=amounts)
    def charge(self, i, amount):
        k = key("charge")
        if self.can_spend(i, amount):
            t = api.charge(account=self.wallets[i], amount=amount, idempotency_key=k)
            assert t.amount == amount
            self.balance[i] -= amount
            self.used.append((k, i, amount, t.pk))
            return (t.pk, i, amount)
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=self.wallets[i], amount=amount, idempotency_key=k)
        return None

    @rule(target=holds, i=wallet_index, amount=amounts)
    def place_hold(self, i, amount):
        k = key("hold")
        expires_at = self.now + timedelta(hours=1)
        if self.can_spend(i, amount):
            hold = api.place_hold(
                account=self.wallets[i], amount=amount, idempotency_key=k, expires_at=expires_at
            )
            assert hold.status == HoldStatus.PENDING
            self.held[i] += amount
            self.pending[hold.pk] = (i, amount)
            return hold.pk
        with pytest.raises(exceptions.InsufficientFunds):
            api.place_hold(account=self.wallets[i], amount=amount, idempotency_key=k, expires_at=expires_at)
        return None

    @rule(target=charges, hold=consumes(holds))
    def post_hold(self, hold):
        if hold is None:
            return None
        if hold in self.pending:
            i, amount = self.pending.pop(hold)
            t = api.post_hold(hold=hold)
            assert t.amount == amount
            self.held[i] -= amount
            self.balance[i] -= amount
            return (t.pk, i, amount)
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.post_hold(hold=hold)
        return None

    @rule(hold=consumes(holds))
    def void_hold(self, hold):
        if hold is None:
            return
        if hold in self.pending:
            i, amount = self.pending.pop(hold)
            assert api.void_hold(hold=hold).status == HoldStatus.VOIDED
            self.held[i] -= amount
        else:
            with pytest.raises(exceptions.HoldAlreadyResolved):
                api.void_hold(hold=hold)

    @rule()
    def expire_holds(self):
        expired = api.expire_holds(now=self.now + timedelta(hours=2))
        assert expired == len(self.pending)
        for i, amount in self.pending.values():
            self.held[i] -= amount
        self.pending.clear()

    @rule()
    def expire_lots(self):
        totals: dict[int, int] = {}
        for account_id, remaining in Lot.objects.filter(
            remaining__gt=0, expires_at__lte=self.now + timedelta(days=2)
        ).values_list("account_id", "remaining"):
            totals[account_id] = totals.get(account_id, 0) + remaining
        api.expire_lots(now=self.now + timedelta(days=2))
        for i, wallet in enumerate(self.wallets):
            self.balance[i] -= totals.get(wallet.pk, 0)

    @rule(charge=consumes(charges))
    def refund(self, charge):
        if charge is None:
            return
        transfer_id, i, amount = charge
        api.refund(transfer=transfer_id, idempotency_key=key("refund"))
        self.balance[i] += amount
        with pytest.raises(exceptions.AlreadyReversed):
            api.refund(transfer=transfer_id, idempotency_key=key("refund-again"))

    @rule(src=wallet_index, dst=wallet_index, amount=amounts)
    def move(self, src, dst, amount):
        if src == dst:
            return
        k = key("move")
        call = {
            "debit": self.wallets[src],
            "credit": self.wallets[dst],
            "amount": amount,
            "kind": "adjustment",
            "idempotency_key": k,
        }
        if not self.can_spend(src, amount):
            with pytest.raises(exceptions.InsufficientFunds):
                api.transfer(**call)
            return
        api.transfer(**call)
        self.balance[src] -= amount
        self.balance[dst] += amount

    @rule(data=st.data())
    def replay(self, data):
        if not self.used:
            return
        k, i, amount, transfer_id = data.draw(st.sampled_from(self.used))
        before = Transfer.objects.count()
        again = api.charge(account=self.wallets[i], amount=amount, idempotency_key=k)
        assert again.pk == transfer_id
        with pytest.raises(exceptions.IdempotencyConflict):
            api.charge(account=self.wallets[i], amount=amount + 1, idempotency_key=k)
        assert Transfer.objects.count() == before

    # --- invariants -------------------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self):
        for i, wallet in enumerate(self.wallets):
            seen = api.balance(wallet.pk)
            assert (seen.balance, seen.held) == (self.balance[i], self.held[i]), i
            assert seen.available >= -self.limit[i]

    @invariant()
    def ledger_verifies(self):
        report = api.verify_ledger()
        assert report.ok, report.problems
        assert not Lot.objects.filter(remaining__lt=0).exists()


def test_ledger_state_machine():
    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
