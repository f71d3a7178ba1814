"""Transfers: grants and charges, idempotency and reversals (``credits_plugin.ledger.transfers``)."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import LotSource, SystemAccount, TransferKind
from credits_plugin.ledger.models import Account, Entry, Lot, Transfer
from tests.factories import UserFactory
from tests.ledger.support import assert_ledger_ok, bal, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


class TestGrantAndCharge:
    def test_grant_creates_a_lot_and_balances_against_issuance(self, wallet):
        transfer = api.grant(account=wallet, amount=10_000, idempotency_key="g1", reason="welcome")
        assert bal(wallet).balance == 10_000
        assert transfer.kind == TransferKind.GRANT
        assert transfer.debit_account.holder == f"system:{SystemAccount.ISSUANCE}"
        assert list(
            Entry.objects.filter(transfer=transfer).values_list("amount", flat=True).order_by("amount")
        ) == [
            -10_000,
            10_000,
        ]
        (lot,) = api.open_lots(wallet)
        assert (lot.amount, lot.remaining, lot.source) == (10_000, 10_000, LotSource.GRANTED)
        assert_ledger_ok()

    def test_charge_spends_and_records_who_and_why(self, wallet):
        operator = UserFactory(username="op")
        api.grant(account=wallet, amount=5_000, idempotency_key="g1")
        charge = api.charge(
            account=wallet,
            amount=1_250,
            idempotency_key="c1",
            actor=operator,
            reason="course",
            reference="course-v1:X+Y+Z",
        )
        assert bal(wallet).balance == 3_750
        assert (charge.actor, charge.reason, charge.reference) == (operator, "course", "course-v1:X+Y+Z")
        assert charge.credit_account.holder == f"system:{SystemAccount.REVENUE}"
        assert_ledger_ok()

    def test_insufficient_funds_changes_nothing(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g1")
        before = snapshot()
        with pytest.raises(exceptions.InsufficientFunds) as err:
            api.charge(account=wallet, amount=1_001, idempotency_key="c1")
        assert err.value.status_code == 402
        assert snapshot() == before
        # The key was not used up by the failure.
        api.charge(account=wallet, amount=1_000, idempotency_key="c1")
        assert bal(wallet).balance == 0

    def test_overdraft_allows_negative_up_to_the_limit(self, wallet):
        Account.objects.filter(pk=wallet.pk).update(overdraft_limit=500)
        api.grant(account=wallet, amount=1_000, idempotency_key="g1")
        api.charge(account=wallet, amount=1_500, idempotency_key="c1")
        assert bal(wallet).available == -500
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=1, idempotency_key="c2")
        assert api.open_lots(wallet) == []
        # A later grant pays the debt back first; only the rest becomes spendable lot value.
        api.grant(account=wallet, amount=800, idempotency_key="g2")
        assert bal(wallet).available == 300
        assert [lot.remaining for lot in api.open_lots(wallet)] == [300]
        assert_ledger_ok()

    @pytest.mark.parametrize("amount", [0, -1, 1.5, "10", True, None, 10**16])
    def test_invalid_amounts_are_refused(self, wallet, amount):
        before = snapshot()
        with pytest.raises(exceptions.InvalidAmount):
            api.grant(account=wallet, amount=amount, idempotency_key="g1")
        assert snapshot() == before

    def test_units_must_match(self, wallet):
        api.ensure_unit("USD", name="US dollar")
        dollars = api.user_wallet(wallet.user, unit="USD")
        with pytest.raises(exceptions.UnitMismatch):
            api.transfer(
                debit=wallet, credit=dollars, amount=1, kind=TransferKind.ADJUSTMENT, idempotency_key="t"
            )

    def test_unknown_unit_is_refused(self, wallet):
        with pytest.raises(exceptions.UnknownUnit):
            api.user_wallet(wallet.user, unit="XYZ")

    def test_closed_account_takes_no_transfers(self, wallet):
        Account.objects.filter(pk=wallet.pk).update(is_active=False)
        with pytest.raises(exceptions.AccountInactive):
            api.grant(account=wallet, amount=1, idempotency_key="g1")

    def test_unknown_account(self):
        api.ensure_unit("credits")
        with pytest.raises(exceptions.AccountNotFound):
            api.transfer(
                debit=999_999, credit=999_998, amount=1, kind=TransferKind.ADJUSTMENT, idempotency_key="t"
            )


class TestIdempotency:
    def test_replay_returns_the_original(self, wallet):
        first = api.grant(account=wallet, amount=100, idempotency_key="same")
        again = api.grant(account=wallet, amount=100, idempotency_key="same")
        assert again.pk == first.pk
        assert bal(wallet).balance == 100
        assert Transfer.objects.filter(idempotency_key="same").count() == 1

    def test_a_different_request_under_a_used_key_is_a_conflict(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="same")
        with pytest.raises(exceptions.IdempotencyConflict) as err:
            api.grant(account=wallet, amount=200, idempotency_key="same")
        assert err.value.status_code == 409
        assert bal(wallet).balance == 100

    def test_hold_replay(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        first = api.place_hold(account=wallet, amount=60, idempotency_key="h")
        assert api.place_hold(account=wallet, amount=60, idempotency_key="h").pk == first.pk
        assert bal(wallet).held == 60
        with pytest.raises(exceptions.IdempotencyConflict):
            api.place_hold(account=wallet, amount=61, idempotency_key="h")

    def test_unique_key_is_enforced_by_the_database(self, wallet):
        grant = api.grant(account=wallet, amount=100, idempotency_key="k")
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(
                idempotency_key="k",
                request_hash="x",
                kind=TransferKind.GRANT,
                unit_id=wallet.unit_id,
                amount=1,
                debit_account_id=grant.debit_account_id,
                credit_account=wallet,
            )


class TestReversals:
    def test_refund_returns_value_to_the_lots_it_came_from(self, wallet):
        soon = timezone.now() + timedelta(days=3)
        api.grant(account=wallet, amount=200, idempotency_key="a", expires_at=soon)
        api.grant(account=wallet, amount=500, idempotency_key="b")
        charge = api.charge(account=wallet, amount=400, idempotency_key="c")
        refund = api.refund(transfer=charge, idempotency_key="r")
        assert refund.kind == TransferKind.REFUND and refund.reverses_id == charge.pk
        lots = {lot.expires_at is not None: lot.remaining for lot in Lot.objects.filter(account=wallet)}
        assert lots == {True: 200, False: 500}
        assert Lot.objects.filter(account=wallet).count() == 2  # no new lot: the old ones were refilled
        assert bal(wallet).balance == 700
        assert_ledger_ok()

    def test_a_transfer_is_reversed_once(self, wallet):
        grant = api.grant(account=wallet, amount=200, idempotency_key="a")
        reversal = api.reverse_transfer(transfer=grant, idempotency_key="r1", reason="mistake")
        assert bal(wallet).balance == 0
        assert api.reverse_transfer(transfer=grant, idempotency_key="r1", reason="mistake").pk == reversal.pk
        with pytest.raises(exceptions.AlreadyReversed):
            api.reverse_transfer(transfer=grant, idempotency_key="r2")
        with pytest.raises(exceptions.NotReversible):
            api.reverse_transfer(transfer=reversal, idempotency_key="r3")
        assert_ledger_ok()

    def test_reversing_a_spent_grant_needs_funds(self, wallet):
        grant = api.grant(account=wallet, amount=200, idempotency_key="a")
        api.charge(account=wallet, amount=150, idempotency_key="c")
        before = snapshot()
        with pytest.raises(exceptions.InsufficientFunds):
            api.reverse_transfer(transfer=grant, idempotency_key="r")
        assert snapshot() == before

    def test_unknown_transfer(self):
        with pytest.raises(exceptions.TransferNotFound):
            api.reverse_transfer(transfer=987_654, idempotency_key="r")
