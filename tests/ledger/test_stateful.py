"""A hypothesis state machine over the ledger's public API.

Random grants (with and without expiry, free and paid), charges, holds, posts, voids, hold
expiry, refunds, lot expiry, reversals, transfers between wallets (one with an overdraft) and
replays of used keys, and time passing beyond the expiry of lots (so that refunds return value
to lots that have expired meanwhile, which passes straight on to the expiry account, and
balance reads sweep expired lots). A plain Python model predicts every balance and every accept/refuse
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
from unittest import mock

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
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
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
        # The machine's clock: what the ledger sees as "now"; only the time_passes rule moves it.
        self.clock = timezone.now()
        self.clock_patch = mock.patch("django.utils.timezone.now", lambda: self.clock)
        self.clock_patch.start()
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

    @property
    def now(self):
        return self.clock

    def teardown(self) -> None:
        transaction.savepoint_rollback(self.savepoint)
        forget_cached_ids()
        self.clock_patch.stop()

    def expired_remainders(self, at) -> dict[int, int]:
        """What the lots of each account still hold that has expired by ``at``."""
        totals: dict[int, int] = {}
        for account_id, remaining in Lot.objects.filter(remaining__gt=0, expires_at__lte=at).values_list(
            "account_id", "remaining"
        ):
            totals[account_id] = totals.get(account_id, 0) + remaining
        return totals

    def refunded_into_expired_lots(self, i: int, transfer_id: int, amount: int) -> int:
        """How much of refunding ``transfer_id`` returns to lots that have expired by now: the
        refund first pays the wallet's overdraft (no lot), then returns to the lots that paid."""
        wallet = self.wallets[i]
        reserved = sum(
            part
            for allocations in Hold.objects.filter(
                debit_account=wallet, status=HoldStatus.PENDING
            ).values_list("allocations", flat=True)
            for _, part in allocations
        )
        left = amount - min(amount, max(0, reserved - self.balance[i]))
        expired = 0
        for lot_id, part in Entry.objects.filter(
            transfer_id=transfer_id, account=wallet, lot__isnull=False
        ).values_list("lot_id", "amount"):
            give = min(-part, left)
            left -= give
            expires_at = Lot.objects.get(pk=lot_id).expires_at
            if expires_at is not None and expires_at <= self.clock:
                expired += give
        return expired

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
            self.released_into_expired_lots()
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
        self.released_into_expired_lots()

    @rule()
    def expire_lots(self):
        totals = self.expired_remainders(self.now + timedelta(days=2))
        api.expire_lots(now=self.now + timedelta(days=2))
        for i, wallet in enumerate(self.wallets):
            self.balance[i] -= totals.get(wallet.pk, 0)

    @rule()
    def time_passes(self):
        """Every lot granted so far expires. No job runs: the next balance read sweeps them."""
        self.clock += timedelta(days=2)
        self.released_into_expired_lots()

    def released_into_expired_lots(self):
        """Value a released hold gave back to lots that have expired meanwhile (or that expired
        now) is swept by the next balance read: the model takes it off too."""
        totals = self.expired_remainders(self.clock)
        for i, wallet in enumerate(self.wallets):
            self.balance[i] -= totals.get(wallet.pk, 0)

    @rule(charge=consumes(charges))
    def refund(self, charge):
        self._refund(charge)

    @rule(charge=consumes(charges))
    def refund_after_expiry(self, charge):
        """Time passes beyond the expiry of the lots that paid, then the charge is refunded."""
        self.time_passes()
        self._refund(charge)

    def _refund(self, charge):
        if charge is None:
            return
        transfer_id, i, amount = charge
        expired = self.refunded_into_expired_lots(i, transfer_id, amount)
        api.refund(transfer=transfer_id, idempotency_key=key("refund"))
        # What returns to lots that expired meanwhile goes straight on to the expiry account.
        self.balance[i] += amount - expired
        assert not Lot.objects.filter(
            entries__transfer_id=transfer_id, remaining__gt=0, expires_at__lte=self.clock
        ).exists()
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
