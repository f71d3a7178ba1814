"""Ledger services: balances, lots, holds, reversals, idempotency and the database's own checks."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from credits_plugin import api, exceptions
from credits_plugin.constants import HoldStatus, LotSource, SystemAccount, TransferKind
from credits_plugin.ledger.models import Account, Entry, Hold, Lot, Transfer
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wallet():
    return api.user_wallet(UserFactory())


def bal(account):
    return api.balance(account)


def assert_ledger_ok():
    report = api.verify_ledger()
    assert report.ok, report.problems


def snapshot():
    return (
        list(Account.objects.order_by("pk").values_list("pk", "balance", "held")),
        list(Lot.objects.order_by("pk").values_list("pk", "remaining")),
        Transfer.objects.count(),
        Entry.objects.count(),
        Hold.objects.count(),
    )


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


class TestLots:
    def test_spending_order_soonest_expiry_then_free_before_paid_then_oldest(self, wallet):
        now = timezone.now()
        paid_no_expiry = api.grant(
            account=wallet, amount=100, idempotency_key="a", source=LotSource.PURCHASED
        )
        free_no_expiry_old = api.grant(account=wallet, amount=100, idempotency_key="b")
        free_no_expiry_new = api.grant(account=wallet, amount=100, idempotency_key="c")
        expiring_late = api.grant(
            account=wallet, amount=100, idempotency_key="d", expires_at=now + timedelta(days=30)
        )
        expiring_soon = api.grant(
            account=wallet, amount=100, idempotency_key="e", expires_at=now + timedelta(days=2)
        )
        expected = [expiring_soon, expiring_late, free_no_expiry_old, free_no_expiry_new, paid_no_expiry]
        lot_of = {lot.transfer_id: lot.pk for lot in Lot.objects.filter(account=wallet)}
        for i, grant in enumerate(expected):
            charge = api.charge(account=wallet, amount=100, idempotency_key=f"c{i}")
            spent = Entry.objects.get(transfer=charge, account=wallet)
            assert spent.lot_id == lot_of[grant.pk], f"charge {i} spent the wrong lot"
        assert_ledger_ok()

    def test_one_charge_spans_several_lots(self, wallet):
        api.grant(
            account=wallet, amount=300, idempotency_key="a", expires_at=timezone.now() + timedelta(days=1)
        )
        api.grant(account=wallet, amount=300, idempotency_key="b")
        charge = api.charge(account=wallet, amount=500, idempotency_key="c")
        amounts = sorted(
            Entry.objects.filter(transfer=charge, account=wallet).values_list("amount", flat=True)
        )
        assert amounts == [-300, -200]
        assert [lot.remaining for lot in api.open_lots(wallet)] == [100]
        assert_ledger_ok()

    def test_expired_lots_move_to_the_expiry_account(self, wallet):
        api.grant(
            account=wallet, amount=300, idempotency_key="a", expires_at=timezone.now() + timedelta(days=1)
        )
        api.grant(account=wallet, amount=200, idempotency_key="b")
        api.charge(account=wallet, amount=100, idempotency_key="c")
        assert api.expire_lots(now=timezone.now() + timedelta(days=2)) == 1
        assert bal(wallet).balance == 200
        expiry = Transfer.objects.get(kind=TransferKind.EXPIRY)
        assert expiry.amount == 200
        assert expiry.credit_account.holder == f"system:{SystemAccount.EXPIRY}"
        # Running the job again moves nothing more.
        assert api.expire_lots(now=timezone.now() + timedelta(days=2)) == 0
        assert Transfer.objects.filter(kind=TransferKind.EXPIRY).count() == 1
        assert_ledger_ok()

    def test_expired_lot_is_never_spent(self, wallet):
        lot_transfer = api.grant(account=wallet, amount=300, idempotency_key="a")
        Lot.objects.filter(transfer=lot_transfer).update(expires_at=timezone.now() - timedelta(seconds=1))
        # The charge sweeps the expired lot first, so the value is gone before it could be spent.
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=100, idempotency_key="c")
        api.expire_lots()
        assert bal(wallet).balance == 0
        assert_ledger_ok()


class TestHolds:
    def test_hold_reserves_then_posts_once(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        hold = api.place_hold(account=wallet, amount=400, idempotency_key="h", reference="course")
        assert (bal(wallet).balance, bal(wallet).held, bal(wallet).available) == (1_000, 400, 600)
        with pytest.raises(exceptions.InsufficientFunds):
            api.charge(account=wallet, amount=601, idempotency_key="c")
        posted = api.post_hold(hold=hold)
        assert (
            posted.hold_id == hold.pk and posted.kind == TransferKind.CHARGE and posted.reference == "course"
        )
        assert (bal(wallet).balance, bal(wallet).held) == (600, 0)
        assert api.post_hold(hold=hold).pk == posted.pk  # posting again returns the same transfer
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.void_hold(hold=hold)
        assert Transfer.objects.filter(hold=hold).count() == 1
        assert_ledger_ok()

    def test_void_releases_the_reserved_lots(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        hold = api.place_hold(account=wallet, amount=400, idempotency_key="h")
        assert [lot.remaining for lot in api.open_lots(wallet)] == [600]
        api.void_hold(hold=hold)
        assert api.void_hold(hold=hold).status == HoldStatus.VOIDED  # voiding again changes nothing
        assert [lot.remaining for lot in api.open_lots(wallet)] == [1_000]
        assert (bal(wallet).balance, bal(wallet).held) == (1_000, 0)
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.post_hold(hold=hold)
        assert_ledger_ok()

    def test_stale_holds_expire_once(self, wallet):
        api.grant(account=wallet, amount=1_000, idempotency_key="g")
        stale = api.place_hold(account=wallet, amount=300, idempotency_key="h1")
        fresh = api.place_hold(
            account=wallet, amount=200, idempotency_key="h2", expires_at=timezone.now() + timedelta(hours=2)
        )
        later = timezone.now() + timedelta(hours=1)
        assert api.expire_holds(now=later) == 1
        assert api.expire_holds(now=later) == 0
        stale.refresh_from_db()
        fresh.refresh_from_db()
        assert (stale.status, fresh.status) == (HoldStatus.EXPIRED, HoldStatus.PENDING)
        assert bal(wallet).held == 200
        with pytest.raises(exceptions.HoldAlreadyResolved):
            api.post_hold(hold=stale)
        assert_ledger_ok()

    def test_unknown_hold(self):
        with pytest.raises(exceptions.HoldNotFound):
            api.post_hold(hold=123_456)


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


class TestDatabaseGuards:
    def test_check_constraint_refuses_a_balance_below_the_overdraft_limit(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.filter(pk=wallet.pk).update(balance=F("balance") - 101)
        assert bal(wallet).balance == 100

    def test_check_constraint_refuses_negative_lots_and_amounts(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        with pytest.raises(IntegrityError), transaction.atomic():
            Lot.objects.filter(account=wallet).update(remaining=-1)
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.filter(idempotency_key="g").update(amount=0)


class TestReads:
    def test_balance_read_is_one_query(self, wallet):
        for i in range(30):
            api.grant(account=wallet, amount=10, idempotency_key=f"g{i}")
        with CaptureQueriesContext(connection) as queries:
            assert api.balance(wallet).balance == 300
        assert len(queries) == 1
        assert "SUM" not in queries[0]["sql"].upper()

    def test_history_newest_first_with_net_amounts(self, wallet):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        api.charge(account=wallet, amount=30, idempotency_key="c")
        assert [(t.kind, t.net) for t in api.history(wallet)] == [("charge", -30), ("grant", 100)]

    def test_system_accounts_are_sharded_per_unit(self, wallet, settings):
        settings.CREDITS_PLUGIN_SYSTEM_ACCOUNT_SHARDS = 4
        users = [api.user_wallet(UserFactory()) for _ in range(8)]
        for i, account in enumerate(users):
            api.grant(account=account, amount=10, idempotency_key=f"g{i}")
        used = Account.objects.filter(holder="system:issuance", balance__lt=0)
        assert set(used.values_list("shard", flat=True)) == {0, 1, 2, 3}
        assert sum(Account.objects.filter(holder="system:issuance").values_list("balance", flat=True)) == -80


class TestVerifyLedger:
    def test_clean_ledger(self, wallet, capsys):
        api.grant(account=wallet, amount=100, idempotency_key="g")
        call_command("verify_ledger")
        assert "0 problem(s)" in capsys.readouterr().out

    def test_tampered_balance_is_reported_and_the_command_fails(self, wallet):
        from django.core.management.base import CommandError

        api.grant(account=wallet, amount=100, idempotency_key="g")
        Account.objects.filter(pk=wallet.pk).update(balance=90)
        report = api.verify_ledger()
        assert not report.ok
        assert any("cached balance 90 != sum of entries 100" in p for p in report.problems)
        assert any("balances add up to -10" in p for p in report.problems)
        with pytest.raises(CommandError):
            call_command("verify_ledger")

    def test_unbalanced_transfer_is_reported(self, wallet):
        grant = api.grant(account=wallet, amount=100, idempotency_key="g")
        Entry.objects.filter(transfer=grant, amount=-100).update(amount=-99)
        problems = api.verify_ledger().problems
        assert any(f"transfer {grant.pk}: entries add up to 1" in p for p in problems)


# --- Holds that go into an overdraft (found by the state machine in test_stateful) ----------


def _overdraft_wallet(limit=300):
    wallet = api.user_wallet(UserFactory())
    Account.objects.filter(pk=wallet.pk).update(overdraft_limit=limit)
    return wallet


def _lots_total(account):
    return sum(Lot.objects.filter(account=account).values_list("remaining", flat=True))


def test_credit_arriving_during_an_uncovered_hold_becomes_a_lot_and_survives_the_void():
    wallet = _overdraft_wallet()
    hold = api.place_hold(account=wallet, amount=152, idempotency_key="od-hold")
    assert hold.allocations == []  # nothing to reserve: all of it is overdraft
    api.grant(account=wallet, amount=100, idempotency_key="od-grant")
    assert _lots_total(wallet) == 100
    api.void_hold(hold=hold)
    assert (bal(wallet).balance, bal(wallet).held, _lots_total(wallet)) == (100, 0, 100)
    assert_ledger_ok()


def test_posting_an_uncovered_hold_spends_the_lots_the_wallet_has_by_then():
    wallet = _overdraft_wallet()
    hold = api.place_hold(account=wallet, amount=152, idempotency_key="od-hold-2")
    api.grant(account=wallet, amount=100, idempotency_key="od-grant-2")
    transfer = api.post_hold(hold=hold)
    assert bal(wallet).balance == -52
    assert _lots_total(wallet) == 0
    debit_lots = Entry.objects.filter(transfer=transfer, account=wallet, lot__isnull=False)
    assert sum(e.amount for e in debit_lots) == -100
    assert_ledger_ok()


def test_released_reservation_pays_an_overdraft_run_up_meanwhile():
    wallet = _overdraft_wallet()
    api.grant(account=wallet, amount=100, idempotency_key="od-grant-3")
    hold = api.place_hold(account=wallet, amount=30, idempotency_key="od-hold-3")
    api.charge(account=wallet, amount=200, idempotency_key="od-charge-3")  # 70 from lots, 130 overdraft
    assert (bal(wallet).balance, _lots_total(wallet)) == (-100, 0)
    api.void_hold(hold=hold)
    assert (bal(wallet).balance, bal(wallet).held, _lots_total(wallet)) == (-100, 0, 0)
    assert_ledger_ok()
    api.grant(account=wallet, amount=150, idempotency_key="od-grant-4")  # pays the 100 owed first
    assert (bal(wallet).balance, _lots_total(wallet)) == (50, 50)
    assert_ledger_ok()
